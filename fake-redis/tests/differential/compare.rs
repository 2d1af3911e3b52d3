//! Comparing a fake-redis reply with a real Redis reply.
//!
//! Replies are compared as exact bytes, except for the commands listed in
//! [`normalize`], whose answers must differ between any two servers (a
//! version string, a connection id) or are not specified (an order). Each
//! normalisation is written down there with its reason; nothing else is
//! normalised.

use bytes::BytesMut;
use redis_protocol::resp2::types::BytesFrame as Resp2Frame;
use redis_protocol::resp3::types::BytesFrame as Resp3Frame;

/// A reply as a comparable tree.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    Verbatim(Vec<u8>),
    Null,
    Array(Vec<V>),
    Map(Vec<(V, V)>),
    /// Any other RESP3 type, by its debug form.
    Other(String),
    /// A placeholder a normalisation put in place of a value that must
    /// differ between servers.
    Normalized(&'static str),
}

/// Decodes one reply's raw bytes.
pub fn decode(raw: &[u8], resp3: bool) -> V {
    let mut buf = BytesMut::from(raw);
    if resp3 {
        match redis_protocol::resp3::decode::complete::decode_bytes_mut(&mut buf) {
            Ok(Some((frame, _, _))) => from_resp3(frame),
            other => V::Other(format!("undecodable RESP3: {other:?}")),
        }
    } else {
        match redis_protocol::resp2::decode::decode_bytes_mut(&mut buf) {
            Ok(Some((frame, _, _))) => from_resp2(frame),
            other => V::Other(format!("undecodable RESP2: {other:?}")),
        }
    }
}

fn from_resp2(frame: Resp2Frame) -> V {
    match frame {
        Resp2Frame::SimpleString(s) => V::Simple(String::from_utf8_lossy(&s).into_owned()),
        Resp2Frame::Error(e) => V::Error(e.to_string()),
        Resp2Frame::Integer(n) => V::Int(n),
        Resp2Frame::BulkString(b) => V::Bulk(b.to_vec()),
        Resp2Frame::Array(items) => V::Array(items.into_iter().map(from_resp2).collect()),
        Resp2Frame::Null => V::Null,
    }
}

fn from_resp3(frame: Resp3Frame) -> V {
    match frame {
        Resp3Frame::SimpleString { data, .. } => {
            V::Simple(String::from_utf8_lossy(&data).into_owned())
        }
        Resp3Frame::SimpleError { data, .. } => V::Error(data.to_string()),
        Resp3Frame::Number { data, .. } => V::Int(data),
        Resp3Frame::BlobString { data, .. } => V::Bulk(data.to_vec()),
        Resp3Frame::VerbatimString { data, .. } => V::Verbatim(data.to_vec()),
        Resp3Frame::Null => V::Null,
        Resp3Frame::Array { data, .. } => V::Array(data.into_iter().map(from_resp3).collect()),
        Resp3Frame::Map { data, .. } => V::Map(
            data.into_iter()
                .map(|(k, v)| (from_resp3(k), from_resp3(v)))
                .collect(),
        ),
        other => V::Other(format!("{other:?}")),
    }
}

/// The command's name for the normalisation table: the name, plus the
/// subcommand for containers, uppercase.
pub fn command_key(args: &[Vec<u8>]) -> String {
    let upper = |a: &Vec<u8>| String::from_utf8_lossy(a).to_ascii_uppercase();
    let name = args.first().map(upper).unwrap_or_default();
    match (name.as_str(), args.get(1)) {
        ("CLIENT" | "COMMAND" | "CLUSTER", Some(sub)) => format!("{name} {}", upper(sub)),
        _ => name,
    }
}

