//! Checked runs for the tests of every renderer: the #1113 fixture, and a
//! richer generated run with faults, timeouts, failures and stale reads.

use std::path::PathBuf;

use anarcho_checker::{Event, EventType, History, Report, Value, Verdict, check, fixtures};

use crate::RunRecord;

pub(crate) const SCENARIO_TEXT: &str = "name = \"issue-1113\"\n[expect]\nverdict = \"invalid\"\n";

/// Owns what a [`RunRecord`] borrows.
pub(crate) struct Sample {
    pub(crate) history: History,
    pub(crate) report: Report,
}

impl Sample {
    pub(crate) fn issue_1113(payload: &str) -> Self {
        Self::of(fixtures::issue_1113(payload))
    }

    /// Checks `history`; the record still names the #1113 scenario.
    pub(crate) fn of(history: History) -> Self {
        let report = check(&history);
        Sample { history, report }
    }

    /// `history` with the report of an empty history (only the counts are
    /// its own), for rendering tests that need no findings and cannot
    /// wait for the checkers.
    pub(crate) fn unchecked(history: History) -> Self {
        let mut report = check(&History::new());
        report.counts = anarcho_checker::Counts::of(&history);
        Sample { history, report }
    }

    pub(crate) fn record(&self) -> RunRecord<'_> {
        RunRecord {
            scenario_name: "issue-1113",
            scenario_file: Some("scenarios/issue-1113.toml"),
            scenario_text: SCENARIO_TEXT,
            seed: 1,
            expected: Some(Verdict::Invalid),
            history: &self.history,
            report: &self.report,
            tool_version: "0.1.0",
            replay_command: "anarcho run scenarios/issue-1113.toml --seed 1".into(),
        }
    }
}

/// A generated run of `ops` register operations by four processes over
/// three keys, 1 ms apart, with: a crash of redis-2 from 30% to 50% of the
/// run, a partition healed at 80%, a server fault fired at 10%, every 17th
/// write timing out (`info`), every 23rd read failing, and reads after the
/// crash returning the value before the latest write (stale). Deterministic.
pub(crate) fn rich(ops: u64) -> History {
    let mut h = History::new();
    let ms = 1_000_000u64;
    let end = ops * ms;
    let mut last: [Option<String>; 3] = [None, None, None];
    let mut previous: [Option<String>; 3] = [None, None, None];
    let mut nemesis_at = vec![
        (
            end / 10,
            EventType::Server,
            "READONLY",
            "fault fired: delay reply to READONLY by 150ms (rule 1)",
        ),
        (end * 3 / 10, EventType::Nemesis, "crash", "redis-2"),
        (end / 2, EventType::Nemesis, "restart", "redis-2"),
        (
            end * 6 / 10,
            EventType::Nemesis,
            "partition",
            "[[\"redis-1\"], [\"redis-2\", \"redis-3\"]]",
        ),
        (end * 8 / 10, EventType::Nemesis, "heal", ""),
    ];
    nemesis_at.reverse();
    for i in 0..ops {
        let t = i * ms;
        while nemesis_at.last().is_some_and(|n| n.0 <= t) {
            let (at, ty, f, note) = nemesis_at.pop().expect("checked");
            let mut e = Event::new(at, ty, f);
            if !note.is_empty() {
                e.note = Some(note.into());
            }
            if ty == EventType::Server {
                e.conn = Some("redis-1#2".into());
            }
            h.push(e);
        }
        let process = i % 4;
        let k = (i % 3) as usize;
        let key = format!("k{k}");
        let write = i % 2 == 0;
        let mut invoke = Event::new(t, EventType::Invoke, if write { "set" } else { "get" });
        invoke.process = Some(process);
        invoke.key = Some(key.clone());
        let mut done = Event::new(
            t + ms / 2 + (i % 7) * ms / 20,
            EventType::Ok,
            invoke.f.clone(),
        );
        done.process = Some(process);
        done.key = Some(key.clone());
        if write {
            let v = format!("v{i}");
            invoke.value = Some(Value::Str(v.clone()));
            if i % 17 == 0 {
                done.ty = EventType::Info;
                done.error = Some("timeout (indeterminate)".into());
            } else {
                done.value = Some(Value::Str("OK".into()));
                previous[k] = last[k].take();
                last[k] = Some(v);
            }
        } else if i % 23 == 0 {
            done.ty = EventType::Fail;
            done.error = Some("Quorum (not applied)".into());
        } else {
            let stale = t > end * 3 / 10 && t < end / 2 && previous[k].is_some();
            let v = if stale { &previous[k] } else { &last[k] };
            done.value = Some(v.clone().map_or(Value::Nil, Value::Str));
        }
        h.push(invoke);
        h.push(done);
    }
    h
}

/// A fresh directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(test: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("anarcho-reports-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
