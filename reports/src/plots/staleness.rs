//! `staleness.png`: the k histogram and the t-visibility curve side by side,
//! and below them the stalest reads on the shared time axis with the fault
//! bands, so stale reads can be read against the faults that caused them.

use anarcho_checker::History;
use anarcho_checker::staleness::StalenessReport;
use plotters::prelude::*;

use super::common::{
    FAMILY, HEIGHT, LEFT_MARGIN, PlotError, RIGHT_MARGIN, TimeAxis, WIDTH, X_LABEL_AREA,
    Y_LABEL_AREA, draw_faults, draw_legend, integer_label, note, render_png, secs,
};
use crate::faults::Faults;
use crate::history_txt::time_of;

/// Height of the top row (histogram and curve), px.
const TOP: u32 = 420;

pub(crate) fn staleness(
    title: &str,
    report: &StalenessReport,
    history: &History,
    axis: &TimeAxis,
    faults: &Faults,
) -> Result<Vec<u8>, PlotError> {
    render_png(WIDTH, TOP + HEIGHT, |root| {
        let (top, bottom) = root.split_vertically(TOP);
        let (left, right) = top.split_horizontally(WIDTH / 2);
        k_histogram(&left, title, report)?;
        visibility(&right, report)?;
        stale_reads(&bottom, report, history, axis, faults)
    })
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn k_histogram(area: &Area<'_>, title: &str, report: &StalenessReport) -> Result<(), PlotError> {
    let max_k = report.k_histogram.iter().map(|b| b.k).max().unwrap_or(0);
    let top = report
        .k_histogram
        .iter()
        .map(|b| b.reads)
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 3.0;
    let mut chart = ChartBuilder::on(area)
        .caption(format!("k-staleness · {title}"), (FAMILY, 18))
        .margin(8)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..max_k as f64 + 0.5, (0.5..top).log_scale())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc("k: newer acknowledged writes completed before the read began")
        .y_desc("reads (log)")
        .x_labels((max_k as usize + 1).min(12))
        .x_label_formatter(&integer_label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FAMILY, 12))
        .axis_desc_style((FAMILY, 13))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    if report.reads == 0 {
        note(area, "no reads measured")?;
        return Ok(());
    }
    let width = if max_k > 40 { 0.5 } else { 0.4 };
    chart.draw_series(report.k_histogram.iter().map(|b| {
        let colour = if b.k == 0 {
            RGBColor(44, 160, 44)
        } else {
            RGBColor(214, 39, 40)
        };
        Rectangle::new(
            [
                (b.k as f64 - width, 0.5),
                (b.k as f64 + width, b.reads as f64),
            ],
            colour.mix(0.8).filled(),
        )
    }))?;
    chart.draw_series(report.k_histogram.iter().filter(|_| max_k <= 30).map(|b| {
        Text::new(
            b.reads.to_string(),
            (b.k as f64 - 0.2, b.reads as f64 * 1.3),
            (FAMILY, 12).into_font(),
        )
    }))?;
    Ok(())
}

