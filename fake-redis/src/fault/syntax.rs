//! The `--fault` string form of a [`FaultRule`]: the keys of a
//! `[[server_faults]]` table written as the body of a TOML inline table.
//!
//! ```text
//! command = "READONLY", connections = "2..", occurrence = "first", action = { delay = "150ms" }
//! ```
//!
//! Parsing wraps the text as `rule = { <text> }` in a one-line TOML document
//! and deserializes it with the same serde types a scenario file uses, so
//! the two syntaxes cannot drift apart. Errors report the column inside the
//! user's text, not inside the wrapper.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use super::rule::FaultRule;

/// The wrapper's text before the user's.
const PREFIX: &str = "rule = { ";
/// The wrapper's text after the user's.
const SUFFIX: &str = " }\n";

/// The one-key document the user's text is wrapped in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapper {
    rule: FaultRule,
}

/// Why a `--fault` rule did not parse: what was wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRuleParseError {
    input: String,
    message: String,
    /// Byte offset into `input`, when the TOML parser could point at one.
    offset: Option<usize>,
}

impl FaultRuleParseError {
    /// What was wrong, e.g. ``unknown field `comand`, expected one of ...``.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based column (in characters) of the problem in the rule text,
    /// on its line, when it can be located.
    pub fn column(&self) -> Option<usize> {
        let offset = self.offset?;
        let line_start = self.input[..offset].rfind('\n').map_or(0, |i| i + 1);
        Some(self.input[line_start..offset].chars().count() + 1)
    }

    /// The 1-based line of the problem; rules are usually one line.
    pub fn line(&self) -> Option<usize> {
        let offset = self.offset?;
        Some(self.input[..offset].matches('\n').count() + 1)
    }
}

impl fmt::Display for FaultRuleParseError {
    /// `bad fault rule at column 12: <message>`, then the offending line
    /// with a caret under the column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (Some(offset), Some(column), Some(line)) = (self.offset, self.column(), self.line())
        else {
            return write!(f, "bad fault rule: {}", self.message);
        };
        if self.input.contains('\n') {
            write!(
                f,
                "bad fault rule at line {line}, column {column}: {}",
                self.message
            )?;
        } else {
            write!(f, "bad fault rule at column {column}: {}", self.message)?;
        }
        let line_start = self.input[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_text = self.input[line_start..].lines().next().unwrap_or_default();
        write!(f, "\n  {line_text}\n  {:>column$}", "^")
    }
}

impl std::error::Error for FaultRuleParseError {}

impl FromStr for FaultRule {
    type Err = FaultRuleParseError;

    /// Parses the `--fault` form; surrounding braces are optional.
    fn from_str(input: &str) -> Result<FaultRule, FaultRuleParseError> {
        let trimmed = input.trim();
        let (body, body_start) = match trimmed.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(inner) => (inner, offset_of(input, inner)),
            None => (trimmed, offset_of(input, trimmed)),
        };
        let document = format!("{PREFIX}{body}{SUFFIX}");
        toml::from_str::<Wrapper>(&document)
            .map(|wrapper| wrapper.rule)
            .map_err(|error| FaultRuleParseError {
                input: input.to_string(),
                message: error.message().trim().to_string(),
                offset: error.span().map(|span| {
                    let in_body = span.start.saturating_sub(PREFIX.len()).min(body.len());
                    floor_char_boundary(input, body_start + in_body)
                }),
            })
    }
}

impl fmt::Display for FaultRule {
    /// The `--fault` form (no braces), which [`FaultRule::from_str`] reads
    /// back to an equal rule.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut inline = String::new();
        if serde::Serialize::serialize(self, toml::ser::ValueSerializer::new(&mut inline)).is_err()
        {
            // Cannot happen for these types; never fail a Display.
            return write!(f, "{self:?}");
        }
        let body = inline
            .trim()
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(&inline);
        f.write_str(body.trim())
    }
}

/// The byte offset of `part` (a subslice) inside `whole`.
fn offset_of(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// `offset`, moved back to a char boundary of `text` (and clamped to it).
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
