//! Namespace labels to policies, as Pod Security Admission reads them: its
//! `PolicyToEvaluate` (`api/helpers.go` of `k8s.io/pod-security-admission`, commit
//! `8f84a87`), with `ParseLevel` and `ParseVersion`.
//!
//! - Each mode's level and version come from `pod-security.kubernetes.io/<mode>` and
//!   `pod-security.kubernetes.io/<mode>-version`; a label that is absent keeps the
//!   default (the admission configuration's `defaults`, else `privileged` at `latest`).
//! - An invalid `enforce` level evaluates as `restricted` (fail closed); an invalid
//!   `audit` or `warn` level as `privileged` (fail open); an invalid version as `latest`.
//!   Each invalid label is a [`LabelError`] at `metadata.labels[<label>]`.
//! - There is no step that copies `enforce` into an unset `warn`: the current
//!   `PolicyToEvaluate` has none, so an unset mode keeps its default.

use crate::options::{Level, Mode, ModePolicies, Policy, PssVersion};
use crate::yaml::{Document, NodeId, Span, Value};

/// The label prefix Pod Security Admission reads.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// A Pod Security Admission level, `privileged` included (PSA's `api.Level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PsaLevel {
    /// No checks.
    #[default]
    Privileged,
    /// A Pod Security Standards level.
    Pss(Level),
}

impl PsaLevel {
    /// Parses a level as PSA's `ParseLevel`: exactly `privileged`, `baseline` or
    /// `restricted`; `None` for anything else.
    pub fn parse(s: &str) -> Option<PsaLevel> {
        match s {
            "privileged" => Some(PsaLevel::Privileged),
            "baseline" => Some(PsaLevel::Pss(Level::Baseline)),
            "restricted" => Some(PsaLevel::Pss(Level::Restricted)),
            _ => None,
        }
    }

    /// `"privileged"`, `"baseline"` or `"restricted"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PsaLevel::Privileged => "privileged",
            PsaLevel::Pss(l) => l.as_str(),
        }
    }
}

/// One mode's level and version (PSA's `LevelVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LevelVersion {
    /// The level.
    pub level: PsaLevel,
    /// The version.
    pub version: PssVersion,
}

/// A namespace's policy, one [`LevelVersion`] per mode (PSA's `api.Policy`). Unlike
/// [`ModePolicies`] it keeps the version of a `privileged` mode, which a label naming only
/// the level then uses. The default is PSA's built-in default: every mode `privileged`
/// at `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PsaPolicy {
    /// `enforce`.
    pub enforce: LevelVersion,
    /// `audit`.
    pub audit: LevelVersion,
    /// `warn`.
    pub warn: LevelVersion,
}

impl PsaPolicy {
    /// The policy of `mode`.
    pub fn get(&self, mode: Mode) -> LevelVersion {
        match mode {
            Mode::Enforce => self.enforce,
            Mode::Audit => self.audit,
            Mode::Warn => self.warn,
        }
    }

    fn get_mut(&mut self, mode: Mode) -> &mut LevelVersion {
        match mode {
            Mode::Enforce => &mut self.enforce,
            Mode::Audit => &mut self.audit,
            Mode::Warn => &mut self.warn,
        }
    }

    /// The policies the engine judges by (a `privileged` mode checks nothing: `None`).
    pub fn mode_policies(&self) -> ModePolicies {
        let p = |lv: LevelVersion| match lv.level {
            PsaLevel::Privileged => None,
            PsaLevel::Pss(level) => Some(Policy {
                level,
                version: lv.version,
            }),
        };
        ModePolicies {
            enforce: p(self.enforce),
            audit: p(self.audit),
            warn: p(self.warn),
        }
    }

    /// Whether every mode is `privileged` (PSA's `FullyPrivileged`).
    pub fn fully_privileged(&self) -> bool {
        Mode::ALL
            .iter()
            .all(|&m| self.get(m).level == PsaLevel::Privileged)
    }
}