/// Compares a fake reply with a real one for the command `args`. Returns
/// `Err` with both sides, as text, when they differ.
///
/// Normalisations (everything else must be byte-identical):
///
/// - `HELLO`: the `version` value (fake-redis reports its own fixed version)
///   and the `id` (connection ids are numbered independently).
/// - `CLIENT ID`: the number, for the same reason.
/// - `CLIENT INFO`: only the fields both servers know and that describe the
///   connection rather than the process (`name`, `db`, `multi`, `resp`, and
///   `lib-name`/`lib-ver` when both report them) are compared; addresses,
///   file descriptors, ages and buffer sizes must differ. The reply type
///   (bulk in RESP2, verbatim in RESP3) is compared.
/// - `INFO`: fake-redis has only the `server` and `keyspace` sections, so the
///   real reply's other sections are dropped; the keyspace lines are then
///   compared exactly except `avg_ttl` (a running estimate in Redis); in the
///   server section every fake field must exist in Redis, and the values of `redis_mode`, `arch_bits`, `hz` and `configured_hz`
///   must match (the rest are per process: pids, run ids, ports, uptime).
/// - `COMMAND`, `COMMAND DOCS`, `COMMAND COUNT`: only the reply type: fake-
///   redis does not describe Redis' 240 commands.
/// - `KEYS`: the order (Redis answers in hash order, fake-redis in byte
///   order); the keys are compared as a sorted list.
/// - `PTTL`: a positive answer may differ by up to 1000 ms (time passes
///   between the two servers' answers); -1 and -2 are exact.
/// - `CLUSTER MYID` and the node id in `CLUSTER SLOTS`: node ids are random
///   in Redis.
pub fn compare(args: &[Vec<u8>], fake: (&[u8], bool), real: (&[u8], bool)) -> Result<(), String> {
    let key = command_key(args);
    let exact = !matches!(
        key.as_str(),
        "HELLO"
            | "CLIENT ID"
            | "CLIENT INFO"
            | "INFO"
            | "COMMAND"
            | "COMMAND DOCS"
            | "COMMAND COUNT"
            | "KEYS"
            | "PTTL"
            | "CLUSTER MYID"
            | "CLUSTER SLOTS"
    );
    let show = |raw: &[u8]| String::from_utf8_lossy(raw).into_owned();
    if exact {
        return if fake.0 == real.0 {
            Ok(())
        } else {
            Err(format!(
                "fake: {:?}\nreal: {:?}",
                show(fake.0),
                show(real.0)
            ))
        };
    }
    let fake_v = decode(fake.0, fake.1);
    let real_v = decode(real.0, real.1);
    let (fake_n, real_n) = normalize(&key, fake_v, real_v);
    if fake_n == real_n {
        Ok(())
    } else {
        Err(format!(
            "fake: {:?}\nreal: {:?}\n(normalised for {key}:\nfake: {fake_n:?}\nreal: {real_n:?})",
            show(fake.0),
            show(real.0)
        ))
    }
}

/// Applies the normalisation for `key` to both replies.
fn normalize(key: &str, fake: V, real: V) -> (V, V) {
    match key {
        "HELLO" => (hello(fake), hello(real)),
        "CLIENT ID" => (int_placeholder(fake), int_placeholder(real)),
        "CLIENT INFO" => client_info(fake, real),
        "INFO" => info(fake, real),
        "COMMAND" | "COMMAND DOCS" | "COMMAND COUNT" => (kind(&fake), kind(&real)),
        "KEYS" => (sorted(fake), sorted(real)),
        "PTTL" => match (&fake, &real) {
            (V::Int(a), V::Int(b)) if *a > 0 && *b > 0 && (a - b).abs() <= 1000 => {
                (V::Normalized("ttl"), V::Normalized("ttl"))
            }
            _ => (fake, real),
        },
        "CLUSTER MYID" => (node_id(fake), node_id(real)),
        "CLUSTER SLOTS" => (cluster_slots(fake), cluster_slots(real)),
        _ => (fake, real),
    }
}

fn int_placeholder(v: V) -> V {
    match v {
        V::Int(_) => V::Normalized("id"),
        other => other,
    }
}

fn kind(v: &V) -> V {
    V::Normalized(match v {
        V::Simple(_) => "simple",
        V::Error(_) => "error",
        V::Int(_) => "integer",
        V::Bulk(_) => "bulk",
        V::Verbatim(_) => "verbatim",
        V::Null => "null",
        V::Array(_) => "array",
        V::Map(_) => "map",
        V::Other(_) => "other",
        V::Normalized(_) => "normalized",
    })
}

fn sorted(v: V) -> V {
    match v {
        V::Array(mut items) => {
            items.sort_by_key(|item| format!("{item:?}"));
            V::Array(items)
        }
        other => other,
    }
}

/// `HELLO`'s map (RESP3) or flat array (RESP2) with `version` and `id`
/// replaced.
fn hello(v: V) -> V {
    let replace = |field: &V, value: V| -> V {
        match field {
            V::Bulk(name) if name == b"version" => V::Normalized("version"),
            V::Bulk(name) if name == b"id" => V::Normalized("id"),
            _ => value,
        }
    };
    match v {
        V::Map(pairs) => V::Map(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let v = replace(&k, v);
                    (k, v)
                })
                .collect(),
        ),
        V::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut iter = items.into_iter();
            while let (Some(k), Some(v)) = (iter.next(), iter.next()) {
                let v = replace(&k, v);
                out.push(k);
                out.push(v);
            }
            V::Array(out)
        }
        other => other,
    }
}