fn visibility(area: &Area<'_>, report: &StalenessReport) -> Result<(), PlotError> {
    let points = &report.visibility.points;
    // Each bucket at its geometric middle, in ms (the first bucket starts at 0).
    let mid = |t: u64, t_end: u64| -> f64 {
        let a = (t.max(t_end / 2)) as f64;
        (a * t_end as f64).sqrt() / 1e6
    };
    let xs: Vec<f64> = points.iter().map(|p| mid(p.t_ns, p.t_end_ns)).collect();
    let lo = xs.iter().copied().fold(f64::MAX, f64::min).min(1.0) / 2.0;
    let hi = xs.iter().copied().fold(0.0f64, f64::max).max(lo * 100.0) * 2.0;
    let mut chart = ChartBuilder::on(area)
        .caption("t-visibility: P(read is fresh)", (FAMILY, 18))
        .margin(8)
        .margin_right(RIGHT_MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(60)
        .build_cartesian_2d((lo.max(0.0005)..hi).log_scale(), 0.0..1.05)?;
    chart
        .configure_mesh()
        .x_desc("time since the newest acknowledged write completed (ms, log)")
        .y_desc("P(fresh)")
        .x_label_formatter(&|v| {
            if *v >= 1.0 {
                format!("{v:.0}")
            } else {
                format!("{v}")
            }
        })
        .y_label_formatter(&|v| format!("{v:.1}"))
        .label_style((FAMILY, 12))
        .axis_desc_style((FAMILY, 13))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    if points.is_empty() {
        note(area, "no read followed an acknowledged write")?;
        return Ok(());
    }
    let blue = RGBColor(40, 110, 220);
    let green = RGBColor(44, 160, 44);
    let bucket: Vec<(f64, f64)> = points
        .iter()
        .zip(&xs)
        .map(|(p, x)| (*x, p.p_fresh))
        .collect();
    chart
        .draw_series(LineSeries::new(bucket.clone(), blue.stroke_width(2)))?
        .label("P(fresh | t in bucket)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], blue.stroke_width(2)));
    chart.draw_series(bucket.into_iter().map(|p| Circle::new(p, 3, blue.filled())))?;
    let cdf: Vec<(f64, f64)> = points
        .iter()
        .zip(&xs)
        .map(|(p, x)| (*x, p.p_fresh_from_here))
        .collect();
    chart
        .draw_series(LineSeries::new(cdf, green.stroke_width(2)))?
        .label("P(fresh | t ≥ bucket start)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], green.stroke_width(2)));
    if let Some(t99) = report.visibility.t99_ns.filter(|&t| t > 0) {
        let x = (t99 as f64 / 1e6).max(lo);
        let red = RGBColor(210, 40, 40);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, 1.05)],
                red.stroke_width(1),
            )))?
            .label(format!("t99 = {} ms", x))
            .legend(move |(x, y)| PathElement::new(vec![(x + 7, y - 7), (x + 7, y + 7)], red));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FAMILY, 12))
        .draw()?;
    Ok(())
}

fn stale_reads(
    area: &Area<'_>,
    report: &StalenessReport,
    history: &History,
    axis: &TimeAxis,
    faults: &Faults,
) -> Result<(), PlotError> {
    let reads: Vec<(f64, f64)> = report
        .stalest_reads
        .iter()
        .filter(|r| r.k > 0)
        .filter_map(|r| Some((secs(time_of(history, r.invoke_index)?), r.k as f64)))
        .collect();
    let top = reads.iter().map(|r| r.1).fold(1.0, f64::max) * 1.2 + 0.5;
    let caption = if report.stale == 0 {
        "stale reads over time: none".to_string()
    } else if report.stale as usize > reads.len() {
        format!(
            "the {} stalest of {} stale reads, over time",
            reads.len(),
            report.stale
        )
    } else {
        format!("all {} stale reads, over time", reads.len())
    };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FAMILY, 18))
        .margin_right(RIGHT_MARGIN)
        .margin_left(LEFT_MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(axis.range(), 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("time since the start of the run (s)")
        .y_desc("k of the read")
        .x_label_formatter(&|x| axis.label(*x))
        .y_labels((top as usize + 1).min(10))
        .y_label_formatter(&integer_label)
        .label_style((FAMILY, 13))
        .axis_desc_style((FAMILY, 14))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    draw_faults(&mut chart, faults, (0.0, top))?;
    let red = RGBColor(214, 39, 40);
    if !reads.is_empty() {
        chart
            .draw_series(
                reads
                    .into_iter()
                    .map(|p| Circle::new(p, 4, red.mix(0.8).filled())),
            )?
            .label("stale read")
            .legend(move |(x, y)| Circle::new((x + 7, y), 4, red.filled()));
    }
    draw_legend(&mut chart)
}
