//! report.html in a real browser (headless Chromium; `.ci/run` installs
//! Debian's `chromium`, and without it these tests print a SKIP notice).
//!
//! A copy of the report gets a small harness script appended; it inspects
//! the live page (layout, computed styles, the result of clicking links)
//! and writes what it saw as JSON into the DOM, which `--dump-dom` prints.
//! A second run takes a screenshot, saved in the run directory under
//! `target/tmp/browser/` for people to look at.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use anarcho_checker::{Verdict, check};
use anarcho_reports::{RunRecord, rerender, write_run};

use anarcho_checker::fixtures::stale_read;
use support::{chromium, harness_result, png_colours, run_chromium};

/// Where this test's run directories go: `target/tmp/browser/<name>/<pid>/`,
/// kept after the test so the screenshots can be looked at. Per process,
/// because two `cargo test` runs on one target directory may overlap;
/// directories of processes that are gone are removed.
fn out_dir(name: &str) -> PathBuf {
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser")
        .join(name);
    if let Ok(entries) = fs::read_dir(&parent) {
        for e in entries.flatten() {
            let pid = e.file_name().to_string_lossy().into_owned();
            let alive = Path::new("/proc").join(&pid).exists();
            if pid.parse::<u32>().is_ok() && !alive && Path::new("/proc/self").exists() {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    let dir = parent.join(std::process::id().to_string());
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn find_chromium() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        eprintln!(
            "SKIP: chromium not found (install Debian's chromium, or set ANARCHO_CHROMIUM); \
             the browser test of report.html did not run"
        );
    }
    found
}

/// Writes `report.html` plus `harness` as `browser-test.html` next to it.
fn harness_page(run_dir: &Path, harness: &str) -> String {
    let html = fs::read_to_string(run_dir.join("report.html")).unwrap();
    let page = run_dir.join("browser-test.html");
    fs::write(
        &page,
        format!("{html}<script>\n{HELPERS}\n{harness}\n</script>\n"),
    )
    .unwrap();
    format!("file://{}", page.display())
}

/// Functions every harness uses: `info(el)` describes an element's box and
/// visibility, `report(obj)` writes the result into the DOM.
const HELPERS: &str = r#"
function info(el) {
  if (!el) return null;
  var r = el.getBoundingClientRect(), cs = getComputedStyle(el);
  return { text: el.textContent, tip: el.getAttribute("data-tip"), top: r.top, bottom: r.bottom, left: r.left, right: r.right,
    visible: cs.visibility === "visible" && cs.display !== "none" && r.width > 0 && r.height > 0,
    inViewport: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth };
}
function report(obj) {
  obj.viewport = { width: innerWidth, height: innerHeight, scrollY: scrollY };
  var pre = document.createElement("pre");
  pre.id = "browser-test";
  pre.textContent = JSON.stringify(obj);
  document.body.appendChild(pre);
}
"#;

fn take_screenshot(chromium: &Path, run_dir: &Path, url: &str, size: (u32, u32)) -> PathBuf {
    let shot = run_dir.join("browser-screenshot.png");
    run_chromium(
        chromium,
        &run_dir.join(".chromium-profile-shot"),
        size,
        &[format!("--screenshot={}", shot.display())],
        url,
    )
    .unwrap();
    let bytes = fs::read(&shot).expect("a screenshot was written");
    let (w, h, colours) = png_colours(&bytes);
    assert_eq!((w, h), size, "screenshot size");
    assert!(
        colours > 100,
        "the screenshot is nearly blank ({colours} colours)"
    );
    shot
}

#[test]
fn issue_1113_report_shows_the_misattributed_echo_and_its_true_request_in_a_browser() {
    let Some(chromium) = find_chromium() else {
        return;
    };
    // A real run's files, rendered again as `anarcho report` does.
    let run_dir = out_dir("issue-1113");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/issue-1113");
    for f in ["results.json", "history.jsonl"] {
        fs::copy(fixtures.join(f), run_dir.join(f)).unwrap();
    }
    let run = rerender(&run_dir).unwrap();
    assert_eq!(run.results.verdict, Verdict::Invalid);

    // On the first screen, without scrolling: the violation, the ECHO's
    // reply row (red) and the READONLY it belonged to (amber).
    let url = harness_page(
        &run_dir,
        r##"window.addEventListener("load", function () { setTimeout(function () {
  var out = {
    summary: info(document.querySelector("#first-error h3")),
    bad: info(document.querySelector("#first-error tr.bad")),
    culprit: info(document.querySelector("#first-error tr.culprit")),
    own: info(document.querySelector("#first-error tr.own"))
  };
  var link = document.querySelector("#first-error a.belongs");
  out.link = link ? link.getAttribute("href") : null;
  out.linkTarget = link ? info(document.getElementById(link.getAttribute("href").slice(1))) : null;
  if (location.search === "?screenshot") { report(out); return; }
  // The timeline drew bars; hovering one shows its tooltip.
  var bars = document.querySelectorAll("#tl-svg rect.op");
  out.timelineBars = bars.length;
  var bar = bars[0], r = bar.getBoundingClientRect();
  bar.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: r.left + 1, clientY: r.top + 1 }));
  var tip = document.getElementById("tip");
  out.tip = tip.hidden ? null : tip.textContent;
  // Filter by process 0: rows of other processes hide, the timeline keeps
  // one process lane.
  var select = document.getElementById("filter-process");
  select.value = "0";
  select.dispatchEvent(new Event("change"));
  var rows = document.querySelectorAll("table.ops tbody tr");
  var shown = Array.prototype.filter.call(rows, function (r) { return getComputedStyle(r).display !== "none"; });
  out.rows = rows.length;
  out.shownRows = shown.length;
  out.shownProcesses = Array.from(new Set(shown.map(function (r) { return r.getAttribute("data-process"); })));
  out.firstErrorHidden = getComputedStyle(document.getElementById("first-error")).display === "none";
  out.laneLabels = Array.prototype.map.call(document.querySelectorAll("#tl-svg text.label"), function (t) { return t.textContent; });
  out.filterNote = document.getElementById("filter-note").textContent;
  report(out);
}, 300); });"##,
    );
    let size = (1280, 1200);
    let dom = run_chromium(
        &chromium,
        &run_dir.join(".chromium-profile"),
        size,
        &["--dump-dom".into()],
        &url,
    )
    .unwrap();
    let r = harness_result(&dom);
    let text = |k: &str| r[k]["text"].as_str().unwrap_or_default().to_string();
    assert!(
        text("summary").contains(r#"ECHO "e-1-0" returned "OK" (the reply to READONLY #2"#),
        "{r}"
    );
    for row in ["summary", "bad", "culprit", "own"] {
        assert_eq!(r[row]["visible"], true, "{row} not visible: {r}");
        assert_eq!(
            r[row]["inViewport"], true,
            "{row} not on the first screen: {r}"
        );
    }
    // The misattributed reply: "OK", read by the ECHO's request, linked to
    // the request it answered.
    assert!(text("bad").contains("\"OK\""), "{r}");
    assert!(text("bad").contains("belongs to request #3"), "{r}");
    // Its true request: the second READONLY, whose reply fake-redis sent.
    assert!(text("culprit").contains("READONLY"), "{r}");
    assert!(
        text("culprit").contains("its reply was taken by request #4"),
        "{r}"
    );
    assert!(text("own").contains("ECHO \"e-1-0\""), "{r}");
    assert_eq!(r["link"], "#v1-req-3");
    assert!(
        r["linkTarget"]["text"]
            .as_str()
            .unwrap()
            .contains("READONLY"),
        "{r}"
    );
    // The timeline and its tooltips.
    assert!(r["timelineBars"].as_u64().unwrap() > 10, "{r}");
    assert!(r["tip"].as_str().is_some_and(|t| t.contains(" → ")), "{r}");
    // The process filter: only process 0's operations stay; the first
    // violation (process 1's ECHO) hides; the timeline keeps one client lane.
    let shown = r["shownRows"].as_u64().unwrap();
    assert!(shown > 0 && shown < r["rows"].as_u64().unwrap(), "{r}");
    assert_eq!(r["shownProcesses"], serde_json::json!(["0"]), "{r}");
    assert_eq!(r["firstErrorHidden"], true, "{r}");
    let lanes: Vec<&str> = r["laneLabels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(lanes, ["p0", "redis-1"], "{r}");
    assert!(r["filterNote"].as_str().unwrap().contains("hidden"), "{r}");

    let shot = take_screenshot(&chromium, &run_dir, &format!("{url}?screenshot"), size);
    eprintln!("screenshot: {}", shot.display());
    let _ = fs::remove_file(run_dir.join("browser-test.html"));
}

#[test]
fn jump_to_first_error_scrolls_to_the_unplaceable_operation_in_a_browser() {
    let Some(chromium) = find_chromium() else {
        return;
    };
    // 60 sequential writes, then a read of the first value: the longest
    // partial linearisation has 60 steps, so the view is far wider than
    // the window and the stuck read sits at its right end.
    let history = stale_read(60);
    let report = check(&history);
    assert_eq!(report.verdict, Verdict::Invalid);
    let out = out_dir("stale-read");
    let record = RunRecord {
        scenario_name: "stale-read",
        scenario_file: None,
        scenario_text: "# a hand-built history: 60 writes, then a stale read\n",
        seed: 1,
        expected: Some(Verdict::Invalid),
        history: &history,
        report: &report,
        tool_version: "test",
        replay_command: "cargo test -p anarcho-reports --test browser".into(),
    };
    let run_dir = write_run(&out, &record).unwrap();

    // Click the view's "jump to first error", then the banner's; each time
    // the stuck read must end up inside both the window and its scrolled
    // view. With `?screenshot` the window is scrolled back to the top at
    // the end (headless screenshots of a scrolled window come out blank),
    // leaving the view scrolled to the stuck read.
    let url = harness_page(
        &run_dir,
        r##"function where() {
  var stuck = document.getElementById("lin-1-stuck");
  var box = stuck.closest(".lin-scroll");
  var s = stuck.getBoundingClientRect(), b = box.getBoundingClientRect();
  return { stuck: info(stuck), boxScrollLeft: box.scrollLeft, scrollY: scrollY,
    inView: s.left >= b.left && s.right <= b.right && s.top >= 0 && s.bottom <= innerHeight };
}
window.addEventListener("load", function () { setTimeout(function () {
  var out = { before: where() };
  document.querySelector("#lin-1 a.jump").click();
  setTimeout(function () {
    out.afterViewLink = where();
    out.jumped = document.documentElement.getAttribute("data-jumped");
    window.scrollTo(0, 0);
    document.querySelector(".lin-scroll").scrollLeft = 0;
    out.reset = where();
    document.querySelector("header a.jump").click();
    setTimeout(function () {
      out.afterBannerLink = where();
      out.bannerHref = document.querySelector("header a.jump").getAttribute("href");
      if (location.search === "?screenshot") window.scrollTo(0, 0);
      report(out);
    }, 300);
  }, 300);
}, 300); });"##,
    );
    let size = (1280, 700);
    let dom = run_chromium(
        &chromium,
        &run_dir.join(".chromium-profile"),
        size,
        &["--dump-dom".into()],
        &url,
    )
    .unwrap();
    let r = harness_result(&dom);
    assert_eq!(
        r["before"]["inView"], false,
        "the stuck read starts out of view: {r}"
    );
    assert_eq!(r["reset"]["inView"], false, "{r}");
    for after in ["afterViewLink", "afterBannerLink"] {
        assert_eq!(r[after]["inView"], true, "{after}: {r}");
        assert_eq!(r[after]["stuck"]["visible"], true, "{after}: {r}");
        assert!(
            r[after]["boxScrollLeft"].as_f64().unwrap() > 0.0,
            "{after}: {r}"
        );
    }
    assert_eq!(r["jumped"], "lin-1-stuck");
    assert_eq!(r["bannerHref"], "#lin-1-stuck");
    assert!(
        r["afterViewLink"]["stuck"]["tip"]
            .as_str()
            .unwrap()
            .contains("get x → ok \"v0\""),
        "the stuck operation is the read: {r}"
    );

    let shot = take_screenshot(
        &chromium,
        &run_dir,
        &format!("{url}?screenshot"),
        (1280, 1000),
    );
    eprintln!("screenshot: {}", shot.display());
    let _ = fs::remove_file(run_dir.join("browser-test.html"));
}
