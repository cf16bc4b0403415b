//! Fixes on any input: with every fix (safe and unsafe) applied, the fix property holds
//! (see `kube_secctx_fuzz::assert_fix_property`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    kube_secctx_fuzz::assert_fix_property(text);
});
