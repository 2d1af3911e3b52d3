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

use std::fmt::Write as _;

use anarcho_checker::{Event, EventType, History, Value};

/// Renders `history` as `history.txt`.
pub fn render_history_txt(history: &History) -> String {
    let mut out = String::with_capacity(64 + history.len() * 128);
    let _ = writeln!(
        out,
        "{:>7} {:>12} {:<7} {:<7} {:<10} fields",
        "# index", "time_ms", "type", "process", "f"
    );
    let mut scratch = String::new();
    for event in history.events() {
        line(&mut out, &mut scratch, event);
        out.push('\n');
    }
    out
}

/// Writes `fill` into a column of `width` characters, right-aligned or
/// left-aligned, through `scratch` (no allocation per event).
fn column(
    out: &mut String,
    scratch: &mut String,
    width: usize,
    right: bool,
    fill: impl FnOnce(&mut String),
) {
    scratch.clear();
    fill(scratch);
    let pad = width.saturating_sub(scratch.chars().count());
    if right {
        out.extend(std::iter::repeat_n(' ', pad));
        out.push_str(scratch);
    } else {
        out.push_str(scratch);
        out.extend(std::iter::repeat_n(' ', pad));
    }
}

/// One event's line, without the newline, appended to `out`.
fn line(out: &mut String, scratch: &mut String, e: &Event) {
    let start = out.len();
    column(out, scratch, 7, true, |s| {
        let _ = write!(s, "{}", e.index);
    });
    out.push(' ');
    column(out, scratch, 12, true, |s| write_ms(s, e.time));
    out.push(' ');
    column(out, scratch, 7, false, |s| s.push_str(type_name(e.ty)));
    out.push(' ');
    column(out, scratch, 7, false, |s| write_process(s, e));
    out.push(' ');
    column(out, scratch, 10, false, |s| write_word(s, &e.f));
    if let Some(k) = &e.key {
        out.push_str(" key=");
        write_word(out, k);
    }
    if let Some(v) = &e.value {
        out.push_str(" value=");
        write_value(out, v);
    }
    if let Some(c) = &e.conn {
        out.push_str(" conn=");
        write_word(out, c);
    }
    if let Some(r) = e.req {
        let _ = write!(out, " req={r}");
    }
    if let Some(r) = e.reply {
        let _ = write!(out, " reply={r}");
    }
    if let Some(err) = &e.error {
        out.push_str(" error=");
        write_word(out, err);
    }
    if let Some(n) = &e.note {
        out.push_str(" note=");
        write_word(out, n);
    }
    while out.len() > start && out.ends_with(' ') {
        out.pop();
    }
}

fn write_ms(out: &mut String, nanos: u64) {
    let _ = write!(out, "{}.{:03}", nanos / 1_000_000, nanos / 1_000 % 1_000);
}

fn write_process(out: &mut String, e: &Event) {
    match (e.process, e.ty) {
        (Some(p), _) => {
            let _ = write!(out, "p{p}");
        }
        (None, EventType::Send | EventType::Recv) => out.push_str("set-up"),
        (None, _) => out.push('-'),
    }
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
    let mut s = String::new();
    write_process(&mut s, e);
    s
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

/// A value as its `Display` prints it (`nil`, `42`, `"text"`, `[a, b]`),
/// with a fast path for strings that need no escaping: history.txt prints
/// millions of them.
fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Str(s) => write_quoted(out, s),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// `s` quoted as `{s:?}` prints it: directly when every byte is printable
/// ASCII other than `"` and `\\` (which Debug leaves alone), else through
/// Debug.
fn write_quoted(out: &mut String, s: &str) {
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        let _ = write!(out, "{s:?}");
    }
}

/// Bare when `s` is one plain word, else quoted with Rust escapes.
fn write_word(out: &mut String, s: &str) {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_graphic() && !matches!(c, b'"' | b'\\' | b'='));
    if plain {
        out.push_str(s);
    } else {
        write_quoted(out, s);
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
    fn values_and_words_print_exactly_as_display_and_debug_do() {
        let texts = [
            "",
            "plain",
            "two words",
            "q\"uote",
            "back\\slash",
            "tab\there",
            "new\nline",
            "é accent",
            "\u{7f}",
            "~",
            "emoji 🦀",
            "zero\u{0}",
            "\u{200b}zero-width",
        ];
        for t in texts {
            let mut out = String::new();
            write_quoted(&mut out, t);
            assert_eq!(out, format!("{t:?}"), "{t:?}");
            let v = Value::List(vec![
                Value::Str(t.into()),
                Value::Nil,
                Value::Int(-3),
                Value::List(vec![Value::Str(t.into())]),
            ]);
            let mut out = String::new();
            write_value(&mut out, &v);
            assert_eq!(out, v.to_string(), "{t:?}");
        }
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
