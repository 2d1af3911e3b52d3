//! `history.txt`: the history for grep and for eyes, one event per line.
//!
//! ```text
//! # index      time_ms type    process f          fields
//!      14       15.000 send    set-up  READONLY   conn=client-1/redis-1#2 req=3
//!      15       16.000 recv    set-up  reply      value="OK" conn=client-1/redis-1#2 req=3 reply=2
//! ```
//!
//! The first five columns are fixed-width (time is milliseconds with three
//! decimals); the rest are `name=value` fields, present only when set, in a
//! fixed order: `key`, `value`, `conn`, `req`, `reply`, `error`, `note`.
//! Values print as in Redis (`nil`, `42`, `"text"`); other text prints bare
//! when it is one plain word, else quoted with escapes, so every event stays
//! on one line and `grep 'conn=client-1/redis-1#2'` finds a connection.

use anarcho_checker::{Event, EventType, History};

/// Renders `history` as `history.txt`.
pub fn render_history_txt(history: &History) -> String {
    let mut out = format!(
        "{:>7} {:>12} {:<7} {:<7} {:<10} fields\n",
        "# index", "time_ms", "type", "process", "f"
    );
    for event in history.events() {
        out.push_str(&line(event));
        out.push('\n');
    }
    out
}

fn line(e: &Event) -> String {
    let mut text = format!(
        "{:>7} {:>12} {:<7} {:<7} {:<10}",
        e.index,
        ms(e.time),
        type_name(e.ty),
        process_label(e),
        word(&e.f)
    );
    let fields = [
        ("key", e.key.as_deref().map(word)),
        ("value", e.value.as_ref().map(ToString::to_string)),
        ("conn", e.conn.as_deref().map(word)),
        ("req", e.req.map(|n| n.to_string())),
        ("reply", e.reply.map(|n| n.to_string())),
        ("error", e.error.as_deref().map(word)),
        ("note", e.note.as_deref().map(word)),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            text.push_str(&format!(" {name}={value}"));
        }
    }
    text.trim_end().to_string()
}

/// Nanoseconds as milliseconds with exactly three decimals, by integer
/// arithmetic so that the text never depends on float formatting.
pub(crate) fn ms(nanos: u64) -> String {
    format!("{}.{:03}", nanos / 1_000_000, nanos / 1_000 % 1_000)
}

/// The time of the event with history index `index` (indices increase
/// along the history, but need not start at 0 in an imported one).
pub(crate) fn time_of(history: &History, index: u64) -> Option<u64> {
    let events = history.events();
    let i = events.partition_point(|e| e.index < index);
    events.get(i).filter(|e| e.index == index).map(|e| e.time)
}

/// `p3` for a process, `set-up` for requests and replies sent for no process, `-`
/// for anything else without one.
pub(crate) fn process_label(e: &Event) -> String {
    match (e.process, e.ty) {
        (Some(p), _) => format!("p{p}"),
        (None, EventType::Send | EventType::Recv) => "set-up".to_string(),
        (None, _) => "-".to_string(),
    }
}

fn type_name(ty: EventType) -> &'static str {
    match ty {
        EventType::Invoke => "invoke",
        EventType::Ok => "ok",
        EventType::Fail => "fail",
        EventType::Info => "info",
        EventType::Send => "send",
        EventType::Recv => "recv",
        EventType::Conn => "conn",
        EventType::Nemesis => "nemesis",
        EventType::Server => "server",
        EventType::NodeState => "node_state",
    }
}

/// Bare when `s` is one plain word, else quoted with Rust escapes.
fn word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '='));
    if plain {
        s.to_string()
    } else {
        format!("{s:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anarcho_checker::{Value, fixtures};

    #[test]
    fn one_line_per_event_with_fixed_width_time() {
        let history = fixtures::issue_1113("message");
        let text = render_history_txt(&history);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines.len(),
            history.len() + 1,
            "header plus one line per event"
        );
        let time_columns: Vec<usize> = lines[1..].iter().map(|l| l.find(".000").unwrap()).collect();
        assert!(time_columns.windows(2).all(|w| w[0] == w[1]), "{text}");
        assert!(
            text.contains(
                "recv    set-up  reply      value=\"OK\" conn=client-1/redis-1#2 req=3 reply=2\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn milliseconds_have_three_decimals() {
        assert_eq!(ms(0), "0.000");
        assert_eq!(ms(1_234_567), "1.234");
        assert_eq!(ms(12_000_000_999), "12000.000");
    }

    #[test]
    fn text_with_newlines_or_spaces_stays_on_one_line() {
        let mut history = History::new();
        let mut e = Event::new(0, EventType::Info, "set");
        e.process = Some(1);
        e.key = Some("a key".into());
        e.value = Some(Value::Str("two\nlines".into()));
        e.error = Some("timed out\r\nagain".into());
        history.push(e);
        let text = render_history_txt(&history);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.contains(r#"key="a key" value="two\nlines" error="timed out\r\nagain""#),
            "{text}"
        );
    }
}
