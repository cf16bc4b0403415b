//! The block reading of a document against the YAML reading: wherever the block reader
//! takes a text (see `src/yaml/block_text/`), the YAML parser reads it to the same
//! tree, node for node and span for span, or to the same error. Mutated as the `check`
//! target is: half the time by libFuzzer, half the time by the YAML-aware mutator.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Each document as the checker cuts the stream, and the whole text as one.
    let split = kube_secctx::yaml::split_stream(text, &kube_secctx::yaml::Limits::default());
    let documents = (0..split.len()).filter_map(|i| split.span(i));
    for doc in documents
        .filter_map(|s| text.get(s.start..s.end))
        .chain([text])
    {
        if let Some((block, yaml)) = kube_secctx::yaml::block_and_yaml_readings(doc) {
            assert_eq!(block, yaml, "{doc:?}");
        }
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    kube_secctx_fuzz::mutate::yaml(data, size, max_size, seed)
});
