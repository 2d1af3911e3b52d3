//! The client's conditional register write runs as one `EVAL` on fake-redis
//! (the script fake-redis emulates is exactly the client's), and with
//! `[cluster] scripting = false` the client falls back to
//! `WATCH`/`MULTI`/`EXEC`; both keep the register linearizable-per-replica
//! guarantees the scenarios check.

use std::time::Duration;

use anarcho_checker::{EventType, History};
use anarcho_sim::Scenario;
use anarcho_sim::scenario::WorkloadKind;

#[test]
fn fake_redis_emulates_exactly_the_clients_register_write_script() {
    assert_eq!(
        anarchoredis::REGISTER_WRITE_LUA,
        fake_redis::scripts::ANARCHOREDIS_REGISTER_WRITE
    );
}

fn run(scripting: bool) -> History {
    Scenario::builder("scripting")
        .nodes(3)
        .clients(2)
        .scripting(scripting)
        .duration(Duration::from_millis(500))
        .workload(WorkloadKind::Register)
        .operations(40)
        .build()
        .expect("valid scenario")
        .run(1)
        .expect("the run completes")
        .history
}

fn sends(h: &History, command: &str) -> usize {
    h.events()
        .iter()
        .filter(|e| e.ty == EventType::Send && e.f == command)
        .count()
}

fn failed_or_unknown(h: &History) -> usize {
    h.events()
        .iter()
        .filter(|e| matches!(e.ty, EventType::Fail | EventType::Info))
        .count()
}

#[test]
fn with_scripting_register_writes_are_one_eval_per_replica() {
    let h = run(true);
    assert!(sends(&h, "EVAL") > 20, "{} EVALs", sends(&h, "EVAL"));
    assert_eq!(sends(&h, "WATCH"), 0);
    assert_eq!(sends(&h, "EXEC"), 0);
    assert_eq!(failed_or_unknown(&h), 0);
}

#[test]
fn without_scripting_register_writes_fall_back_to_watch_multi_exec() {
    let h = run(false);
    assert!(sends(&h, "WATCH") > 20, "{} WATCHes", sends(&h, "WATCH"));
    assert!(sends(&h, "EXEC") > 20, "{} EXECs", sends(&h, "EXEC"));
    // One probe per connection finds EVAL missing; nothing fails for it.
    assert_eq!(failed_or_unknown(&h), 0);
}
