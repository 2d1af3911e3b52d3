//! Measures one benchmark case's wall time and peak memory (the process's
//! high-water resident set, `VmHWM` from `/proc/self/status`, Linux only).
//! Once the input is ready the high-water mark is reset (writing 5 to
//! `/proc/self/clear_refs`), so the figure after the check is the peak
//! *during* the check, input included, not the peak of building the input.
//!
//! ```sh
//! cargo run --release -p anarcho-checker --example peak_memory -- kv-1m
//! ```
//!
//! Cases:
//! - `kv-1m`: the synthetic 1,000,000-operation kv history over 10,000
//!   keys, as operations ([`check_recorded`], the benchmark's path);
//! - `kv-1m-history`: the same as a `History`, through every checker
//!   ([`check_with`], the simulator's path);
//! - `c50-bad`: Porcupine's c50-bad, linearizability with counterexamples.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anarcho_checker::models::KvModel;
use anarcho_checker::synthetic::Synthetic;
use anarcho_checker::{
    Budget, CheckOptions, Format, ModelKind, check_recorded, check_with, import,
};

/// A `/proc/self/status` figure (`VmHWM`, `VmRSS`) in MiB, when the OS says.
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Prints the resident set now, then resets the high-water mark.
fn input_ready() {
    match status_mib("VmRSS:") {
        Some(m) => println!(
            "input ready: resident {m:.0} MiB (peak while building it: {:.0} MiB)",
            status_mib("VmHWM:").unwrap_or(m)
        ),
        None => println!("input ready: resident set unavailable on this OS"),
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn after_check() {
    match status_mib("VmHWM:") {
        Some(m) => println!("peak resident set during the check (input included): {m:.0} MiB"),
        None => println!("peak resident set unavailable on this OS"),
    }
}

fn main() -> ExitCode {
    let case = std::env::args().nth(1).unwrap_or_default();
    match case.as_str() {
        "kv-1m" => {
            let kv = Synthetic::kv(1_000_000, 10_000, 100, 1);
            let recorded = kv.recorded();
            input_ready();
            let t = Instant::now();
            let report = check_recorded(&KvModel, &recorded, &Budget::default());
            println!(
                "check_recorded: {} in {:.2?} ({} partitions, {} configurations)",
                report.verdict,
                t.elapsed(),
                report.partitions,
                report.explored_states
            );
            after_check();
        }
        "kv-1m-history" => {
            let history = Synthetic::kv(1_000_000, 10_000, 100, 1).history();
            input_ready();
            let t = Instant::now();
            let options = CheckOptions {
                model: Some(ModelKind::Kv),
                ..CheckOptions::default()
            };
            let report = check_with(&history, &options);
            println!(
                "check_with (every checker): {} in {:.2?} ({} reads measured, {} lost writes)",
                report.verdict,
                t.elapsed(),
                report.staleness.reads,
                report.lost_writes.lost_total
            );
            after_check();
        }
        "c50-bad" => {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/porcupine/kv/c50-bad.txt");
            let text = std::fs::read_to_string(&path).expect("test data");
            let history = import(Format::PorcupineKv, &text).expect("parses");
            input_ready();
            let t = Instant::now();
            let report = ModelKind::Kv.check(&history, &Budget::default());
            println!(
                "linearizability: {} in {:.2?} ({} invalid partitions with counterexamples, {} undecided)",
                report.verdict,
                t.elapsed(),
                report.failures.len(),
                report.unknown_partitions
            );
            after_check();
        }
        _ => {
            eprintln!("usage: peak_memory kv-1m | kv-1m-history | c50-bad");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
