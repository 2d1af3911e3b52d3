//! What every plot shares: the bundled font, the PNG encoding, the time
//! axis, the fault bands and the colours.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::faults::{FaultClass, Faults, MarkKind};

use super::Outcome;

/// DejaVu Sans 2.37 from Debian's `fonts-dejavu-core`; licence in
/// `reports/fonts/DejaVuSans-LICENSE`.
const FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
/// The family name the plots ask for; plotters' own defaults use it too.
pub(crate) const FAMILY: &str = "sans-serif";

/// Width of every plot, px.
pub(crate) const WIDTH: u32 = 1200;
/// Height of a time plot, px.
pub(crate) const HEIGHT: u32 = 460;
/// Left label area, px: the same on every time plot so their axes line up.
pub(crate) const Y_LABEL_AREA: u32 = 80;
/// Bottom label area, px.
pub(crate) const X_LABEL_AREA: u32 = 46;
/// Left margin, px (room for the rotated y description).
pub(crate) const LEFT_MARGIN: u32 = 10;
/// Right margin, px.
pub(crate) const RIGHT_MARGIN: u32 = 24;

/// A plot that could not be drawn (plotters or PNG encoding failed).
#[derive(Debug)]
pub struct PlotError(pub String);

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "plot: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

impl From<png::EncodingError> for PlotError {
    fn from(e: png::EncodingError) -> Self {
        PlotError(e.to_string())
    }
}

/// Registers the bundled font with plotters, once per process.
pub(crate) fn register_font() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        // The bytes are a valid TrueType file, checked by the tests.
        if plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_err() {
            panic!("the bundled DejaVu Sans does not parse");
        }
    });
}

/// Draws into an RGB buffer of `width` × `height` with `draw`, then encodes
/// it as PNG.
pub(crate) fn render_png(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), PlotError>,
) -> Result<Vec<u8>, PlotError> {
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Default);
    encoder.write_header()?.write_image_data(&rgb)?;
    Ok(out)
}

/// The shared time axis: 0 to the end of the run, in seconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeAxis {
    pub(crate) end_s: f64,
}

impl TimeAxis {
    pub(crate) fn new(faults: &Faults) -> Self {
        TimeAxis {
            end_s: (faults.end as f64 / 1e9).max(0.001),
        }
    }

    /// The axis range.
    pub(crate) fn range(&self) -> std::ops::Range<f64> {
        0.0..self.end_s
    }

    /// A label for `x` seconds with as many decimals as the span needs.
    pub(crate) fn label(&self, x: f64) -> String {
        if self.end_s >= 20.0 {
            format!("{x:.0}")
        } else if self.end_s >= 2.0 {
            format!("{x:.1}")
        } else {
            format!("{x:.2}")
        }
    }
}

/// A y label for integer-valued axes: the value when it is a whole number,
/// nothing otherwise (so a 0..2 axis does not read "0 0 1 1 1 2").
pub(crate) fn integer_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

/// Seconds from nanoseconds.
pub(crate) fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// The colour of an outcome: ok blue, fail magenta, info orange (Jepsen's).
pub(crate) fn outcome_colour(o: Outcome) -> RGBColor {
    match o {
        Outcome::Ok => RGBColor(40, 110, 220),
        Outcome::Fail => RGBColor(210, 40, 130),
        Outcome::Info => RGBColor(240, 140, 0),
    }
}

/// Distinct colours for operation names, in sorted-name order.
pub(crate) fn series_colour(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(23, 190, 207),
    ];
    PALETTE[i % PALETTE.len()]
}

fn band_colour(class: FaultClass) -> RGBColor {
    let (r, g, b) = class.rgb();
    RGBColor(r, g, b)
}

/// The chart type of every time plot: seconds on x, `Y` on y.
pub(crate) type TimeChart<'a, 'b, Y> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, Y>>;

