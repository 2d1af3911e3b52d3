//! The `anarcho` CLI's exit codes, in one place (see CONVENTIONS.md).

use std::process::ExitCode;

use anarcho_checker::Verdict;

/// The run was checked and is valid.
pub const VALID: u8 = 0;
/// The run was checked and a violation was found.
pub const INVALID: u8 = 1;
/// Usage error (clap's own code).
pub const USAGE: u8 = 2;
/// Bad input: a scenario or history file, reported with file:line:col.
pub const BAD_INPUT: u8 = 3;
/// Unknown: the checker gave up, or the run could not be completed.
pub const UNKNOWN: u8 = 4;

/// The exit code for a verdict.
pub fn for_verdict(v: Verdict) -> ExitCode {
    ExitCode::from(match v {
        Verdict::Valid => VALID,
        Verdict::Invalid => INVALID,
        Verdict::Unknown => UNKNOWN,
    })
}
