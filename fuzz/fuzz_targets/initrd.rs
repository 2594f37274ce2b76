#![no_main]
//! The initrd reader (a tar archive, or a gzip of one, told by its magic)
//! on arbitrary bytes, and plain and gzip tar framing around them: an
//! error naming the damage, never a panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = walos_kernel::vfs::build::from_archive(1, data, 0);
    // The same bytes behind a gzip header, to reach the inflater at once.
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gz.extend_from_slice(data);
    let _ = walos_kernel::vfs::build::from_archive(1, &gz, 0);
});
