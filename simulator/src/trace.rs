//! `anarcho run --trace`: turmoil's packet trace, written to
//! `<run dir>/trace.log`.
//!
//! turmoil logs every host registration, bind, TCP segment sent, delivered,
//! held or dropped, and every crash and bounce through `tracing` under the
//! target `turmoil`, inside a `node{name=...}` span for the host that was
//! running. We install a subscriber for the duration of the run that keeps
//! exactly those events (minus turmoil's per-tick "step N" lines, which say
//! nothing a timestamp does not) and writes them one per line.
//!
//! The file is deterministic, like every other run artefact: each line is
//! stamped with *simulated* time (`turmoil::sim_elapsed`, or the last value
//! seen when an event happens between host steps), never the wall clock; no
//! thread names or ids; no colours. The subscriber is scoped to the calling
//! thread, so traced runs in parallel threads do not mix.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::Level;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::layer::SubscriberExt;

use crate::run::RunOutcome;
use crate::scenario::Scenario;
use crate::world::Incomplete;

/// The trace's file name inside a run directory.
pub const TRACE_FILE: &str = "trace.log";

/// Runs `scenario` with `seed` like [`Scenario::run`], writing turmoil's
/// trace to `path`. The outer error is about the trace file; the inner
/// result is the run's.
pub fn run_traced(
    scenario: &Scenario,
    seed: u64,
    path: &Path,
) -> io::Result<Result<RunOutcome, Incomplete>> {
    let file = Arc::new(Mutex::new(BufWriter::new(File::create(path)?)));
    let writer = {
        let file = file.clone();
        move || SharedWriter(file.clone())
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_timer(SimTime::default());
    let subscriber = tracing_subscriber::registry()
        .with(filter_fn(is_turmoil_trace))
        .with(layer);
    let result = tracing::subscriber::with_default(subscriber, || scenario.run(seed));
    let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
    file.flush()?;
    Ok(result)
}

/// Keeps turmoil's events and its `node` spans, without the per-tick
/// "step N" events (in `sim.rs`, at trace level, with a message only).
fn is_turmoil_trace(meta: &tracing::Metadata<'_>) -> bool {
    if !meta.target().starts_with("turmoil") {
        return false;
    }
    let step_tick = meta.is_event()
        && *meta.level() == Level::TRACE
        && meta.file().is_some_and(|f| f.ends_with("sim.rs"))
        && meta.fields().len() == 1
        && meta.fields().field("message").is_some();
    !step_tick
}

/// A cloneable handle that writes to the one shared buffered file.
struct SharedWriter(Arc<Mutex<BufWriter<File>>>);

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).flush()
    }
}

/// Stamps lines with simulated time: the running host's, or the last one
/// seen when no host is running (events from the nemesis between steps).
#[derive(Default)]
struct SimTime {
    last_ns: AtomicU64,
}

impl FormatTime for SimTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        let ns = match turmoil::sim_elapsed() {
            Some(d) => {
                let ns = d.as_nanos() as u64;
                self.last_ns.store(ns, Ordering::Relaxed);
                ns
            }
            None => self.last_ns.load(Ordering::Relaxed),
        };
        write!(
            w,
            "{:>4}.{:06}s",
            ns / 1_000_000_000,
            (ns % 1_000_000_000) / 1_000
        )
    }
}
