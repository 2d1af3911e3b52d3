//! Where a key or value is written in a scenario's text, found by its path
//! in the parsed document rather than by searching the text.
//!
//! Searching the text finds the first place a word appears, which may be a
//! comment, another table's key of the same name (`rate` is both a workload
//! setting and a `loss` field) or an earlier fault naming the same host.
//! Here the text is parsed once more with its spans kept
//! (`toml::de::DeTable`), so `[table]` headers, dotted keys, inline tables
//! and arrays of tables are all resolved the way the deserialiser resolved
//! them.
//!
//! Paths are dotted; a numeric segment indexes an array (of tables):
//! `nemesis.schedule.2.action`.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

/// The byte range of the last key of `path` (`None` if the text does not
/// parse, the path is not written in it, or it ends with an index).
pub(crate) fn key_span(text: &str, path: &str) -> Option<Range<usize>> {
    let root = DeTable::parse(text).ok()?;
    let (key, _) = walk(root.get_ref(), path)?;
    key
}

/// The byte range of the first string equal to `needle` (in document
/// order) inside the value at `path`.
pub(crate) fn string_span(text: &str, path: &str, needle: &str) -> Option<Range<usize>> {
    let root = DeTable::parse(text).ok()?;
    let (_, value) = walk(root.get_ref(), path)?;
    find_string(value, needle)
}

/// Follows `path` from the document's root table: the span of the last
/// key (if the last segment was a key) and the value there.
fn walk<'a, 'i>(
    root: &'a DeTable<'i>,
    path: &str,
) -> Option<(Option<Range<usize>>, &'a Spanned<DeValue<'i>>)> {
    let mut current: Option<(Option<Range<usize>>, &'a Spanned<DeValue<'i>>)> = None;
    for segment in path.split('.') {
        let next = match current.map(|(_, v)| v.get_ref()) {
            None => entry(root, segment)?,
            Some(DeValue::Table(t)) => entry(t, segment)?,
            Some(DeValue::Array(items)) => (None, items.get(segment.parse::<usize>().ok()?)?),
            Some(_) => return None,
        };
        current = Some(next);
    }
    current
}

fn entry<'a, 'i>(
    table: &'a DeTable<'i>,
    key: &str,
) -> Option<(Option<Range<usize>>, &'a Spanned<DeValue<'i>>)> {
    table
        .iter()
        .find(|(k, _)| {
            let k: &Spanned<DeString<'i>> = k;
            k.get_ref() == key
        })
        .map(|(k, v)| (Some(k.span()), v))
}

fn find_string(value: &Spanned<DeValue<'_>>, needle: &str) -> Option<Range<usize>> {
    match value.get_ref() {
        DeValue::String(s) if s == needle => Some(value.span()),
        DeValue::Array(items) => items.iter().find_map(|v| find_string(v, needle)),
        DeValue::Table(t) => t
            .iter()
            .filter_map(|(_, v)| find_string(v, needle))
            // A table's entries are not kept in document order.
            .min_by_key(|r| r.start),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# rate = 1 and "redis-2" in a comment
[workload]
rate = 50

[[nemesis.schedule]]
at = "1s"
action = { isolate = "redis-2" }

[[nemesis.schedule]]
at = "2s"
action = { loss = { a = ["client-1"], b = ["redis-2"], rate = 2.0 } }
"#;

    fn line_col(offset: usize) -> (usize, usize) {
        let before = &TEXT[..offset];
        (
            before.matches('\n').count() + 1,
            offset - before.rfind('\n').map_or(0, |i| i + 1) + 1,
        )
    }

    #[test]
    fn keys_are_found_by_their_path_not_their_name() {
        let at = |path| key_span(TEXT, path).map(|r| line_col(r.start));
        assert_eq!(at("workload.rate"), Some((3, 1)));
        assert_eq!(at("nemesis.schedule.1.at"), Some((10, 1)));
        assert_eq!(at("nemesis.schedule.1.action.loss.rate"), Some((11, 56)));
        assert_eq!(at("nemesis.schedule.5.at"), None);
        assert_eq!(at("cluster.nodes"), None);
    }

    #[test]
    fn strings_are_found_inside_the_value_at_a_path() {
        let at = |path, s| string_span(TEXT, path, s).map(|r| line_col(r.start));
        assert_eq!(at("nemesis.schedule.0.action", "redis-2"), Some((7, 22)));
        assert_eq!(at("nemesis.schedule.1.action", "redis-2"), Some((11, 44)));
        assert_eq!(at("nemesis.schedule.1.action", "client-1"), Some((11, 26)));
    }
}
