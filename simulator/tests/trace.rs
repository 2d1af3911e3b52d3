//! `anarcho run --trace`: turmoil's packet trace lands in the run directory,
//! stamped with simulated time, and is byte-identical across processes.

use std::path::PathBuf;
use std::process::Command;

fn traced_run(out: &std::path::Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_anarcho"))
        .args([
            "run",
            "scenarios/issue-1113.toml",
            "--seed",
            "2",
            "--trace",
            "--out",
        ])
        .arg(out)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = out.join("issue-1113/2");
    assert!(dir.join("results.json").is_file());
    std::fs::read_to_string(dir.join("trace.log")).unwrap()
}

#[test]
fn trace_is_turmoils_packet_log_on_the_simulated_clock_and_deterministic() {
    let root = std::env::temp_dir().join(format!("anarcho-trace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let a = traced_run(&root.join("a"));
    let b = traced_run(&root.join("b"));
    let _ = std::fs::remove_dir_all(&root);
    assert!(a == b, "trace.log differs between two processes");
    assert!(a.contains("New nodename=\"redis-1\""), "{a}");
    assert!(
        a.contains("node{name=\"client-1\"}: Send "),
        "host spans and sends"
    );
    assert!(a.contains("Delivered "), "deliveries");
    assert!(a.contains("protocol=TCP SYN"), "segments");
    assert!(!a.contains("step "), "per-tick lines are left out");
    for line in a.lines() {
        let stamp = line.split_whitespace().next().unwrap();
        let secs = stamp
            .strip_suffix('s')
            .unwrap_or_else(|| panic!("no time: {line}"));
        let secs: f64 = secs.parse().unwrap_or_else(|_| panic!("bad time: {line}"));
        assert!(secs < 120.0, "simulated, not wall-clock, time: {line}");
    }
}
