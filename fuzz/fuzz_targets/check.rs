//! `check` on bytes as a file is read: every profile's report is sane, and rendering it
//! in every format completes (see `kube_secctx_fuzz::assert_report_sane`); and the same
//! bytes checked as units of one document each (`Checker::check_all_with`, what
//! `check --threads N` runs; two threads for one input in eight) give the same report;
//! and the checker's skimming reading gives what the full reading gives.
#![no_main]

use kube_secctx::engine::{decode, Input, Parallel};
use kube_secctx::{Checker, Level, Options};
use libfuzzer_sys::{fuzz_mutator, fuzz_target};

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        // The first byte picks the profile, so both run over the corpus.
        level: match data.first() {
            Some(b) if b % 3 == 1 => Some(Level::Baseline),
            Some(b) if b % 3 == 2 => Some(Level::Restricted),
            _ => None,
        },
        ..Options::default()
    };
    let Ok(mut checker) = Checker::new(&opts) else {
        return;
    };
    checker.check_bytes("fuzz.yaml", data);
    let report = checker.finish();
    if let Ok(mut units) = Checker::new(&opts) {
        let decoded = decode(data);
        let input = Input {
            name: "fuzz.yaml",
            decoded: &decoded,
            ignore: &[],
        };
        let threads = if data.first().is_some_and(|b| b % 8 == 3) { 2 } else { 1 };
        let parallel = Parallel {
            threads,
            unit_bytes: 1,
        };
        let (mut findings, mut suppressed, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        units.check_all_with(&[input], parallel, &mut |_, batch| {
            findings.extend(batch.findings);
            suppressed.extend(batch.suppressed);
            errors.extend(batch.errors);
        });
        let got = units.finish();
        let why = format!("one document per unit, {threads} threads");
        assert_eq!(findings, report.findings, "{why}");
        assert_eq!(suppressed, report.suppressed, "{why}");
        assert_eq!(errors, report.errors, "{why}");
        assert_eq!(got.summary, report.summary, "{why}");
    }
    // The checker's skimming reading gives what the full reading gives (issue 16).
    let text = decode(data).text;
    let (full, skimmed, _) =
        kube_secctx::yaml::skim_and_full_readings(&text, kube_secctx::workload::skimmable);
    assert_eq!(full, skimmed, "skimming");
    let sarif = data.first().is_some_and(|b| b % 16 == 0);
    kube_secctx_fuzz::assert_report_sane(&decode(data).text, &report, sarif);
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    kube_secctx_fuzz::mutate::yaml(data, size, max_size, seed)
});
