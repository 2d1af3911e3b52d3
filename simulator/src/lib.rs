//! # anarcho-sim
//!
//! The harness that proves the anarchoredis client correct: it turns a
//! scenario file and a seed into a deterministic turmoil world running the
//! real client against fake-redis nodes, records a history, checks it and
//! writes a run directory.
//!
//! ```no_run
//! let scenario = anarcho_sim::Scenario::from_file("scenarios/issue-1113.toml")?;
//! let outcome = scenario.run(1)?;
//! println!("{}", outcome.verdict());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Layout
//! - `scenario`: the TOML format, with `file:line:col` errors.
//! - `builder`: [`Scenario::builder`], scenarios written in Rust.
//! - `bench`: `anarcho bench`, the harness's speed on this machine.
//! - `world`: builds and runs the turmoil world.
//! - `workload`: Jepsen-style logical processes driving the client, and the
//!   final quiescent reads.
//! - `nemesis`: applies scheduled and random faults between steps, heals at
//!   the end, snapshots node state.
//! - `recorder`: the history on the simulated clock; also the client's wire
//!   observer.
//! - `connector`: lets the client dial turmoil's network.
//! - `seeds`: derivation of every random stream from the scenario seed.
//! - `run`: simulate, check, write ([`Scenario::run`]).
//! - `cli` and `exit`: the `anarcho` command line and its exit codes;
//!   `check_cmd`: `anarcho check FILE`, checking history files from any tool;
//!   `report_cmd`: `anarcho report RUN_DIR`, rendering a run's report again.
//! - `sweep`: many seeds in parallel, one simulation per thread
//!   (`sweep_cmd`: `anarcho sweep`); `validate_cmd`: `anarcho validate`;
//!   `trace`: turmoil's packet trace for `anarcho run --trace`.
//! - `detect`: the detection table, every scenario over seeds 1..K
//!   (`detect_cmd`: `anarcho detect`).
//! - `driver`: the stock redis crate's `MultiplexedConnection` as a second
//!   client under test (`[client] driver = "redis-rs"`).
//! - `shrink`: cut a failing run down to the smallest scenario that still
//!   fails the same way (`shrink_cmd`: `anarcho shrink`).

mod bench;
mod builder;
mod check_cmd;
pub mod cli;
mod connector;
pub mod detect;
mod detect_cmd;
mod driver;
pub mod exit;
mod nemesis;
mod recorder;
mod report_cmd;
mod run;
pub mod scenario;
mod seeds;
pub mod shrink;
mod shrink_cmd;
pub mod sweep;
mod sweep_cmd;
pub mod trace;
mod validate_cmd;
mod workload;
mod world;

pub use builder::ScenarioBuilder;
pub use connector::{TurmoilClock, TurmoilConnector};
pub use run::{RunOutcome, TOOL_VERSION};
pub use scenario::{Scenario, ScenarioError};
pub use world::Incomplete;
