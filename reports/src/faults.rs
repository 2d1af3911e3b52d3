//! Fault periods: when the nemesis had something broken, read back from the
//! history's `nemesis` events, plus the instantaneous faults fake-redis
//! reported (`server` events whose note starts with `fault fired`).
//!
//! Every plot and the HTML timeline shade the same periods, so a latency
//! spike can be read against the partition that caused it. The pairing
//! follows what the simulator's nemesis undoes:
//! - network faults (`partition`, `partition-oneway`, `isolate`,
//!   `split-majority`, `bridge`, `hold`, `latency`, `loss`) end at the next
//!   `heal`; a `hold` also ends at a `release` with the same links;
//! - `crash` and `silent-crash` of a node end at that node's `restart`;
//! - `pause` of a node ends at its `resume`;
//! - `fault-on` ends at a `fault-off` naming one of its nodes;
//! - `heal-all` ends everything.
//!
//! A fault never undone lasts to the end of the run (`ended_by` is `None`).
//! Nemesis events that start nothing (`save`, a `restart` of a node that was
//! not down, an unknown name) become instantaneous marks.

use anarcho_checker::{EventType, History};

/// What kind of thing a fault period broke; decides its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultClass {
    /// Links between hosts: partitions, holds, latency, loss.
    Network,
    /// A node crashed (silently or not).
    Crash,
    /// A node paused.
    Pause,
    /// Extra fault rules switched on in fake-redis (`fault-on`).
    ServerFaults,
}

impl FaultClass {
    /// The class of a nemesis event that starts a period, or `None` when the
    /// event starts nothing.
    pub fn of(f: &str) -> Option<FaultClass> {
        match f {
            "partition" | "partition-oneway" | "isolate" | "split-majority" | "bridge" | "hold"
            | "latency" | "loss" => Some(FaultClass::Network),
            "crash" | "silent-crash" => Some(FaultClass::Crash),
            "pause" => Some(FaultClass::Pause),
            "fault-on" => Some(FaultClass::ServerFaults),
            _ => None,
        }
    }

    /// A short lowercase name, used as a CSS class and a legend label.
    pub fn name(self) -> &'static str {
        match self {
            FaultClass::Network => "network",
            FaultClass::Crash => "crash",
            FaultClass::Pause => "pause",
            FaultClass::ServerFaults => "server-faults",
        }
    }

    /// The band colour (RGB), shared by the PNGs and the page.
    pub fn rgb(self) -> (u8, u8, u8) {
        match self {
            FaultClass::Network => (255, 170, 60),
            FaultClass::Crash => (220, 50, 50),
            FaultClass::Pause => (150, 100, 220),
            FaultClass::ServerFaults => (60, 150, 220),
        }
    }

    /// Every class, in legend order.
    pub const ALL: [FaultClass; 4] = [
        FaultClass::Network,
        FaultClass::Crash,
        FaultClass::Pause,
        FaultClass::ServerFaults,
    ];
}

/// One stretch of time during which a fault was in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultPeriod {
    /// The nemesis event that started it (`partition`, `crash`, ...).
    pub f: String,
    /// Its note (targets, details), if any.
    pub note: Option<String>,
    /// What it broke.
    pub class: FaultClass,
    /// Start time, ns.
    pub start: u64,
    /// End time, ns: the undoing event's time, or the end of the run.
    pub end: u64,
    /// History index of the starting event.
    pub start_index: u64,
    /// The event that undid it (`heal`, `restart`, ...) and its index;
    /// `None` when nothing did before the run ended.
    pub ended_by: Option<(String, u64)>,
}

impl FaultPeriod {
    /// One line for people: `partition ["redis-1"] 300.000–600.000 ms, ended by heal`.
    pub fn describe(&self) -> String {
        let note = self
            .note
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        let end = match &self.ended_by {
            Some((f, _)) => format!("ended by {f}"),
            None => "never undone".to_string(),
        };
        format!(
            "{}{note}: {}–{} ms, {end}",
            self.f,
            crate::history_txt::ms(self.start),
            crate::history_txt::ms(self.end)
        )
    }
}

