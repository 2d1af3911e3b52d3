//! # anarcho-reports
//!
//! Turns a checked run (a [`History`](anarcho_checker::History) and its
//! [`Report`](anarcho_checker::Report)) into files a person or a script can
//! read later, without the tool that made them. Everything rendered here is a
//! pure function of its input: the same run gives the same bytes, so run
//! directories can be diffed and committed.
//!
//! ## Layout
//! - [`run_dir`](crate::write_run): the [`RunRecord`] input and the run
//!   directory layout, `<out>/<scenario>/<seed>/` plus a `latest` link.
//! - [`results`](crate::Results): `results.json`, the versioned
//!   machine-readable document (schema in `README.md`).
//! - [`history_txt`](crate::render_history_txt): `history.txt`, one greppable
//!   line per event.
//! - [`html`](crate::render_html): `report.html`, one self-contained page
//!   that works offline.
//! - [`sweep_index`](crate::write_sweep_index): `index.html` and
//!   `summary.json` for a sweep over seeds.

pub mod faults;
mod history_txt;
mod html;
mod plots;
mod reload;
mod results;
mod run_dir;
pub mod server_side;
mod sweep_index;
#[cfg(test)]
mod testing;

pub use history_txt::render_history_txt;
pub use html::render_html;
pub use plots::{PLOT_FILES, Plot, render_plots};
pub use reload::{LoadError, LoadedRun, rerender};
pub use results::{Checkers, RESULTS_SCHEMA_VERSION, Results, ScenarioInfo, results_json};
pub use run_dir::{RunRecord, write_derived, write_run};
pub use sweep_index::{
    SweepRow, SweepSection, render_sweep_index, render_sweep_index_with, write_sweep_index,
    write_sweep_index_with,
};
