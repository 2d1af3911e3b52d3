//! The run directory: what a run leaves behind and where.
//!
//! ```text
//! <out_root>/<scenario_name>/<seed>/results.json           versioned verdict and findings
//!                                   history.jsonl          one event per line (the checker's format)
//!                                   history.txt            the same, for grep and eyes
//!                                   report.html            self-contained, works offline
//!                                   latency-raw.png        plots with the fault periods shaded
//!                                   latency-quantiles.png
//!                                   rate.png
//!                                   staleness.png
//! <out_root>/<scenario_name>/latest -> <seed>              the newest run of that scenario
//! ```
//!
//! `results.json` and `history.jsonl` are the run; the rest is derived from
//! them ([`write_derived`]) and can be rendered again by
//! [`rerender`](crate::rerender).
//!
//! The seed names the directory because a run is a pure function of the
//! scenario and the seed: re-running the same seed overwrites the same files
//! with the same bytes instead of piling up timestamped copies.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anarcho_checker::{History, Report, Verdict};

use crate::history_txt::render_history_txt;
use crate::html::render_html;
use crate::plots::render_plots;
use crate::results::results_json;

/// Everything the renderers need to know about one checked run. Borrowed,
/// so the simulator can hand in what it already holds without copying.
#[derive(Clone, Debug)]
pub struct RunRecord<'a> {
    /// The scenario's name; also the directory name under the output root.
    pub scenario_name: &'a str,
    /// The scenario file as the user gave it, e.g. `scenarios/issue-1113.toml`.
    pub scenario_file: Option<&'a str>,
    /// The scenario file's TOML, embedded verbatim in `results.json`.
    pub scenario_text: &'a str,
    /// The seed the run was made with.
    pub seed: u64,
    /// The verdict the scenario's `[expect]` asks for, if any.
    pub expected: Option<Verdict>,
    /// What happened.
    pub history: &'a History,
    /// What the checkers made of it.
    pub report: &'a Report,
    /// The version of the tool that made the run.
    pub tool_version: &'a str,
    /// The one command that reproduces this run exactly.
    pub replay_command: String,
}

impl RunRecord<'_> {
    /// Whether the verdict is the expected one; `None` when nothing was expected.
    pub fn matches_expectation(&self) -> Option<bool> {
        self.expected.map(|e| e == self.report.verdict)
    }
}

/// Writes `<out_root>/<scenario_name>/<seed>/`: `results.json`,
/// `history.jsonl`, then everything derived from them (`history.txt`,
/// `report.html`, the PNG plots), and points `<out_root>/<scenario_name>/latest`
/// at it (a relative symlink on unix; elsewhere a text file naming the seed
/// directory). Returns the run directory.
///
/// Fails with `InvalidInput` when the scenario name could escape the output
/// root or is not a single path component.
pub fn write_run(out_root: &Path, run: &RunRecord<'_>) -> io::Result<PathBuf> {
    check_dir_name(run.scenario_name)?;
    let scenario_dir = out_root.join(run.scenario_name);
    let seed_dir_name = run.seed.to_string();
    let dir = scenario_dir.join(&seed_dir_name);
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("results.json"), results_json(run))?;
    fs::write(dir.join("history.jsonl"), run.history.to_jsonl())?;
    write_derived(&dir, run)?;
    point_latest(&scenario_dir, &seed_dir_name)?;
    Ok(dir)
}

/// Writes the files derived from the run into `dir`: `history.txt`,
/// `report.html` and the PNG plots. `history.txt` (the biggest) is rendered
/// and written on a second thread while the page and the plots are; the
/// bytes do not depend on it.
pub fn write_derived(dir: &Path, run: &RunRecord<'_>) -> io::Result<()> {
    std::thread::scope(|s| {
        let txt = s.spawn(|| fs::write(dir.join("history.txt"), render_history_txt(run.history)));
        let rest = (|| {
            fs::write(dir.join("report.html"), render_html(run))?;
            for plot in render_plots(run).map_err(io::Error::other)? {
                fs::write(dir.join(plot.name), plot.png)?;
            }
            Ok(())
        })();
        match txt.join() {
            Ok(written) => written.and(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

fn check_dir_name(name: &str) -> io::Result<()> {
    let bad = name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']);
    if bad {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("scenario name {name:?} cannot be used as a directory name"),
        ));
    }
    Ok(())
}

/// Replaces `latest` atomically: the new link is made under a unique name and
/// renamed over the old one, so a reader never sees it missing. A `latest`
/// that is a real directory is left alone and reported as an error.
#[cfg(unix)]
fn point_latest(scenario_dir: &Path, seed_dir_name: &str) -> io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let tmp = scenario_dir.join(format!(
        ".latest.{}.{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::os::unix::fs::symlink(seed_dir_name, &tmp)?;
    fs::rename(&tmp, scenario_dir.join("latest")).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

#[cfg(not(unix))]
fn point_latest(scenario_dir: &Path, seed_dir_name: &str) -> io::Result<()> {
    fs::write(scenario_dir.join("latest"), format!("{seed_dir_name}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Sample, TempDir};

    #[test]
    fn write_run_writes_every_file_and_points_latest_at_them() {
        let tmp = TempDir::new("write_run_writes_every_file");
        let sample = Sample::issue_1113("message");
        let dir = write_run(&tmp.0, &sample.record()).unwrap();
        assert_eq!(dir, tmp.0.join("issue-1113").join("1"));
        for file in [
            "results.json",
            "history.jsonl",
            "history.txt",
            "report.html",
        ]
        .into_iter()
        .chain(crate::PLOT_FILES)
        {
            let len = fs::metadata(dir.join(file)).unwrap().len();
            assert!(len > 0, "{file} is empty");
        }
        let jsonl = fs::read_to_string(dir.join("history.jsonl")).unwrap();
        assert_eq!(History::from_jsonl(&jsonl).unwrap(), sample.history);

        let latest = tmp.0.join("issue-1113").join("latest");
        #[cfg(unix)]
        {
            assert_eq!(fs::read_link(&latest).unwrap(), Path::new("1"));
            assert_eq!(
                fs::read_to_string(latest.join("results.json")).unwrap(),
                fs::read_to_string(dir.join("results.json")).unwrap()
            );
        }
        #[cfg(not(unix))]
        assert_eq!(fs::read_to_string(&latest).unwrap(), "1\n");
    }

    #[test]
    fn latest_moves_to_the_newest_run() {
        let tmp = TempDir::new("latest_moves_to_the_newest_run");
        let sample = Sample::issue_1113("message");
        let mut record = sample.record();
        write_run(&tmp.0, &record).unwrap();
        record.seed = 2;
        write_run(&tmp.0, &record).unwrap();
        let latest = tmp.0.join("issue-1113").join("latest");
        #[cfg(unix)]
        assert_eq!(fs::read_link(&latest).unwrap(), Path::new("2"));
        #[cfg(not(unix))]
        assert_eq!(fs::read_to_string(&latest).unwrap(), "2\n");
        // Both runs stay, and no temporary link is left behind.
        let mut names: Vec<_> = fs::read_dir(tmp.0.join("issue-1113"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["1", "2", "latest"]);
    }

    #[test]
    fn scenario_names_that_leave_the_output_root_are_refused() {
        let tmp = TempDir::new("scenario_names_that_leave");
        let sample = Sample::issue_1113("message");
        for name in ["", ".", "..", "../evil", "a/b", "a\\b"] {
            let mut record = sample.record();
            record.scenario_name = name;
            let err = write_run(&tmp.0, &record).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{name:?}");
        }
    }
}
