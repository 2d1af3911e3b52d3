//! The fault plan at run time: which rule (if any) fires for a request, and
//! what exactly it does (random delays and garbage are drawn here).
//!
//! State is split by owner. Occurrence counters belong to one connection
//! ([`ConnFaults`], owned by its handler). The rules, their `times` budgets
//! and the seeded generator belong to the server ([`FaultPlan`], behind one
//! mutex), because a nemesis may replace the rules at any time and because
//! every random draw must come from one generator in command order: that is
//! what makes a simulated run repeat.
//!
//! Rules get an id when they enter the plan. Counters are kept by id, so a
//! rule added at run time starts counting from zero on every connection,
//! and rules that were there before keep their counts.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp};

use super::action::{Delay, ErrorReply, FaultAction, Split};
use super::rule::{FaultRule, Occurrence};

/// The bytes a RESP2 or RESP3 reply can start with; garbage never does.
const RESP_TYPE_BYTES: &[u8] = b"+-:$*_,#!=(%~>|.";

/// The longest delay an exponential distribution may draw, so one unlucky
/// draw cannot stall a connection for good (1000 times the mean would be
/// astronomically unlikely anyway).
const EXPONENTIAL_CAP: u32 = 1000;

/// The rules of one server, with how often each has fired.
#[derive(Debug)]
pub(crate) struct FaultPlan {
    state: Mutex<PlanState>,
}

#[derive(Debug)]
struct PlanState {
    rules: Vec<Armed>,
    next_id: u64,
    rng: StdRng,
}

/// A rule in the plan.
#[derive(Debug)]
struct Armed {
    id: u64,
    rule: FaultRule,
    fired: u64,
}

/// Per-connection occurrence counters: for each rule id, how many requests
/// on this connection the rule selected so far.
#[derive(Debug)]
pub(crate) struct ConnFaults {
    connection: u64,
    selected: BTreeMap<u64, u64>,
}

/// A request, as the plan sees it.
#[derive(Debug)]
pub(crate) struct Probe<'a> {
    /// The command name, uppercase.
    pub(crate) command: &'a str,
    /// The keys it names.
    pub(crate) keys: &'a [&'a [u8]],
    /// Server time.
    pub(crate) now: Duration,
}

/// A rule that fired, with its randomness resolved.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Firing {
    /// The rule's position in the plan, 1-based, as users number them.
    pub(crate) rule: usize,
    /// What to do.
    pub(crate) effect: Effect,
}

/// What a firing does to this one request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Effect {
    /// Wait this long before writing the reply.
    Delay(Duration),
    /// Lose the reply.
    Drop,
    /// Send the reply twice.
    Duplicate,
    /// Send the reply in pieces.
    Split(Split),
    /// Send this many bytes of the reply, then close.
    Truncate(usize),
    /// Send these bytes instead of the reply.
    Garbage(Vec<u8>),
    /// Close before executing.
    ResetBefore,
    /// Execute, then close.
    ResetAfter,
    /// Execute, then go silent.
    Hang,
    /// Refuse with this error.
    Error(ErrorReply),
}

impl Firing {
    /// The note recorded for this firing, e.g.
    /// `fault fired: delay reply to READONLY by 150ms (rule 1)`.
    pub(crate) fn note(&self, command: &str) -> String {
        let action = match &self.effect {
            Effect::Delay(delay) => FaultAction::Delay(Delay::Fixed(*delay)),
            Effect::Drop => FaultAction::Drop,
            Effect::Duplicate => FaultAction::Duplicate,
            Effect::Split(split) => FaultAction::Split(*split),
            Effect::Truncate(bytes) => FaultAction::Truncate(*bytes),
            Effect::Garbage(bytes) => match std::num::NonZeroUsize::new(bytes.len()) {
                Some(n) => FaultAction::Garbage(n),
                None => FaultAction::Drop,
            },
            Effect::ResetBefore => FaultAction::ResetBefore,
            Effect::ResetAfter => FaultAction::ResetAfter,
            Effect::Hang => FaultAction::Hang,
            Effect::Error(error) => FaultAction::Error(error.clone()),
        };
        format!(
            "fault fired: {} (rule {})",
            action.describe(command),
            self.rule
        )
    }
}

