//! Small helpers for the SVG drawn on the server side (the linearizability
//! views and the staleness charts): coordinates with fixed decimals, so the
//! page's bytes never depend on float formatting details, and an element
//! builder that escapes every attribute.

use super::esc;

/// A coordinate with one decimal.
pub(super) fn n(x: f64) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    format!("{x:.1}")
}

/// `<rect>` with a class and optional tooltip text.
pub(super) fn rect(x: f64, y: f64, w: f64, h: f64, class: &str) -> String {
    format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{class}\"/>",
        n(x),
        n(y),
        n(w.max(0.0)),
        n(h.max(0.0))
    )
}

/// `<text>` at (x, y) with a class and an anchor (`start`, `middle`, `end`).
pub(super) fn text(x: f64, y: f64, class: &str, anchor: &str, content: &str) -> String {
    format!(
        "<text x=\"{}\" y=\"{}\" class=\"{class}\" text-anchor=\"{anchor}\">{}</text>",
        n(x),
        n(y),
        esc(content)
    )
}

/// `<line>`.
pub(super) fn line(x1: f64, y1: f64, x2: f64, y2: f64, class: &str) -> String {
    format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{class}\"/>",
        n(x1),
        n(y1),
        n(x2),
        n(y2)
    )
}

/// Opens a `<g>` with a class, a tooltip and an optional id.
pub(super) fn group(class: &str, tip: &str, id: Option<&str>) -> String {
    let id = id
        .map(|i| format!(" id=\"{}\"", esc(i)))
        .unwrap_or_default();
    format!("<g class=\"{class}\"{id} data-tip=\"{}\">", esc(tip))
}
