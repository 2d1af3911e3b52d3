//! Every nemesis action has a scenario (`scenarios/nemesis-*.toml`), and its
//! effect shows in the history: this test runs each on seed 1 and looks for
//! the effect, not just for the nemesis event.

use std::path::PathBuf;

use anarcho_checker::{Event, EventType, History};
use anarcho_sim::Scenario;

const S: u64 = 1_000_000_000;

fn run(name: &str) -> History {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../scenarios/{name}.toml"));
    let scenario = Scenario::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let outcome = scenario.run(1).unwrap();
    assert_eq!(Some(outcome.verdict()), scenario.expect.verdict, "{name}");
    outcome.history
}

fn within(e: &Event, from: f64, to: f64) -> bool {
    (e.time as f64) >= from * S as f64 && (e.time as f64) < to * S as f64
}

fn conn_to(e: &Event, node: &str) -> bool {
    e.conn
        .as_deref()
        .is_some_and(|c| c.contains(&format!("/{node}#")))
}

/// Completions of operations by client `c` (processes `2c`, `2c+1`, and
/// their successors: the scenarios run 2 processes on each of 2 clients).
fn completions(h: &History, client: u64, ty: EventType, from: f64, to: f64) -> usize {
    h.events()
        .iter()
        .filter(|e| e.ty == ty && within(e, from, to))
        .filter(|e| {
            e.process
                .is_some_and(|p| p < (1 << 40) && (p % 4) / 2 == client)
        })
        .count()
}

fn poisons<'h>(h: &'h History, node: &str, from: f64, to: f64) -> Vec<&'h Event> {
    h.events()
        .iter()
        .filter(|e| {
            e.ty == EventType::Conn && e.f == "poison" && conn_to(e, node) && within(e, from, to)
        })
        .collect()
}

fn server_note(h: &History, node: &str, text: &str) -> Vec<u64> {
    h.events()
        .iter()
        .filter(|e| e.ty == EventType::Server)
        .filter(|e| {
            e.conn
                .as_deref()
                .is_some_and(|c| c.starts_with(&format!("{node}#")))
        })
        .filter(|e| e.note.as_deref().is_some_and(|n| n.contains(text)))
        .map(|e| e.time)
        .collect()
}

#[test]
fn partition_cuts_client_1_off_from_its_quorum() {
    let h = run("nemesis-partition");
    assert!(
        completions(&h, 0, EventType::Fail, 1.1, 2.0) > 0,
        "client-1 failed while cut off"
    );
    assert_eq!(
        completions(&h, 0, EventType::Ok, 1.1, 2.0),
        0,
        "client-1 had no quorum"
    );
    assert!(
        completions(&h, 1, EventType::Ok, 1.1, 2.0) > 0,
        "client-2 carried on"
    );
    assert!(
        completions(&h, 0, EventType::Ok, 2.2, 3.0) > 0,
        "client-1 recovered after the heal"
    );
}

#[test]
fn partition_oneway_loses_replies_of_commands_that_ran() {
    let h = run("nemesis-partition-oneway");
    let timeouts = poisons(&h, "redis-1", 1.0, 2.2);
    assert!(timeouts.iter().any(|e| {
        e.error
            .as_deref()
            .is_some_and(|r| r.contains("no reply within"))
    }));
    let executed = h
        .events()
        .iter()
        .filter(|e| e.ty == EventType::Server && e.req.is_some() && within(e, 1.1, 2.0))
        .filter(|e| e.conn.as_deref().is_some_and(|c| c.starts_with("redis-1#")))
        .count();
    assert!(
        executed > 0,
        "redis-1 kept executing commands nobody heard the replies to"
    );
}

#[test]
fn isolate_poisons_connections_to_the_isolated_node_only() {
    let h = run("nemesis-isolate");
    assert!(!poisons(&h, "redis-2", 1.0, 2.2).is_empty());
    assert!(poisons(&h, "redis-1", 0.0, 3.0).is_empty());
    assert!(
        completions(&h, 0, EventType::Ok, 1.1, 2.0) > 0,
        "majority quorums kept working"
    );
}

#[test]
fn split_majority_starves_the_minority_side() {
    let h = run("nemesis-split-majority");
    assert_eq!(completions(&h, 0, EventType::Ok, 1.1, 2.0), 0);
    assert!(completions(&h, 0, EventType::Fail, 1.1, 2.0) > 0);
    assert!(completions(&h, 1, EventType::Ok, 1.1, 2.0) > 0);
}

#[test]
fn bridge_leaves_each_side_its_half_and_the_bridge() {
    let h = run("nemesis-bridge");
    let replies = |client: &str, node: &str, from, to| {
        h.events()
            .iter()
            .filter(|e| e.ty == EventType::Recv && within(e, from, to))
            .filter(|e| {
                e.conn
                    .as_deref()
                    .is_some_and(|c| c.starts_with(&format!("{client}/{node}#")))
            })
            .count()
    };
    assert!(replies("client-1", "redis-5", 0.0, 1.0) > 0);
    assert_eq!(replies("client-1", "redis-5", 1.1, 2.0), 0);
    assert_eq!(replies("client-2", "redis-1", 1.1, 2.0), 0);
    assert!(
        replies("client-1", "redis-3", 1.1, 2.0) > 0,
        "the bridge node serves both sides"
    );
    assert!(replies("client-2", "redis-3", 1.1, 2.0) > 0);
}