/// The fields of a `CLIENT INFO` line.
fn client_fields(text: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(text)
        .trim_end()
        .split(' ')
        .filter_map(|field| field.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn client_info(fake: V, real: V) -> (V, V) {
    const COMPARED: &[&str] = &["name", "db", "multi", "resp", "lib-name", "lib-ver"];
    let text = |v: &V| -> Option<(bool, Vec<u8>)> {
        match v {
            V::Bulk(t) => Some((false, t.clone())),
            V::Verbatim(t) => Some((true, t.clone())),
            _ => None,
        }
    };
    let (Some((fake_verbatim, fake_text)), Some((real_verbatim, real_text))) =
        (text(&fake), text(&real))
    else {
        return (fake, real);
    };
    let fake_fields = client_fields(&fake_text);
    let real_fields = client_fields(&real_text);
    let pick = |fields: &[(String, String)], other: &[(String, String)]| -> Vec<(V, V)> {
        fields
            .iter()
            .filter(|(k, _)| COMPARED.contains(&k.as_str()) && other.iter().any(|(o, _)| o == k))
            .map(|(k, v)| {
                (
                    V::Bulk(k.clone().into_bytes()),
                    V::Bulk(v.clone().into_bytes()),
                )
            })
            .collect()
    };
    let wrap = |verbatim: bool, pairs: Vec<(V, V)>| {
        V::Array(vec![
            V::Normalized(if verbatim { "verbatim" } else { "bulk" }),
            V::Map(pairs),
        ])
    };
    (
        wrap(fake_verbatim, pick(&fake_fields, &real_fields)),
        wrap(real_verbatim, pick(&real_fields, &fake_fields)),
    )
}

/// `INFO` text as sections of `(field, value)` lines.
fn info_sections(text: &[u8]) -> Vec<(String, Vec<(String, String)>)> {
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in String::from_utf8_lossy(text).split("\r\n") {
        if let Some(name) = line.strip_prefix("# ") {
            sections.push((name.to_string(), Vec::new()));
        } else if let (Some((k, v)), Some(section)) = (line.split_once(':'), sections.last_mut()) {
            section.1.push((k.to_string(), v.to_string()));
        }
    }
    sections
}

fn info(fake: V, real: V) -> (V, V) {
    let text = |v: &V| -> Option<(&'static str, Vec<u8>)> {
        match v {
            V::Bulk(t) => Some(("bulk", t.clone())),
            V::Verbatim(t) => Some(("verbatim", t.clone())),
            _ => None,
        }
    };
    let (Some((fake_kind, fake_text)), Some((real_kind, real_text))) = (text(&fake), text(&real))
    else {
        return (fake, real);
    };
    let fake_sections = info_sections(&fake_text);
    let real_sections: Vec<_> = info_sections(&real_text)
        .into_iter()
        .filter(|(name, _)| name == "Server" || name == "Keyspace")
        .collect();
    let render = |kind: &'static str,
                  sections: Vec<(String, Vec<(String, String)>)>,
                  other: &[(String, Vec<(String, String)>)]|
     -> V {
        let mut out = vec![V::Normalized(kind)];
        for (name, lines) in sections {
            out.push(V::Simple(name.clone()));
            let other_lines = other
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, l)| l.clone())
                .unwrap_or_default();
            for (k, v) in lines {
                let shown = match name.as_str() {
                    "Keyspace" => {
                        // avg_ttl is a running estimate in Redis.
                        let v = v
                            .split(',')
                            .map(|part| {
                                if part.starts_with("avg_ttl=") {
                                    "avg_ttl=*"
                                } else {
                                    part
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(",");
                        Some((k, v))
                    }
                    // Server: only fields both have; values only where
                    // they describe the build or mode, not the process.
                    _ if !other_lines.iter().any(|(o, _)| *o == k) => None,
                    _ if ["redis_mode", "arch_bits", "hz", "configured_hz"]
                        .contains(&k.as_str()) =>
                    {
                        Some((k, v))
                    }
                    _ => Some((k, "*".to_string())),
                };
                if let Some((k, v)) = shown {
                    out.push(V::Bulk(format!("{k}:{v}").into_bytes()));
                }
            }
        }
        V::Array(out)
    };
    // The fake's server fields must all exist in Redis: render the fake
    // against Redis (dropping nothing it has), Redis against the fake.
    let fake_rendered = render(fake_kind, fake_sections.clone(), &real_sections);
    let real_rendered = render(real_kind, real_sections.clone(), &fake_sections);
    let fake_full = render(fake_kind, fake_sections.clone(), &fake_sections);
    if fake_full != fake_rendered {
        return (fake_full, fake_rendered);
    }
    (fake_rendered, real_rendered)
}

fn node_id(v: V) -> V {
    match v {
        V::Bulk(id) if id.len() == 40 && id.iter().all(u8::is_ascii_hexdigit) => {
            V::Normalized("node id")
        }
        other => other,
    }
}

/// `CLUSTER SLOTS` with the node id (third field of each node) replaced.
fn cluster_slots(v: V) -> V {
    let V::Array(ranges) = v else { return v };
    V::Array(
        ranges
            .into_iter()
            .map(|range| {
                let V::Array(mut parts) = range else {
                    return range;
                };
                for node in parts.iter_mut().skip(2) {
                    if let V::Array(fields) = node
                        && let Some(id) = fields.get_mut(2)
                    {
                        *id = node_id(id.clone());
                    }
                }
                V::Array(parts)
            })
            .collect(),
    )
}
