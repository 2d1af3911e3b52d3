//! Jepsen's EDN histories: operation maps such as
//! `{:process 0, :type :invoke, :f :read, :value nil}`, either inside one
//! vector or list (Knossos's files) or one after another (Porcupine's kv
//! files, Jepsen's `history.edn`).
//!
//! The EDN syntax is read by the `clojure-reader` crate, one operation map
//! at a time, so an error points into the map where it occurred and a
//! semantic error (a missing `:type`) points at the start of its map.
//!
//! Mapping to [`Event`]s:
//! - `:type` `:invoke`/`:ok`/`:fail`/`:info` is the event type; a
//!   `:process` that is not an integer (`:nemesis`) makes a `nemesis`
//!   event whose `note` names the process and type;
//! - `:f`, `:key` (keywords lose their colon), `:value`, `:error` (printed
//!   as EDN) and `:time` (nanoseconds) carry over; other keys are dropped;
//! - values: nil, integers and strings as themselves; keywords and symbols
//!   as strings without the colon; booleans, floats and characters as
//!   strings; vectors, lists and sets as lists (sets in sorted order); maps
//!   as lists of `[key value]` pairs.

use std::borrow::Cow;
use std::collections::BTreeMap;

use clojure_reader::edn::{self, Edn};

use super::ImportError;
use crate::history::{Event, EventType, History, Value};

/// Reads an EDN history. See the module docs.
pub(crate) fn parse(text: &str) -> Result<History, ImportError> {
    let mut history = History::new();
    let mut pos = skip_blank(text, 0);
    let closing = match text.as_bytes().get(pos) {
        Some(b'[') => Some(b']'),
        Some(b'(') => Some(b')'),
        _ => None,
    };
    let opened_at = pos;
    if closing.is_some() {
        pos += 1;
    }
    loop {
        pos = skip_blank(text, pos);
        let Some(&c) = text.as_bytes().get(pos) else {
            if let Some(close) = closing {
                return Err(ImportError::at(
                    text,
                    pos,
                    format!(
                        "expected `{}` to close the history opened at {}",
                        close as char,
                        describe_pos(text, opened_at)
                    ),
                ));
            }
            break;
        };
        if Some(c) == closing {
            let end = skip_blank(text, pos + 1);
            if end < text.len() {
                return Err(ImportError::at(
                    text,
                    end,
                    "expected the end of the file after the history",
                ));
            }
            break;
        }
        check_depth(text, pos)?;
        let (form, rest) = edn::read(&text[pos..]).map_err(|e| syntax_error(text, pos, &e))?;
        let event = event(&form).map_err(|message| ImportError::at(text, pos, message))?;
        history.push(event);
        pos = text.len() - rest.len();
    }
    Ok(history)
}

/// How deeply an operation's value may nest (JSON histories get the same
/// limit from serde_json).
const MAX_DEPTH: usize = 128;

/// Refuses a form nested deeper than [`MAX_DEPTH`] before it is parsed:
/// the parser itself copes, but the tree it builds is dropped and
/// converted recursively, and a few hundred thousand brackets would
/// overflow the stack. A byte scan of the one form starting at `pos`
/// (strings, character literals and comments skipped).
fn check_depth(text: &str, pos: usize) -> Result<(), ImportError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_atom = false;
    let mut i = pos;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                if depth == 0 {
                    return Ok(());
                }
            }
            b';' => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'\\' => i += 1,
            b'[' | b'(' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ImportError::at(
                        text,
                        i,
                        format!("values nested deeper than {MAX_DEPTH} levels are not supported"),
                    ));
                }
            }
            b']' | b')' | b'}' => {
                if depth <= 1 {
                    return Ok(());
                }
                depth -= 1;
            }
            b',' => {
                if depth == 0 && in_atom {
                    return Ok(());
                }
            }
            c if c.is_ascii_whitespace() => {
                if depth == 0 && in_atom {
                    return Ok(());
                }
            }
            _ => in_atom |= depth == 0,
        }
        i += 1;
    }
    Ok(())
}

/// Skips whitespace, commas and `;` comments.
fn skip_blank(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(pos) {
        if b == b';' {
            while bytes.get(pos).is_some_and(|&b| b != b'\n') {
                pos += 1;
            }
        } else if b == b',' || b.is_ascii_whitespace() {
            pos += 1;
        } else {
            break;
        }
    }
    pos
}

