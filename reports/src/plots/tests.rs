use super::*;
use crate::testing::{Sample, rich};

/// Decodes a PNG: (width, height, RGB or RGBA bytes, bytes per pixel).
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>, usize) {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf, info.color_type.samples())
}

fn distinct_colours(pixels: &[u8], bpp: usize) -> usize {
    pixels
        .chunks(bpp)
        .map(|p| p.to_vec())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

#[test]
fn every_plot_is_a_non_trivial_png_that_is_not_blank() {
    let sample = Sample::of(rich(400));
    let plots = render_plots(&sample.record()).unwrap();
    let names: Vec<&str> = plots.iter().map(|p| p.name).collect();
    assert_eq!(names, PLOT_FILES);
    for plot in &plots {
        assert!(
            plot.png.len() > 10_000,
            "{} is {} bytes",
            plot.name,
            plot.png.len()
        );
        let (w, h, pixels, bpp) = decode(&plot.png);
        assert_eq!(w, common::WIDTH, "{}", plot.name);
        assert!(h >= common::HEIGHT, "{}", plot.name);
        // Axes, labels, points, bands and anti-aliased text give many colours;
        // a blank or single-colour image gives one or two.
        let colours = distinct_colours(&pixels, bpp);
        assert!(colours > 50, "{} has only {colours} colours", plot.name);
        let white = pixels
            .chunks(bpp)
            .filter(|p| p[..3] == [255, 255, 255])
            .count();
        let total = (w * h) as usize;
        assert!(
            white < total * 97 / 100,
            "{} is nearly all white",
            plot.name
        );
    }
}

#[test]
fn text_is_drawn_with_the_bundled_font() {
    // The caption row of latency-raw.png holds only the caption: dark,
    // anti-aliased pixels there mean the bundled font rendered glyphs (no
    // system font is ever consulted: plotters' ab_glyph backend has none).
    let sample = Sample::of(rich(100));
    let plots = render_plots(&sample.record()).unwrap();
    let (w, _, pixels, bpp) = decode(&plots[0].png);
    let caption_rows = &pixels[..(w as usize) * 24 * bpp];
    let dark = caption_rows
        .chunks(bpp)
        .filter(|p| p[0] < 100 && p[1] < 100 && p[2] < 100)
        .count();
    let grey = caption_rows
        .chunks(bpp)
        .filter(|p| p[0] > 100 && p[0] < 230 && p[0] == p[1] && p[1] == p[2])
        .count();
    assert!(dark > 100, "only {dark} dark pixels in the caption row");
    assert!(grey > 20, "no anti-aliasing in the caption row ({grey})");
}

#[test]
fn plots_are_byte_identical_for_the_same_run() {
    let a = Sample::of(rich(300));
    let b = Sample::of(rich(300));
    assert_eq!(
        render_plots(&a.record()).unwrap(),
        render_plots(&b.record()).unwrap()
    );
}

#[test]
fn an_empty_or_tiny_run_still_renders() {
    for history in [
        anarcho_checker::History::new(),
        anarcho_checker::fixtures::issue_1113("m"),
    ] {
        let sample = Sample::of(history);
        let plots = render_plots(&sample.record()).unwrap();
        assert_eq!(plots.len(), 4);
        for p in plots {
            decode(&p.png);
        }
    }
}

#[test]
fn the_rich_run_has_what_the_plots_show() {
    // Guards the fixture: faults, every outcome and stale reads.
    let sample = Sample::of(rich(400));
    let f = crate::faults::faults(&sample.history);
    assert_eq!(f.periods.len(), 2, "{f:?}");
    assert_eq!(f.marks.len(), 1);
    let s = samples(&sample.history);
    for o in Outcome::ALL {
        assert!(s.iter().any(|x| x.outcome == o), "{o:?}");
    }
    assert!(
        sample.report.staleness.stale > 0,
        "{:?}",
        sample.report.staleness
    );
}
