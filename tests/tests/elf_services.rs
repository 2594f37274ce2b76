//! Services on the Linux loader: `sample/shout` uses the `text` service
//! from the entry's directory, loaded only because it imports it.

use walos_tests::{sample, walos_run};

#[test]
fn shout_calls_the_text_service_with_buffers_both_ways() {
    let run = walos_run(&["--log", "info"], &sample("shout"), &[]);
    assert_eq!(run.stdout, "HELLO FROM A SERVICE\ns: 4\n");
    assert!(run.stderr.contains("info   kernel: loading service text for shout\n"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("loading service").count(), 1, "{}", run.stderr);
    assert_eq!(run.status, 0);
}

#[test]
fn a_program_without_service_imports_loads_none() {
    let run = walos_run(&["--log", "info"], &sample("hello"), &[]);
    assert_eq!(run.stdout, "Hello world!\n");
    assert!(!run.stderr.contains("loading service"), "{}", run.stderr);
}
