//! `anarcho shrink`: a failing run is cut down to a smaller scenario that
//! still fails the same way, deterministically, and written as a file that
//! replays the failure on its own.

mod support;

use std::process::Command;

use anarcho_checker::Verdict;
use anarcho_sim::Scenario;
use anarcho_sim::shrink::{ShrinkOptions, shrink, signature};
use support::repo;

/// issue-1113 plus faults that have nothing to do with the failure.
fn issue_1113_with_noise() -> Scenario {
    let mut text = std::fs::read_to_string(repo().join("scenarios/issue-1113.toml")).unwrap();
    text = text.replace("[cluster]\nnodes = 1\n", "[cluster]\nnodes = 3\n");
    text.push_str(
        r#"
# Noise the shrinker should throw away.
[[nemesis.schedule]]
at = "1s"
action = { latency = { a = ["client-1"], b = ["redis-2"], latency = "30ms" } }

[[nemesis.schedule]]
at = "1200ms"
action = { isolate = "redis-3" }

[[nemesis.schedule]]
at = "1500ms"
action = "heal"

[nemesis.random]
interval = "700ms"
start = "800ms"
actions = ["pause", "latency"]
"#,
    );
    Scenario::from_toml(&text, Some("noisy-1113.toml".into())).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn shrinking_issue_1113_keeps_the_misattributed_reply_and_drops_the_noise() {
    let scenario = issue_1113_with_noise();
    let original = scenario.run(1).unwrap();
    assert_eq!(original.verdict(), Verdict::Invalid);
    let mut steps = Vec::new();
    let shrunk = shrink(&scenario, 1, ShrinkOptions::default(), &mut |s| {
        steps.push(s.to_string())
    })
    .unwrap();
    assert!(shrunk.signature.contains("attribution"));
    assert!(!shrunk.budget_exhausted, "{steps:#?}");
    let (b, a) = (&shrunk.before, &shrunk.after);
    assert!(a.invoked < b.invoked, "{b:?} -> {a:?}");
    assert!(a.duration < b.duration, "{b:?} -> {a:?}");
    assert!(a.operations < b.operations, "{b:?} -> {a:?}");
    assert_eq!(a.scheduled_faults, 0, "{}", shrunk.text);
    assert!(!a.random_nemesis, "{}", shrunk.text);
    assert!(a.nodes <= b.nodes, "{}", shrunk.text);
    // The server fault *is* the bug's trigger: it must stay.
    assert_eq!(a.server_faults, 1, "{}", shrunk.text);
    // The file replays the failure on its own, and kept the comments.
    let replayed = Scenario::from_toml(&shrunk.text, None).unwrap();
    assert_eq!(replayed.name, "issue-1113-shrunk");
    assert_eq!(replayed.expected_seeds(), vec![1]);
    let outcome = replayed.run(1).unwrap();
    assert_eq!(outcome.verdict(), Verdict::Invalid);
    assert!(signature(&outcome.report).contains("attribution"));
    assert!(
        shrunk.text.contains("# go-redis issue #1113"),
        "{}",
        shrunk.text
    );
    // Deterministic: the same shrink gives the same file.
    let again = shrink(&scenario, 1, ShrinkOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(again.text, shrunk.text);
    assert_eq!(again.runs, shrunk.runs);
}

#[test]
fn the_run_budget_is_respected() {
    let scenario = issue_1113_with_noise();
    let shrunk = shrink(&scenario, 1, ShrinkOptions { max_runs: 3 }, &mut |_| {}).unwrap();
    assert!(shrunk.runs <= 3);
    assert!(shrunk.budget_exhausted);
    let replayed = Scenario::from_toml(&shrunk.text, None).unwrap();
    assert_eq!(replayed.run(1).unwrap().verdict(), Verdict::Invalid);
}

#[test]
fn shrink_cli_writes_a_replayable_file_and_exits_with_its_verdict() {
    let dir = std::env::temp_dir().join(format!("anarcho-shrink-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("small.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .args([
            "shrink",
            "scenarios/issue-1113.toml",
            "--seed",
            "2",
            "--out",
        ])
        .arg(&out)
        .current_dir(repo())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("invoked operations"), "{stdout}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("# Shrunk by `anarcho shrink scenarios/issue-1113.toml --seed 2`"),
        "{text}"
    );
    let replay = Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .arg("run")
        .arg(&out)
        .arg("--out")
        .arg(dir.join("runs"))
        .output()
        .unwrap();
    assert_eq!(
        replay.status.code(),
        Some(1),
        "the shrunk file must still fail"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_valid_seed_has_nothing_to_shrink() {
    let o = Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .args([
            "shrink",
            "scenarios/issue-1113-fixed.toml",
            "--out",
            "/nonexistent/x.toml",
        ])
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("nothing to shrink"));
}
