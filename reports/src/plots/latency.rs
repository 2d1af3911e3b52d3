//! `latency-raw.png` and `latency-quantiles.png`.

use std::collections::BTreeSet;

use hdrhistogram::Histogram;
use plotters::prelude::*;

use super::common::{
    FAMILY, HEIGHT, LEFT_MARGIN, PlotError, RIGHT_MARGIN, TimeAxis, WIDTH, X_LABEL_AREA,
    Y_LABEL_AREA, draw_faults, draw_legend, note, render_png, secs, series_colour, window_ns,
};
use super::{Outcome, Sample};
use crate::faults::Faults;

/// Most windows on the quantile plot.
const MAX_WINDOWS: u64 = 80;

/// Latency in milliseconds, never below 1 µs so that it fits a log axis.
fn latency_ms(s: &Sample<'_>) -> f64 {
    (s.end.saturating_sub(s.start) as f64 / 1e6).max(0.001)
}

/// The log y range covering `values` (ms): from the power of ten below the
/// smallest (plotters labels a log axis from the first power of ten in
/// range), to the largest plus half.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi <= 0.0 {
        (0.001, 1.0)
    } else {
        let lo = 10f64.powf(lo.max(0.001).log10().floor());
        (lo, (hi * 1.5).max(lo * 10.0))
    }
}

/// How many labels to ask of a log axis: every 1..9 multiple for up to
/// three decades, else only the powers of ten.
fn log_labels(y: (f64, f64)) -> usize {
    let decades = (y.1 / y.0).log10().ceil().max(1.0) as usize;
    if decades <= 3 {
        10 * decades + 1
    } else {
        decades + 1
    }
}

