//! The PNG plots of a run, Jepsen-style, drawn with plotters into memory
//! and encoded with `png`:
//! - `latency-raw.png`: every operation's latency against its start, log y,
//!   coloured by operation, shaped by outcome;
//! - `latency-quantiles.png`: p50/p95/p99/max per time window (hdrhistogram);
//! - `rate.png`: completions per second by outcome;
//! - `staleness.png`: the k histogram, the t-visibility curve, and the
//!   stalest reads over time.
//!
//! Every time plot shares one axis (0 to the run's last event, in seconds,
//! with the same margins, so stacked plots line up) and shades the run's
//! [fault periods](crate::faults) on it.
//!
//! Text is drawn with DejaVu Sans, bundled in `reports/fonts/` with its
//! licence and registered with plotters' `ab_glyph` backend, so a machine
//! without any fonts installed renders the same pixels. The renderers are
//! pure functions: the same run gives the same bytes (a test checks it).

mod common;
mod latency;
mod rate;
mod staleness;

use anarcho_checker::{EventType, History};

use crate::RunRecord;
use crate::faults::faults;

pub(crate) use common::PlotError;

/// One rendered plot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plot {
    /// Its file name in the run directory (`latency-raw.png`).
    pub name: &'static str,
    /// The PNG bytes.
    pub png: Vec<u8>,
}

/// The file names of the plots, in the order [`render_plots`] returns them.
pub const PLOT_FILES: [&str; 4] = [
    "latency-raw.png",
    "latency-quantiles.png",
    "rate.png",
    "staleness.png",
];

/// How an operation ended, for the plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    Ok,
    Fail,
    Info,
}

impl Outcome {
    pub(crate) const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::Fail, Outcome::Info];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Fail => "fail",
            Outcome::Info => "info",
        }
    }
}

/// A completed operation: what the latency and rate plots draw.
#[derive(Clone, Debug)]
pub(crate) struct Sample<'h> {
    pub(crate) f: &'h str,
    pub(crate) outcome: Outcome,
    /// Invoke time, ns.
    pub(crate) start: u64,
    /// Completion time, ns.
    pub(crate) end: u64,
}

/// Every operation that completed (one that never did has no latency).
pub(crate) fn samples(history: &History) -> Vec<Sample<'_>> {
    history
        .operations()
        .into_iter()
        .filter_map(|op| {
            let c = op.completion?;
            let outcome = match c.ty {
                EventType::Ok => Outcome::Ok,
                EventType::Fail => Outcome::Fail,
                _ => Outcome::Info,
            };
            Some(Sample {
                f: op.invoke.f.as_str(),
                outcome,
                start: op.invoke.time,
                end: c.time,
            })
        })
        .collect()
}

/// Renders every plot of `run`, in [`PLOT_FILES`] order.
pub fn render_plots(run: &RunRecord<'_>) -> Result<Vec<Plot>, PlotError> {
    common::register_font();
    let faults = faults(run.history);
    let samples = samples(run.history);
    let axis = common::TimeAxis::new(&faults);
    let title = format!("{} seed {}", run.scenario_name, run.seed);
    Ok(vec![
        Plot {
            name: PLOT_FILES[0],
            png: latency::raw(&title, &samples, &axis, &faults)?,
        },
        Plot {
            name: PLOT_FILES[1],
            png: latency::quantiles(&title, &samples, &axis, &faults)?,
        },
        Plot {
            name: PLOT_FILES[2],
            png: rate::rate(&title, &samples, &axis, &faults)?,
        },
        Plot {
            name: PLOT_FILES[3],
            png: staleness::staleness(&title, &run.report.staleness, run.history, &axis, &faults)?,
        },
    ])
}

#[cfg(test)]
mod tests;
