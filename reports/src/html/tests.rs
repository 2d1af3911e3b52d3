use super::*;
use crate::testing::{Sample, rich};
use anarcho_checker::{Event, EventType, History, Value, fixtures};

use super::operations::MAX_OPERATION_ROWS;

const PAYLOAD: &str = r#"<script>alert("pwned")</script>"#;

#[test]
fn issue_1113_page_names_the_misattributed_echo_and_links_its_real_request() {
    let sample = Sample::issue_1113("message");
    let html = render_html(&sample.record());
    let summary =
        r#"ECHO "message" returned "OK" (the reply to READONLY #2 on conn client-1/redis-1#2)"#;
    assert!(html.contains(&esc(summary)), "summary missing");
    assert!(html.contains("<header class=\"banner invalid\">"));
    assert!(html.contains("href=\"#first-error\""), "jump link");
    assert!(html.contains("id=\"first-error\""));
    // The red reply row links to the amber send row of READONLY #2 (req 3).
    assert!(
        html.contains("<a class=\"belongs\" href=\"#v1-req-3\">belongs to request #3"),
        "{html}"
    );
    assert!(
        html.contains("<tr id=\"v1-req-3\" class=\"culprit\">"),
        "{html}"
    );
    assert!(html.contains("class=\"bad\""));
    assert!(html.contains("anarcho run scenarios/issue-1113.toml --seed 1"));
    assert!(html.contains("as expected: the scenario expects invalid"));
}

#[test]
fn user_text_is_escaped() {
    let sample = Sample::issue_1113(PAYLOAD);
    let mut record = sample.record();
    record.scenario_name = "<b>name</b>";
    let html = render_html(&record);
    // Values print Redis-style (`"<script>alert(\"pwned\")..."`), so look
    // for the tag itself rather than the exact payload.
    assert!(!html.contains("<script>alert"), "raw payload in the page");
    assert!(!html.contains("<b>name</b>"));
    assert!(html.contains("&lt;script&gt;alert("));
    assert!(html.contains("&lt;b&gt;name&lt;/b&gt;"));
    // The page's own two scripts (the timeline's data, the code) are the only ones.
    assert_eq!(html.matches("<script").count(), 2);
}

#[test]
fn html_is_deterministic_and_self_contained() {
    let a = Sample::issue_1113("message");
    let b = Sample::issue_1113("message");
    let html = render_html(&a.record());
    assert_eq!(html, render_html(&b.record()));
    for external in ["http://", "https://", "@import", "<link", "<iframe", "url("] {
        assert!(!html.contains(external), "{external} in the page");
    }
    // The only sources are the run directory's own plots, by relative name.
    let sources: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert_eq!(sources, crate::PLOT_FILES);
}

#[test]
fn a_clean_run_is_green_without_a_jump_link() {
    let sample = Sample::of(fixtures::clean());
    let mut record = sample.record();
    record.expected = None;
    let html = render_html(&record);
    assert!(html.contains("<header class=\"banner valid\">"));
    assert!(!html.contains("first-error"));
    assert!(html.contains("no expectation"));
}

#[test]
fn operations_table_is_capped_and_says_so() {
    let mut history = History::new();
    for i in 0..(MAX_OPERATION_ROWS as u64 + 5) {
        let mut e = Event::new(i, EventType::Invoke, "echo");
        e.process = Some(1);
        e.value = Some(Value::Str(format!("p1-{i}")));
        history.push(e.clone());
        e.ty = EventType::Ok;
        history.push(e);
    }
    let html = render_html(&Sample::of(history).record());
    assert_eq!(html.matches("<tr id=\"op-").count(), MAX_OPERATION_ROWS);
    assert!(html.contains(&format!(
        "Showing the first {MAX_OPERATION_ROWS} of {} operations",
        MAX_OPERATION_ROWS + 5
    )));
}

#[test]
fn a_long_connection_is_drawn_around_the_violation() {
    // 300 clean echoes on one connection, then one whose reply is its
    // predecessor's: the culprit and the bad reply must both be drawn.
    let c = "client-1/redis-1#1";
    let mut history = History::new();
    let mut push = |ty: EventType,
                    f: &str,
                    process: Option<u64>,
                    value: &str,
                    wire: Option<(u64, Option<u64>)>| {
        let mut e = Event::new(0, ty, f);
        e.process = process;
        e.value = Some(Value::Str(value.into()));
        if let Some((req, reply)) = wire {
            e.conn = Some(c.into());
            e.req = Some(req);
            e.reply = reply;
        }
        if ty == EventType::Ok {
            e.conn = Some(c.into());
        }
        history.push(e);
    };
    for req in 1..=300u64 {
        let payload = format!("p1-{req}");
        push(EventType::Invoke, "echo", Some(1), &payload, None);
        push(
            EventType::Send,
            "ECHO",
            Some(1),
            &payload,
            Some((req, None)),
        );
        if req == 300 {
            push(
                EventType::Recv,
                "reply",
                Some(1),
                "p1-299",
                Some((req, Some(299))),
            );
            push(EventType::Ok, "echo", Some(1), "p1-299", None);
        } else {
            push(
                EventType::Recv,
                "reply",
                Some(1),
                &payload,
                Some((req, Some(req))),
            );
            push(EventType::Ok, "echo", Some(1), &payload, None);
        }
    }
    let html = render_html(&Sample::of(history).record());
    assert!(html.contains("<tr id=\"v1-req-299\" class=\"culprit\">"));
    assert!(html.contains("href=\"#v1-req-299\">belongs to request #299"));
    assert!(html.contains("earlier events on this connection not shown"));
    assert!(
        !html.contains("id=\"v1-req-2\""),
        "the start of the connection is cut"
    );
}

