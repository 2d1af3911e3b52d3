//! A bounded property test of the `--fault` parser: thousands of seeded
//! mutations of valid rules (bytes inserted, deleted and replaced, including
//! quotes, braces, multi-byte characters and line breaks). For every input
//! the parser returns a rule or an error without panicking, the error's
//! message and caret render, and a rule that parses prints back to a string
//! that parses to the same rule.

use fake_redis::FaultRule;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const CASES: usize = 5000;
const SEED: u64 = 0xfa_0175;

const VALID: &[&str] = &[
    r#"command = "READONLY", connections = "2..", occurrence = "first", action = { delay = "150ms" }"#,
    r#"key = "user:*", occurrence = { probability = 0.25 }, action = "drop""#,
    r#"window = { from = "1s", until = "5s" }, times = 3, action = { split = { parts = 3, gap = "5ms" } }"#,
    r#"command = "GET", action = { delay = { between = ["10ms", "50ms"] } }"#,
    r#"action = { delay = { exponential = "20ms" } }"#,
    r#"connections = "3", action = { error = "MOVED" }"#,
    r#"action = { error = "MOVED 3999 10.0.0.2:6381" }"#,
    r#"occurrence = { every = 2 }, action = { truncate = 3 }"#,
    r#"action = { garbage = 16 }"#,
    r#"action = "reset-before""#,
    r#"action = "reset-after""#,
    r#"{ action = "hang" }"#,
    r#"action = "duplicate""#,
];

const NOISE: &[&str] = &[
    "\"", "{", "}", "[", "]", "=", ",", " ", "\n", "\r", "é", "日本", "🦀", "\\", "#", "0", "-1",
    "1e9", "nan", "..", "*", "'", "\t", "\u{0}",
];

fn mutate(rng: &mut StdRng, text: &str) -> String {
    let mut chars: Vec<String> = text.chars().map(String::from).collect();
    for _ in 0..rng.random_range(1..4) {
        let at = rng.random_range(0..=chars.len());
        let noise = NOISE.choose(rng).copied().unwrap_or(" ").to_string();
        match rng.random_range(0..3) {
            0 => chars.insert(at, noise),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ if at < chars.len() => chars[at] = noise,
            _ => chars.push(noise),
        }
    }
    chars.concat()
}

#[test]
fn mutated_rules_parse_or_fail_cleanly_and_parsed_rules_round_trip() {
    let mut rng = StdRng::seed_from_u64(SEED);
    let (mut parsed, mut refused) = (0usize, 0usize);
    for case in 0..CASES {
        let base = VALID.choose(&mut rng).copied().unwrap_or(VALID[0]);
        let text = if rng.random_bool(0.1) {
            base.to_string()
        } else {
            mutate(&mut rng, base)
        };
        match text.parse::<FaultRule>() {
            Ok(rule) => {
                parsed += 1;
                let printed = rule.to_string();
                let again: FaultRule = printed.parse().unwrap_or_else(|e| {
                    panic!("case {case}: {text:?} printed as {printed:?}, which fails: {e}")
                });
                assert_eq!(again, rule, "case {case}: {text:?} -> {printed:?}");
            }
            Err(error) => {
                refused += 1;
                let shown = error.to_string();
                assert!(shown.starts_with("bad fault rule"), "case {case}: {shown}");
                let _ = (error.line(), error.column(), error.message());
            }
        }
    }
    eprintln!(
        "fault rule parser: {CASES} inputs, {parsed} parsed and round-tripped, {refused} refused"
    );
    assert!(
        parsed > CASES / 10 && refused > CASES / 10,
        "{parsed} parsed, {refused} refused"
    );
}
