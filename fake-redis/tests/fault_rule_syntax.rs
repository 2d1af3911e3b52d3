//! The fault rule syntax: `--fault` strings and `[[server_faults]]` tables
//! parse to the same rules, print back to strings that parse to equal rules,
//! and bad rules explain what was expected and where.

use std::num::NonZeroU64;
use std::time::Duration;

use fake_redis::{ConnSelector, Delay, FaultAction, FaultRule, Occurrence};

const ISSUE_1113_RULE: &str = r#"command = "READONLY", connections = "2..", occurrence = "first", action = { delay = "150ms" }"#;

fn parse(text: &str) -> FaultRule {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} did not parse: {e}"))
}

fn error(text: &str) -> fake_redis::FaultRuleParseError {
    match text.parse::<FaultRule>() {
        Ok(rule) => panic!("{text:?} parsed as {rule:?}"),
        Err(error) => error,
    }
}

#[test]
fn issue_1113_rule_parses_to_the_expected_fields() {
    assert_eq!(
        parse(ISSUE_1113_RULE),
        FaultRule {
            command: Some("READONLY".to_string()),
            key: None,
            connections: ConnSelector::From(2),
            occurrence: Occurrence::First,
            window: None,
            times: None,
            action: FaultAction::Delay(Delay::Fixed(Duration::from_millis(150))),
        }
    );
}