#[test]
fn hold_delays_messages_until_release() {
    let h = run("nemesis-hold-release");
    let held = poisons(&h, "redis-1", 1.0, 1.6);
    assert!(
        held.iter()
            .all(|e| e.conn.as_deref().unwrap().starts_with("client-1/"))
    );
    assert!(
        !held.is_empty(),
        "requests held past the timeout poison their connections"
    );
}

#[test]
fn latency_slows_the_slow_nodes_replies_not_the_quorum() {
    let h = run("nemesis-latency");
    // Round trips on connections to redis-3: send → recv of the same request.
    let rtt = |from: f64, to: f64| {
        let mut sent = std::collections::BTreeMap::new();
        let mut rtts = Vec::new();
        for e in h
            .events()
            .iter()
            .filter(|e| conn_to(e, "redis-3") && within(e, from, to))
        {
            let key = (e.conn.clone(), e.req);
            match e.ty {
                EventType::Send => {
                    sent.insert(key, e.time);
                }
                EventType::Recv => {
                    if let Some(t) = sent.remove(&key) {
                        rtts.push(e.time - t);
                    }
                }
                _ => {}
            }
        }
        rtts.sort();
        rtts[rtts.len() / 2]
    };
    let (before, during) = (rtt(0.1, 1.0), rtt(1.1, 2.0));
    assert!(
        during >= before + 70_000_000,
        "redis-3 median round trip {before} ns before, {during} ns during"
    );
    // Majority quorums are answered by the two fast nodes.
    assert!(completions(&h, 0, EventType::Ok, 1.1, 2.0) > 0);
}

#[test]
fn loss_leaves_half_open_connections_that_time_out_and_reconnect() {
    let h = run("nemesis-loss");
    assert!(
        poisons(&h, "redis-2", 1.0, 2.2).iter().any(|e| e
            .error
            .as_deref()
            .unwrap()
            .contains("no reply within"))
    );
    let reopened = h
        .events()
        .iter()
        .filter(|e| {
            e.ty == EventType::Conn && e.f == "open" && conn_to(e, "redis-2") && within(e, 1.0, 3.0)
        })
        .count();
    assert!(reopened > 0, "the client reconnected");
}

#[test]
fn crash_closes_connections_and_restart_comes_back_empty() {
    let h = run("nemesis-crash-restart");
    assert!(!server_note(&h, "redis-2", "server crashed").is_empty());
    assert!(!server_note(&h, "redis-2", "connection refused: the server is down").is_empty());
    assert!(!server_note(&h, "redis-2", "server restarted").is_empty());
    let closed = poisons(&h, "redis-2", 1.0, 1.1);
    assert!(
        closed
            .iter()
            .any(|e| e.error.as_deref().unwrap().contains("closed by the server"))
    );
}

#[test]
fn a_persistent_node_keeps_its_data_across_a_crash() {
    let h = run("nemesis-crash-persistent");
    let crashed = server_note(&h, "redis-2", "server crashed");
    assert!(!crashed.is_empty());
    let note = h
        .events()
        .iter()
        .find(|e| {
            e.note
                .as_deref()
                .is_some_and(|n| n.starts_with("server crashed"))
        })
        .unwrap();
    assert!(
        !note.note.as_deref().unwrap().contains("lost"),
        "{:?}",
        note.note
    );
}

#[test]
fn a_snapshot_node_restarts_from_its_last_save() {
    let h = run("nemesis-save-snapshot");
    assert!(!server_note(&h, "redis-1", "snapshot saved").is_empty());
    assert!(
        !server_note(
            &h,
            "redis-1",
            "server crashed (data restored from the last save)"
        )
        .is_empty()
    );
}

#[test]
fn a_silent_crash_is_noticed_only_by_timing_out() {
    let h = run("nemesis-silent-crash");
    let p = poisons(&h, "redis-3", 1.0, 2.0);
    assert!(!p.is_empty());
    assert!(
        p.iter()
            .all(|e| e.error.as_deref().unwrap().contains("no reply within")),
        "no FIN or reset reached the clients"
    );
}

#[test]
fn pause_makes_a_node_silent_until_resumed() {
    let h = run("nemesis-pause-resume");
    let paused = server_note(&h, "redis-1", "server paused");
    let resumed = server_note(&h, "redis-1", "server resumed");
    assert_eq!((paused.len(), resumed.len()), (1, 1));
    assert_eq!(
        (paused[0], resumed[0]),
        (S, 2 * S),
        "stamped with the nemesis' time"
    );
    assert!(!poisons(&h, "redis-1", 1.0, 2.0).is_empty());
}

#[test]
fn fault_on_and_off_bound_the_server_fault() {
    let h = run("nemesis-fault-on-off");
    let fired = server_note(&h, "redis-1", "fault fired");
    assert!(!fired.is_empty());
    assert!(
        fired.iter().all(|&t| (S..2 * S).contains(&t)),
        "faults fired only while on"
    );
    assert!(server_note(&h, "redis-2", "fault fired").is_empty());
}

#[test]
fn the_random_nemesis_draws_several_faults_from_the_seed() {
    let h = run("nemesis-random");
    let drawn: std::collections::BTreeSet<&str> = h
        .events()
        .iter()
        .filter(|e| {
            e.ty == EventType::Nemesis && e.note.as_deref().is_some_and(|n| n.starts_with("random"))
        })
        .map(|e| e.f.as_str())
        .collect();
    assert!(drawn.len() >= 4, "{drawn:?}");
}
