//! The checker's speed goals (issue 6), measured with criterion:
//!
//! - `etcd_all_102`: all 102 Jepsen etcd histories, one after another
//!   (Porcupine: ≈ 290 ms on this machine kind; goal ≤ 145 ms);
//! - `c50_ok` / `c50_bad`: Porcupine's 50-client kv histories (Porcupine:
//!   ≈ 95 ms / ≈ 10 ms; goal for c50-ok ≤ 45 ms; c50-bad includes building
//!   the counterexample, goal ≤ 1 s);
//! - `kv_1m`: a synthetic linearizable kv history of 1,000,000 operations
//!   over 10,000 keys by 100 processes (goal ≤ 10 s);
//! - `register_1000`: a synthetic 1,000-operation cas-register history by
//!   10 concurrent processes, 1% of writes indeterminate.
//!
//! Each measures the linearizability check alone (the part Porcupine does),
//! on histories parsed or generated beforehand; `c50_ok_full_report` runs
//! every checker. Peak memory is measured separately (see BENCHMARKS.md).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anarcho_checker::models::{CasRegisterModel, KvModel};
use anarcho_checker::synthetic::Synthetic;
use anarcho_checker::{
    Budget, CheckOptions, Format, History, ModelKind, Verdict, check_recorded, check_with, import,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

fn load(rel: &str) -> History {
    let path = testdata().join(rel);
    let text = std::fs::read_to_string(&path).expect("test data is in the repository");
    import(Format::detect(Some(&path), &text), &text).expect("test data parses")
}

fn etcd(c: &mut Criterion) {
    let histories: Vec<History> = (0..=102)
        .filter(|n| *n != 95) // Porcupine's corpus has no etcd_095.log
        .map(|n| load(&format!("porcupine/jepsen/etcd_{n:03}.log")))
        .collect();
    assert_eq!(histories.len(), 102);
    let budget = Budget::default();
    c.bench_function("etcd_all_102", |b| {
        b.iter(|| {
            for h in &histories {
                black_box(ModelKind::EtcdCasRegister.check(h, &budget));
            }
        })
    });
}

fn kv_files(c: &mut Criterion) {
    let ok = load("porcupine/kv/c50-ok.txt");
    let bad = load("porcupine/kv/c50-bad.txt");
    let budget = Budget::default();
    assert_eq!(ModelKind::Kv.check(&ok, &budget).verdict, Verdict::Valid);
    let report = ModelKind::Kv.check(&bad, &budget);
    assert_eq!(report.verdict, Verdict::Invalid);
    assert!(!report.failures.is_empty(), "a counterexample");
    c.bench_function("c50_ok", |b| {
        b.iter(|| black_box(ModelKind::Kv.check(&ok, &budget)))
    });
    let one_thread = Budget {
        threads: Some(1),
        ..Budget::default()
    };
    c.bench_function("c50_ok_1_thread", |b| {
        b.iter(|| black_box(ModelKind::Kv.check(&ok, &one_thread)))
    });
    c.bench_function("c50_bad", |b| {
        b.iter(|| black_box(ModelKind::Kv.check(&bad, &budget)))
    });
    let options = CheckOptions {
        model: Some(ModelKind::Kv),
        ..CheckOptions::default()
    };
    c.bench_function("c50_ok_full_report", |b| {
        b.iter(|| black_box(check_with(&ok, &options)))
    });
}

fn synthetic(c: &mut Criterion) {
    let register = Synthetic::register(1_000, 10, 10, 1);
    let recorded = register.recorded();
    let budget = Budget::default();
    let model = CasRegisterModel::knossos();
    assert_eq!(
        check_recorded(&model, &recorded, &budget).verdict,
        Verdict::Valid
    );
    c.bench_function("register_1000", |b| {
        b.iter(|| black_box(check_recorded(&model, &recorded, &budget)))
    });

    let kv = Synthetic::kv(1_000_000, 10_000, 100, 1);
    let recorded = kv.recorded();
    let mut group = c.benchmark_group("large");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    group.bench_function("kv_1m", |b| {
        b.iter(|| {
            let report = check_recorded(&KvModel, &recorded, &budget);
            assert_eq!(report.verdict, Verdict::Valid);
            black_box(report)
        })
    });
    group.finish();
}

criterion_group!(benches, etcd, kv_files, synthetic);
criterion_main!(benches);