/// An invalid Pod Security label: PSA's `field.Invalid` at `metadata.labels[<label>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError {
    /// The label, e.g. `pod-security.kubernetes.io/enforce`.
    pub label: String,
    /// The value as written.
    pub value: String,
    /// What the value must be and what PSA evaluates instead, e.g. `must be one of
    /// privileged, baseline, restricted: PSA enforces restricted`.
    pub message: String,
    /// The label value's span (bytes of the text; empty for a tree without text).
    pub span: Span,
}

impl LabelError {
    /// The whole diagnostic: `invalid label metadata.labels[pod-security.kubernetes.io/enforce]:
    /// "restrictd": must be one of ...`.
    pub fn describe(&self) -> String {
        format!(
            "invalid Pod Security label metadata.labels[{}]: {:?} {}",
            self.label, self.value, self.message
        )
    }
}

/// What a namespace's labels give.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labelled {
    /// The policy PSA evaluates, invalid labels resolved as PSA resolves them.
    pub policy: PsaPolicy,
    /// Whether the namespace has a `pod-security.kubernetes.io/enforce` label.
    pub has_enforce_label: bool,
    /// Whether it has any `pod-security.kubernetes.io/` label.
    pub has_labels: bool,
    /// The invalid labels, in PSA's order (enforce, enforce-version, audit, ...).
    pub errors: Vec<LabelError>,
}

