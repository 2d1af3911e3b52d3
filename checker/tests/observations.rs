//! Regression: the search places every read the state allows, also when a
//! read's return entry directly follows its call (a read with nothing
//! concurrent). The observation pass used to stop at the first such read
//! it placed, so two sequential reads of the last write were judged not
//! linearizable (found by the simulator's redis-rs timeout scenario).

use anarcho_checker::{
    CheckOptions, Event, EventType, History, ModelKind, Value, Verdict, check_with,
};

fn op(h: &mut History, ty: EventType, process: u64, f: &str, value: Option<&str>) {
    let mut e = Event::new(0, ty, f);
    e.process = Some(process);
    e.key = Some("k0".into());
    e.value = value.map(|v| Value::Str(v.into()));
    h.push(e);
}

fn verdict(h: &History) -> Verdict {
    let options = CheckOptions {
        model: Some(ModelKind::Redis),
        ..Default::default()
    };
    check_with(h, &options).linearizability.verdict
}

#[test]
fn two_sequential_reads_of_an_indeterminate_write_are_linearizable() {
    let mut h = History::new();
    op(&mut h, EventType::Invoke, 5, "set", Some("a"));
    op(&mut h, EventType::Info, 5, "set", None);
    for p in [7, 9] {
        op(&mut h, EventType::Invoke, p, "get", None);
        op(&mut h, EventType::Ok, p, "get", Some("a"));
    }
    assert_eq!(verdict(&h), Verdict::Valid);
}

#[test]
fn three_sequential_reads_after_an_acknowledged_write_are_linearizable() {
    let mut h = History::new();
    op(&mut h, EventType::Invoke, 1, "set", Some("a"));
    op(&mut h, EventType::Ok, 1, "set", Some("OK"));
    for p in [2, 3, 4] {
        op(&mut h, EventType::Invoke, p, "get", None);
        op(&mut h, EventType::Ok, p, "get", Some("a"));
    }
    assert_eq!(verdict(&h), Verdict::Valid);
    // And a stale read among them is still caught.
    op(&mut h, EventType::Invoke, 5, "get", None);
    op(&mut h, EventType::Ok, 5, "get", None);
    assert_eq!(verdict(&h), Verdict::Invalid);
}
