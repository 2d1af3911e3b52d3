//! Reading a run directory back: `results.json` and `history.jsonl` are the
//! run, everything else is derived from them, so a report can be rendered
//! again (by a newer tool, or after deleting it) without re-running or
//! re-checking anything. This is what `anarcho report RUN_DIR` calls.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use anarcho_checker::{History, ParseError, Report};

use crate::RunRecord;
use crate::results::{RESULTS_SCHEMA_VERSION, Results};
use crate::run_dir::write_derived;

/// A run read back from its directory.
#[derive(Clone, Debug)]
pub struct LoadedRun {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// `results.json`.
    pub results: Results,
    /// `history.jsonl`.
    pub history: History,
    report: Report,
}

impl LoadedRun {
    /// Reads `dir/results.json` and `dir/history.jsonl`.
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let results_path = dir.join("results.json");
        let text = read(&results_path)?;
        let probe: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| LoadError::Results {
                path: results_path.clone(),
                error: e,
            })?;
        let version = probe.get("schema_version").and_then(|v| v.as_u64());
        if version.is_none_or(|v| v > u64::from(RESULTS_SCHEMA_VERSION)) {
            return Err(LoadError::Schema {
                path: results_path,
                found: version,
            });
        }
        let results: Results = serde_json::from_str(&text).map_err(|e| LoadError::Results {
            path: results_path.clone(),
            error: e,
        })?;
        let history_path = dir.join("history.jsonl");
        let history =
            History::from_jsonl(&read(&history_path)?).map_err(|e| LoadError::History {
                path: history_path,
                error: e,
            })?;
        let report = results.report();
        Ok(LoadedRun {
            dir: dir.to_path_buf(),
            results,
            history,
            report,
        })
    }

    /// The record the renderers take.
    pub fn record(&self) -> RunRecord<'_> {
        let r = &self.results;
        RunRecord {
            scenario_name: &r.scenario.name,
            scenario_file: r.scenario.file.as_deref(),
            scenario_text: &r.scenario.text,
            seed: r.seed,
            expected: r.expected,
            history: &self.history,
            report: &self.report,
            tool_version: &r.tool_version,
            replay_command: r.replay.clone(),
        }
    }
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|e| LoadError::Read {
        path: path.to_path_buf(),
        error: e,
    })
}

/// Renders `dir`'s derived files again (`history.txt`, `report.html`, the
/// PNG plots) from its `results.json` and `history.jsonl`, which are left
/// untouched, and returns the run.
pub fn rerender(dir: &Path) -> Result<LoadedRun, LoadError> {
    let run = LoadedRun::load(dir)?;
    write_derived(dir, &run.record()).map_err(|e| LoadError::Write {
        path: dir.to_path_buf(),
        error: e,
    })?;
    Ok(run)
}

/// Why a run directory could not be read back or rendered.
#[derive(Debug)]
pub enum LoadError {
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// `results.json` is not valid JSON or not a results document.
    Results {
        /// The file.
        path: PathBuf,
        /// Why, with line and column.
        error: serde_json::Error,
    },
    /// `results.json` has no `schema_version`, or a newer one than this
    /// tool reads.
    Schema {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: Option<u64>,
    },
    /// A line of `history.jsonl` is not an event.
    History {
        /// The file.
        path: PathBuf,
        /// Which line and why.
        error: ParseError,
    },
    /// The derived files could not be written.
    Write {
        /// The run directory.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
}

impl LoadError {
    /// True when the run directory's content is at fault (a missing or
    /// malformed file) rather than the writing of the output.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, LoadError::Write { .. })
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Read { path, error } => write!(f, "{}: {error}", path.display()),
            LoadError::Results { path, error } => write!(
                f,
                "{}:{}:{}: not a results document: {error}",
                path.display(),
                error.line(),
                error.column()
            ),
            LoadError::Schema {
                path,
                found: Some(v),
            } => write!(
                f,
                "{}: schema_version {v} is newer than this tool reads ({RESULTS_SCHEMA_VERSION})",
                path.display()
            ),
            LoadError::Schema { path, found: None } => write!(
                f,
                "{}: no schema_version: not an anarcho results.json",
                path.display()
            ),
            LoadError::History { path, error } => write!(f, "{}:{error}", path.display()),
            LoadError::Write { path, error } => {
                write!(f, "writing under {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Read { error, .. } | LoadError::Write { error, .. } => Some(error),
            LoadError::Results { error, .. } => Some(error),
            LoadError::History { error, .. } => Some(error),
            LoadError::Schema { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Sample, TempDir, rich};
    use crate::write_run;
    use std::fs;

    #[test]
    fn rerender_gives_the_same_bytes_as_the_run() {
        let tmp = TempDir::new("rerender_gives_the_same_bytes");
        // Through JSONL first: `history.jsonl` reads a `nil` result back as
        // no result (serde's `Option`), which history.txt then leaves out.
        let history = History::from_jsonl(&rich(200).to_jsonl()).unwrap();
        let sample = Sample::of(history);
        let dir = write_run(&tmp.0, &sample.record()).unwrap();
        let mut derived = vec!["history.txt", "report.html"];
        derived.extend(crate::PLOT_FILES);
        let before: Vec<Vec<u8>> = derived
            .iter()
            .map(|f| fs::read(dir.join(f)).unwrap())
            .collect();
        for f in &derived {
            fs::remove_file(dir.join(f)).unwrap();
        }
        let results = fs::read(dir.join("results.json")).unwrap();
        let run = rerender(&dir).unwrap();
        assert_eq!(run.results.verdict, sample.report.verdict);
        for (f, bytes) in derived.iter().zip(before) {
            assert!(fs::read(dir.join(f)).unwrap() == bytes, "{f} differs");
        }
        assert_eq!(
            fs::read(dir.join("results.json")).unwrap(),
            results,
            "input untouched"
        );
    }

    #[test]
    fn a_broken_run_directory_is_a_clear_bad_input_error() {
        let tmp = TempDir::new("a_broken_run_directory");
        let err = rerender(&tmp.0).unwrap_err();
        assert!(err.is_bad_input());
        assert!(err.to_string().contains("results.json"), "{err}");

        let sample = Sample::issue_1113("m");
        let dir = write_run(&tmp.0, &sample.record()).unwrap();
        fs::write(dir.join("history.jsonl"), "{\"index\":0}\n").unwrap();
        let err = rerender(&dir).unwrap_err();
        assert!(err.is_bad_input());
        assert!(err.to_string().contains("history.jsonl:1:"), "{err}");

        fs::write(dir.join("results.json"), "{\"schema_version\": 99}").unwrap();
        let err = rerender(&dir).unwrap_err();
        assert!(
            err.to_string().contains("schema_version 99 is newer"),
            "{err}"
        );

        fs::write(
            dir.join("results.json"),
            "{\"schema_version\": 1,\n \"seed\": \"x\"}",
        )
        .unwrap();
        let err = rerender(&dir).unwrap_err();
        assert!(err.to_string().contains("results.json:2:"), "{err}");
    }
}
