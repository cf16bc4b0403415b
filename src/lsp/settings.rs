//! The server's settings: what to check, from `initializationOptions` and
//! `workspace/didChangeConfiguration` (or `workspace/configuration`, section
//! `kube-secctx`).

use serde_json::{Map, Value};

use crate::options::{KubeVersion, Level, Options, PssVersion};

/// What the server checks. The JSON shape (every key optional; the same names as the JS
/// API's `check` options):
///
/// ```json
/// { "level": "baseline" | "restricted" | null, "pssVersion": "latest" | "v1.N",
///   "kubeVersion": "latest" | "v1.N" | "v1.N.P",
///   "select": ["rule-id", ...], "ignore": ["rule-id", ...] }
/// ```
///
/// `kubeVersion` is the cluster's Kubernetes version, which decides which API fields
/// exist (`unknown-field`; the configuration file's `kubernetesVersion`); it is not the
/// Pod Security Standards version (`pssVersion`). `null` is `latest`.
///
/// `select` and `ignore` also take one comma-separated string. The object may also be
/// nested under a `kube-secctx` key (the usual `settings` shape of editors). Each key
/// given (`null` and `[]` included) overrides the document's configuration file
/// (`.kube-secctx.yaml`); the keys not given come from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `Some(level)`: the Pod Security Standards at that level and the input diagnostics
    /// (no hardening rules; see [`Options::level`]); `None`: the default profile (PSS
    /// restricted, every hardening rule and input diagnostic).
    pub level: Option<Level>,
    /// The Pod Security Standards version.
    pub pss_version: PssVersion,
    /// The Kubernetes version whose API fields exist (`unknown-field`).
    pub kube_version: KubeVersion,
    /// Only these rule IDs (empty = all).
    pub select: Vec<String>,
    /// Never these rule IDs.
    pub ignore: Vec<String>,
}

impl Settings {
    /// These settings with the keys given in `value` replaced (keys not given are kept).
    /// `null` and `{}` change nothing.
    ///
    /// # Errors
    /// A sentence naming the key and what it takes, for a value of the wrong type, a bad
    /// level or version, an unknown rule ID or an unknown key; `self` is then unchanged.
    pub fn merged(&self, value: &Value) -> Result<Settings, String> {
        let (map, whole) = match value {
            Value::Null => return Ok(self.clone()),
            Value::Object(m) => match section(m) {
                Section::Ours(m) => (m, false),
                Section::Empty => return Ok(self.clone()),
                Section::Whole(m) => (m, true),
            },
            other => {
                return Err(format!(
                    "settings must be an object with any of level, pssVersion, \
                     kubeVersion, select, ignore, got {other}"
                ))
            }
        };
        let mut out = self.clone();
        for (key, v) in map {
            match key.as_str() {
                "level" => {
                    out.level = match v {
                        Value::Null => None,
                        Value::String(s) if s == "default" => None,
                        Value::String(s) => Some(
                            s.parse::<Level>()
                                .map_err(|e| format!("setting level: {e} (or null)"))?,
                        ),
                        other => {
                            return Err(format!(
                                "setting level: expected \"baseline\", \"restricted\" or null, \
                                 got {other}"
                            ))
                        }
                    }
                }
                "pssVersion" => {
                    out.pss_version = match v {
                        Value::Null => PssVersion::Latest,
                        Value::String(s) => s
                            .parse::<PssVersion>()
                            .map_err(|e| format!("setting pssVersion: {e}"))?,
                        other => {
                            return Err(format!(
                                "setting pssVersion: expected \"latest\" or \"v1.N\", got {other}"
                            ))
                        }
                    }
                }
                "kubeVersion" => {
                    out.kube_version = match v {
                        Value::Null => KubeVersion::Latest,
                        Value::String(s) => s
                            .parse::<KubeVersion>()
                            .map_err(|e| format!("setting kubeVersion: {e}"))?,
                        other => {
                            return Err(format!(
                                "setting kubeVersion: expected {}, got {other}",
                                crate::OptionsError::KubeVersion(String::new()).expected()
                            ))
                        }
                    }
                }
                "select" => out.select = rule_ids("select", v)?,
                "ignore" => out.ignore = rule_ids("ignore", v)?,
                // Another tool's section, beside ours in an editor's whole settings.
                _ if whole && v.is_object() => {}
                other => {
                    return Err(format!(
                        "unknown setting {other:?}: the settings are level, pssVersion, \
                         kubeVersion, select, ignore"
                    ))
                }
            }
        }
        out.options()
            .validate()
            .map_err(|e| format!("settings: {e}"))?;
        Ok(out)
    }

    /// The core's options for these settings.
    pub fn options(&self) -> Options {
        Options {
            level: self.level,
            pss_version: self.pss_version,
            kube_version: self.kube_version,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            ..Options::default()
        }
    }
}