/// What an instantaneous mark records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// A fake-redis fault rule fired on one command.
    ServerFault,
    /// A nemesis event that starts no period (`save`, ...).
    Nemesis,
}

/// An instantaneous fault: drawn as a thin line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultMark {
    /// What kind.
    pub kind: MarkKind,
    /// Time, ns.
    pub time: u64,
    /// History index.
    pub index: u64,
    /// The node, for server faults (`redis-1`).
    pub node: Option<String>,
    /// The note: `fault fired: delay reply to READONLY by 150ms (rule 1)`.
    pub text: String,
}

/// The fault periods and marks of a run, and how long it lasted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Periods, by start.
    pub periods: Vec<FaultPeriod>,
    /// Instantaneous marks, in history order.
    pub marks: Vec<FaultMark>,
    /// The time of the last event, ns: the shared time axis ends here.
    pub end: u64,
}

/// The node a server event came from: `redis-1` from `redis-1#2`.
pub(crate) fn node_of(conn: &str) -> &str {
    conn.rsplit_once('#').map_or(conn, |(node, _)| node)
}

/// The target of a nemesis note: the part after a `source: ` prefix
/// (`random: redis-2` → `redis-2`), when that prefix is a plain word.
fn target(note: Option<&str>) -> &str {
    let note = note.unwrap_or("");
    match note.split_once(": ") {
        Some((source, rest)) if !source.contains([' ', '[', '"']) => rest,
        _ => note,
    }
}

