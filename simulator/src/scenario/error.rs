//! Scenario errors that point at the offending text as `file:line:col`.

use std::fmt;
use std::path::Path;

/// A scenario that could not be read or is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What was wrong and what was expected.
    pub message: String,
}

impl ScenarioError {
    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        ScenarioError {
            file: path.display().to_string(),
            line: None,
            column: None,
            message: format!("cannot read the scenario: {e}"),
        }
    }

    /// From a TOML/serde error, whose span locates the problem.
    pub(crate) fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> Self {
        let (line, column) = match e.span() {
            Some(span) => line_col(text, span.start),
            None => (1, 1),
        };
        ScenarioError {
            file: file.to_string(),
            line: Some(line),
            column: Some(column),
            message: e.message().trim().to_string(),
        }
    }

    /// An error about the string `value` (say a host name) written inside
    /// the value at the dotted `path` (see `locate.rs`).
    pub(crate) fn at_value(
        file: &str,
        text: &str,
        path: &str,
        value: &str,
        message: String,
    ) -> Self {
        let (line, column) = super::locate::string_span(text, path, value)
            .map(|r| line_col(text, r.start))
            .unwrap_or((1, 1));
        ScenarioError {
            file: file.to_string(),
            line: Some(line),
            column: Some(column),
            message,
        }
    }

    /// An error about the key at the dotted `path` (`client.count`,
    /// `nemesis.schedule.2.at`); the message names its last key. Falls back
    /// to the first line assigning that key when the path is not written
    /// as such.
    pub(crate) fn at_key(file: &str, text: &str, path: &str, message: String) -> Self {
        let key = path
            .rsplit('.')
            .find(|s| s.parse::<usize>().is_err())
            .unwrap_or(path);
        let offset = super::locate::key_span(text, path)
            .map(|r| r.start)
            .or_else(|| find_key(text, key));
        let (line, column) = offset.map(|o| line_col(text, o)).unwrap_or((1, 1));
        ScenarioError {
            file: file.to_string(),
            line: Some(line),
            column: Some(column),
            message: format!("`{key}`: {message}"),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// The byte offset of the first line that assigns `key`.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_lines_and_columns() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 11), (2, 6));
    }

    #[test]
    fn keys_are_found_only_where_assigned() {
        let text = "# nodes is a comment\n[cluster]\n  nodes = 3\n";
        assert_eq!(
            find_key(text, "nodes"),
            Some(text.find("  nodes").unwrap() + 2)
        );
    }
}
