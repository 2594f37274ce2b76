//! Processes on the efi-app loader in QEMU: `sys.exec` from embedded
//! bytes, `proc.spawn` by name from the boot volume's `\srv\`.

use walos_tests::qemu::Boot;
use walos_tests::{program, sample};

#[test]
fn exec_runs_its_embedded_child() {
    let end = Boot::new("efi-app", &sample("exec")).start().wait();
    assert_eq!(
        end.serial,
        "exec: running the embedded module\nHello from the embedded module!\nexec: embed ended with status 42\n"
    );
    assert_eq!(end.status, Some(0));
}

#[test]
fn multitask_starts_itself_from_the_service_store() {
    let end = Boot::new("efi-app", &sample("multitask")).start().wait();
    let serial = end.serial.as_str();
    assert!(serial.starts_with("multitask: workers a, b, c and a sleeper started\n"), "{serial}");
    for line in ["sleeper: tick 3 (", "multitask: worker c stopped (status 137)\n", "worker b: step 1\n"] {
        assert!(serial.contains(line), "{line} missing:\n{serial}");
    }
    assert!(serial.ends_with("multitask: sleeper ended with status 0\n"), "{serial}");
    assert_eq!(end.status, Some(0));
}

#[test]
fn programs_list_the_modules_in_srv() {
    let end = Boot::new("efi-app", &program("modules")).service("zeta", &sample("hello")).start().wait();
    assert_eq!(end.serial, "modules\nzeta\n[modules\n]\n");
    assert_eq!(end.status, Some(13));
}
