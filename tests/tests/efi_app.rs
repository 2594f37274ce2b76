//! The efi-app loader in QEMU: what reaches the serial console, the exit
//! status through `isa-debug-exit`, keys typed on the keyboard, the screen.

use walos_tests::qemu::Boot;
use walos_tests::sample;

#[test]
fn hello_prints_exactly_its_output_and_exits_0() {
    let end = Boot::new("efi-app", &sample("hello")).start().wait();
    assert_eq!((end.serial.as_str(), end.status), ("Hello world!\n", Some(0)));
}
