//! `rate.png`: completions per second by outcome, per time window.

use plotters::prelude::*;

use super::common::{
    FAMILY, HEIGHT, LEFT_MARGIN, PlotError, RIGHT_MARGIN, TimeAxis, WIDTH, X_LABEL_AREA,
    Y_LABEL_AREA, draw_faults, draw_legend, note, outcome_colour, render_png, secs, window_ns,
};
use super::{Outcome, Sample};
use crate::faults::Faults;

/// Most windows on the plot.
const MAX_WINDOWS: u64 = 100;

/// Throughput of completed operations by outcome (ok, fail, info), counted
/// in the window of their completion.
pub(crate) fn rate(
    title: &str,
    samples: &[Sample<'_>],
    axis: &TimeAxis,
    faults: &Faults,
) -> Result<Vec<u8>, PlotError> {
    render_png(WIDTH, HEIGHT, |root| {
        let end = faults.end.max(1);
        let w = window_ns(end, MAX_WINDOWS);
        let n = (end / w + 1) as usize;
        let mut counts = vec![[0u64; 3]; n];
        for s in samples {
            let i = ((s.end / w) as usize).min(n - 1);
            counts[i][s.outcome as usize] += 1;
        }
        let per_s = |c: u64| c as f64 / (w as f64 / 1e9);
        let top = counts
            .iter()
            .flat_map(|c| c.iter().copied())
            .max()
            .map_or(1.0, per_s)
            .max(1.0)
            * 1.15;
        let mut chart = ChartBuilder::on(root)
            .caption(format!("throughput · {title}"), (FAMILY, 18))
            .margin_right(RIGHT_MARGIN)
            .margin_left(LEFT_MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(axis.range(), 0.0..top)?;
        let w_ms = w as f64 / 1e6;
        chart
            .configure_mesh()
            .x_desc(format!(
                "time since the start of the run (s) · windows of {w_ms} ms"
            ))
            .y_desc("completions per second")
            .x_label_formatter(&|x| axis.label(*x))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 14))
            .light_line_style(BLACK.mix(0.04))
            .draw()?;
        draw_faults(&mut chart, faults, (0.0, top))?;
        if samples.is_empty() {
            note(root, "no operation completed")?;
        }
        for outcome in Outcome::ALL {
            let o = outcome as usize;
            if !counts.iter().any(|c| c[o] > 0) {
                continue;
            }
            let colour = outcome_colour(outcome);
            // A step line: flat across each window.
            let mut points = Vec::with_capacity(2 * n);
            for (i, c) in counts.iter().enumerate() {
                let (a, b) = (i as u64 * w, ((i as u64 + 1) * w).min(end));
                points.push((secs(a), per_s(c[o])));
                points.push((secs(b), per_s(c[o])));
            }
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(outcome.name())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        draw_legend(&mut chart)
    })
}
