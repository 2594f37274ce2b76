#![no_main]
//! The kernel command line parser of the UEFI loaders on arbitrary text:
//! an error naming the word, never a panic; what it accepts it writes back
//! as a line that parses to the same.

use libfuzzer_sys::fuzz_target;
use walos_uefi_boot::Cmdline;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cmdline) = Cmdline::parse(line)
        && let Ok(again) = cmdline.line()
    {
        assert_eq!(Cmdline::parse(&again).ok(), Some(cmdline), "{line:?} -> {again:?}");
    }
});
