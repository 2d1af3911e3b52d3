//! go-redis #1113 end to end in the simulator: the known-bug switch is caught,
//! and the same faults against the correct client are clean.

use std::path::PathBuf;

use anarcho_checker::Verdict;
use anarcho_sim::Scenario;

fn scenario(name: &str) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name);
    Scenario::from_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn issue_1113_switch_on_is_caught_as_echo_returning_ok() {
    let s = scenario("issue-1113.toml");
    for seed in s.expected_seeds() {
        let outcome = s.run(seed).unwrap();
        assert_eq!(outcome.verdict(), Verdict::Invalid, "seed {seed}");
        let violations = &outcome.report.attribution.violations;
        let echo_ok = violations
            .iter()
            .find(|v| v.f == "echo" && v.got == anarcho_checker::Value::Str("OK".into()))
            .unwrap_or_else(|| panic!("seed {seed}: no ECHO returned \"OK\": {violations:#?}"));
        let culprit = echo_ok
            .belonged_to
            .as_ref()
            .expect("the wire events name the culprit");
        assert_eq!(
            culprit.command, "READONLY",
            "seed {seed}: {}",
            echo_ok.summary
        );
        assert_eq!(
            culprit.process, None,
            "a set-up request, not a user command"
        );
        assert!(
            echo_ok.summary.contains("returned \"OK\""),
            "{}",
            echo_ok.summary
        );
    }
}

#[test]
fn issue_1113_switch_off_is_clean_under_the_same_faults() {
    let s = scenario("issue-1113-fixed.toml");
    for seed in s.expected_seeds() {
        let outcome = s.run(seed).unwrap();
        assert_eq!(
            outcome.verdict(),
            Verdict::Valid,
            "seed {seed}: {:#?}",
            outcome.report.attribution.violations
        );
        // The fault really fired and the client really poisoned a connection:
        // the clean verdict is not for want of trying.
        let events = outcome.history.events();
        assert!(
            events.iter().any(|e| e.f == "poison"),
            "seed {seed}: nothing was poisoned"
        );
        assert!(
            events
                .iter()
                .any(|e| e.note.as_deref().is_some_and(|n| n.contains("fault fired"))),
            "seed {seed}: the slow READONLY never fired"
        );
    }
}
