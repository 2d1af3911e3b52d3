//! Shared by the integration tests and the render benchmark: a headless
//! Chromium runner and generated histories.
#![allow(dead_code)] // each test binary uses a part

pub mod big_run;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium binary: `$ANARCHO_CHROMIUM`, else the first of the usual
/// names on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ANARCHO_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs headless Chromium on `url` with `extra` arguments (`--dump-dom`,
/// `--screenshot=...`) in a `width` × `height` window, with a fresh profile
/// under `profile`, and returns its standard output. Killed after a
/// minute.
pub fn run_chromium(
    chromium: &Path,
    profile: &Path,
    (width, height): (u32, u32),
    extra: &[String],
    url: &str,
) -> Result<String, String> {
    let _ = std::fs::remove_dir_all(profile);
    std::fs::create_dir_all(profile).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(format!("--window-size={width},{height}"))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", chromium.display()))?;
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stdout }, &mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(_) => break,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("chromium did not finish within a minute".into());
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let _ = std::fs::remove_dir_all(profile);
    reader.join().map_err(|_| "reader panicked".to_string())
}

/// The JSON a harness script left in `<pre id="browser-test">` of a
/// `--dump-dom` output.
pub fn harness_result(dom: &str) -> serde_json::Value {
    let start = dom.find("<pre id=\"browser-test\">").unwrap_or_else(|| {
        panic!(
            "no harness result in the DOM:\n{}",
            &dom[..dom.len().min(2000)]
        )
    }) + "<pre id=\"browser-test\">".len();
    let end = start + dom[start..].find("</pre>").expect("closed");
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Decodes a PNG and counts its distinct colours.
pub fn png_colours(bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    buf.truncate(info.buffer_size());
    let bpp = info.color_type.samples() * usize::from(info.bit_depth as u8).div_ceil(8);
    let colours: std::collections::BTreeSet<&[u8]> = buf.chunks(bpp).collect();
    (info.width, info.height, colours.len())
}
