//! Test support shared by the simulator's integration tests: the repository
//! root, fresh temporary directories, and running the `anarcho` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (scenario paths are relative to it).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `*.toml` files in `dir`, in name order.
pub fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// Every scenario file the project ships (`scenarios/*.toml`).
pub fn scenario_files() -> Vec<PathBuf> {
    toml_files(&repo().join("scenarios"))
}

/// A fresh, empty directory `anarcho-<test>-<name>-<pid>` under the system
/// temporary directory; the process id keeps overlapping test runs apart.
pub fn temp_dir(test: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anarcho-{test}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `anarcho <args> --out <out>` from the repository root.
pub fn anarcho(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .args(args)
        .arg("--out")
        .arg(out)
        .current_dir(repo())
        .output()
        .unwrap()
}

/// Standard output and standard error, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
