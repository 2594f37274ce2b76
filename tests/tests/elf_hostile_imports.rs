//! Every import of every built-in interface called with hostile arguments,
//! on the Linux loader beside the honest program (see `elf_hostile.rs`).

use walos_tests::generate;
use walos_tests::hostile::{assert_honest, bench, lines_of, log_lines};

/// A generated case: its module's name and the import it calls.
struct Generated {
    name: String,
    import: walos_kernel::ImportInfo,
}

#[test]
fn every_import_called_with_hostile_arguments_exits_or_traps_naming_it() {
    let mut bench = bench().option("--framebuffer");
    let screen = bench.dir().join("screen.ppm");
    bench = bench.option(screen.to_str().expect("UTF-8 path"));
    let mut cases = Vec::new();
    for import in walos_kernel::interfaces() {
        for pattern in &generate::PATTERNS {
            let name = generate::case_name(&import, pattern);
            let wat = generate::call_module(&import, pattern);
            let wasm = wat::parse_str(&wat).unwrap_or_else(|err| panic!("{name}: {err}\n{wat}"));
            bench = bench.module(&name, &wasm);
            cases.push(Generated { name, import });
        }
    }
    let names: Vec<String> = cases.iter().map(|case| case.name.clone()).collect();
    let driver = wat::parse_str(generate::driver(&names)).expect("the driver");
    let run = bench.module("driver", &driver).run(&["driver"]);
    assert_honest(&run, "driver", 0, Some("exited with 0"));
    let classes = lines_of(&run, "classes: ");
    assert_eq!(classes.len(), 1, "{}", run.stdout);
    let classes = classes[0].strip_prefix("classes: ").expect("the prefix").as_bytes();
    assert_eq!(classes.len(), cases.len());
    let log = log_lines(&run.stderr);
    let mut problems = Vec::new();
    for (case, &class) in cases.iter().zip(classes) {
        let import = format!("{}.{}", case.import.module, case.import.name);
        match class {
            // Refused at link: only imports of hardware this machine lacks
            // (the Linux loader has no ports) or for drivers only.
            b's' if case.import.drivers_only || case.import.device.is_some() => {}
            b'e' => {}
            // A trap names the process and the import that refused the
            // call.
            b't' => {
                let prefix = format!("err    {}: trap: {import}: ", case.name);
                if !log.iter().any(|line| line.starts_with(&prefix)) {
                    problems.push(format!("{}: trapped without a line {prefix:?}", case.name));
                }
            }
            other => problems.push(format!("{}: class {}", case.name, other as char)),
        }
    }
    assert!(problems.is_empty(), "{} of {} cases:\n{}", problems.len(), cases.len(), problems.join("\n"));
}
