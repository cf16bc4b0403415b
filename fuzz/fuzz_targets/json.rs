//! The JSON reading of a document against the YAML reading: wherever the YAML parser
//! reads a text that the JSON scanner takes, both give the same tree, node for node and
//! span for span. (Where the YAML parser fails, the JSON reading may succeed: JSON's
//! surrogate-pair escapes are not YAML's.)
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((Ok(json), Ok(yaml))) = kube_secctx::yaml::json_and_yaml_readings(text) {
        assert_eq!(json, yaml, "{text:?}");
    }
});
