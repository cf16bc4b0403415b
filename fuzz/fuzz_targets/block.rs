//! The block reading of a document against the YAML reading: wherever the block reader
//! takes a text (see `src/yaml/block_text.rs`), the YAML parser reads it to the same
//! tree, node for node and span for span, or to the same error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((block, yaml)) = kube_secctx::yaml::block_and_yaml_readings(text) {
        assert_eq!(block, yaml, "{text:?}");
    }
});