/// Shades every fault period across the whole y range `y` and draws every
/// mark as a thin line; adds a legend entry per fault class present.
pub(crate) fn draw_faults<Y>(
    chart: &mut TimeChart<'_, '_, Y>,
    faults: &Faults,
    y: (f64, f64),
) -> Result<(), PlotError>
where
    Y: Ranged<ValueType = f64>,
{
    for class in FaultClass::ALL {
        let periods: Vec<_> = faults.periods.iter().filter(|p| p.class == class).collect();
        if periods.is_empty() {
            continue;
        }
        let colour = band_colour(class);
        chart
            .draw_series(periods.iter().map(|p| {
                // A period of zero length still shows as a sliver.
                let end = secs(p.end).max(secs(p.start) + 0.0005);
                Rectangle::new(
                    [(secs(p.start), y.0), (end, y.1)],
                    colour.mix(0.18).filled(),
                )
            }))?
            .label(format!("{} fault", class.name()))
            .legend(move |(x, yy)| {
                Rectangle::new([(x, yy - 6), (x + 14, yy + 6)], colour.mix(0.35).filled())
            });
    }
    // Server faults fired: a rug of short ticks along the top edge (a run
    // with a probabilistic fault rule fires hundreds; full-height lines
    // would hide the data).
    let server: Vec<_> = faults
        .marks
        .iter()
        .filter(|m| m.kind == MarkKind::ServerFault)
        .collect();
    if !server.is_empty() {
        let colour = RGBColor(200, 0, 0);
        let area = chart.plotting_area().strip_coord_spec();
        let (base_x, _) = chart.plotting_area().get_base_pixel();
        for m in &server {
            let (px, _) = chart.backend_coord(&(secs(m.time), y.0));
            area.draw(&PathElement::new(
                vec![(px - base_x, 0), (px - base_x, 9)],
                colour.stroke_width(1),
            ))?;
        }
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
            .label("server fault fired (ticks along the top)")
            .legend(move |(x, yy)| {
                PathElement::new(vec![(x + 7, yy - 7), (x + 7, yy + 2)], colour)
            });
    }
    let nemesis: Vec<_> = faults
        .marks
        .iter()
        .filter(|m| m.kind == MarkKind::Nemesis)
        .collect();
    if !nemesis.is_empty() {
        let colour = RGBColor(90, 90, 90);
        chart
            .draw_series(nemesis.iter().map(|m| {
                PathElement::new(
                    vec![(secs(m.time), y.0), (secs(m.time), y.1)],
                    colour.mix(0.6),
                )
            }))?
            .label("nemesis event")
            .legend(move |(x, yy)| {
                PathElement::new(vec![(x + 7, yy - 7), (x + 7, yy + 7)], colour)
            });
    }
    Ok(())
}

/// Draws the legend in the upper right, over a translucent white box.
pub(crate) fn draw_legend<'a, Y>(chart: &mut TimeChart<'a, 'a, Y>) -> Result<(), PlotError>
where
    Y: Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FAMILY, 13))
        .draw()?;
    Ok(())
}

/// A centred note on an otherwise empty area ("no operations completed").
pub(crate) fn note(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    text: &str,
) -> Result<(), PlotError> {
    let (w, h) = area.dim_in_pixel();
    let style = TextStyle::from((FAMILY, 16).into_font())
        .color(&RGBColor(90, 90, 90))
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ));
    area.draw_text(text, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// Nice window widths for per-window figures: the smallest of 1-2-5 × 10^n
/// milliseconds giving at most `max_windows` windows over `end_ns`.
pub(crate) fn window_ns(end_ns: u64, max_windows: u64) -> u64 {
    let mut w: u64 = 1_000_000;
    let steps = [2, 5, 10];
    let mut i = 0;
    while end_ns.div_ceil(w) > max_windows {
        // 1 → 2 → 5 → 10 ms, ...
        let base = w / [1, 2, 5][i % 3];
        w = base * steps[i % 3];
        i += 1;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_step_through_one_two_five() {
        assert_eq!(window_ns(10_000_000, 60), 1_000_000);
        assert_eq!(window_ns(100_000_000, 60), 2_000_000);
        assert_eq!(window_ns(200_000_000, 60), 5_000_000);
        assert_eq!(window_ns(1_000_000_000, 60), 20_000_000);
        assert_eq!(window_ns(3_000_000_000, 60), 50_000_000);
        assert_eq!(window_ns(60_000_000_000, 60), 1_000_000_000);
    }
}
