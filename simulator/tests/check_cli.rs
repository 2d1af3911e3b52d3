//! `anarcho check FILE`: a sample of the checker's corpus gets its
//! expected verdict through the CLI (the whole corpus is checked through
//! the library by `checker/tests/verdicts.rs`), and bad files exit 3 with
//! file:line:col.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::{repo, text};

fn out_dir(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!("anarcho-check-{test}-{}", std::process::id()))
}

fn anarcho(args: &[&str], out: &Path) -> Output {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    support::anarcho(&all, out)
}

/// Every file in VERDICTS.tsv is checked through the library, the way this
/// command chooses format and model, by `checker/tests/verdicts.rs`; here
/// the binary itself runs a sample of every kind: each Porcupine kv file,
/// every tenth etcd log, every invalid Knossos file and every tenth valid
/// one, and the multi-register and mutex histories.
#[test]
fn a_sample_of_verdicts_tsv_gets_its_expected_exit_codes() {
    let tsv = std::fs::read_to_string(repo().join("checker/testdata/VERDICTS.tsv")).unwrap();
    let out = out_dir("verdicts");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (n, line) in tsv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, expected) = (cols[0], cols[2]);
        let sampled = file.contains("/kv/")
            || file.contains("multi-register")
            || file.contains("mutex")
            || (file.contains("knossos") && expected == "invalid")
            || n % 10 == 0;
        if !sampled {
            continue;
        }
        let expected = match expected {
            "valid" => 0,
            "invalid" => 1,
            other => panic!("unexpected verdict {other:?}"),
        };
        let path = format!("checker/testdata/{file}");
        let o = anarcho(&[&path], &out);
        checked += 1;
        if o.status.code() != Some(expected) {
            wrong.push(format!(
                "{path}: exit {:?}, expected {expected}\n{}",
                o.status.code(),
                text(&o)
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    assert!(checked >= 30, "{checked} files sampled");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_invalid_etcd_history_exits_1_explains_and_writes_the_run_directory() {
    let out = out_dir("etcd");
    let o = anarcho(&["checker/testdata/porcupine/jepsen/etcd_000.log"], &out);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("invalid (porcupine-etcd, model etcd-cas-register)"),
        "{stdout}"
    );
    assert!(stdout.contains("No order of these"), "{stdout}");
    let dir = out.join("etcd_000").join("0");
    let results = std::fs::read_to_string(dir.join("results.json")).unwrap();
    assert!(
        results.contains("\n  \"verdict\": \"invalid\",\n"),
        "{results}"
    );
    assert!(
        results.contains("\"explanation\": \"No order of these"),
        "{results}"
    );
    assert!(
        results.contains("\"replay\": \"anarcho check checker/testdata/porcupine/jepsen/etcd_000.log --format porcupine-etcd --model etcd-cas-register\""),
        "{results}"
    );
    for file in ["history.jsonl", "history.txt", "report.html"] {
        assert!(dir.join(file).exists(), "{file}");
    }
    // The history.jsonl it wrote checks the same way.
    let again = anarcho(
        &[
            dir.join("history.jsonl").to_str().unwrap(),
            "--model",
            "etcd-cas-register",
        ],
        &out,
    );
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn eventual_consistency_reports_linearizability_without_judging_it() {
    let out = out_dir("eventual");
    let file = "checker/testdata/porcupine/jepsen/etcd_000.log";
    let o = anarcho(&[file, "--consistency", "eventual"], &out);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("linearizability: invalid, measured only"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn checking_a_file_twice_writes_byte_identical_results() {
    let file = "checker/testdata/porcupine/kv/c10-bad.txt";
    let read = |out: &Path| {
        let o = anarcho(&[file], out);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        std::fs::read(out.join("c10-bad/0/results.json")).unwrap()
    };
    let (a, b) = (out_dir("twice-a"), out_dir("twice-b"));
    assert_eq!(read(&a), read(&b));
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn malformed_files_exit_3_with_file_line_and_column() {
    let out = out_dir("bad");
    std::fs::create_dir_all(&out).unwrap();
    let cases = [
        (
            "bad.edn",
            "[{:process 0, :type :invoke, :f :read}\n {:process 0, :f :read}]\n",
            "bad.edn:2:2:",
        ),
        (
            "bad.log",
            "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:okay\t:read\t1\n",
            "bad.log:2:23:",
        ),
        (
            "bad.jsonl",
            "{\"index\":0,\"time\":0,\"type\":\"invoke\",\"f\":\"get\"}\n{\"index\":1,\"time\":0,\"type\":\"nope\",\"f\":\"get\"}\n",
            "bad.jsonl:2:",
        ),
    ];
    for (name, content, want) in cases {
        let file = out.join(name);
        std::fs::write(&file, content).unwrap();
        let o = anarcho(&[file.to_str().unwrap()], &out);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{name}: {}", text(&o));
        assert!(err.contains(want), "{name}: {err}");
    }
    let missing = anarcho(&["no/such/file.edn"], &out);
    assert_eq!(missing.status.code(), Some(3), "{}", text(&missing));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn an_exhausted_time_budget_exits_4() {
    let out = out_dir("budget");
    let o = anarcho(
        &[
            "checker/testdata/porcupine/kv/c50-ok.txt",
            "--budget",
            "1ns",
        ],
        &out,
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("ran out of time"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&out);
}

/// `--threads` changes how partitions are scheduled, never the verdict or
/// the results: one thread and two give the same bytes.
#[test]
fn the_thread_count_does_not_change_the_results() {
    let file = "checker/testdata/porcupine/kv/c10-bad.txt";
    let read = |threads: &str, out: &Path| {
        let o = anarcho(&[file, "--threads", threads], out);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        std::fs::read(out.join("c10-bad/0/results.json")).unwrap()
    };
    let (a, b) = (out_dir("threads-1"), out_dir("threads-2"));
    assert_eq!(read("1", &a), read("2", &b));
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
    let o = anarcho(&[file, "--threads", "0"], &out_dir("threads-0"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn unknown_formats_and_models_are_usage_errors() {
    let out = out_dir("usage");
    let o = anarcho(&["x.edn", "--format", "yaml"], &out);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("jepsen-edn"), "{}", text(&o));
    let o = anarcho(&["x.edn", "--model", "queue"], &out);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cas-register"), "{}", text(&o));
}
