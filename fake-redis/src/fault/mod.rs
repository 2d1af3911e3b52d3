//! The fault plan: rules that make the server misbehave on purpose.
//!
//! A [`FaultRule`] says *which* requests it applies to (command name, key
//! pattern, connection numbers, which occurrence on a connection or with
//! what probability, a time window, how many times over the server's life)
//! and *what* happens ([`FaultAction`]). Rules come from a scenario file
//! (`[[server_faults]]` tables, via serde) or from the `fake-redis --fault`
//! flag (the same keys, as the body of an inline table, via [`FaultRule`]'s
//! `FromStr`), and can be replaced at run time through the `Server`.
//!
//! ```
//! use std::time::Duration;
//! use fake_redis::{ConnSelector, Delay, FaultAction, FaultRule, Occurrence};
//!
//! let rule: FaultRule = r#"command = "READONLY", connections = "2..",
//!     occurrence = "first", action = { delay = "150ms" }"#
//!     .parse()
//!     .unwrap();
//! assert_eq!(rule.connections, ConnSelector::From(2));
//! assert_eq!(rule.occurrence, Occurrence::First);
//! assert_eq!(rule.action, FaultAction::Delay(Delay::Fixed(Duration::from_millis(150))));
//! ```
//!
//! Files: `rule` holds the selection types, `action` the actions, `duration`
//! the humantime serde helpers, `connections` the `ConnSelector` string
//! syntax, `syntax` the `--fault` string form with column-accurate errors,
//! and `plan` the matcher the server runs.

mod action;
mod connections;
mod duration;
mod plan;
mod rule;
mod syntax;

pub use action::{Delay, ErrorCode, ErrorReply, FaultAction, Split};
pub use connections::{ConnSelector, ConnSelectorParseError};
pub(crate) use plan::{ConnFaults, Effect, FaultPlan, Firing, Probe};
pub use rule::{FaultRule, Occurrence, Probability, Window};
pub use syntax::FaultRuleParseError;