impl FaultPlan {
    /// A plan with nothing fired yet, drawing from a generator seeded with
    /// `seed`.
    pub(crate) fn new(rules: Vec<FaultRule>, seed: u64) -> FaultPlan {
        let mut state = PlanState {
            rules: Vec::new(),
            next_id: 0,
            rng: StdRng::seed_from_u64(seed),
        };
        state.extend(rules);
        FaultPlan {
            state: Mutex::new(state),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PlanState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces every rule; budgets start afresh.
    pub(crate) fn set(&self, rules: Vec<FaultRule>) {
        let mut state = self.lock();
        state.rules.clear();
        state.extend(rules);
    }

    /// Appends a rule (checked after the existing ones).
    pub(crate) fn add(&self, rule: FaultRule) {
        self.lock().extend([rule]);
    }

    /// The current rules, in order.
    pub(crate) fn rules(&self) -> Vec<FaultRule> {
        self.lock().rules.iter().map(|a| a.rule.clone()).collect()
    }

    /// Fresh counters for connection number `connection`.
    pub(crate) fn connection(&self, connection: u64) -> ConnFaults {
        ConnFaults {
            connection,
            selected: BTreeMap::new(),
        }
    }

    /// Counts the request against every rule that selects it, then returns
    /// the first rule (in plan order) whose occurrence matches and whose
    /// `times` budget is not spent. Every selecting rule counts the request
    /// (and a probability rule draws), whether or not an earlier rule
    /// fires, so each rule means the same alone or in a plan.
    pub(crate) fn check(&self, counters: &mut ConnFaults, probe: &Probe<'_>) -> Option<Firing> {
        let mut state = self.lock();
        if state.rules.is_empty() {
            return None;
        }
        let PlanState { rules, rng, .. } = &mut *state;
        let mut firing = None;
        for (index, armed) in rules.iter_mut().enumerate() {
            if !armed.rule.selects_request(
                counters.connection,
                probe.command,
                probe.keys,
                probe.now,
            ) {
                continue;
            }
            let count = counters.selected.entry(armed.id).or_insert(0);
            *count += 1;
            let hit = match armed.rule.occurrence {
                Occurrence::Probability(p) => rng.random_bool(p.get()),
                occurrence => occurrence.matches(*count),
            };
            let budget_left = armed.rule.times.is_none_or(|times| armed.fired < times);
            if firing.is_none() && hit && budget_left {
                armed.fired += 1;
                firing = Some(Firing {
                    rule: index + 1,
                    effect: resolve(&armed.rule.action, rng),
                });
            }
        }
        firing
    }
}

impl PlanState {
    fn extend(&mut self, rules: impl IntoIterator<Item = FaultRule>) {
        for rule in rules {
            self.next_id += 1;
            self.rules.push(Armed {
                id: self.next_id,
                rule,
                fired: 0,
            });
        }
    }
}

/// Turns an action into this firing's effect, drawing what is random.
fn resolve(action: &FaultAction, rng: &mut StdRng) -> Effect {
    match action {
        FaultAction::Delay(delay) => Effect::Delay(draw_delay(*delay, rng)),
        FaultAction::Drop => Effect::Drop,
        FaultAction::Duplicate => Effect::Duplicate,
        FaultAction::Split(split) => Effect::Split(*split),
        FaultAction::Truncate(bytes) => Effect::Truncate(*bytes),
        FaultAction::Garbage(length) => Effect::Garbage(garbage(length.get(), rng)),
        FaultAction::ResetBefore => Effect::ResetBefore,
        FaultAction::ResetAfter => Effect::ResetAfter,
        FaultAction::Hang => Effect::Hang,
        FaultAction::Error(error) => Effect::Error(error.clone()),
    }
}

/// One delay from the distribution, to the nanosecond.
fn draw_delay(delay: Delay, rng: &mut StdRng) -> Duration {
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    match delay {
        Delay::Fixed(d) => d,
        Delay::Between(low, high) => {
            Duration::from_nanos(rng.random_range(nanos(low)..=nanos(high)))
        }
        Delay::Exponential(mean) => {
            if mean.is_zero() {
                return Duration::ZERO;
            }
            let Ok(exp) = Exp::new(1.0 / mean.as_secs_f64()) else {
                return mean;
            };
            let cap = mean.saturating_mul(EXPONENTIAL_CAP);
            Duration::try_from_secs_f64(exp.sample(rng)).map_or(cap, |d| d.min(cap))
        }
    }
}

/// `length` random bytes whose first byte is not a RESP type byte.
fn garbage(length: usize, rng: &mut StdRng) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..length).map(|_| rng.random()).collect();
    if let Some(first) = bytes.first_mut() {
        while RESP_TYPE_BYTES.contains(first) {
            *first = rng.random();
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU64;

    use super::*;
    use crate::fault::Probability;

    fn delay_rule(command: &str, occurrence: Occurrence, times: Option<u64>) -> FaultRule {
        FaultRule {
            command: Some(command.to_string()),
            occurrence,
            times,
            ..FaultRule::new(FaultAction::Delay(Delay::Fixed(Duration::from_millis(10))))
        }
    }

    fn probe(command: &str) -> Probe<'_> {
        Probe {
            command,
            keys: &[],
            now: Duration::ZERO,
        }
    }

    fn fired_at(plan: &FaultPlan, connection: u64, commands: &[&str]) -> Vec<Option<usize>> {
        let mut counters = plan.connection(connection);
        commands
            .iter()
            .map(|command| plan.check(&mut counters, &probe(command)).map(|f| f.rule))
            .collect()
    }

    #[test]
    fn every_n_fires_on_multiples_and_counts_only_selected_commands() {
        let every = Occurrence::Every(NonZeroU64::new(2).unwrap());
        let plan = FaultPlan::new(vec![delay_rule("get", every, None)], 0);
        let got = fired_at(&plan, 1, &["GET", "SET", "GET", "GET", "GET"]);
        assert_eq!(got, vec![None, None, Some(1), None, Some(1)]);
    }

    #[test]
    fn times_budget_is_shared_by_all_connections() {
        let plan = FaultPlan::new(vec![delay_rule("PING", Occurrence::First, Some(1))], 0);
        assert_eq!(fired_at(&plan, 1, &["PING"]), vec![Some(1)]);
        assert_eq!(fired_at(&plan, 2, &["PING"]), vec![None]);
    }

    #[test]
    fn first_matching_rule_wins_and_a_spent_rule_lets_the_next_fire() {
        let plan = FaultPlan::new(
            vec![
                delay_rule("PING", Occurrence::Always, Some(1)),
                delay_rule("*", Occurrence::Always, None),
            ],
            0,
        );
        assert_eq!(
            fired_at(&plan, 1, &["PING", "PING"]),
            vec![Some(1), Some(2)]
        );
    }

    #[test]
    fn nth_counts_per_connection() {
        let third = Occurrence::Nth(NonZeroU64::new(3).unwrap());
        let plan = FaultPlan::new(vec![delay_rule("PING", third, None)], 0);
        assert_eq!(fired_at(&plan, 1, &["PING", "PING"]), vec![None, None]);
        assert_eq!(
            fired_at(&plan, 2, &["PING", "PING", "PING"]),
            vec![None, None, Some(1)]
        );
    }

    #[test]
    fn probability_draws_repeat_for_a_seed_and_hit_about_that_often() {
        let p = Occurrence::Probability(Probability::new(0.25).unwrap());
        let run = |seed| {
            let plan = FaultPlan::new(vec![delay_rule("GET", p, None)], seed);
            fired_at(&plan, 1, &["GET"; 2000])
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|f| f.is_some()).count();
        assert!((400..600).contains(&hits), "{hits} hits of 2000 at p=0.25");
    }

    #[test]
    fn a_rule_added_at_run_time_counts_from_zero_and_old_rules_keep_counting() {
        let plan = FaultPlan::new(
            vec![delay_rule(
                "GET",
                Occurrence::Nth(NonZeroU64::new(2).unwrap()),
                None,
            )],
            0,
        );
        let mut counters = plan.connection(1);
        assert_eq!(plan.check(&mut counters, &probe("GET")), None);
        plan.add(delay_rule("GET", Occurrence::First, None));
        // The old rule's 2nd GET fires (rule 1); the new rule's 1st GET is
        // counted too but rule 1 wins.
        assert_eq!(
            plan.check(&mut counters, &probe("GET")).map(|f| f.rule),
            Some(1)
        );
        assert_eq!(plan.check(&mut counters, &probe("GET")), None);
        plan.set(vec![]);
        assert_eq!(plan.check(&mut counters, &probe("GET")), None);
    }

    #[test]
    fn windows_and_key_patterns_narrow_the_selection() {
        let rule = FaultRule {
            key: Some("user:*".into()),
            window: Some(crate::fault::Window {
                from: Some(Duration::from_secs(1)),
                until: Some(Duration::from_secs(2)),
            }),
            ..FaultRule::new(FaultAction::Drop)
        };
        let plan = FaultPlan::new(vec![rule], 0);
        let mut counters = plan.connection(1);
        let mut at = |keys: &[&[u8]], secs: u64| {
            plan.check(
                &mut counters,
                &Probe {
                    command: "GET",
                    keys,
                    now: Duration::from_secs(secs),
                },
            )
            .is_some()
        };
        assert!(!at(&[b"user:1"], 0));
        assert!(at(&[b"user:1"], 1));
        assert!(!at(&[b"order:1"], 1));
        assert!(!at(&[], 1));
        assert!(!at(&[b"user:1"], 2));
    }

    #[test]
    fn random_delays_stay_in_their_bounds_and_garbage_never_looks_like_resp() {
        let mut rng = StdRng::seed_from_u64(1);
        let (low, high) = (Duration::from_millis(10), Duration::from_millis(50));
        for _ in 0..1000 {
            let d = draw_delay(Delay::Between(low, high), &mut rng);
            assert!(d >= low && d <= high, "{d:?}");
            let e = draw_delay(Delay::Exponential(Duration::from_millis(20)), &mut rng);
            assert!(e <= Duration::from_secs(20), "{e:?}");
            let g = garbage(4, &mut rng);
            assert_eq!(g.len(), 4);
            assert!(!RESP_TYPE_BYTES.contains(&g[0]));
        }
    }
}
