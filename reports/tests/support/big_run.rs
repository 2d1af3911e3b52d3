//! A generated run shaped like a simulator run with full logging, of any
//! size: `processes` clients each running one operation at a time (`set`
//! and `get` on 100 keys, 1% timing out as `info`), each operation fanned
//! out to three nodes with the client's `send`/`recv` and fake-redis'
//! executed command on every node (11 events per operation), connections
//! named with `CLIENT SETNAME` as the client does, a fault period every
//! 5% of the run (partition/heal, crash/restart, pause/resume in turn) and
//! a server fault mark every 500 operations. Deterministic (splitmix64).

use anarcho_checker::{Event, EventType, History, Value};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const NODES: u64 = 3;
const MS: u64 = 1_000_000;

fn ev(time: u64, ty: EventType, f: &str) -> Event {
    Event::new(time, ty, f)
}

/// `ops` operations by `processes` processes. See the module docs.
pub fn big_run(ops: u64, processes: u64, seed: u64) -> History {
    let mut rng = Rng(seed);
    let mut events: Vec<(u64, u64, Event)> = Vec::with_capacity(ops as usize * 11);
    let mut seq = 0u64;
    let mut push = |events: &mut Vec<(u64, u64, Event)>, e: Event| {
        seq += 1;
        events.push((e.time, seq, e));
    };
    // Connection set-up: one connection per process and node.
    for p in 0..processes {
        for n in 1..=NODES {
            let conn = format!("client-{p}/redis-{n}#1");
            let name = format!("client-{p}-redis-{n}-1");
            let mut e = ev(0, EventType::Send, "CLIENT SETNAME");
            e.conn = Some(conn.clone());
            e.req = Some(1);
            e.value = Some(Value::Str(name.clone()));
            push(&mut events, e);
            let mut e = ev(0, EventType::Server, "CLIENT");
            e.conn = Some(format!("redis-{n}#{}", p + 1));
            e.req = Some(1);
            e.value = Some(Value::Str(format!("\"SETNAME\" \"{name}\"")));
            e.note = Some("reply +OK".into());
            push(&mut events, e);
        }
    }
    let mut clock = vec![MS; processes as usize];
    let mut req = vec![1u64; processes as usize];
    let mut last: Vec<Option<String>> = vec![None; 100];
    for i in 0..ops {
        // The process that is free first runs the next operation.
        let p = (0..processes as usize)
            .min_by_key(|&p| (clock[p], p))
            .unwrap();
        let start = clock[p];
        let duration = MS + rng.below(5 * MS);
        let end = start + duration;
        clock[p] = end + rng.below(3 * MS);
        let k = rng.below(100) as usize;
        let key = format!("k{k}");
        let write = rng.below(2) == 0;
        let info = rng.below(100) == 0;
        let f = if write { "set" } else { "get" };
        let mut inv = ev(start, EventType::Invoke, f);
        inv.process = Some(p as u64);
        inv.key = Some(key.clone());
        let value = format!("v{i}");
        if write {
            inv.value = Some(Value::Str(value.clone()));
        }
        push(&mut events, inv);
        req[p] += 1;
        for n in 1..=NODES {
            let conn = format!("client-{p}/redis-{n}#1");
            let at = start + (n - 1) * 10_000;
            let mut s = ev(at, EventType::Send, if write { "SET" } else { "GET" });
            s.process = Some(p as u64);
            s.conn = Some(conn.clone());
            s.req = Some(req[p]);
            s.value = Some(if write {
                Value::List(vec![Value::Str(key.clone()), Value::Str(value.clone())])
            } else {
                Value::Str(key.clone())
            });
            push(&mut events, s);
            let mut x = ev(
                at + duration / 2,
                EventType::Server,
                if write { "SET" } else { "GET" },
            );
            x.conn = Some(format!("redis-{n}#{}", p + 1));
            x.req = Some(req[p]);
            x.key = Some(key.clone());
            x.note = Some(if write {
                "reply +OK".into()
            } else {
                match &last[k] {
                    Some(v) => format!("reply \"{v}\""),
                    None => "reply (nil)".into(),
                }
            });
            push(&mut events, x);
            if !info {
                let mut r = ev(end - (NODES - n) * 10_000, EventType::Recv, "reply");
                r.process = Some(p as u64);
                r.conn = Some(conn);
                r.req = Some(req[p]);
                r.reply = Some(req[p]);
                r.value = Some(if write {
                    Value::Str("OK".into())
                } else {
                    last[k].clone().map_or(Value::Nil, Value::Str)
                });
                push(&mut events, r);
            }
        }
        let mut done = ev(end, if info { EventType::Info } else { EventType::Ok }, f);
        done.process = Some(p as u64);
        done.key = Some(key);
        if info {
            done.error = Some("Quorum (indeterminate): timed out".into());
        } else {
            done.value = Some(if write {
                Value::Str("OK".into())
            } else {
                last[k].clone().map_or(Value::Nil, Value::Str)
            });
        }
        if write {
            last[k] = Some(value);
        }
        push(&mut events, done);
        if i % 500 == 250 {
            let mut e = ev(start, EventType::Server, "GET");
            e.conn = Some(format!("redis-1#{}", p + 1));
            e.req = Some(req[p]);
            e.note = Some("fault fired: delay reply to GET by 20ms (rule 1)".into());
            push(&mut events, e);
        }
    }
    let run_end = clock.iter().copied().max().unwrap_or(0);
    let faults = [
        (
            "partition",
            "heal",
            "[[\"redis-1\"], [\"redis-2\", \"redis-3\"]]",
            "",
        ),
        ("crash", "restart", "redis-2", "redis-2"),
        ("pause", "resume", "redis-3", "redis-3"),
    ];
    for j in 0..20u64 {
        let (on, off, note_on, note_off) = faults[(j % 3) as usize];
        let t = run_end * j / 20 + run_end / 100;
        let mut e = ev(t, EventType::Nemesis, on);
        e.note = Some(note_on.into());
        push(&mut events, e);
        let mut e = ev(t + run_end / 40, EventType::Nemesis, off);
        if !note_off.is_empty() {
            e.note = Some(note_off.into());
        }
        push(&mut events, e);
    }
    events.sort_by_key(|(t, s, _)| (*t, *s));
    let mut h = History::new();
    for (_, _, e) in events {
        h.push(e);
    }
    h
}