/// The settings object itself, or the one under a `kube-secctx` key.
fn section(m: &Map<String, Value>) -> Section<'_> {
    for key in SECTIONS {
        match m.get(key) {
            Some(Value::Object(inner)) => return Section::Ours(inner),
            Some(Value::Null) => return Section::Empty,
            _ => {}
        }
    }
    Section::Whole(m)
}

/// The names of our section in an editor's settings.
const SECTIONS: [&str; 3] = ["kube-secctx", "kubeSecctx", "kube_secctx"];

/// Where the settings are in what the client sent.
enum Section<'v> {
    /// Under our key.
    Ours(&'v Map<String, Value>),
    /// Our key, set to `null`: no settings.
    Empty,
    /// The object itself: our keys, and perhaps other tools' sections (objects), which
    /// an editor that sends all its settings includes.
    Whole(&'v Map<String, Value>),
}

/// A list of rule IDs: an array of strings or one comma-separated string (trimmed, empty
/// entries dropped, as the CLI reads `--select a,,b`).
fn rule_ids(key: &str, v: &Value) -> Result<Vec<String>, String> {
    let split = |s: &str| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect::<Vec<_>>()
    };
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(split(s)),
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::String(s) => out.extend(split(s)),
                    other => {
                        return Err(format!(
                            "setting {key}: expected rule IDs (strings), got {other}"
                        ))
                    }
                }
            }
            Ok(out)
        }
        other => Err(format!(
            "setting {key}: expected an array of rule IDs, got {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_keys_and_nested_section() {
        let s = Settings::default()
            .merged(
                &json!({"level": "baseline", "select": "host-namespaces, privileged-container"}),
            )
            .unwrap();
        assert_eq!(s.level, Some(Level::Baseline));
        assert_eq!(s.select, ["host-namespaces", "privileged-container"]);
        let t = s
            .merged(&json!({"kube-secctx": {"pssVersion": "v1.25"}}))
            .unwrap();
        assert_eq!(t.level, Some(Level::Baseline));
        assert_eq!(t.pss_version, PssVersion::V1(25));
        assert_eq!(t.kube_version, KubeVersion::Latest);
        let k = t.merged(&json!({"kubeVersion": "v1.29.3"})).unwrap();
        assert_eq!(k.kube_version, KubeVersion::V1(29));
        assert_eq!(k.options().kube_version, KubeVersion::V1(29));
        // Not the PSS version, and back to the default with `null`.
        assert_eq!(k.pss_version, PssVersion::V1(25));
        assert_eq!(
            k.merged(&json!({"kubeVersion": null}))
                .unwrap()
                .kube_version,
            KubeVersion::Latest
        );
        assert_eq!(t.merged(&json!({})).unwrap(), t);
        assert_eq!(t.merged(&Value::Null).unwrap(), t);
        assert_eq!(t.merged(&json!({"level": null})).unwrap().level, None);
    }

    #[test]
    fn bad_values_name_the_key() {
        let d = Settings::default();
        let e = d.merged(&json!({"level": "strict"})).unwrap_err();
        assert!(
            e.starts_with("setting level: invalid level \"strict\""),
            "{e}"
        );
        let e = d.merged(&json!({"ignore": ["no-such-rule"]})).unwrap_err();
        assert!(e.contains("unknown rule \"no-such-rule\" in ignore"), "{e}");
        let e = d.merged(&json!({"levle": "baseline"})).unwrap_err();
        assert!(e.contains("unknown setting \"levle\""), "{e}");
        // Other tools' sections (objects) beside our keys are not ours; `null` under our
        // key is no settings.
        let s = d
            .merged(
                &json!({"yaml": {"schemas": {}}, "editor": {"tabSize": 2}, "level": "baseline"}),
            )
            .unwrap();
        assert_eq!(s.level, Some(Level::Baseline));
        assert_eq!(
            d.merged(&json!({"kube-secctx": null, "yaml": {}})).unwrap(),
            d
        );
        assert!(d
            .merged(&json!({"kube-secctx": {"yaml": {}}}))
            .unwrap_err()
            .contains("unknown setting \"yaml\""));
        let e = d.merged(&json!({"kubeVersion": "v1.12"})).unwrap_err();
        assert!(
            e.starts_with("setting kubeVersion: invalid Kubernetes version \"v1.12\": expected"),
            "{e}"
        );
        assert!(e.contains("v1.17 to v1.37"), "{e}");
        let e = d.merged(&json!({"kubeVersion": 1.30})).unwrap_err();
        assert!(
            e.starts_with("setting kubeVersion: expected \"latest\""),
            "{e}"
        );
        let e = d.merged(&json!({"select": 3})).unwrap_err();
        assert!(e.starts_with("setting select:"), "{e}");
        assert!(d.merged(&json!([1])).is_err());
    }
}
