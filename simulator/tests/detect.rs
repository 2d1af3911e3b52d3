//! `anarcho detect`: the detection table over the scenario library (with a
//! few seeds, so the test stays fast), and a folder where a switch goes
//! uncaught and the default client is falsely accused, which must exit 1
//! and say so.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::repo;

fn temp_dir(name: &str) -> PathBuf {
    support::temp_dir("detect", name)
}

fn detect(args: &[&str], out: &Path) -> Output {
    let mut all = vec!["detect"];
    all.extend_from_slice(args);
    support::anarcho(&all, out)
}

fn json(out: &Path, seeds: u64) -> serde_json::Value {
    let path = out.join(format!("detect/seeds-1-{seeds}/detection.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn the_library_catches_every_switch_without_accusing_the_default_client() {
    let out = temp_dir("library");
    let run = detect(&["--seeds", "2", "--jobs", "2"], &out);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let table = json(&out, 2);
    let switches = table["switches"].as_array().unwrap();
    let names: Vec<&str> = switches
        .iter()
        .map(|r| r["switch"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "rows are sorted by switch");
    for bug in anarchoredis::KnownBug::ALL {
        let row = switches
            .iter()
            .find(|r| r["switch"] == bug.name())
            .unwrap_or_else(|| panic!("no row for {bug}: {stdout}"));
        assert_eq!(row["origin"], bug.origin());
        assert!(
            row["first_detection"].as_u64().is_some(),
            "{bug} not caught: {stdout}"
        );
        assert!(
            stdout.contains(&format!("| `{}` | {} |", bug.name(), bug.origin())),
            "{stdout}"
        );
        // The first detection's run directory was written for reading.
        let dir = row["run_dir"].as_str().unwrap();
        assert!(Path::new(dir).join("report.html").is_file(), "{dir}");
    }
    let default = &table["default_client"];
    assert_eq!(default["false_alarms"], 0, "{stdout}");
    assert!(default["scenarios"].as_array().unwrap().len() >= 20);
    assert_eq!(
        default["runs"].as_u64().unwrap(),
        2 * default["scenarios"].as_array().unwrap().len() as u64
    );
    let known: Vec<&str> = table["known_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["scenario"].as_str().unwrap())
        .collect();
    assert!(
        known.contains(&"dynamo-quorums-not-linearizable"),
        "{known:?}"
    );
    assert!(known.contains(&"crash-lost-writes-w1"), "{known:?}");
    assert!(
        table["other_clients"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["client"] == "redis-rs")
    );
    assert!(stdout.contains("every switch caught within 50 seeds: yes; false alarms: 0"));
    // The table is also the `detection` section of a sweep index whose rows
    // are the runs written (the first detections), linked to their reports.
    let dir = out.join("detect/seeds-1-2");
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("<section id=\"detection\">"), "{html}");
    assert!(html.contains("reuse-conn-after-timeout"));
    assert!(
        html.contains("href=\"../../issue-1113/1/report.html\""),
        "{html}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["sections"]["detection"], table);
    // One row per first detection, plus one per documented result that did
    // not show on a seed (dynamo-quorums-not-linearizable misses some).
    let not_shown: usize = table["known_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["not_shown"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        summary["rows"].as_array().unwrap().len(),
        anarchoredis::KnownBug::ALL.len() + not_shown
    );
}

#[test]
fn a_missed_switch_or_a_false_alarm_exits_1_and_names_the_seed() {
    let scenarios = temp_dir("folder");
    let out = temp_dir("folder-out");
    // A scenario whose result is invalid, claimed valid: a false alarm.
    let known =
        std::fs::read_to_string(repo().join("scenarios/dynamo-quorums-not-linearizable.toml"))
            .unwrap()
            .replace(
                "name = \"dynamo-quorums-not-linearizable\"",
                "name = \"accused\"",
            )
            .replace("verdict = \"invalid\"", "verdict = \"valid\"");
    std::fs::write(scenarios.join("accused.toml"), known).unwrap();
    // Two switches at once: listed, not counted (and not run).
    let both = std::fs::read_to_string(repo().join("scenarios/issue-1113.toml"))
        .unwrap()
        .replace("name = \"issue-1113\"", "name = \"two-switches\"")
        .replace(
            "known_bugs = [\"reuse-conn-after-timeout\"]",
            "known_bugs = [\"reuse-conn-after-timeout\", \"cancel-unsafe-read\"]",
        );
    assert!(both.contains("cancel-unsafe-read"), "the fixture changed");
    std::fs::write(scenarios.join("two-switches.toml"), both).unwrap();
    let folder = scenarios.to_string_lossy().into_owned();
    let run = detect(&["--seeds", "1", "--scenarios", &folder], &out);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("every switch caught within 50 seeds: NO; false alarms: 1"),
        "{stdout}"
    );
    assert!(stdout.contains("| `no-read-write-back` | ABD without the read phase's write-back | no scenario | - | 0/0 (-) |"), "{stdout}");
    assert!(stdout.contains("accused seed 1: invalid"), "{stdout}");
    assert!(
        stdout.contains("the verdict is invalid but the scenario expects valid"),
        "{stdout}"
    );
    assert!(stdout.contains("replay: anarcho run "), "{stdout}");
    assert!(
        stdout.contains("two-switches.toml (enables several switches)"),
        "{stdout}"
    );
    let table = json(&out, 1);
    let alarm = &table["default_client"]["scenarios"][0]["alarms"][0];
    assert_eq!(alarm["seed"], 1);
    assert!(!alarm["findings"].as_array().unwrap().is_empty(), "{alarm}");
    let dir = alarm["run_dir"].as_str().unwrap();
    assert!(Path::new(dir).join("report.html").is_file());
    // Nothing printed depends on the number of threads.
    let out1 = temp_dir("folder-out-1");
    let one = detect(
        &["--seeds", "2", "--jobs", "1", "--scenarios", &folder],
        &out1,
    );
    let two = detect(
        &["--seeds", "2", "--jobs", "2", "--scenarios", &folder],
        &out,
    );
    let shown = |o: &Output, dir: &Path| {
        String::from_utf8_lossy(&o.stdout).replace(&*dir.to_string_lossy(), "OUT")
    };
    assert_eq!(shown(&one, &out1), shown(&two, &out));
    // A bad file in the folder is bad input.
    std::fs::write(
        scenarios.join("bad.toml"),
        "name = \"bad\"\nduraton = \"1s\"\n",
    )
    .unwrap();
    let run = detect(&["--seeds", "1", "--scenarios", &folder], &out);
    assert_eq!(run.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&run.stderr).contains("bad.toml:2:1"));
}
