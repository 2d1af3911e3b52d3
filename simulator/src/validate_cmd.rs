//! `anarcho validate FILE...`: check scenario files without running them.
//!
//! Loading a scenario is the whole check ([`Scenario::from_file`]: the TOML,
//! every field's type and range, host names in the nemesis, known-bug
//! names), so a file that validates is one `anarcho run` accepts. Each bad
//! file is reported as `file:line:col: what was expected` on stderr; the
//! exit code is 3 if any file is bad, 0 otherwise.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::exit;
use crate::scenario::Scenario;

/// The arguments of `anarcho validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The scenario files (TOML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Runs `anarcho validate`.
pub fn run(args: ValidateArgs) -> ExitCode {
    let mut bad = 0;
    let mut stdout = std::io::stdout().lock();
    for file in &args.files {
        match Scenario::from_file(file) {
            Ok(s) => {
                let _ = writeln!(stdout, "{}: ok ({})", file.display(), describe(&s));
            }
            Err(e) => {
                bad += 1;
                eprintln!("error: {e}");
            }
        }
    }
    if bad > 0 {
        ExitCode::from(exit::BAD_INPUT)
    } else {
        ExitCode::from(exit::VALID)
    }
}

/// One line on what a scenario runs.
pub fn describe(s: &Scenario) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let nemesis = s.nemesis.schedule.len();
    let mut parts = vec![
        format!("name {}", s.name),
        plural(s.cluster.nodes, "node"),
        plural(s.client.count, "client"),
        format!("{:?}", s.duration),
        plural(nemesis, "scheduled fault"),
    ];
    if s.nemesis.random.is_some() {
        parts.push("random nemesis".into());
    }
    if let Some(v) = s.expect.verdict {
        parts.push(format!("expects {v}"));
    }
    parts.join(", ")
}
