#![no_main]
//! A service call's copy plan (`walos_kernel::copy::Transfer`) on arbitrary
//! parameter kinds, arguments, caller and provider memories, checked
//! against a model of what a call must do: the provider sees exactly the
//! caller's input buffers in one block of its memory, its output buffers
//! zeroed, no two overlapping; after the call the caller gets back exactly
//! the output buffers, in order, and nothing else of its memory changes.
//! A plan refused or a block without room is fine; a panic, a byte out of
//! place or a region outside the block is a finding.

use std::sync::Arc;

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;

use walos_engine::{MemoryBudget, Val};
use walos_kernel::copy::{MAX_COPY, Transfer};
use walos_kernel::w_section::ParamKind;

const KINDS: [ParamKind; 7] = [
    ParamKind::Flat,
    ParamKind::Len,
    ParamKind::BytesIn,
    ParamKind::BytesOut,
    ParamKind::BytesInOut,
    ParamKind::IovecsIn,
    ParamKind::IovecsOut,
];

/// One call: up to 8 parameters; arguments mostly near the caller's memory
/// so that plans succeed, sometimes anything.
#[derive(Debug)]
struct Call {
    kinds: Vec<ParamKind>,
    args: Vec<Val>,
    caller: Vec<u8>,
    provider_size: usize,
    base: u32,
    /// What the provider writes over its memory during the call.
    answer: u8,
}

impl<'a> Arbitrary<'a> for Call {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Call> {
        let params = u.int_in_range(0..=8)?;
        let kinds = (0..params).map(|_| Ok(KINDS[u.int_in_range(0..=6)?])).collect::<arbitrary::Result<Vec<_>>>()?;
        let caller_len = u.int_in_range(0..=4096)?;
        let mut caller = vec![0; caller_len];
        u.fill_buffer(&mut caller)?;
        let args = (0..params)
            .map(|_| {
                let near = u.int_in_range(0..=caller_len as u32 + 16)?;
                Ok(Val::I32(if u.ratio(7, 8)? { near as i32 } else { u.arbitrary()? }))
            })
            .collect::<arbitrary::Result<Vec<_>>>()?;
        let provider_size = u.int_in_range(0..=65536)?;
        let base = if u.ratio(7, 8)? { u.int_in_range(0..=provider_size as u32)? } else { u.arbitrary()? };
        Ok(Call { kinds, args, caller, provider_size, base, answer: u.arbitrary()? })
    }
}

fn word(memory: &[u8], at: usize) -> usize {
    u32::from_le_bytes(memory[at..at + 4].try_into().expect("4 bytes")) as usize
}

fn arg(args: &[Val], i: usize) -> usize {
    match args.get(i) {
        Some(Val::I32(v)) => *v as u32 as usize,
        _ => 0,
    }
}

/// One buffer of the call: where it is in the caller, where the provider
/// got it, how long, whether it goes in, whether it comes back; or an iovec
/// array, which the kernel writes itself.
struct Buffer {
    caller: usize,
    provider: usize,
    len: usize,
    into: bool,
    out: bool,
    array: bool,
}

/// The buffers of a planned call, read from the arguments the provider got
/// and from its memory (the iovec arrays the kernel wrote there).
fn buffers(call: &Call, given: &[Val], provider: &[u8]) -> Vec<Buffer> {
    let mut all = Vec::new();
    for (param, kind) in call.kinds.iter().enumerate() {
        let (ptr, len, at) = (arg(&call.args, param), arg(&call.args, param + 1), arg(given, param));
        let into = matches!(kind, ParamKind::BytesIn | ParamKind::BytesInOut | ParamKind::IovecsIn);
        let out = matches!(kind, ParamKind::BytesOut | ParamKind::BytesInOut | ParamKind::IovecsOut);
        match kind {
            ParamKind::BytesIn | ParamKind::BytesOut | ParamKind::BytesInOut => {
                all.push(Buffer { caller: ptr, provider: at, len, into, out, array: false });
            }
            ParamKind::IovecsIn | ParamKind::IovecsOut => {
                for n in 0..len {
                    let (entry, mine) = (at + n * 8, ptr + n * 8);
                    assert_eq!(word(provider, entry + 4), word(&call.caller, mine + 4), "iovec {n} length");
                    let buffer = word(&call.caller, mine);
                    let (provider, len) = (word(provider, entry), word(provider, entry + 4));
                    all.push(Buffer { caller: buffer, provider, len, into, out, array: false });
                }
                // The array itself is in the block too.
                all.push(Buffer { caller: ptr, provider: at, len: len * 8, into: false, out: false, array: true });
            }
            ParamKind::Flat | ParamKind::Len => assert_eq!(given[param], call.args[param], "parameter {param} kept"),
        }
    }
    all
}

fuzz_target!(|call: Call| {
    // A budget that holds any block: the budget's refusal is not modelled.
    let budget = Arc::new(MemoryBudget::new(MAX_COPY as usize));
    let Ok(mut transfer) = Transfer::plan(&call.kinds, &call.args, &call.caller, &budget) else { return };
    assert!(u64::from(transfer.total) <= MAX_COPY);
    let mut provider = vec![0xA5; call.provider_size];
    let Ok(given) = transfer.copy_in(call.base, &mut provider) else {
        assert!(u64::from(call.base) + u64::from(transfer.total) > call.provider_size as u64, "room refused");
        assert!(provider.iter().all(|&b| b == 0xA5), "a refused block wrote nothing");
        return;
    };
    let block = call.base as usize..call.base as usize + transfer.total as usize;
    let buffers = buffers(&call, &given, &provider);
    let mut taken: Vec<_> = buffers.iter().filter(|b| b.len > 0).map(|b| (b.provider, b.provider + b.len)).collect();
    taken.sort();
    for window in taken.windows(2) {
        assert!(window[0].1 <= window[1].0, "regions {window:?} overlap");
    }
    for b in &buffers {
        let theirs = &provider[b.provider..b.provider + b.len];
        assert!(block.start <= b.provider && b.provider + b.len <= block.end, "a region outside the block");
        if b.into {
            assert_eq!(theirs, &call.caller[b.caller..b.caller + b.len], "an input buffer");
        } else if !b.array {
            assert!(theirs.iter().all(|&x| x == 0), "an output buffer not zeroed");
        }
    }
    assert!(provider[..block.start].iter().chain(&provider[block.end..]).all(|&b| b == 0xA5), "outside the block");
    // The provider answers, writing over its whole memory.
    provider.iter_mut().enumerate().for_each(|(i, b)| *b = call.answer.wrapping_add(i as u8));
    transfer.copy_out(call.base, &provider).expect("the block is still there");
    let mut caller = call.caller.clone();
    transfer.scatter(&mut caller).expect("the caller's memory is unchanged");
    let mut model = call.caller.clone();
    for b in buffers.iter().filter(|b| b.out) {
        model[b.caller..b.caller + b.len].copy_from_slice(&provider[b.provider..b.provider + b.len]);
    }
    assert!(caller == model, "the caller's memory after the call");
});