/// The policy of a namespace whose `metadata.labels` node is `labels` (`None`: no
/// labels), over `defaults`, as PSA's `PolicyToEvaluate`. Label values are read as
/// Kubernetes reads a `map[string]string`: a scalar's text (`null` as empty); a mapping
/// or sequence value is invalid.
pub fn policy_to_evaluate(
    doc: &Document<'_>,
    labels: Option<NodeId>,
    defaults: &PsaPolicy,
) -> Labelled {
    let mut out = Labelled {
        policy: *defaults,
        ..Labelled::default()
    };
    let Some(entries) = labels.and_then(|l| doc.map(l)) else {
        return out;
    };
    let value = |key: &str| -> Option<(String, Span)> {
        let e = entries.iter().rev().find(|e| e.key == key)?;
        let node = doc.node(e.value)?;
        let text = match &node.value {
            Value::Scalar(_) => doc.str(e.value).unwrap_or("").to_string(),
            // Not a string: no level or version matches it.
            Value::Map(_) | Value::Seq(_) => "<not a string>".to_string(),
        };
        Some((text, node.span()))
    };
    out.has_labels = entries.iter().any(|e| e.key.starts_with(LABEL_PREFIX));
    for mode in Mode::ALL {
        let level_label = format!("{LABEL_PREFIX}{}", mode.as_str());
        let version_label = format!("{level_label}-version");
        if let Some((text, span)) = value(&level_label) {
            if mode == Mode::Enforce {
                out.has_enforce_label = true;
            }
            let level = match PsaLevel::parse(&text) {
                Some(level) => level,
                None => {
                    // ParseLevel gives restricted; audit and warn then fail open.
                    let (level, what) = match mode {
                        Mode::Enforce => (PsaLevel::Pss(Level::Restricted), "enforces restricted"),
                        Mode::Audit => (PsaLevel::Privileged, "audits nothing (privileged)"),
                        Mode::Warn => (PsaLevel::Privileged, "warns about nothing (privileged)"),
                    };
                    out.errors.push(LabelError {
                        label: level_label.clone(),
                        value: text,
                        message: format!(
                            "must be one of privileged, baseline, restricted: Pod Security \
                             Admission {what} for this namespace"
                        ),
                        span,
                    });
                    level
                }
            };
            out.policy.get_mut(mode).level = level;
        }
        if let Some((text, span)) = value(&version_label) {
            let version = match text.parse::<PssVersion>() {
                Ok(v) => v,
                Err(_) => {
                    out.errors.push(LabelError {
                        label: version_label.clone(),
                        value: text,
                        message: format!(
                            "must be \"latest\" or \"v1.x\": Pod Security Admission uses \
                             latest for {}",
                            mode.as_str()
                        ),
                        span,
                    });
                    PssVersion::Latest
                }
            };
            out.policy.get_mut(mode).version = version;
        }
    }
    // PSA reports errors in label order: enforce, enforce-version, audit, ... (as above).
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn labelled(yaml: &str, defaults: &PsaPolicy) -> Labelled {
        let stream = parse_stream(yaml, &Limits::default());
        let doc = &stream.documents[0];
        let labels = doc.pointer(doc.root.unwrap(), "/metadata/labels");
        policy_to_evaluate(doc, labels, defaults)
    }

    fn lv(level: PsaLevel, version: PssVersion) -> LevelVersion {
        LevelVersion { level, version }
    }

    const B: PsaLevel = PsaLevel::Pss(Level::Baseline);
    const R: PsaLevel = PsaLevel::Pss(Level::Restricted);
    const P: PsaLevel = PsaLevel::Privileged;

    #[test]
    fn labels_over_defaults_as_policy_to_evaluate() {
        // PolicyToEvaluate: each label replaces its default; absent labels keep it.
        let defaults = PsaPolicy {
            enforce: lv(P, PssVersion::V1(24)),
            audit: lv(B, PssVersion::Latest),
            warn: lv(R, PssVersion::Latest),
        };
        let l = labelled(
            "metadata:\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n",
            &defaults,
        );
        assert!(l.errors.is_empty());
        assert!(l.has_enforce_label);
        // The enforce label names a level only: the default's version stays (v1.24).
        assert_eq!(l.policy.enforce, lv(B, PssVersion::V1(24)));
        assert_eq!(l.policy.audit, defaults.audit);
        assert_eq!(l.policy.warn, defaults.warn);
        // No labels at all: the defaults (`len(labels) == 0`).
        let none = labelled("metadata: {name: x}\n", &defaults);
        assert_eq!(none.policy, defaults);
        assert!(!none.has_labels);
    }

    #[test]
    fn warn_is_not_defaulted_to_enforce() {
        // PolicyToEvaluate has no step copying enforce into an unset warn.
        let l = labelled(
            "metadata:\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n",
            &PsaPolicy::default(),
        );
        assert_eq!(l.policy.warn, lv(P, PssVersion::Latest));
        assert_eq!(l.policy.mode_policies().warn, None, "warn stays privileged");
    }

    #[test]
    fn invalid_labels_resolve_as_psa_does() {
        // ParseLevel: restricted for enforce; audit and warn fail open (privileged);
        // ParseVersion: latest.
        let yaml = "metadata:\n  labels:\n    pod-security.kubernetes.io/enforce: Baseline\n    \
                    pod-security.kubernetes.io/enforce-version: v1.024\n    \
                    pod-security.kubernetes.io/audit: strict\n    \
                    pod-security.kubernetes.io/warn: ''\n    \
                    pod-security.kubernetes.io/warn-version: '1.25'\n";
        let defaults = PsaPolicy {
            warn: lv(B, PssVersion::V1(20)),
            ..PsaPolicy::default()
        };
        let l = labelled(yaml, &defaults);
        assert_eq!(l.policy.enforce, lv(R, PssVersion::Latest));
        assert_eq!(l.policy.audit.level, P);
        assert_eq!(l.policy.warn, lv(P, PssVersion::Latest));
        let labels: Vec<(&str, &str)> = l
            .errors
            .iter()
            .map(|e| (e.label.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("pod-security.kubernetes.io/enforce", "Baseline"),
                ("pod-security.kubernetes.io/enforce-version", "v1.024"),
                ("pod-security.kubernetes.io/audit", "strict"),
                ("pod-security.kubernetes.io/warn", ""),
                ("pod-security.kubernetes.io/warn-version", "1.25"),
            ]
        );
        // Each error points at its label's value.
        let e = &l.errors[0];
        assert_eq!(&yaml[e.span.start..e.span.end], "Baseline");
        assert_eq!(
            e.describe(),
            "invalid Pod Security label metadata.labels[pod-security.kubernetes.io/enforce]: \
             \"Baseline\" must be one of privileged, baseline, restricted: Pod Security \
             Admission enforces restricted for this namespace"
        );
    }
}
