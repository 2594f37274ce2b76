//! A few hostile cases on efi-os (issue 18), in QEMU: the kernel on bare
//! metal, where nothing but the wasm sandbox stands between the cases and
//! the machine. Boots are slow under TCG, so each boot runs a sequence of
//! cases (`tests/hostile/sequence.c`), each beside the honest program; the
//! in-memory file system is an empty initrd at `/sandbox`.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use walos_tests::hostile::{HONEST_SUM, assert_shape, program, wat_case};
use walos_tests::qemu::{Boot, End};

/// Boots `sequence` with `cases` (each `CASE ARGS...`, run as `honest CASE
/// ARGS...`), every hostile program in the service store, the service
/// `spinner` built from `tests/hostile/{spinner}.wat`.
fn boot(cases: &[&[&str]], spinner: &str) -> End {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("walos-efi-os-hostile-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("empty")).expect("a directory");
    let tar = dir.join("empty.tar");
    let status = Command::new("tar").arg("-cf").arg(&tar).arg("-C").arg(dir.join("empty")).arg(".").status();
    assert!(status.expect("tar").success(), "tar failed");
    let mut args = Vec::new();
    for case in cases {
        if !args.is_empty() {
            args.push(",");
        }
        args.push("honest");
        args.extend_from_slice(case);
    }
    let mut boot = Boot::new("efi-os", &program("sequence")).args(&args).initrd(&tar).initrd_at("/sandbox");
    for name in ["honest", "bomb", "callers", "hoarders"] {
        boot = boot.service(name, &program(name));
    }
    let wats = [
        ("sleeper", "sleeper"),
        ("loop_start", "loop_start"),
        ("loop_startfn", "loop_startfn"),
        ("spinner", spinner),
        ("trap_startfn", "trap_startfn"),
        ("hoarder", "hoarder"),
    ];
    for (name, source) in wats {
        let path = dir.join(format!("{name}.wasm"));
        std::fs::write(&path, wat_case(source)).expect("a module");
        boot = boot.service(name, &path);
    }
    let end = boot.start().wait();
    let _ = std::fs::remove_dir_all(&dir);
    end
}

/// What one case printed, sorted out: the honest program's lines, the
/// case's own, the kernel's log lines (without time stamps), and how the
/// sequence saw the honest program end.
#[derive(Debug, Default, PartialEq)]
struct Case {
    honest: Vec<String>,
    own: Vec<String>,
    log: Vec<String>,
    ended: String,
}

/// The cases of a boot's serial output, in order, then `sequence: done`.
fn cases(end: &End) -> Vec<Case> {
    let mut all = Vec::new();
    let mut case = Case::default();
    for line in end.serial.lines() {
        if let Some(ended) = line.strip_prefix("sequence: ") {
            case.ended = ended.to_string();
            all.push(std::mem::take(&mut case));
        } else if line.starts_with('[') {
            case.log.push(line.split_once("] ").map_or(line, |(_, rest)| rest).to_string());
        } else if line.starts_with("honest: ") {
            case.honest.push(line.to_string());
        } else {
            case.own.push(line.to_string());
        }
    }
    assert!(case == Case::default(), "output after the sequence's end: {case:?}");
    all
}

fn case(honest: Vec<String>, own: &[&str], log: &[&str], ended: &str) -> Case {
    let strings = |lines: &[&str]| lines.iter().map(ToString::to_string).collect();
    Case { honest, own: strings(own), log: strings(log), ended: ended.into() }
}

/// The honest lines of a case that was started and ended as `how`.
fn honest(name: &str, how: &str) -> Vec<String> {
    vec![format!("honest: spawn {name}: 0"), HONEST_SUM.into(), format!("honest: {name} {how}")]
}

#[test]
fn loops_traps_descriptors_and_spawns() {
    let end = boot(
        &[
            &["-k", "loop_start"],
            &["callers", "2"],
            &["trap_startfn"],
            &["-k", "loop_startfn"],
            &["bomb", "fds", "/sandbox", "10000"],
            &["bomb", "spawn", "1024"],
        ],
        "spinner",
    );
    assert_eq!(end.status, Some(0), "{}", end.serial);
    let spin = "err    spinner: spin: still running after 1000 slices; the call of spinner.spin by callers fails, the service restarts on next use";
    let bomb = || honest("bomb", "exited with 0");
    assert_eq!(
        cases(&end),
        [
            case(honest("loop_start", "was killed (137)"), &[], &[], "honest -k: status 0"),
            case(
                honest("callers", "exited with 0"),
                &["callers: spin returned -1", "callers: spin returned -1", "callers: 2 of 2 callers got an answer"],
                &[spin, spin],
                "honest callers: status 0"
            ),
            case(
                honest("trap_startfn", "trapped (134)"),
                &[],
                &["err    trap_startfn: trap in the start function: unreachable instruction executed"],
                "honest trap_startfn: status 0"
            ),
            case(honest("loop_startfn", "was killed (137)"), &[], &[], "honest -k: status 0"),
            case(
                bomb(),
                &[
                    "bomb: open refused after 4092 descriptors: No file descriptors available",
                    "bomb: after closing two, open: ok"
                ],
                &[],
                "honest bomb: status 0"
            ),
            // The kernel's process limit (DEFAULT_MAX_PROCESSES, 128),
            // services included: the entry `sequence`, honest, bomb, the
            // two services of the keyboard chain and 123 sleepers.
            case(
                bomb(),
                &["bomb: spawn refused with 6 after 123 children", "bomb: after killing them, spawn: 0"],
                &[
                    "warn   bomb: spawn: cannot start `sleeper`: 128 processes are alive, the most allowed (--max-processes 128)"
                ],
                "honest bomb: status 0"
            ),
            case(Vec::new(), &[], &[], "done"),
        ]
    );
}

#[test]
fn memory_and_file_system_exhaustion_end_at_the_machine_s_memory() {
    // The loader's limit is 4 GiB a memory (loader/efi-os/image
    // MEMORY_LIMIT) on a machine of 256 MiB: every growth is refused when
    // all processes hold 3/4 of the kernel heap (heap::guest_share), what
    // the kernel holds for them included (call copies, the file system's
    // data), so the file system gets ENOSPC there too. Its files stay: it
    // runs last.
    let end = boot(
        &[
            &["bomb", "memory", "16"],
            &["bomb", "many", "4", "touch", "64"],
            &["callers", "2"],
            &["hoarders", "16"],
            &["bomb", "fill", "/sandbox", "4096"],
        ],
        "spinner_start",
    );
    assert_eq!(end.status, Some(0), "{}", end.serial);
    let cases = cases(&end);
    assert_eq!(cases.len(), 6, "{}", end.serial);
    for case in [&cases[0], &cases[1], &cases[4]] {
        assert_eq!(case.honest, honest("bomb", "exited with 0"), "{}", end.serial);
        assert_eq!((case.log.as_slice(), case.ended.as_str()), (&[][..], "honest bomb: status 0"), "{}", end.serial);
    }
    assert_eq!(cases[0].own.len(), 1, "{}", end.serial);
    assert_shape(&cases[0].own[0], "bomb: memory.grow(16) refused at ", " MiB grown)");
    assert_eq!(cases[1].own.len(), 5, "{}", end.serial);
    for line in &cases[1].own[..4] {
        assert_shape(line, "bomb: memory.grow(64) refused at ", " MiB grown)");
    }
    assert_eq!(cases[1].own[4], "bomb: 4 children: 4 refused and exited, 0 did not");
    // A service whose start function never ends: it runs in the slices of
    // the first call after each (re)start, which fails; nobody else stops.
    let start_spin = "err    spinner: start function: still running after 1000 slices; the call of spinner.spin by callers fails, the service restarts on next use";
    assert_eq!(
        cases[2],
        case(
            honest("callers", "exited with 0"),
            &["callers: spin returned -1", "callers: spin returned -1", "callers: 2 of 2 callers got an answer"],
            &[start_spin, start_spin],
            "honest callers: status 0"
        ),
        "{}",
        end.serial
    );
    // Sixteen callers each making the kernel hold a copy of almost 16 MiB
    // (256 MiB: the machine's memory) while they wait for a slow
    // provider: the copies past the memory budget of all processes are
    // refused, the kernel's own heap is left alone.
    let hoarders = &cases[3];
    assert_eq!(hoarders.honest, honest("hoarders", "exited with 0"), "{}", end.serial);
    let mut own = hoarders.own.clone();
    assert_eq!(own.pop().as_deref(), Some("hoarders: 16 of 16 callers got an answer"), "{}", end.serial);
    assert_eq!(own, ["hoarders: take returned -1"; 16], "{}", end.serial);
    let failed = "err    hoarder: walos_alloc(16769016) failed; the call of hoarder.take by hoarders fails, the service restarts on next use";
    let refused = "warn   hoarders: call of hoarder.take by hoarders: no memory for the kernel's copy of the buffers: 16769016 more bytes of memory do not fit: processes hold ";
    assert!(hoarders.log.iter().all(|line| line == failed || line.starts_with(refused)), "{}", end.serial);
    let refusals = hoarders.log.iter().filter(|line| line.starts_with(refused)).count();
    assert!((1..16).contains(&refusals) && hoarders.log.len() == 16, "{}", end.serial);
    assert_eq!(cases[4].own.len(), 1, "{}", end.serial);
    assert_shape(&cases[4].own[0], "bomb: writing refused after ", ": No space left on device");
    assert_eq!(cases[5].ended, "done");
}
