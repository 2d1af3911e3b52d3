//! Porcupine's etcd logs (`test_data/jepsen/etcd_NNN.log`): one Jepsen
//! log line per event, fields separated by tabs (shown as spaces here),
//!
//! ```text
//! INFO  jepsen.util - 3  :invoke  :cas    [3 0]
//! INFO  jepsen.util - 3  :fail    :cas    [3 0]
//! INFO  jepsen.util - 7  :info    :write  :timed-out
//! ```
//!
//! The value is `nil`, an integer, a `[from to]` pair, or a keyword (an
//! error such as `:timed-out`, which becomes the event's `error`). Blank
//! lines are skipped; any other line is an error. Lines carry no times, so
//! every event has time 0 and real-time order is line order.

use super::ImportError;
use crate::history::{Event, EventType, History, Value};

const PREFIX: &str = "jepsen.util - ";
const EXPECTED: &str = "expected `INFO  jepsen.util - <process> :<type> :<f> <value>`";

/// Reads an etcd log. See the module docs.
pub(crate) fn parse(text: &str) -> Result<History, ImportError> {
    let mut history = History::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let here = line_start;
        line_start += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        let err = |offset: usize, message: String| ImportError::at(text, here + offset, message);
        if !line.starts_with("INFO") {
            return Err(err(0, EXPECTED.to_string()));
        }
        let Some(at) = line.find(PREFIX) else {
            return Err(err(0, EXPECTED.to_string()));
        };
        let body = at + PREFIX.len();
        let tokens = tokens(&line[body..]);
        let token = |i: usize| tokens.get(i).map(|&(o, t)| (body + o, t));
        let Some((p_at, process)) = token(0) else {
            return Err(err(
                line.len(),
                format!("{EXPECTED}: the process is missing"),
            ));
        };
        let process: u64 = process.parse().map_err(|_| {
            err(
                p_at,
                format!("expected a process number, found {process:?}"),
            )
        })?;
        let Some((t_at, ty)) = token(1) else {
            return Err(err(line.len(), format!("{EXPECTED}: the type is missing")));
        };
        let ty = match ty {
            ":invoke" => EventType::Invoke,
            ":ok" => EventType::Ok,
            ":fail" => EventType::Fail,
            ":info" => EventType::Info,
            other => {
                return Err(err(
                    t_at,
                    format!("expected :invoke, :ok, :fail or :info, found {other:?}"),
                ));
            }
        };
        let Some((f_at, f)) = token(2) else {
            return Err(err(
                line.len(),
                format!("{EXPECTED}: the operation is missing"),
            ));
        };
        let f = match f {
            ":read" | ":write" | ":cas" => &f[1..],
            other => {
                return Err(err(
                    f_at,
                    format!("expected :read, :write or :cas, found {other:?}"),
                ));
            }
        };
        let Some((v_at, _)) = token(3) else {
            return Err(err(line.len(), format!("{EXPECTED}: the value is missing")));
        };
        let value_text = line[v_at..].trim_end();
        let mut event = Event::new(0, ty, f);
        event.process = Some(process);
        if let Some(error) = value_text.strip_prefix(':') {
            event.error = Some(error.to_string());
        } else {
            let value = parse_value(value_text).ok_or_else(|| {
                err(
                    v_at,
                    format!("expected nil, an integer or [from to], found {value_text:?}"),
                )
            })?;
            // An invoked read carries no value: "nil" there means "to be read".
            if !(ty == EventType::Invoke && f == "read") {
                event.value = Some(value);
            }
        }
        history.push(event);
    }
    Ok(history)
}

/// Whitespace-separated tokens with their byte offsets; a `[` token runs to
/// its `]`.
fn tokens(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if bytes[i] == b'[' {
            while i < bytes.len() && bytes[i] != b']' {
                i += 1;
            }
            i = (i + 1).min(bytes.len());
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        out.push((start, &s[start..i]));
    }
    out
}

fn parse_value(s: &str) -> Option<Value> {
    if s == "nil" {
        return Some(Value::Nil);
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let parts: Vec<&str> = inner.split_whitespace().collect();
        if parts.len() != 2 {
            return None;
        }
        let items: Option<Vec<Value>> = parts.iter().map(|p| parse_value(p)).collect();
        return items.map(Value::List);
    }
    s.parse::<i64>().ok().map(Value::Int)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line_is_read() {
        let text = "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
                    INFO  jepsen.util - 0\t:ok\t:read\t3\n\
                    INFO  jepsen.util - 1\t:invoke\t:cas\t[3 0]\n\
                    INFO  jepsen.util - 1\t:fail\t:cas\t[3 0]\n\
                    \n\
                    INFO  jepsen.util - 2\t:invoke\t:write\t4\n\
                    INFO  jepsen.util - 2\t:info\t:write\t:timed-out\n";
        let h = parse(text).unwrap();
        let e = h.events();
        assert_eq!(e.len(), 6);
        assert_eq!(e[0].value, None);
        assert_eq!(e[1].value, Some(Value::Int(3)));
        assert_eq!(
            e[3].value,
            Some(Value::List(vec![Value::Int(3), Value::Int(0)]))
        );
        assert_eq!(e[3].ty, EventType::Fail);
        assert_eq!(e[5].ty, EventType::Info);
        assert_eq!(e[5].error.as_deref(), Some("timed-out"));
        assert_eq!(e[5].value, None);
    }

    #[test]
    fn a_bad_type_names_line_and_column() {
        let text = "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:done\t:read\tnil\n";
        let err = parse(text).unwrap_err();
        assert_eq!((err.line, err.column), (2, 23), "{err}");
        assert!(err.message.contains(":done"), "{err}");
    }

    #[test]
    fn a_bad_value_and_a_foreign_line_are_refused() {
        let err = parse("INFO  jepsen.util - 0\t:ok\t:read\tseven\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 33), "{err}");
        let err = parse("hello\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1), "{err}");
        let err = parse("INFO  jepsen.util - x\t:ok\t:read\t1\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 21), "{err}");
    }
}
