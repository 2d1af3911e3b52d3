//! The same run gives the same bytes in another process: every file of the
//! run directory, the PNG plots included. The test re-runs its own binary
//! (this test only, with `ANARCHO_REPORTS_CHILD_OUT` set) to write the run
//! directory a second time from scratch.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use anarcho_checker::{Verdict, check};
use anarcho_reports::{PLOT_FILES, RunRecord, write_run};

const TEST: &str = "a_run_directory_is_byte_identical_when_written_by_another_process";
const CHILD: &str = "ANARCHO_REPORTS_CHILD_OUT";

fn write(out: &Path) -> PathBuf {
    let history = support::big_run::big_run(600, 4, 3);
    let report = check(&history);
    let record = RunRecord {
        scenario_name: "determinism",
        scenario_file: Some("scenarios/none.toml"),
        scenario_text: "name = \"determinism\"\n",
        seed: 3,
        expected: Some(Verdict::Valid),
        history: &history,
        report: &report,
        tool_version: "test",
        replay_command: "cargo test -p anarcho-reports --test determinism".into(),
    };
    write_run(out, &record).unwrap()
}

#[test]
fn a_run_directory_is_byte_identical_when_written_by_another_process() {
    if let Some(out) = std::env::var_os(CHILD) {
        write(Path::new(&out));
        return;
    }
    // Per process: two `cargo test` runs on one target directory may overlap.
    let root =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("determinism-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (here, there) = (root.join("here"), root.join("there"));
    let dir = write(&here);
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--quiet"])
        .env(CHILD, &there)
        .status()
        .unwrap();
    assert!(status.success());
    let other = there.join("determinism").join("3");
    let mut files = vec![
        "results.json",
        "history.jsonl",
        "history.txt",
        "report.html",
    ];
    files.extend(PLOT_FILES);
    for f in files {
        let (a, b) = (
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(other.join(f)).unwrap(),
        );
        assert!(!a.is_empty(), "{f} is empty");
        assert!(a == b, "{f} differs between processes");
    }
    let _ = std::fs::remove_dir_all(&root);
}
