//! # anarcho-checker
//!
//! Pure, synchronous judges of run histories. No tokio, no turmoil, no I/O
//! beyond what the caller hands in: a user can check a history file from any
//! tool with this crate alone.
//!
//! ```
//! use anarcho_checker::{Format, Verdict, check_with, CheckOptions, import};
//!
//! let log = "INFO  jepsen.util - 0\t:invoke\t:write\t1\n\
//!            INFO  jepsen.util - 0\t:ok\t:write\t1\n\
//!            INFO  jepsen.util - 1\t:invoke\t:read\tnil\n\
//!            INFO  jepsen.util - 1\t:ok\t:read\t2\n";
//! let history = import(Format::PorcupineEtcd, log).unwrap();
//! let options = CheckOptions { model: Format::PorcupineEtcd.model(), ..Default::default() };
//! let report = check_with(&history, &options);
//! assert_eq!(report.verdict, Verdict::Invalid);
//! println!("{}", report.linearizability.failures[0].counterexample.explanation);
//! ```
//!
//! ## Layout
//! - [`history`]: the event model and the JSONL format (`history.jsonl`).
//! - [`mod@import`]: Jepsen EDN and Porcupine's etcd and kv formats.
//! - [`verdict`]: the three-valued verdict (valid, invalid, unknown).
//! - [`linearizability`]: the WGL search, the [`Model`] trait, budgets and
//!   counterexamples; [`models`]: the built-in models.
//! - [`staleness`]: k- and t-staleness, the t-visibility curve, session
//!   guarantees; [`lost_writes`]: acknowledged writes the final reads never
//!   see; [`convergence`]: do the replicas' final states agree.
//! - [`attribution`]: every reply must belong to its own request.
//! - [`report`]: runs every checker over a history and folds their results
//!   into one [`Report`].
//! - [`synthetic`]: deterministic generated histories, linearizable by
//!   construction (benchmarks, property tests).
//! - [`fixtures`]: small hand-built histories (a clean run, go-redis #1113,
//!   a stale read) for tests, here and in `anarcho-reports`, and for trying
//!   things out.

mod accesses;
pub mod attribution;
pub mod convergence;
pub mod fixtures;
pub mod history;
pub mod import;
pub mod linearizability;
pub mod lost_writes;
pub mod models;
pub mod report;
pub mod staleness;
pub mod synthetic;
pub mod verdict;

pub use attribution::{AttributionReport, Culprit, Violation, check_attribution};
pub use convergence::{ConvergenceReport, check_convergence};
pub use history::{Event, EventType, History, Operation, ParseError, Value};
pub use import::{Format, ImportError, import};
pub use linearizability::{
    Budget, Counterexample, LinearizabilityReport, Model, Recorded, check_linearizability,
    check_recorded,
};
pub use lost_writes::{LostWritesReport, check_lost_writes};
pub use models::ModelKind;
pub use report::{CheckOptions, Consistency, Counts, Report, check, check_with};
pub use staleness::{StalenessReport, check_staleness};
pub use verdict::Verdict;
