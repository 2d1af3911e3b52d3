//! Determinism is the product: the same scenario and seed, run in two
//! separate `anarcho` processes, give byte-identical history and results.

use std::path::{Path, PathBuf};
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anarcho-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_in_new_process(scenario: &Path, seed: u64, out: &Path) -> i32 {
    let status = Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .arg("run")
        .arg(scenario)
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    status.status.code().unwrap()
}

#[test]
fn same_scenario_and_seed_in_two_processes_give_byte_identical_files() {
    let scenarios = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let root = temp_dir("determinism");
    for (file, name) in [
        ("issue-1113.toml", "issue-1113"),
        ("issue-1113-fixed.toml", "issue-1113-fixed"),
    ] {
        for seed in [1u64, 7] {
            let (a, b) = (
                root.join(format!("{name}-{seed}-a")),
                root.join(format!("{name}-{seed}-b")),
            );
            let code_a = run_in_new_process(&scenarios.join(file), seed, &a);
            let code_b = run_in_new_process(&scenarios.join(file), seed, &b);
            assert_eq!(code_a, code_b, "{file} seed {seed}: exit codes differ");
            for artefact in [
                "history.jsonl",
                "results.json",
                "history.txt",
                "report.html",
            ] {
                let pa = a.join(name).join(seed.to_string()).join(artefact);
                let pb = b.join(name).join(seed.to_string()).join(artefact);
                let (ba, bb) = (std::fs::read(&pa).unwrap(), std::fs::read(&pb).unwrap());
                assert!(!ba.is_empty(), "{} is empty", pa.display());
                assert!(
                    ba == bb,
                    "{file} seed {seed}: {artefact} differs between processes"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}
