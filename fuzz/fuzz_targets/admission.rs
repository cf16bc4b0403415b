//! The admission entry points on arbitrary payloads: Kubewarden's `validate` and
//! `validate_settings`, and the OPA entrypoints, always answer with JSON (never a panic).
#![no_main]

use kube_secctx::admission::{
    kubewarden_validate, kubewarden_validate_settings, opa_evaluate, Entrypoint,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for answer in [
        kubewarden_validate(data),
        kubewarden_validate_settings(data),
        opa_evaluate(Entrypoint::Violation, data, b""),
        opa_evaluate(Entrypoint::Response, data, b"{\"level\": \"baseline\"}"),
    ] {
        assert!(
            serde_json::from_str::<serde_json::Value>(&answer).is_ok(),
            "not JSON: {answer}"
        );
    }
});
