//! Services on the UEFI loaders in QEMU: `sample/shout` calls the `text`
//! service from the boot volume's `\srv\`.

use walos_tests::qemu::Boot;
use walos_tests::sample;

#[test]
fn shout_calls_the_text_service_from_srv() {
    for loader in ["efi-app", "efi-os"] {
        let end = Boot::new(loader, &sample("shout")).service("text", &sample("text")).start().wait();
        assert_eq!(end.serial, "HELLO FROM A SERVICE\ns: 4\n", "{loader}");
        assert_eq!(end.status, Some(0), "{loader}");
    }
}
