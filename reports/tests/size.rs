//! report.html stays small on a long run: above 10,000 operations the
//! timeline is drawn in windows, and the page stays far under 5 MB. (Speed
//! is measured by `cargo bench -p anarcho-reports --bench render`, never
//! asserted.)

mod support;

use anarcho_checker::{Verdict, check};
use anarcho_reports::{RunRecord, render_html, render_plots};

#[test]
fn a_fifteen_thousand_operation_run_renders_a_windowed_page_under_five_megabytes() {
    let history = support::big_run::big_run(15_000, 10, 7);
    let report = check(&history);
    let record = RunRecord {
        scenario_name: "big-run",
        scenario_file: None,
        scenario_text: "",
        seed: 7,
        expected: Some(Verdict::Valid),
        history: &history,
        report: &report,
        tool_version: "test",
        replay_command: "cargo test -p anarcho-reports --test size".into(),
    };
    let html = render_html(&record);
    assert!(
        html.len() < 5_000_000,
        "report.html is {} bytes for {} events",
        html.len(),
        history.len()
    );
    assert!(html.contains("<b>This run has 15000 operations, more than 10000:</b>"));
    assert_eq!(html, render_html(&record), "deterministic");
    for plot in render_plots(&record).unwrap() {
        assert!(plot.png.len() > 10_000, "{}", plot.name);
    }
}
