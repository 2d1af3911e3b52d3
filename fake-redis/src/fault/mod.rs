//! The fault plan: rules that make the server misbehave on purpose.
//!
//! A [`FaultRule`] says *which* commands it applies to (command name,
//! connection numbers, which occurrence on a connection, how many times over
//! the server's life) and *what* happens ([`FaultAction`]). Rules come from a
//! scenario file (`[[server_faults]]` tables, via serde) or from the
//! `fake-redis --fault` flag (the same keys, as the body of an inline table,
//! via [`FaultRule`]'s `FromStr`).
//!
//! ```
//! use std::time::Duration;
//! use fake_redis::{ConnSelector, FaultAction, FaultRule, Occurrence};
//!
//! let rule: FaultRule = r#"command = "READONLY", connections = "2..",
//!     occurrence = "first", action = { delay = "150ms" }"#
//!     .parse()
//!     .unwrap();
//! assert_eq!(rule.connections, ConnSelector::From(2));
//! assert_eq!(rule.occurrence, Occurrence::First);
//! assert_eq!(rule.action, FaultAction::Delay(Duration::from_millis(150)));
//! ```
//!
//! Files: `rule` holds the serde-shaped types, `connections` the
//! `ConnSelector` string syntax, `syntax` the `--fault` string form with
//! column-accurate errors, and `plan` the matcher the server runs.

mod connections;
mod plan;
mod rule;
mod syntax;

pub use connections::{ConnSelector, ConnSelectorParseError};
pub(crate) use plan::{ConnFaults, FaultPlan};
pub use rule::{FaultAction, FaultRule, Occurrence};
pub use syntax::FaultRuleParseError;
