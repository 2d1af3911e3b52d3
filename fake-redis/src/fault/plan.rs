//! The fault plan at run time: which rule (if any) fires for a command.
//!
//! State is split by owner. Occurrence counters belong to one connection
//! ([`ConnFaults`], owned by its handler, no locking). The `times` budget
//! belongs to the server ([`FaultPlan`], shared by all connections, atomic).

use std::sync::atomic::{AtomicU64, Ordering};

use super::rule::{FaultAction, FaultRule};

/// The rules of one server, with how often each has fired.
#[derive(Debug)]
pub(crate) struct FaultPlan {
    rules: Vec<FaultRule>,
    fired: Vec<AtomicU64>,
}

/// Per-connection occurrence counters: for each rule, how many commands on
/// this connection its `command` and `connections` selected so far.
#[derive(Debug)]
pub(crate) struct ConnFaults {
    connection: u64,
    selected: Vec<u64>,
}

/// A rule that fired.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Firing {
    /// The rule's position in the plan, 1-based, as users number them.
    pub(crate) rule: usize,
    /// What to do.
    pub(crate) action: FaultAction,
}

impl Firing {
    /// The note recorded for this firing, e.g.
    /// `fault fired: delay reply to READONLY by 150ms (rule 1)`.
    pub(crate) fn note(&self, command: &str) -> String {
        format!(
            "fault fired: {} (rule {})",
            self.action.describe(command),
            self.rule
        )
    }
}

impl FaultPlan {
    /// A plan with nothing fired yet.
    pub(crate) fn new(rules: Vec<FaultRule>) -> FaultPlan {
        let fired = rules.iter().map(|_| AtomicU64::new(0)).collect();
        FaultPlan { rules, fired }
    }

    /// Fresh counters for connection number `connection`.
    pub(crate) fn connection(&self, connection: u64) -> ConnFaults {
        ConnFaults {
            connection,
            selected: vec![0; self.rules.len()],
        }
    }

    /// Counts `command` against every rule that selects it, then returns the
    /// first rule (in plan order) whose occurrence matches this count and
    /// whose `times` budget is not spent. Every selecting rule counts the
    /// command, whether or not an earlier rule fires, so each rule's
    /// occurrences mean the same thing alone or in a plan.
    pub(crate) fn check(&self, counters: &mut ConnFaults, command: &str) -> Option<Firing> {
        let mut firing = None;
        for (index, rule) in self.rules.iter().enumerate() {
            if !rule.selects(counters.connection, command) {
                continue;
            }
            let Some(count) = counters.selected.get_mut(index) else {
                continue;
            };
            *count += 1;
            if firing.is_none() && rule.occurrence.matches(*count) && self.take_budget(index, rule)
            {
                firing = Some(Firing {
                    rule: index + 1,
                    action: rule.action.clone(),
                });
            }
        }
        firing
    }

    /// Spends one firing of the rule's `times` budget; `false` when spent.
    fn take_budget(&self, index: usize, rule: &FaultRule) -> bool {
        let Some(fired) = self.fired.get(index) else {
            return false;
        };
        let limit = rule.times.unwrap_or(u64::MAX);
        fired
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU64;
    use std::time::Duration;

    use super::*;
    use crate::fault::{ConnSelector, Occurrence};

    fn delay_rule(command: &str, occurrence: Occurrence, times: Option<u64>) -> FaultRule {
        FaultRule {
            command: Some(command.to_string()),
            connections: ConnSelector::Any,
            occurrence,
            times,
            action: FaultAction::Delay(Duration::from_millis(10)),
        }
    }

    fn fired_at(plan: &FaultPlan, connection: u64, commands: &[&str]) -> Vec<Option<usize>> {
        let mut counters = plan.connection(connection);
        commands
            .iter()
            .map(|command| plan.check(&mut counters, command).map(|f| f.rule))
            .collect()
    }

    #[test]
    fn every_n_fires_on_multiples_and_counts_only_selected_commands() {
        let every = Occurrence::Every(NonZeroU64::new(2).unwrap());
        let plan = FaultPlan::new(vec![delay_rule("get", every, None)]);
        let got = fired_at(&plan, 1, &["GET", "SET", "GET", "GET", "GET"]);
        assert_eq!(got, vec![None, None, Some(1), None, Some(1)]);
    }

    #[test]
    fn times_budget_is_shared_by_all_connections() {
        let plan = FaultPlan::new(vec![delay_rule("PING", Occurrence::First, Some(1))]);
        assert_eq!(fired_at(&plan, 1, &["PING"]), vec![Some(1)]);
        assert_eq!(fired_at(&plan, 2, &["PING"]), vec![None]);
    }

    #[test]
    fn first_matching_rule_wins_and_a_spent_rule_lets_the_next_fire() {
        let plan = FaultPlan::new(vec![
            delay_rule("PING", Occurrence::Always, Some(1)),
            delay_rule("*", Occurrence::Always, None),
        ]);
        assert_eq!(
            fired_at(&plan, 1, &["PING", "PING"]),
            vec![Some(1), Some(2)]
        );
    }

    #[test]
    fn nth_counts_per_connection() {
        let third = Occurrence::Nth(NonZeroU64::new(3).unwrap());
        let plan = FaultPlan::new(vec![delay_rule("PING", third, None)]);
        assert_eq!(fired_at(&plan, 1, &["PING", "PING"]), vec![None, None]);
        assert_eq!(
            fired_at(&plan, 2, &["PING", "PING", "PING"]),
            vec![None, None, Some(1)]
        );
    }
}
