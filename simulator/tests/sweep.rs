//! `anarcho sweep`: every seed gets a run directory and an index row, the
//! summary lists each failing seed with its replay command, and nothing
//! that is printed or written depends on `--jobs`.

mod support;

use std::path::Path;
use std::process::Output;

use anarcho_sim::Scenario;
use anarcho_sim::sweep::{SeedRange, SweepOptions, sweep};
use support::{anarcho, repo};

fn temp_dir(name: &str) -> std::path::PathBuf {
    support::temp_dir("sweep", name)
}

#[test]
fn sweep_output_and_index_do_not_depend_on_jobs() {
    let root = temp_dir("jobs");
    let (a, b) = (root.join("one"), root.join("three"));
    let args = |jobs: &'static str| {
        [
            "sweep",
            "scenarios/issue-1113.toml",
            "--seeds",
            "1..6",
            "--jobs",
            jobs,
        ]
    };
    let one = anarcho(&args("1"), &a);
    let three = anarcho(&args("3"), &b);
    let stdout =
        |o: &Output| String::from_utf8_lossy(&o.stdout).replace(&*root.to_string_lossy(), "");
    assert_eq!(
        one.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert_eq!(three.status.code(), Some(1));
    let (s1, s3) = (stdout(&one), stdout(&three));
    assert_eq!(
        s1.replace("/one/", "/x/"),
        s3.replace("/three/", "/x/"),
        "stdout depends on --jobs"
    );
    // Every failing seed, in order, with the exact replay command.
    let mut last = 0;
    for seed in 1..=6 {
        let replay = format!("replay: anarcho run scenarios/issue-1113.toml --seed {seed}\n");
        let at = s1
            .find(&replay)
            .unwrap_or_else(|| panic!("no replay for seed {seed}: {s1}"));
        assert!(at > last, "seeds out of order: {s1}");
        last = at;
    }
    assert!(
        s1.contains("6 run, 0 valid, 6 invalid, 0 unknown (all as expected: invalid)"),
        "{s1}"
    );
    let summary = |dir: &Path| {
        std::fs::read_to_string(dir.join("issue-1113/sweep-1-6/summary.json")).unwrap()
    };
    assert_eq!(summary(&a), summary(&b), "the index depends on --jobs");
    for seed in 1..=6 {
        for dir in [&a, &b] {
            let results = dir.join(format!("issue-1113/{seed}/results.json"));
            assert!(results.is_file(), "{} missing", results.display());
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_clean_sweep_exits_0_and_names_no_failing_seed() {
    let root = temp_dir("clean");
    let o = anarcho(
        &[
            "sweep",
            "scenarios/issue-1113-fixed.toml",
            "--seeds",
            "1..3",
            "--jobs",
            "2",
        ],
        &root,
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!stdout.contains("failing seeds"), "{stdout}");
    assert!(stdout.contains("index: "), "{stdout}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn stop_on_fail_stops_at_the_lowest_failing_seed_for_any_jobs() {
    let file = repo().join("scenarios/issue-1113.toml");
    let scenario = Scenario::from_file(&file).unwrap();
    for jobs in [1, 2, 4] {
        let result = sweep(
            &scenario,
            &SweepOptions {
                seeds: "3..40".parse::<SeedRange>().unwrap(),
                jobs,
                stop_on_fail: true,
                out: None,
            },
            &|_| {},
        );
        let seeds: Vec<u64> = result.results.iter().map(|r| r.seed).collect();
        assert_eq!(seeds, vec![3], "jobs {jobs}");
        assert_eq!(result.stopped_at, Some(3));
    }
}

#[test]
fn a_bad_scenario_or_seed_range_is_refused() {
    let root = temp_dir("bad");
    let o = anarcho(
        &["sweep", "scenarios/missing.toml", "--seeds", "1..2"],
        &root,
    );
    assert_eq!(o.status.code(), Some(3));
    let o = anarcho(
        &["sweep", "scenarios/issue-1113.toml", "--seeds", "5..1"],
        &root,
    );
    assert_eq!(o.status.code(), Some(2), "a bad range is a usage error");
    let _ = std::fs::remove_dir_all(&root);
}