/// The timeline's JSON block, parsed.
fn timeline_data(html: &str) -> serde_json::Value {
    let start = html.find("id=\"timeline-data\">").expect("timeline data") + 19;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("the timeline data is JSON")
}

#[test]
fn the_timeline_carries_every_operation_fault_and_mark() {
    let sample = Sample::of(rich(400));
    let html = render_html(&sample.record());
    let d = timeline_data(&html);
    assert_eq!(d["windowed"], false);
    assert_eq!(d["ops"].as_array().unwrap().len(), 400);
    assert_eq!(d["procs"], serde_json::json!([0, 1, 2, 3]));
    let faults = d["faults"].as_array().unwrap();
    assert_eq!(faults.len(), 2);
    assert_eq!(faults[0][2], "crash");
    assert_eq!(d["marks"].as_array().unwrap().len(), 1);
    // Outcomes: ok, fail and info all present.
    let outcomes: std::collections::BTreeSet<u64> = d["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[6].as_u64().unwrap())
        .collect();
    assert_eq!(outcomes, [0, 1, 2].into());
    assert!(!html.contains("class=\"windowed\""));
}

#[test]
fn a_long_run_is_drawn_in_windows_around_faults_and_says_so() {
    let ops = super::timeline::MAX_TIMELINE_OPS as u64 + 2_000;
    // Unchecked: the checkers take seconds here and the page needs none of
    // their findings.
    let sample = Sample::unchecked(rich(ops));
    let html = render_html(&sample.record());
    let d = timeline_data(&html);
    assert_eq!(d["windowed"], true);
    let drawn = d["ops"].as_array().unwrap().len();
    assert!(drawn <= super::timeline::MAX_TIMELINE_OPS, "{drawn}");
    assert!(drawn >= 2 * super::timeline::WINDOW_OPS, "{drawn}");
    let segments = d["segments"].as_array().unwrap();
    assert!(segments.len() > 1, "{segments:?}");
    // Every fault start is inside a window.
    for f in d["faults"].as_array().unwrap() {
        let start = f[0].as_u64().unwrap();
        assert!(
            segments
                .iter()
                .any(|s| s[0].as_u64().unwrap() <= start && start <= s[1].as_u64().unwrap()),
            "fault at {start} not drawn"
        );
    }
    assert!(html.contains(&format!("<b>This run has {ops} operations, more than")));
}

#[test]
fn an_invalid_linearizability_report_draws_the_partial_linearisation_and_the_stuck_read() {
    let sample = Sample::of(anarcho_checker::fixtures::stale_read(12));
    assert_eq!(sample.report.linearizability.invalid_partitions, 1);
    let html = render_html(&sample.record());
    // The banner's jump goes to the stuck operation, which exists.
    assert!(html.contains("<a class=\"jump\" href=\"#lin-1-stuck\">jump to first error"));
    assert!(html.contains("id=\"lin-1-stuck\""));
    assert_eq!(html.matches("id=\"lin-1-stuck\"").count(), 1);
    // One numbered point per step of the partial linearisation.
    let steps = sample.report.linearizability.failures[0]
        .counterexample
        .linearized
        .len();
    assert!(steps >= 12, "{steps}");
    assert_eq!(html.matches("<g class=\"pt\"").count(), steps);
    assert!(html.contains("state after: "), "model state on hover");
    // The unplaceable read is red, with the model's reason.
    assert!(html.contains("class=\"op cnp stuck\""));
    assert!(html.contains("<table class=\"cnp small\">"));
}

#[test]
fn an_info_write_the_server_executed_is_shown_as_taking_effect() {
    let sample = Sample::of(crate::server_side::tests::timed_out_write());
    let html = render_html(&sample.record());
    assert!(html.contains("a write took effect on redis-1"), "ops table");
    let d = timeline_data(&html);
    let op = &d["ops"][0];
    assert_eq!(op[6], 2, "info");
    assert_eq!(op[7], 1, "applied");
    let server = d["server"].as_array().unwrap();
    // The server row points at the operation's position (0) and says a
    // write took effect.
    assert!(server.iter().any(|g| g[3] == 0 && g[6] == 1), "{server:?}");
}

#[test]
fn rows_carry_the_filter_attributes_and_the_toolbar_lists_keys_and_processes() {
    let sample = Sample::of(rich(50));
    let html = render_html(&sample.record());
    assert!(html.contains("<select id=\"filter-key\"><option value=\"\">all</option><option>k0</option><option>k1</option><option>k2</option></select>"));
    assert!(html.contains(
        "<select id=\"filter-process\"><option value=\"\">all</option><option>0</option>"
    ));
    assert!(html.contains("data-key=\"k1\" data-process=\"1\""));
}
