//! Every file in `testdata/VERDICTS.tsv` gets its expected verdict, with
//! the format and model chosen the way `anarcho check` chooses them (from
//! the file, with no flags), and the model named in the TSV.

use std::path::{Path, PathBuf};

use anarcho_checker::{CheckOptions, Format, ModelKind, Verdict, check_with, import};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// (file, model, expected verdict) for every row of VERDICTS.tsv.
fn rows() -> Vec<(String, String, Verdict)> {
    let tsv = std::fs::read_to_string(testdata().join("VERDICTS.tsv")).unwrap();
    let mut rows = Vec::new();
    for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let expected = match cols[2] {
            "valid" => Verdict::Valid,
            "invalid" => Verdict::Invalid,
            other => panic!("unexpected verdict {other:?} in {line:?}"),
        };
        rows.push((cols[0].to_string(), cols[1].to_string(), expected));
    }
    rows
}

#[test]
fn every_file_in_verdicts_tsv_gets_its_expected_verdict() {
    let rows = rows();
    assert_eq!(rows.len(), 230, "VERDICTS.tsv lists 230 files");
    let mut wrong = Vec::new();
    for (file, model, expected) in &rows {
        let path = testdata().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let format = Format::detect(Some(&path), &text);
        let history = import(format, &text).unwrap_or_else(|e| panic!("{file}:{e}"));
        let chosen = format.model().or_else(|| ModelKind::detect(&history));
        let options = CheckOptions {
            model: chosen,
            ..Default::default()
        };
        let report = check_with(&history, &options);
        // A history of nemesis events only has nothing to check: no model.
        let nothing_to_check =
            report.linearizability.model == "none" && report.linearizability.operations == 0;
        let model_ok = report.linearizability.model == *model || nothing_to_check;
        if !model_ok || report.verdict != *expected {
            wrong.push(format!(
                "{file}: {} with model {} (expected {expected} with {model}){}",
                report.verdict,
                report.linearizability.model,
                report
                    .linearizability
                    .unknowns
                    .first()
                    .map(|u| format!(": {}", u.reason))
                    .unwrap_or_default()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_invalid_file_comes_with_a_counterexample_in_words() {
    for (file, _, expected) in rows() {
        if expected != Verdict::Invalid || file.contains("c50") {
            continue;
        }
        let path = testdata().join(&file);
        let text = std::fs::read_to_string(&path).unwrap();
        let format = Format::detect(Some(&path), &text);
        let history = import(format, &text).unwrap();
        let options = CheckOptions {
            model: format.model(),
            ..Default::default()
        };
        let lin = check_with(&history, &options).linearizability;
        let failure = lin
            .failures
            .first()
            .unwrap_or_else(|| panic!("{file}: no failure"));
        let cx = &failure.counterexample;
        assert!(!cx.could_not_place.is_empty(), "{file}");
        assert_eq!(cx.could_not_place[0].op, cx.stuck, "{file}");
        assert!(
            cx.explanation.starts_with("No order of these"),
            "{file}: {}",
            cx.explanation
        );
    }
}