#[test]
fn omitted_keys_take_their_defaults() {
    assert_eq!(
        parse(r#"action = { delay = "2s" }"#),
        FaultRule {
            command: None,
            key: None,
            connections: ConnSelector::Any,
            occurrence: Occurrence::Always,
            window: None,
            times: None,
            action: FaultAction::Delay(Delay::Fixed(Duration::from_secs(2))),
        }
    );
}

#[test]
fn rules_round_trip_through_their_string_form() {
    let rules = [
        ISSUE_1113_RULE,
        r#"action = { delay = "1s" }"#,
        r#"command = "*", connections = "3", occurrence = { nth = 3 }, action = { delay = "1m 30s" }"#,
        r#"command = "get", connections = "2..5", occurrence = { every = 2 }, times = 4, action = { delay = "1ms" }"#,
        r#"{ connections = "*", action = { delay = "0s" } }"#,
    ];
    for text in rules {
        let rule = parse(text);
        let printed = rule.to_string();
        assert_eq!(parse(&printed), rule, "{text:?} printed as {printed:?}");
    }
    assert_eq!(
        parse(ISSUE_1113_RULE).to_string(),
        r#"command = "READONLY", connections = "2..", occurrence = "first", action = { delay = "150ms" }"#
    );
}

#[test]
fn scenario_tables_and_cli_strings_share_one_syntax() {
    #[derive(serde::Deserialize)]
    struct Scenario {
        server_faults: Vec<FaultRule>,
    }
    let scenario: Scenario = toml::from_str(
        r#"
        [[server_faults]]
        command = "READONLY"
        connections = "2.."
        occurrence = "first"
        action = { delay = "150ms" }

        [[server_faults]]
        occurrence = { every = 2 }
        times = 3
        action = { delay = "10ms" }
        "#,
    )
    .unwrap();
    assert_eq!(scenario.server_faults[0], parse(ISSUE_1113_RULE));
    assert_eq!(
        scenario.server_faults[1].occurrence,
        Occurrence::Every(NonZeroU64::new(2).unwrap())
    );
    assert_eq!(scenario.server_faults[1].times, Some(3));
}

#[test]
fn misspelt_key_is_named_with_the_expected_keys_and_its_column() {
    let e = error(r#"comand = "GET", action = { delay = "1s" }"#);
    assert!(e.message().contains("unknown field `comand`"), "{e}");
    assert!(e.message().contains("`command`"), "{e}");
    assert_eq!(e.column(), Some(1), "{e}");
    let shown = e.to_string();
    assert!(
        shown.starts_with("bad fault rule at column 1: unknown field `comand`"),
        "{shown}"
    );
    assert!(
        shown.ends_with("\n  comand = \"GET\", action = { delay = \"1s\" }\n  ^"),
        "{shown}"
    );
}

#[test]
fn bad_connections_value_says_what_forms_are_expected() {
    let text = r#"connections = "0", action = { delay = "1s" }"#;
    let e = error(text);
    assert!(
        e.message().contains(r#"expected "*", a number like "3""#),
        "{e}"
    );
    assert!(e.message().contains("numbered from 1"), "{e}");
    assert_eq!(e.column(), Some(text.find("\"0\"").unwrap() + 1), "{e}");
}

#[test]
fn bad_occurrence_lists_the_known_ones() {
    let e = error(r#"occurrence = "sometimes", action = { delay = "1s" }"#);
    assert!(
        e.message().contains("`first`") && e.message().contains("`every`"),
        "{e}"
    );
    let e = error(r#"occurrence = { nth = 0 }, action = { delay = "1s" }"#);
    assert!(e.message().contains("nonzero"), "{e}");
}

#[test]
fn bad_duration_says_what_a_duration_looks_like() {
    let text = r#"action = { delay = "soon" }"#;
    let e = error(text);
    assert!(e.message().contains(r#"like "150ms" or "2s""#), "{e}");
    assert!(e.column().is_some(), "{e}");
}

#[test]
fn unknown_action_lists_the_known_actions() {
    let e = error(r#"action = { explode = true }"#);
    assert!(e.message().contains("`delay`"), "{e}");
}

#[test]
fn missing_action_is_reported() {
    let e = error(r#"command = "GET""#);
    assert!(e.message().contains("missing field `action`"), "{e}");
}

#[test]
fn toml_syntax_errors_point_into_the_users_text() {
    let text = r#"command = "GET, action = { delay = "1s" }"#;
    let e = error(text);
    let column = e.column().expect("a column");
    assert!(column > 1 && column <= text.len() + 1, "{e}");
    let e = error(r#"command = GET"#);
    assert_eq!(e.column(), Some(11), "{e}");
}

#[test]
fn every_action_parses_and_prints_back() {
    let actions = [
        r#"action = { delay = "150ms" }"#,
        r#"action = { delay = { between = ["10ms", "50ms"] } }"#,
        r#"action = { delay = { exponential = "20ms" } }"#,
        r#"action = "drop""#,
        r#"action = "duplicate""#,
        r#"action = { split = { parts = 3, gap = "5ms" } }"#,
        r#"action = { truncate = 3 }"#,
        r#"action = { garbage = 16 }"#,
        r#"action = "reset-before""#,
        r#"action = "reset-after""#,
        r#"action = "hang""#,
        r#"action = { error = "MOVED" }"#,
        r#"action = { error = "MOVED 3999 10.0.0.2:6381" }"#,
    ];
    for text in actions {
        let rule = parse(text);
        let printed = rule.to_string();
        // Defaults are printed too (`connections = "*", occurrence = ...`).
        assert!(printed.ends_with(text), "{text:?} printed as {printed:?}");
        assert_eq!(parse(&printed), rule);
    }
    assert_eq!(
        parse(r#"action = { split = {} }"#).action,
        FaultAction::Split(fake_redis::Split::default())
    );
}

#[test]
fn key_window_and_probability_select_requests() {
    let rule = parse(
        r#"key = "user:*", occurrence = { probability = 0.25 }, window = { from = "1s", until = "1m" }, action = "drop""#,
    );
    assert_eq!(rule.key.as_deref(), Some("user:*"));
    assert_eq!(
        rule.occurrence,
        Occurrence::Probability(fake_redis::Probability::new(0.25).unwrap())
    );
    assert_eq!(
        rule.window,
        Some(fake_redis::Window {
            from: Some(Duration::from_secs(1)),
            until: Some(Duration::from_secs(60)),
        })
    );
    // Whole numbers are probabilities too.
    assert_eq!(
        parse(r#"occurrence = { probability = 1 }, action = "drop""#).occurrence,
        Occurrence::Probability(fake_redis::Probability::new(1.0).unwrap())
    );
    let only_from = parse(r#"window = { from = "2s" }, action = "drop""#);
    assert_eq!(only_from.window.unwrap().until, None);
}

#[test]
fn bad_action_parameters_say_what_was_expected() {
    let e = error(r#"occurrence = { probability = 1.5 }, action = "drop""#);
    assert!(e.message().contains("from 0 to 1"), "{e}");
    let e = error(r#"action = { error = "MOVD" }"#);
    assert!(e.message().contains("unknown error code \"MOVD\""), "{e}");
    assert!(e.message().contains("\"TRYAGAIN\""), "{e}");
    let e = error(r#"action = { error = "moved 1 x:1" }"#);
    assert!(e.message().contains("uppercase code"), "{e}");
    let e = error(r#"action = { delay = { between = ["50ms", "10ms"] } }"#);
    assert!(e.message().contains("shorter duration first"), "{e}");
    let e = error(r#"action = { delay = { uniform = "1s" } }"#);
    assert!(e.message().contains("`between`"), "{e}");
    let e = error(r#"action = { garbage = 0 }"#);
    assert!(e.message().contains("nonzero"), "{e}");
    let e = error(r#"action = "explode""#);
    assert!(e.message().contains("`reset-before`"), "{e}");
    let e = error(r#"window = { from = "1s", untl = "2s" }, action = "drop""#);
    assert!(e.message().contains("unknown field `untl`"), "{e}");
}
