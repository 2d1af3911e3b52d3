//! # anarcho-checker
//!
//! Pure, synchronous judges of run histories. No tokio, no turmoil, no I/O
//! beyond what the caller hands in: a user can check a history file from any
//! tool with this crate alone.
//!
//! ## Layout
//! - [`history`]: the event model and the JSONL format (`history.jsonl`).
//! - [`verdict`]: the three-valued verdict (valid, invalid, unknown).
//! - [`attribution`]: every reply must belong to its own request.
//! - [`report`]: runs every checker over a history and folds their results
//!   into one [`Report`].
//! - [`fixtures`]: small hand-built histories (a clean run, go-redis #1113)
//!   for tests, here and in `anarcho-reports`, and for trying things out.

pub mod attribution;
pub mod fixtures;
pub mod history;
pub mod report;
pub mod verdict;

pub use attribution::{AttributionReport, Culprit, Violation, check_attribution};
pub use history::{Event, EventType, History, Operation, ParseError, Value};
pub use report::{Counts, Report, check};
pub use verdict::Verdict;
