//! The `anarcho` command line: exit codes and what it prints.

use std::path::PathBuf;
use std::process::{Command, Output};

fn anarcho(args: &[&str], out: &str) -> Output {
    let out_dir = std::env::temp_dir().join(format!("anarcho-cli-{out}-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .args(args)
        .arg("--out")
        .arg(&out_dir)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&out_dir);
    output
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn issue_1113_run_exits_1_and_names_the_misattributed_echo() {
    let o = anarcho(&["run", "scenarios/issue-1113.toml"], "bug");
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("returned \"OK\" (the reply to READONLY #"),
        "{text}"
    );
    assert!(text.contains("report.html"), "{text}");
}

#[test]
fn issue_1113_fixed_run_exits_0() {
    let o = anarcho(&["run", "scenarios/issue-1113-fixed.toml"], "fixed");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn malformed_scenario_exits_3_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("anarcho-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "name = \"bad\"\nduration = \"1s\"\n\n[client]\ncommand_timout = \"100ms\"\n[workload]\n",
    )
    .unwrap();
    let o = anarcho(&["run", file.to_str().unwrap()], "bad");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("bad.toml:5:1:"), "{err}");
    assert!(err.contains("command_timout"), "{err}");
    assert!(err.contains("expected"), "says what was expected: {err}");
}

#[test]
fn an_unknown_known_bug_switch_exits_3_pointing_at_the_name() {
    let dir = std::env::temp_dir().join(format!("anarcho-badbug-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("badbug.toml");
    std::fs::write(
        &file,
        "name = \"b\"\nduration = \"1s\"\n[client]\nknown_bugs = [\"reuse-conn\"]\n[workload]\n",
    )
    .unwrap();
    let o = anarcho(&["run", file.to_str().unwrap()], "badbug");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    // At the offending name inside the array (column 15), not the array.
    assert!(stderr(&o).contains("badbug.toml:4:15:"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("reuse-conn-after-timeout"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_missing_scenario_file_exits_3() {
    let o = anarcho(&["run", "scenarios/does-not-exist.toml"], "missing");
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("does-not-exist.toml"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    let o = anarcho(&["run"], "usage");
    assert_eq!(o.status.code(), Some(2));
}
