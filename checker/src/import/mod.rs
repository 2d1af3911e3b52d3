//! Reading history files written by other tools into a [`History`].
//!
//! | [`Format`] | files | notes |
//! |---|---|---|
//! | `jsonl` | `history.jsonl` | this crate's own format ([`History::from_jsonl`]) |
//! | `jepsen-edn` | Jepsen / Knossos `.edn` | a vector or list of operation maps, or maps one after another |
//! | `porcupine-etcd` | Porcupine's `test_data/jepsen/etcd_NNN.log` | `INFO  jepsen.util - <process> :<type> :<f> <value>` lines |
//! | `porcupine-kv` | Porcupine's `test_data/kv/*.txt` | EDN maps, one per line, with `:key`; checked with the `kv` model |
//!
//! Real-time order is the order of the file: the *n*th event becomes
//! history index *n*, as Knossos and Porcupine read these files. Jepsen's
//! `:time` (nanoseconds), when present, becomes the event's `time`; files
//! without times get time 0 throughout (staleness times are then all 0).
//!
//! Every error names the line and column (1-based; columns count
//! characters) where the input stopped making sense.

mod edn;
mod etcd;

use std::path::Path;

use crate::history::History;
use crate::models::ModelKind;

/// A history file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// This crate's JSONL (`history.jsonl`).
    Jsonl,
    /// Jepsen's EDN operation maps (Knossos's test data).
    JepsenEdn,
    /// Porcupine's etcd log lines.
    PorcupineEtcd,
    /// Porcupine's kv histories (EDN, one map per line).
    PorcupineKv,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [
        Format::Jsonl,
        Format::JepsenEdn,
        Format::PorcupineEtcd,
        Format::PorcupineKv,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::JepsenEdn => "jepsen-edn",
            Format::PorcupineEtcd => "porcupine-etcd",
            Format::PorcupineKv => "porcupine-kv",
        }
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Guesses the format of a file from its extension and its first
    /// non-blank character: `.jsonl`/`.json` or `{"` is JSONL; `.log` or a
    /// line starting `INFO` is Porcupine's etcd log; `.edn`, or EDN
    /// (`[`, `(`, `{:`, `;`) is Jepsen EDN, except in a `.txt` file, which
    /// is taken for Porcupine's kv format.
    pub fn detect(path: Option<&Path>, text: &str) -> Format {
        let ext = path
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("jsonl" | "json") => return Format::Jsonl,
            Some("log") => return Format::PorcupineEtcd,
            Some("edn") => return Format::JepsenEdn,
            _ => {}
        }
        let start = text.trim_start();
        if start.starts_with("INFO") {
            Format::PorcupineEtcd
        } else if start.starts_with('{') && start[1..].trim_start().starts_with('"') {
            Format::Jsonl
        } else if ext.as_deref() == Some("txt") {
            Format::PorcupineKv
        } else {
            Format::JepsenEdn
        }
    }

    /// The model a format's files are checked with, when the format says.
    pub fn model(self) -> Option<ModelKind> {
        match self {
            Format::PorcupineEtcd => Some(ModelKind::EtcdCasRegister),
            Format::PorcupineKv => Some(ModelKind::Kv),
            Format::Jsonl | Format::JepsenEdn => None,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format {s:?}; one of: {}", names.join(", "))
        })
    }
}

/// A file that could not be read as its format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    /// An error at byte `offset` of `text`.
    pub(crate) fn at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        ImportError {
            line,
            column,
            message: message.into(),
        }
    }
}

/// The 1-based line and character column of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// Reads `text` as `format`.
pub fn import(format: Format, text: &str) -> Result<History, ImportError> {
    match format {
        Format::Jsonl => History::from_jsonl(text).map_err(|e| ImportError {
            line: e.line,
            column: e.column,
            message: e.message,
        }),
        Format::JepsenEdn | Format::PorcupineKv => edn::parse(text),
        Format::PorcupineEtcd => etcd::parse(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(line_col(text, 8), (3, 1));
        assert_eq!(line_col(text, 100), (3, 2));
    }

    #[test]
    fn formats_are_detected_by_extension_then_content() {
        let p = |s: &str| Some(Path::new(s).to_owned());
        assert_eq!(Format::detect(p("a.jsonl").as_deref(), ""), Format::Jsonl);
        assert_eq!(
            Format::detect(p("etcd_000.log").as_deref(), ""),
            Format::PorcupineEtcd
        );
        assert_eq!(
            Format::detect(p("x.edn").as_deref(), "{"),
            Format::JepsenEdn
        );
        assert_eq!(
            Format::detect(p("c01-ok.txt").as_deref(), "{:process 0}"),
            Format::PorcupineKv
        );
        assert_eq!(Format::detect(None, "\n {\"index\":0}"), Format::Jsonl);
        assert_eq!(
            Format::detect(None, "INFO  jepsen.util - 0\t:invoke\t:read\tnil"),
            Format::PorcupineEtcd
        );
        assert_eq!(Format::detect(None, "[{:process 0}]"), Format::JepsenEdn);
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
    }
}
