//! gzip (RFC 1952) archives for the initrd, as the original walos read
//! them: `\walos\initrd.tar.gz` beside `initrd.tar`.
//!
//! miniz_oxide inflates the DEFLATE data but knows nothing of gzip's
//! framing, and the crates that do (flate2) need std: the header and the
//! trailer are read here, by hand. Every member of a multi-member file is
//! inflated, one after the other, as `gunzip` does. The output grows with
//! `try_reserve`, so a stream that inflates past the memory there is ends
//! in an error, not in the allocator's out-of-memory path.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// The two bytes every gzip member starts with.
const MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The only compression method gzip defines: DEFLATE.
const DEFLATE: u8 = 8;
/// Header flags (FLG).
const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;
const RESERVED: u8 = 0b1110_0000;
/// How much the output grows at a time.
const CHUNK: usize = 64 * 1024;

/// Whether `bytes` start as a gzip file does.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// The uncompressed contents of the gzip file `bytes`: every member,
/// checked against its CRC-32 and length.
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = bytes;
    loop {
        let data = skip_header(rest)?;
        let start = out.len();
        let used = inflate_member(data, &mut out)?;
        rest = check_trailer(&data[used..], &out[start..])?;
        if rest.iter().all(|&b| b == 0) {
            // Zero padding after the last member is tolerated, as gzip does.
            return Ok(out);
        }
    }
}

/// The DEFLATE data after a member's header.
fn skip_header(member: &[u8]) -> Result<&[u8], String> {
    let truncated = || String::from("not a valid gzip file: the header is truncated");
    let fixed = member.get(..10).ok_or_else(truncated)?;
    if fixed[..2] != MAGIC {
        return Err("not a valid gzip file: no gzip magic number".into());
    }
    if fixed[2] != DEFLATE {
        return Err(format!("not a valid gzip file: compression method {} is not DEFLATE", fixed[2]));
    }
    let flags = fixed[3];
    if flags & RESERVED != 0 {
        return Err(format!("not a valid gzip file: reserved header flags {flags:#04x}"));
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = member.get(at..at + 2).ok_or_else(truncated)?;
        at += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let text = member.get(at..).ok_or_else(truncated)?;
            at += 1 + text.iter().position(|&b| b == 0).ok_or_else(truncated)?;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    member.get(at..).ok_or_else(truncated)
}

/// Inflates one member's DEFLATE data onto `out`; returns the input bytes
/// it used.
fn inflate_member(data: &[u8], out: &mut Vec<u8>) -> Result<usize, String> {
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut used = 0;
    loop {
        let len = out.len();
        out.try_reserve(CHUNK).map_err(|_| format!("not enough memory to inflate more than {len} bytes"))?;
        out.resize(len + CHUNK, 0);
        let result = inflate(&mut state, &data[used..], &mut out[len..], MZFlush::None);
        used += result.bytes_consumed;
        out.truncate(len + result.bytes_written);
        match result.status {
            Ok(MZStatus::StreamEnd) => return Ok(used),
            Ok(_) => {}
            // No progress with output room left: the input has ended early.
            Err(MZError::Buf) => return Err("not a valid gzip file: the compressed data is truncated".into()),
            Err(_) => return Err("not a valid gzip file: the compressed data is corrupt".into()),
        }
    }
}

/// Checks a member's trailer against what it inflated to; returns what
/// follows it.
fn check_trailer<'a>(after: &'a [u8], contents: &[u8]) -> Result<&'a [u8], String> {
    let trailer = after.get(..8).ok_or("not a valid gzip file: the trailer is truncated")?;
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if crc32fast::hash(contents) != crc {
        return Err("not a valid gzip file: CRC-32 mismatch".into());
    }
    // ISIZE is the length modulo 2^32.
    if contents.len() as u32 != size {
        return Err(format!("not a valid gzip file: {} bytes inflated, the trailer says {size}", contents.len()));
    }
    Ok(&after[8..])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec;

    /// A gzip member of `data` with the header flags `flags` (their fields
    /// filled in), as gzip writes one; the archive tests use it too.
    pub(crate) fn member(data: &[u8], flags: u8) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, DEFLATE, flags, 0, 0, 0, 0, 0, 3];
        if flags & FEXTRA != 0 {
            out.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        }
        if flags & FNAME != 0 {
            out.extend_from_slice(b"initrd.tar\0");
        }
        if flags & FCOMMENT != 0 {
            out.extend_from_slice(b"a comment\0");
        }
        if flags & FHCRC != 0 {
            out.extend_from_slice(&[0, 0]);
        }
        out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
        out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out
    }

    #[test]
    fn members_with_every_header_field() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        for flags in [0, FNAME, FEXTRA | FNAME | FCOMMENT | FHCRC] {
            assert_eq!(decompress(&member(&data, flags)).unwrap(), data);
        }
        assert!(decompress(&member(b"", 0)).unwrap().is_empty());
    }

    #[test]
    fn several_members_and_padding() {
        let mut file = member(b"one ", FNAME);
        file.extend_from_slice(&member(b"two", 0));
        file.extend_from_slice(&[0; 512]);
        assert_eq!(decompress(&file).unwrap(), b"one two");
    }

    #[test]
    fn damage_is_named() {
        let good = member(b"hello, initrd", FNAME);
        let err = |bytes: &[u8]| decompress(bytes).unwrap_err();
        assert_eq!(err(&good[..5]), "not a valid gzip file: the header is truncated");
        assert_eq!(err(&good[..good.len() - 9]), "not a valid gzip file: the compressed data is truncated");
        assert_eq!(err(&good[..good.len() - 3]), "not a valid gzip file: the trailer is truncated");
        let mut method = good.clone();
        method[2] = 7;
        assert_eq!(err(&method), "not a valid gzip file: compression method 7 is not DEFLATE");
        let mut crc = good.clone();
        let at = crc.len() - 8;
        crc[at] ^= 1;
        assert_eq!(err(&crc), "not a valid gzip file: CRC-32 mismatch");
        let mut size = good.clone();
        let at = size.len() - 4;
        size[at] ^= 1;
        assert_eq!(err(&size), "not a valid gzip file: 13 bytes inflated, the trailer says 12");
        let mut garbage = good.clone();
        garbage.extend_from_slice(b"trailing garbage");
        assert_eq!(err(&garbage), "not a valid gzip file: no gzip magic number");
        let mut corrupt = good;
        corrupt[21] = 0xff;
        corrupt[22] = 0xff;
        assert!(err(&corrupt).starts_with("not a valid gzip file: "), "{}", err(&corrupt));
    }
}
