//! `check` on bytes as a file is read: every profile's report is sane, and rendering it
//! in every format completes (see `kube_secctx_fuzz::assert_report_sane`).
#![no_main]

use kube_secctx::engine::decode;
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
    let sarif = data.first().is_some_and(|b| b % 16 == 0);
    kube_secctx_fuzz::assert_report_sane(&decode(data).text, &report, sarif);
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    kube_secctx_fuzz::mutate::yaml(data, size, max_size, seed)
});
