//! Every scenario file is a test: `scenarios/<name>.toml` becomes the test
//! `<name>`, which runs the scenario over the seeds in its `[expect]` section
//! and asserts the expected verdict. Adding a file adds a test.
//!
//! `cargo test -p anarcho-sim --test scenarios -- nemesis` runs a subset by
//! name, as usual.

mod support;

use libtest_mimic::{Arguments, Failed, Trial};

use anarcho_sim::Scenario;

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let trials = support::scenario_files()
        .into_iter()
        .map(|file| {
            let name = file.file_stem().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || check(&file))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}

fn check(file: &std::path::Path) -> Result<(), Failed> {
    let scenario = Scenario::from_file(file).map_err(|e| e.to_string())?;
    let expected = scenario
        .expect
        .verdict
        .ok_or_else(|| format!("{}: [expect] verdict is required", file.display()))?;
    for seed in scenario.expected_seeds() {
        let outcome = scenario
            .run(seed)
            .map_err(|e| format!("seed {seed}: {e}"))?;
        let unmet = scenario.unmet_expectations(&outcome);
        if !unmet.is_empty() {
            let mut why: Vec<String> = unmet;
            why.extend(
                outcome
                    .report
                    .attribution
                    .violations
                    .iter()
                    .take(3)
                    .map(|v| v.summary.clone()),
            );
            why.push(format!("replay: {}", scenario.replay_command(seed)));
            return Err(
                format!("seed {seed} (expected {expected}):\n  {}", why.join("\n  ")).into(),
            );
        }
    }
    Ok(())
}