/// The node list at the start of a `fault-on`/`fault-off` note
/// (`["redis-1", "redis-2"]: ...`), or `None` when there is none.
fn node_list(note: &str) -> Option<Vec<&str>> {
    let inner = note.strip_prefix('[')?.split_once(']')?.0;
    Some(
        inner
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// Reads the fault periods and marks out of `history`. See the module docs.
pub fn faults(history: &History) -> Faults {
    let end = history.events().last().map_or(0, |e| e.time);
    let mut periods: Vec<FaultPeriod> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut marks = Vec::new();
    for e in history.events() {
        match e.ty {
            EventType::Server => {
                if let Some(note) = e.note.as_deref().filter(|n| n.starts_with("fault fired")) {
                    marks.push(FaultMark {
                        kind: MarkKind::ServerFault,
                        time: e.time,
                        index: e.index,
                        node: e.conn.as_deref().map(|c| node_of(c).to_string()),
                        text: match e.f.as_str() {
                            "" => note.to_string(),
                            cmd => format!("{cmd}: {note}"),
                        },
                    });
                }
            }
            EventType::Nemesis => {
                let ended = |p: &FaultPeriod| -> bool {
                    let note = e.note.as_deref();
                    match e.f.as_str() {
                        "heal-all" => true,
                        "heal" => p.class == FaultClass::Network,
                        "release" => p.f == "hold" && target(p.note.as_deref()) == target(note),
                        "restart" => {
                            p.class == FaultClass::Crash
                                && target(p.note.as_deref()) == target(note)
                        }
                        "resume" => {
                            p.class == FaultClass::Pause
                                && target(p.note.as_deref()) == target(note)
                        }
                        "fault-off" => {
                            p.class == FaultClass::ServerFaults
                                && match (
                                    node_list(target(p.note.as_deref())),
                                    node_list(target(note)),
                                ) {
                                    (Some(on), Some(off)) => on.iter().any(|n| off.contains(n)),
                                    _ => true,
                                }
                        }
                        _ => false,
                    }
                };
                let before = open.len();
                open.retain(|&i| {
                    if ended(&periods[i]) {
                        periods[i].end = e.time;
                        periods[i].ended_by = Some((e.f.clone(), e.index));
                        false
                    } else {
                        true
                    }
                });
                let ended_something = open.len() < before;
                if let Some(class) = FaultClass::of(&e.f) {
                    open.push(periods.len());
                    periods.push(FaultPeriod {
                        f: e.f.clone(),
                        note: e.note.clone(),
                        class,
                        start: e.time,
                        end,
                        start_index: e.index,
                        ended_by: None,
                    });
                } else if !ended_something && e.f != "heal-all" && e.f != "heal" {
                    marks.push(FaultMark {
                        kind: MarkKind::Nemesis,
                        time: e.time,
                        index: e.index,
                        node: None,
                        text: match &e.note {
                            Some(n) => format!("{}: {n}", e.f),
                            None => e.f.clone(),
                        },
                    });
                }
            }
            _ => {}
        }
    }
    Faults {
        periods,
        marks,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anarcho_checker::Event;

    fn nemesis(h: &mut History, time: u64, f: &str, note: Option<&str>) {
        let mut e = Event::new(time, EventType::Nemesis, f);
        e.note = note.map(str::to_string);
        h.push(e);
    }

    #[test]
    fn faults_pair_with_what_undoes_them() {
        let mut h = History::new();
        nemesis(&mut h, 100, "crash", Some("random: redis-2"));
        nemesis(&mut h, 150, "pause", Some("redis-1"));
        nemesis(&mut h, 200, "isolate", Some("redis-3"));
        nemesis(&mut h, 250, "restart", Some("random: redis-2"));
        nemesis(&mut h, 300, "heal", None);
        nemesis(&mut h, 320, "save", Some("redis-1"));
        nemesis(
            &mut h,
            350,
            "fault-on",
            Some("[\"redis-1\"]: command = \"GET\""),
        );
        nemesis(&mut h, 400, "fault-off", Some("[\"redis-1\"]"));
        nemesis(
            &mut h,
            450,
            "hold",
            Some("[\"client-1\"] <-> [\"redis-2\"]"),
        );
        nemesis(&mut h, 500, "heal-all", Some("end of the workload"));
        nemesis(&mut h, 600, "partition", None);
        let f = faults(&h);
        let got: Vec<(&str, u64, u64, Option<&str>)> = f
            .periods
            .iter()
            .map(|p| {
                (
                    p.f.as_str(),
                    p.start,
                    p.end,
                    p.ended_by.as_ref().map(|(f, _)| f.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("crash", 100, 250, Some("restart")),
                ("pause", 150, 500, Some("heal-all")),
                ("isolate", 200, 300, Some("heal")),
                ("fault-on", 350, 400, Some("fault-off")),
                ("hold", 450, 500, Some("heal-all")),
                ("partition", 600, 600, None),
            ]
        );
        assert_eq!(f.marks.len(), 1);
        assert_eq!(f.marks[0].text, "save: redis-1");
        assert_eq!(f.end, 600);
    }

    #[test]
    fn a_restart_of_another_node_does_not_end_a_crash() {
        let mut h = History::new();
        nemesis(&mut h, 10, "crash", Some("redis-1"));
        nemesis(&mut h, 20, "restart", Some("redis-2"));
        nemesis(&mut h, 30, "release", Some("x"));
        let f = faults(&h);
        assert_eq!(f.periods.len(), 1);
        assert_eq!(f.periods[0].ended_by, None);
        assert_eq!(f.periods[0].end, 30);
        assert_eq!(f.marks.len(), 2, "{:?}", f.marks);
    }

    #[test]
    fn server_fault_notes_are_marks_on_their_node() {
        let mut h = History::new();
        let mut e = Event::new(4, EventType::Server, "READONLY");
        e.conn = Some("redis-1#2".into());
        e.note = Some("fault fired: delay reply to READONLY by 150ms (rule 1)".into());
        h.push(e);
        let mut e = Event::new(5, EventType::Server, "READONLY");
        e.conn = Some("redis-1#2".into());
        e.note = Some("reply +OK".into());
        h.push(e);
        let f = faults(&h);
        assert_eq!(f.marks.len(), 1);
        assert_eq!(f.marks[0].node.as_deref(), Some("redis-1"));
        assert!(f.marks[0].text.starts_with("READONLY: fault fired: delay"));
    }
}
