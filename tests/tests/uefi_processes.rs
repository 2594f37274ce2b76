//! Processes on the UEFI loaders in QEMU (efi-app and efi-os): `sys.exec`
//! from embedded bytes, `proc.spawn` by name and `proc.modules` from the
//! boot volume's `\srv\`.

use walos_tests::qemu::Boot;
use walos_tests::{program, sample};

const LOADERS: [&str; 2] = ["efi-app", "efi-os"];

#[test]
fn exec_runs_its_embedded_child() {
    for loader in LOADERS {
        let end = Boot::new(loader, &sample("exec")).start().wait();
        assert_eq!(
            end.serial,
            "exec: running the embedded module\nHello from the embedded module!\nexec: embed ended with status 42\n",
            "{loader}"
        );
        assert_eq!(end.status, Some(0), "{loader}");
    }
}

#[test]
fn multitask_starts_itself_from_the_service_store() {
    for loader in LOADERS {
        let end = Boot::new(loader, &sample("multitask")).start().wait();
        let serial = end.serial.as_str();
        assert!(serial.starts_with("multitask: workers a, b, c and a sleeper started\n"), "{loader}: {serial}");
        for line in ["sleeper: tick 3 (", "multitask: worker c stopped (status 137)\n", "worker b: step 1\n"] {
            assert!(serial.contains(line), "{loader}: {line} missing:\n{serial}");
        }
        assert!(serial.ends_with("multitask: sleeper ended with status 0\n"), "{loader}: {serial}");
        assert_eq!(end.status, Some(0), "{loader}");
    }
}

#[test]
fn programs_list_the_modules_in_srv() {
    for loader in LOADERS {
        let end = Boot::new(loader, &program("modules")).service("zeta", &sample("hello")).start().wait();
        // efi-os's volume also holds its keyboard services.
        let keyboard = if loader == "efi-os" { "ps2kbd\nstdin\n" } else { "" };
        assert_eq!(end.serial, format!("modules\n{keyboard}zeta\n[modules\n]\n"), "{loader}");
        // The size of the whole list.
        assert_eq!(end.status, Some(13 + keyboard.len() as i32), "{loader}");
    }
}