fn describe_pos(text: &str, offset: usize) -> String {
    let (line, column) = super::line_col(text, offset);
    format!("{line}:{column}")
}

fn syntax_error(text: &str, base: usize, e: &clojure_reader::error::Error) -> ImportError {
    let what = format!("malformed EDN: {:?}", e.code);
    match (e.ptr, e.line, e.column) {
        (Some(ptr), _, _) => ImportError::at(text, base + ptr, what),
        (None, Some(line), Some(column)) => {
            let (base_line, base_col) = super::line_col(text, base);
            ImportError {
                line: base_line + line - 1,
                column: if line == 1 {
                    base_col + column - 1
                } else {
                    column
                },
                message: what,
            }
        }
        _ => ImportError::at(text, text.len(), what),
    }
}

fn key(name: &'static str) -> Edn<'static> {
    Edn::Key(Cow::Borrowed(name))
}

/// One operation map as an event. A tagged map (Jepsen's
/// `#jepsen.history.Op{...}` records) counts as its map.
fn event(form: &Edn<'_>) -> Result<Event, String> {
    let form = match form {
        Edn::Tagged(_, inner) => inner.as_ref(),
        other => other,
    };
    let Edn::Map(map) = form else {
        return Err(format!(
            "expected an operation map such as {{:process 0, :type :invoke, :f :read}}, found {}",
            brief(form)
        ));
    };
    let get = |name: &'static str| map.get(&key(name)).filter(|v| !matches!(v, Edn::Nil));
    let ty = get("type").ok_or("the operation map has no :type")?;
    let f = get("f").ok_or("the operation map has no :f")?;
    let f =
        name_of(f).ok_or_else(|| format!(":f must be a keyword or string, found {}", brief(f)))?;
    let time = match get("time") {
        None => 0,
        Some(Edn::Int(t)) => (*t).max(0) as u64,
        Some(other) => return Err(format!(":time must be an integer, found {}", brief(other))),
    };
    let process = get("process").ok_or("the operation map has no :process")?;
    let ty_name = name_of(ty).unwrap_or_default();
    let mut event = match process {
        Edn::Int(p) => {
            let ty = match ty_name.as_str() {
                "invoke" => EventType::Invoke,
                "ok" => EventType::Ok,
                "fail" => EventType::Fail,
                "info" => EventType::Info,
                _ => {
                    return Err(format!(
                        ":type must be :invoke, :ok, :fail or :info, found {}",
                        brief(ty)
                    ));
                }
            };
            let mut event = Event::new(time, ty, f);
            event.process = Some(
                u64::try_from(*p)
                    .map_err(|_| format!(":process must not be negative, found {p}"))?,
            );
            event
        }
        other => {
            // The nemesis, or any other non-client process: a fault note.
            let mut event = Event::new(time, EventType::Nemesis, f);
            event.note = Some(format!("{} {}", brief(other), ty_name));
            event
        }
    };
    event.key = get("key").map(|k| name_of(k).unwrap_or_else(|| k.to_string()));
    event.value = get("value").map(value);
    event.error = get("error").map(|e| e.to_string());
    Ok(event)
}

/// The text of a keyword, symbol or string; an integer's digits.
fn name_of(e: &Edn<'_>) -> Option<String> {
    match e {
        Edn::Key(k) | Edn::Symbol(k) | Edn::Str(k) => Some(k.to_string()),
        Edn::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// A short rendering of a form for error messages.
fn brief(e: &Edn<'_>) -> String {
    let mut text = e.to_string();
    if text.chars().count() > 60 {
        text = text.chars().take(57).collect::<String>() + "...";
    }
    text
}

/// An EDN value as a history [`Value`]; see the module docs.
pub(crate) fn value(e: &Edn<'_>) -> Value {
    match e {
        Edn::Nil => Value::Nil,
        Edn::Int(i) => Value::Int(*i),
        Edn::Str(s) | Edn::Key(s) | Edn::Symbol(s) => Value::Str(s.to_string()),
        Edn::Vector(items) | Edn::List(items) => Value::List(items.iter().map(value).collect()),
        Edn::Set(items) => Value::List(items.iter().map(value).collect()),
        Edn::Map(map) => Value::List(pairs(map)),
        Edn::Tagged(_, inner) => value(inner),
        other => Value::Str(other.to_string()),
    }
}

fn pairs(map: &BTreeMap<Edn<'_>, Edn<'_>>) -> Vec<Value> {
    map.iter()
        .map(|(k, v)| Value::List(vec![value(k), value(v)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_of_maps_with_comments_and_a_nemesis() {
        let text = "; a comment\n[{:process 0, :type :invoke, :f :read, :value nil}\n ; between\n {:process 0 :type :ok :f :read :value 3 :time 5}\n {:type :info, :f :start, :process :nemesis}]\n";
        let h = parse(text).unwrap();
        let e = h.events();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].ty, EventType::Invoke);
        assert_eq!(e[0].f, "read");
        assert_eq!(e[0].value, None, "nil is no value");
        assert_eq!(e[1].value, Some(Value::Int(3)));
        assert_eq!(e[1].time, 5);
        assert_eq!(e[2].ty, EventType::Nemesis);
        assert_eq!(e[2].note.as_deref(), Some(":nemesis info"));
    }

    #[test]
    fn maps_one_after_another_with_keys_and_strings() {
        let text = "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n";
        let h = parse(text).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h.events()[0].key.as_deref(), Some("0"));
        assert_eq!(h.events()[1].value, Some(Value::Str("x 0 0 y".into())));
    }

    #[test]
    fn values_map_to_history_values() {
        let text = "[{:process 1 :type :ok :f :txn :value [[:read :x 0] #{2 1} {:a true}] :error [:not-found \"gone\"]}]";
        let h = parse(text).unwrap();
        let e = &h.events()[0];
        let s = |x: &str| Value::Str(x.into());
        assert_eq!(
            e.value,
            Some(Value::List(vec![
                Value::List(vec![s("read"), s("x"), Value::Int(0)]),
                Value::List(vec![Value::Int(1), Value::Int(2)]),
                Value::List(vec![Value::List(vec![s("a"), s("true")])]),
            ]))
        );
        assert_eq!(e.error.as_deref(), Some("[:not-found \"gone\"]"));
    }

    #[test]
    fn jepsen_op_records_are_read_as_their_maps() {
        let text = "#jepsen.history.Op{:index 0, :time 12, :type :invoke, :process 3, :f :write, :value 1}\n";
        let h = parse(text).unwrap();
        assert_eq!(h.events()[0].process, Some(3));
        assert_eq!(h.events()[0].value, Some(Value::Int(1)));
    }

    #[test]
    fn deeply_nested_values_are_refused_not_a_stack_overflow() {
        let deep = format!(
            "[{{:process 0, :type :ok, :f :read, :value {}{}}}]",
            "[".repeat(300_000),
            "]".repeat(300_000)
        );
        let err = parse(&deep).unwrap_err();
        assert_eq!((err.line, err.column), (1, 170), "{err}");
        assert!(err.message.contains("nested deeper than 128"), "{err}");
        // Strings and character literals do not count.
        let fine = "[{:process 0, :type :ok, :f :read, :value \"[[[[\" :x \\[}]";
        assert!(parse(fine).is_ok());
    }

    #[test]
    fn a_syntax_error_names_its_line_and_column() {
        let text = "[{:process 0, :type :invoke, :f :read}\n {:process 0, :type :ok, :f :read :value [1 2}]";
        let err = parse(text).unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.column > 1, "{err}");
        assert!(err.message.contains("malformed EDN"), "{err}");
    }

    #[test]
    fn a_missing_type_points_at_its_map() {
        let text = "[{:process 0, :type :invoke, :f :read}\n  {:process 0, :f :read}]";
        let err = parse(text).unwrap_err();
        assert_eq!((err.line, err.column), (2, 3), "{err}");
        assert!(err.message.contains(":type"), "{err}");
    }

    #[test]
    fn an_unknown_type_is_named() {
        let err = parse("{:process 0, :type :bogus, :f :read}").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert!(err.message.contains(":bogus"), "{err}");
    }

    #[test]
    fn an_unclosed_vector_is_reported_at_the_end() {
        let err = parse("[{:process 0, :type :invoke, :f :read}\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.contains("opened at 1:1"), "{err}");
    }

    #[test]
    fn text_after_the_vector_is_refused() {
        let err = parse("[{:process 0, :type :invoke, :f :read}] {:x 1}").unwrap_err();
        assert_eq!((err.line, err.column), (1, 41), "{err}");
    }

    #[test]
    fn a_non_map_element_is_refused() {
        let err = parse("[{:process 0, :type :invoke, :f :read} 42]").unwrap_err();
        assert_eq!((err.line, err.column), (1, 40), "{err}");
        assert!(err.message.contains("found 42"), "{err}");
    }
}
