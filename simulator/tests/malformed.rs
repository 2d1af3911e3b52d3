//! The malformed-scenario corpus (`tests/malformed/`): every file is a
//! mistake users make, and each must be refused with exit code 3 and an
//! error at the right `file:line:col`, by `anarcho validate` and by
//! `anarcho run` alike, without a panic.
//!
//! Each file's first line records what is expected:
//! `# expect: LINE:COL a phrase of the message`. A file that cannot hold a
//! comment (the empty one) has it in `<file>.expect` instead.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

struct Expectation {
    line: usize,
    column: usize,
    phrase: String,
}

fn corpus() -> Vec<PathBuf> {
    support::toml_files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/malformed"))
}

fn expectation(file: &Path) -> Expectation {
    let text = std::fs::read_to_string(file).unwrap();
    let spec = match text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect: "))
    {
        Some(spec) => spec.to_string(),
        None => {
            let sidecar = file.with_extension("toml.expect");
            std::fs::read_to_string(&sidecar)
                .unwrap_or_else(|_| {
                    panic!(
                        "{}: no `# expect:` line and no {}",
                        file.display(),
                        sidecar.display()
                    )
                })
                .trim()
                .to_string()
        }
    };
    let (loc, phrase) = spec.split_once(' ').expect("LINE:COL phrase");
    let (line, column) = loc.split_once(':').expect("LINE:COL");
    Expectation {
        line: line.parse().unwrap(),
        column: column.parse().unwrap(),
        phrase: phrase.to_string(),
    }
}

fn check(command: &str, file: &Path, expected: &Expectation) -> Result<(), String> {
    let dir = file.parent().unwrap();
    let name = file.file_name().unwrap().to_str().unwrap();
    let out = std::env::temp_dir().join(format!("anarcho-malformed-{}", std::process::id()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anarcho"));
    cmd.arg(command).arg(name).current_dir(dir);
    if command == "run" {
        cmd.arg("--out").arg(&out);
    }
    let o = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let prefix = format!("error: {name}:{}:{}: ", expected.line, expected.column);
    let problem = if o.status.code() != Some(3) {
        format!("exit code {:?}, expected 3", o.status.code())
    } else if stderr.contains("panicked") {
        "panicked".to_string()
    } else if !stderr.starts_with(&prefix) {
        format!("expected the error to start with {prefix:?}")
    } else if !stderr.contains(&expected.phrase) {
        format!("expected the message to contain {:?}", expected.phrase)
    } else {
        return Ok(());
    };
    Err(format!(
        "anarcho {command} {name}: {problem}; got: {}",
        stderr.trim()
    ))
}

#[test]
fn every_malformed_scenario_exits_3_at_its_line_and_column_without_panicking() {
    let files = corpus();
    assert!(
        files.len() >= 25,
        "the corpus has only {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let expected = expectation(file);
        for command in ["validate", "run"] {
            if let Err(e) = check(command, file, &expected) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n{}",
        failures.len(),
        files.len() * 2,
        failures.join("\n")
    );
}

#[test]
fn every_shipped_scenario_validates() {
    let files = support::scenario_files();
    let o = Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .arg("validate")
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(stdout.matches(": ok (").count(), files.len(), "{stdout}");
}

#[test]
fn validate_reports_every_bad_file_and_exits_3() {
    let files = corpus();
    let o = Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .arg("validate")
        .args(&files[..3])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr)
            .matches("error: ")
            .count(),
        3
    );
}