fn ms_label(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Every completed operation's latency against its start time: colour by
/// operation, shape by outcome (● ok, ✕ fail, ▲ info).
pub(crate) fn raw(
    title: &str,
    samples: &[Sample<'_>],
    axis: &TimeAxis,
    faults: &Faults,
) -> Result<Vec<u8>, PlotError> {
    render_png(WIDTH, HEIGHT, |root| {
        let fs: Vec<&str> = samples
            .iter()
            .map(|s| s.f)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let y = log_range(samples.iter().map(latency_ms));
        let mut chart = ChartBuilder::on(root)
            .caption(format!("latency, raw · {title}"), (FAMILY, 18))
            .margin_right(RIGHT_MARGIN)
            .margin_left(LEFT_MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(axis.range(), (y.0..y.1).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("time since the start of the run (s)")
            .y_desc("latency (ms, log)")
            .x_label_formatter(&|x| axis.label(*x))
            .y_labels(log_labels(y))
            .y_label_formatter(&|v| ms_label(*v))
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 14))
            .light_line_style(BLACK.mix(0.04))
            .draw()?;
        draw_faults(&mut chart, faults, y)?;
        if samples.is_empty() {
            note(root, "no operation completed")?;
        }
        for outcome in Outcome::ALL {
            for (i, f) in fs.iter().enumerate() {
                let colour = series_colour(i).mix(0.75);
                let points = samples
                    .iter()
                    .filter(|s| s.outcome == outcome && s.f == *f)
                    .map(|s| (secs(s.start), latency_ms(s)));
                match outcome {
                    Outcome::Ok => {
                        chart.draw_series(points.map(|p| Circle::new(p, 2, colour.filled())))?;
                    }
                    Outcome::Fail => {
                        chart.draw_series(
                            points.map(|p| Cross::new(p, 4, colour.stroke_width(2))),
                        )?;
                    }
                    Outcome::Info => {
                        chart.draw_series(
                            points.map(|p| TriangleMarker::new(p, 5, colour.filled())),
                        )?;
                    }
                }
            }
        }
        // Legend: one entry per operation (colour), one per outcome (shape).
        for (i, f) in fs.iter().enumerate() {
            let colour = series_colour(i);
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(*f)
                .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
        }
        for outcome in Outcome::ALL {
            let has = samples.iter().any(|s| s.outcome == outcome);
            if !has {
                continue;
            }
            let entry = chart.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?;
            entry.label(outcome.name());
            match outcome {
                Outcome::Ok => entry.legend(|(x, y)| {
                    EmptyElement::at((x + 7, y)) + Circle::new((0, 0), 3, BLACK.filled())
                }),
                Outcome::Fail => entry.legend(|(x, y)| {
                    EmptyElement::at((x + 7, y)) + Cross::new((0, 0), 4, BLACK.stroke_width(2))
                }),
                Outcome::Info => entry.legend(|(x, y)| {
                    EmptyElement::at((x + 7, y)) + TriangleMarker::new((0, 0), 5, BLACK.filled())
                }),
            };
        }
        draw_legend(&mut chart)
    })
}

/// A quantile line: its name, colour and value per window.
type Quantile = (&'static str, RGBColor, fn(&WindowQuantiles) -> f64);

/// One window's latency quantiles, ms.
struct WindowQuantiles {
    mid_s: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

/// p50/p95/p99/max of the latencies of the operations started in each
/// window, from one hdrhistogram per window (µs, 3 significant digits).
fn window_quantiles(samples: &[Sample<'_>], end_ns: u64) -> Vec<Option<WindowQuantiles>> {
    let w = window_ns(end_ns, MAX_WINDOWS);
    let n = end_ns / w + 1;
    let mut hists: Vec<Option<Histogram<u64>>> = (0..n).map(|_| None).collect();
    for s in samples {
        let i = (s.start / w).min(n - 1) as usize;
        let h = hists[i].get_or_insert_with(|| {
            Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid hdrhistogram bounds")
        });
        h.saturating_record((s.end.saturating_sub(s.start) / 1_000).max(1));
    }
    hists
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h?;
            let ms = |us: u64| us as f64 / 1_000.0;
            Some(WindowQuantiles {
                mid_s: secs(i as u64 * w + w / 2).min(secs(end_ns)),
                p50: ms(h.value_at_quantile(0.50)),
                p95: ms(h.value_at_quantile(0.95)),
                p99: ms(h.value_at_quantile(0.99)),
                max: ms(h.max()),
            })
        })
        .collect()
}

/// Splits per-window values into runs of consecutive windows with data, so
/// lines break where no operation started.
fn runs<T: Copy>(points: &[Option<T>]) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut current: Vec<T> = Vec::new();
    for p in points {
        match p {
            Some(v) => current.push(*v),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// p50/p95/p99/max latency per time window.
pub(crate) fn quantiles(
    title: &str,
    samples: &[Sample<'_>],
    axis: &TimeAxis,
    faults: &Faults,
) -> Result<Vec<u8>, PlotError> {
    render_png(WIDTH, HEIGHT, |root| {
        let windows = window_quantiles(samples, faults.end.max(1));
        let y = log_range(
            windows
                .iter()
                .flatten()
                .flat_map(|w| [w.p50.max(0.001), w.max.max(0.001)]),
        );
        let mut chart = ChartBuilder::on(root)
            .caption(format!("latency quantiles · {title}"), (FAMILY, 18))
            .margin_right(RIGHT_MARGIN)
            .margin_left(LEFT_MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(axis.range(), (y.0..y.1).log_scale())?;
        let w_ms = window_ns(faults.end.max(1), MAX_WINDOWS) as f64 / 1e6;
        chart
            .configure_mesh()
            .x_desc(format!(
                "time since the start of the run (s) · windows of {w_ms} ms"
            ))
            .y_desc("latency (ms, log)")
            .x_label_formatter(&|x| axis.label(*x))
            .y_labels(log_labels(y))
            .y_label_formatter(&|v| ms_label(*v))
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 14))
            .light_line_style(BLACK.mix(0.04))
            .draw()?;
        draw_faults(&mut chart, faults, y)?;
        if samples.is_empty() {
            note(root, "no operation completed")?;
        }
        let series: [Quantile; 4] = [
            ("p50", RGBColor(40, 110, 220), |w| w.p50),
            ("p95", RGBColor(44, 160, 44), |w| w.p95),
            ("p99", RGBColor(240, 140, 0), |w| w.p99),
            ("max", RGBColor(210, 40, 40), |w| w.max),
        ];
        for (name, colour, value) in series {
            let points: Vec<Option<(f64, f64)>> = windows
                .iter()
                .map(|w| w.as_ref().map(|w| (w.mid_s, value(w).max(0.001))))
                .collect();
            let mut first = true;
            for run in runs(&points) {
                let series =
                    chart.draw_series(LineSeries::new(run.clone(), colour.stroke_width(2)))?;
                if first {
                    series.label(name).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                    });
                    first = false;
                }
                chart.draw_series(run.into_iter().map(|p| Circle::new(p, 2, colour.filled())))?;
            }
        }
        draw_legend(&mut chart)
    })
}
