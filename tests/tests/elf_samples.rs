//! The samples on the Linux loader: exact output and exit status.

use walos_tests::{sample, walos_run};

#[test]
fn hello_prints_hello_world_on_the_native_interface() {
    let run = walos_run(&[], &sample("hello"), &[]);
    assert_eq!(run.stdout, "Hello world!\n");
    assert_eq!(run.stderr, "");
    assert_eq!(run.status, 0);
}

#[test]
fn hello_wasi_greets_from_the_environment_and_lists_its_arguments() {
    let file = sample("hello-wasi");
    let run = walos_run(&["--env", "NAME=walos"], &file, &["one", "two words"]);
    let argv0 = file.to_str().unwrap();
    assert_eq!(run.stdout, format!("Hello walos!\nargc = 3\nargv[0] = {argv0}\nargv[1] = one\nargv[2] = two words\n"));
    assert_eq!(run.status, 0);
}

#[test]
fn hello_wasi_greets_the_world_without_a_name() {
    let run = walos_run(&[], &sample("hello-wasi"), &[]);
    assert!(run.stdout.starts_with("Hello world!\nargc = 1\n"), "{}", run.stdout);
    assert_eq!(run.status, 0);
}

#[test]
fn hello_rs_prints_with_std_and_logs_through_the_sdk() {
    let run = walos_run(&["--log", "info"], &sample("hello-rs"), &["x", "y"]);
    assert_eq!(run.stdout, "Hello world!\nargs: x y\n");
    assert!(run.stderr.contains("info   hello-rs: said hello through WASI"), "{}", run.stderr);
    assert_eq!(run.status, 0);
    // At the default level the info line is not shown.
    let quiet = walos_run(&[], &sample("hello-rs"), &[]);
    assert_eq!((quiet.stdout.as_str(), quiet.stderr.as_str()), ("Hello world!\n", ""));
}
