//! What to check: levels, versions and modes of the Pod Security Standards, which other
//! rules run, and the parser limits. Bad values are errors as data ([`OptionsError`]);
//! each front end words them for its users.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::rules::{self, Category, Rule};
use crate::yaml::Limits;

mod version;

use version::{expected_kube_version, expected_version};
pub use version::{KubeVersion, PssVersion, LATEST_MINOR};

/// A Pod Security Standards level (the PSA levels other than `privileged`, which checks
/// nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// PSS baseline: prevents known privilege escalations.
    Baseline,
    /// PSS restricted: current pod hardening best practice (includes baseline).
    Restricted,
}

impl Level {
    /// `"baseline"` or `"restricted"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = OptionsError;

    /// Parses `baseline` or `restricted`.
    ///
    /// # Errors
    /// [`OptionsError::Level`] for any other text.
    fn from_str(s: &str) -> Result<Self, OptionsError> {
        match s {
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(OptionsError::Level(s.to_string())),
        }
    }
}

/// A Pod Security Admission mode: what the API server does with a pod that fails the
/// mode's policy (the namespace labels `pod-security.kubernetes.io/<mode>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The pod is rejected.
    Enforce,
    /// The violation is recorded in the audit log.
    Audit,
    /// The client is warned.
    Warn,
}

impl Mode {
    /// Every mode, in PSA's order.
    pub const ALL: [Mode; 3] = [Mode::Enforce, Mode::Audit, Mode::Warn];

    /// `"enforce"`, `"audit"` or `"warn"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Audit => "audit",
            Mode::Warn => "warn",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Mode::Enforce => 1,
            Mode::Audit => 2,
            Mode::Warn => 4,
        }
    }
}

/// A set of [`Mode`]s: the modes whose policy a Pod Security Standards finding fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Modes(u8);

impl Modes {
    /// No mode (the finding of a rule outside the Pod Security Standards).
    pub const NONE: Modes = Modes(0);

    /// Just `mode`.
    pub fn only(mode: Mode) -> Modes {
        Modes(mode.bit())
    }

    /// This set with `mode` added.
    pub fn with(self, mode: Mode) -> Modes {
        Modes(self.0 | mode.bit())
    }

    /// Both sets.
    pub fn union(self, other: Modes) -> Modes {
        Modes(self.0 | other.0)
    }

    /// Whether `mode` is in the set.
    pub fn contains(self, mode: Mode) -> bool {
        self.0 & mode.bit() != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The modes in the set, in [`Mode::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Mode> {
        Mode::ALL.into_iter().filter(move |m| self.contains(*m))
    }
}

/// One Pod Security Standards policy: a level at a version (PSA's `LevelVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    /// The level.
    pub level: Level,
    /// The version.
    pub version: PssVersion,
}

/// The policies Pod Security Admission applies to one namespace, one per mode. `None` is
/// the `privileged` level: the mode checks nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModePolicies {
    /// `pod-security.kubernetes.io/enforce` (and `enforce-version`).
    pub enforce: Option<Policy>,
    /// `pod-security.kubernetes.io/audit` (and `audit-version`).
    pub audit: Option<Policy>,
    /// `pod-security.kubernetes.io/warn` (and `warn-version`).
    pub warn: Option<Policy>,
}

impl ModePolicies {
    /// The policy of `mode`.
    pub fn get(&self, mode: Mode) -> Option<Policy> {
        match mode {
            Mode::Enforce => self.enforce,
            Mode::Audit => self.audit,
            Mode::Warn => self.warn,
        }
    }

    /// Each mode that has a policy, with it.
    pub fn iter(&self) -> impl Iterator<Item = (Mode, Policy)> + '_ {
        Mode::ALL
            .into_iter()
            .filter_map(|m| self.get(m).map(|p| (m, p)))
    }
}

/// Pod Security Admission's exemptions, as its `PodSecurityConfiguration` gives them
/// (`exemptions.namespaces`, `exemptions.runtimeClasses`; `usernames` cannot apply to
/// files). Applied as PSA's `exemptNamespace` and `exemptRuntimeClass` (admission.go) do:
/// exact names; an empty name never matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exemptions {
    /// Namespaces exempt from every Pod Security Standards check.
    pub namespaces: Vec<String>,
    /// `runtimeClassName`s whose pods (and pod templates) are exempt.
    pub runtime_classes: Vec<String>,
}

impl Exemptions {
    /// Whether `namespace` is exempt (PSA's `exemptNamespace`).
    pub fn namespace(&self, namespace: &str) -> bool {
        !namespace.is_empty() && self.namespaces.iter().any(|n| n == namespace)
    }

    /// Whether a pod spec with this `runtimeClassName` is exempt (PSA's
    /// `exemptRuntimeClass`).
    pub fn runtime_class(&self, runtime_class: Option<&str>) -> bool {
        runtime_class
            .is_some_and(|rc| !rc.is_empty() && self.runtime_classes.iter().any(|r| r == rc))
    }
}

/// What to check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `Some(level)`: the Pod Security Standards at that level, every input diagnostic
    /// ([`Category::Diagnostic`]), and only the hardening rules named in
    /// [`Options::also`]. `None` (the default profile): PSS restricted, every hardening
    /// rule and every input diagnostic.
    ///
    /// Input diagnostics run under every level because a value the API server would
    /// reject or read otherwise (a wrong type, a duplicated key, an unknown field) decides
    /// what Pod Security Admission would ever see: a level must not pass such an object
    /// in silence. They stay input diagnostics, not PSS findings (`pss` is `None`, no
    /// modes); [`Options::select`] and [`Options::ignore`] choose them as any rule.
    pub level: Option<Level>,
    /// The PSS policy version.
    pub pss_version: PssVersion,
    /// The Kubernetes version whose API fields exist (`unknown-field`); never the PSS
    /// version.
    pub kube_version: KubeVersion,
    /// Hardening rules to run beside the PSS checks when `level` is set (an admission
    /// policy's "PSS at this level, plus these rules"). Ignored in the default profile,
    /// which runs them all. Input diagnostics are accepted here too, and change nothing:
    /// they run under every level.
    pub also: Vec<String>,
    /// Only these rule IDs (empty = all).
    pub select: Vec<String>,
    /// Never these rule IDs.
    pub ignore: Vec<String>,
    /// Per-namespace Pod Security Admission policies, by namespace name. A resource whose
    /// namespace (`metadata.namespace`, `default` when it names none) is listed is judged
    /// by that namespace's policy of each mode instead of `level` and `pss_version`, in the
    /// same pass, and each PSS finding says which modes it fails ([`crate::Finding::modes`]).
    /// Other resources are judged by [`Options::namespace_defaults`] when set, else by
    /// `level` (restricted when `None`) at `pss_version` as [`Mode::Enforce`]. The PSS
    /// findings of a resource judged by a namespace's policies or the defaults carry
    /// Pod Security Admission's severity and words ([`crate::Finding::admission`]).
    /// [`crate::psa::Cluster::apply`] fills it from Namespace objects; the CLI leaves it
    /// empty under `--level`.
    pub namespaces: BTreeMap<String, ModePolicies>,
    /// The policies of resources whose namespace is not in [`Options::namespaces`], from
    /// Pod Security Admission's configuration (`defaults` of a `PodSecurityConfiguration`,
    /// see [`crate::psa::read_admission_config`]). `None`: such resources are judged by
    /// `level` and `pss_version` as [`Mode::Enforce`], as without namespaces.
    pub namespace_defaults: Option<ModePolicies>,
    /// Pod Security Admission's exemptions (its configuration's `exemptions`): resources
    /// in these namespaces, and pods or pod templates with these `runtimeClassName`s, get
    /// no Pod Security Standards finding (the hardening rules and input diagnostics still
    /// run). Empty by default.
    pub exemptions: Exemptions,
    /// Parser limits.
    pub limits: Limits,
}

/// Which list of [`Options`] a rule ID came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleList {
    /// [`Options::select`].
    Select,
    /// [`Options::ignore`].
    Ignore,
    /// [`Options::also`].
    Also,
}

impl RuleList {
    /// `"select"`, `"ignore"` or `"also"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleList::Select => "select",
            RuleList::Ignore => "ignore",
            RuleList::Also => "also",
        }
    }
}

/// A bad option value: what was given, and (in [`OptionsError::expected`]) what is
/// accepted. The `Display` wording names no front end; CLI, JS API and admission settings
/// add their own words (a flag, an option name, a setting).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// A level that is not `baseline` or `restricted`.
    #[error("invalid level {0:?}: expected {expected}", expected = EXPECTED_LEVEL)]
    Level(String),
    /// A PSS version that is not `latest` or `v1.N`.
    #[error("invalid PSS version {0:?}: expected {expected}", expected = expected_version())]
    PssVersion(String),
    /// A Kubernetes version that is not `latest`, `v1.N` or `v1.N.P` with N in the field
    /// table's range.
    #[error("invalid Kubernetes version {0:?}: expected {expected}", expected = expected_kube_version())]
    KubeVersion(String),
    /// A rule ID that does not exist, and the list it was in.
    #[error("unknown rule {id:?} in {}", list.as_str())]
    UnknownRule {
        /// The ID as given.
        id: String,
        /// Where it was given.
        list: RuleList,
    },
    /// A Pod Security Standards rule in [`Options::also`], which adds other rules: the
    /// level and version choose the PSS checks.
    #[error(
        "rule {0:?} in also is a Pod Security Standards check: the level and version choose those"
    )]
    PssRuleInAlso(String),
}

const EXPECTED_LEVEL: &str = "\"baseline\" or \"restricted\"";

impl OptionsError {
    /// What the option accepts, in words: `"baseline" or "restricted"`; `"latest" or
    /// "v1.N" (v1.0 to v1.37; ...)`; for a rule, `a rule ID`.
    pub fn expected(&self) -> String {
        match self {
            OptionsError::Level(_) => EXPECTED_LEVEL.to_string(),
            OptionsError::PssVersion(_) => expected_version(),
            OptionsError::KubeVersion(_) => expected_kube_version(),
            OptionsError::UnknownRule { .. } => "a rule ID".to_string(),
            OptionsError::PssRuleInAlso(_) => "a hardening rule or an input diagnostic".to_string(),
        }
    }
}

/// Why a rule named in [`Options::select`] will not run with the options it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactive {
    /// It is in [`Options::ignore`] too.
    AlsoIgnored,
    /// It is a hardening rule, `level` is set and [`Options::also`] does not name it
    /// (input diagnostics run under every level, so they are never inactive for this).
    NotPss,
    /// Its PSA check's level is above the level checked.
    AboveLevel {
        /// The check's level.
        check_level: Level,
        /// The level checked.
        level: Level,
    },
    /// Its PSA check applies from a later version.
    NotYet {
        /// The PSA check ID.
        check: &'static str,
        /// First minor version of the check.
        since: u32,
        /// The minor version checked.
        version: u32,
    },
    /// At the restricted level, from this version, a stricter check replaces it.
    Replaced {
        /// The PSA check ID replaced.
        check: &'static str,
        /// The minor version from which it is replaced.
        since: u32,
    },
}

impl Options {
    /// Checks that every rule ID in `select`, `ignore` and `also` exists, and that `also`
    /// names no Pod Security Standards rule.
    ///
    /// # Errors
    /// [`OptionsError::UnknownRule`] naming the first unknown ID;
    /// [`OptionsError::PssRuleInAlso`].
    pub fn validate(&self) -> Result<(), OptionsError> {
        for (list, name) in [
            (&self.select, RuleList::Select),
            (&self.ignore, RuleList::Ignore),
            (&self.also, RuleList::Also),
        ] {
            if let Some(bad) = list.iter().find(|id| rules::rule(id).is_none()) {
                return Err(OptionsError::UnknownRule {
                    id: bad.clone(),
                    list: name,
                });
            }
        }
        if let KubeVersion::V1(n) = self.kube_version {
            if n < crate::schema::FIRST_MINOR {
                return Err(OptionsError::KubeVersion(format!("v1.{n}")));
            }
        }
        if let Some(pss) = self
            .also
            .iter()
            .find(|id| rules::rule(id).is_some_and(|r| r.category == Category::Pss))
        {
            return Err(OptionsError::PssRuleInAlso(pss.clone()));
        }
        Ok(())
    }

    /// The level the PSS checks run at for resources not in [`Options::namespaces`]:
    /// `level`, restricted in the default profile.
    pub fn pss_level(&self) -> Level {
        self.level.unwrap_or(Level::Restricted)
    }

    /// Whether a rule is chosen by `select` and `ignore`.
    pub fn is_selected(&self, id: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| s == id))
            && !self.ignore.iter().any(|s| s == id)
    }

    /// Whether a hardening rule or input diagnostic runs, when chosen by `select` and
    /// `ignore`: an input diagnostic ([`Category::Diagnostic`]) always (under every
    /// level, see [`Options::level`]); a hardening rule in the default profile, or when
    /// named in `also`. Code that reports an input diagnostic outside the checker's
    /// per-resource pass must ask this too, so that every diagnostic follows one rule.
    pub fn runs_other(&self, rule: &Rule) -> bool {
        self.is_selected(rule.id)
            && (self.level.is_none()
                || rule.category == Category::Diagnostic
                || self.also.iter().any(|a| a == rule.id))
    }

    /// The rules named in `select` that will not run with these options (for resources
    /// judged by `level` and `pss_version`), and why: for front ends to warn about, in
    /// `select`'s order.
    pub fn inactive_selected(&self) -> Vec<(&'static Rule, Inactive)> {
        let level = self.pss_level();
        let version = self.pss_version.minor();
        let mut out = Vec::new();
        for id in &self.select {
            let Some(rule) = rules::rule(id) else {
                continue;
            };
            let why = if self.ignore.iter().any(|i| i == id) {
                Inactive::AlsoIgnored
            } else if rule.category != Category::Pss {
                if rule.category == Category::Hardening
                    && self.level.is_some()
                    && !self.also.iter().any(|a| a == id)
                {
                    Inactive::NotPss
                } else {
                    continue;
                }
            } else if rule.pss_check_at(level, version).is_some() {
                continue;
            } else if let Some(pss) = rule.pss {
                if pss.level > level {
                    Inactive::AboveLevel {
                        check_level: pss.level,
                        level,
                    }
                } else if version < pss.since {
                    Inactive::NotYet {
                        check: pss.check,
                        since: pss.since,
                        version,
                    }
                } else {
                    Inactive::Replaced {
                        check: pss.check,
                        since: pss.replaced_in_restricted_since.unwrap_or(0),
                    }
                }
            } else {
                continue;
            };
            out.push((rule, why));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `kubectl version` prints for a cluster (upstream, EKS, k3s, a release
    /// candidate) names its minor; other texts are errors.
    #[test]
    fn kube_versions_parse_as_kubectl_prints_them() {
        for (text, minor) in [
            ("v1.29", 29),
            ("1.29", 29),
            ("v1.29.3", 29),
            ("v1.29.3-eks-1234", 29),
            ("v1.29.3+k3s1", 29),
            ("v1.30.0-rc.1", 30),
            ("v1.29-rc.1", 29),
            ("v1.40", crate::schema::LAST_MINOR),
        ] {
            assert_eq!(
                text.parse::<KubeVersion>().map(KubeVersion::minor),
                Ok(minor),
                "{text}"
            );
        }
        for text in [
            "", " v1.29", "v1.16", "v2.1", "v1.029", "v1.-rc", "v1.29.", "LATEST", "-rc.1",
        ] {
            assert_eq!(
                text.parse::<KubeVersion>(),
                Err(OptionsError::KubeVersion(text.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn pss_versions_parse_as_psa_does() {
        assert_eq!("latest".parse::<PssVersion>(), Ok(PssVersion::Latest));
        assert_eq!("v1.0".parse::<PssVersion>().map(PssVersion::minor), Ok(0));
        assert_eq!("v1.25".parse::<PssVersion>().map(PssVersion::minor), Ok(25));
        assert_eq!(
            "v1.99".parse::<PssVersion>().map(PssVersion::minor),
            Ok(LATEST_MINOR)
        );
        assert_eq!(
            "v1.4294967296".parse::<PssVersion>().map(PssVersion::minor),
            Ok(LATEST_MINOR)
        );
        for bad in [
            "v1.025",
            "v1.",
            "1.25",
            "v2.0",
            "v1.-1",
            "v1.2x",
            "v1.99999999999999999999",
        ] {
            assert_eq!(
                bad.parse::<PssVersion>(),
                Err(OptionsError::PssVersion(bad.to_string())),
                "{bad}"
            );
        }
    }

    #[test]
    fn errors_are_data_with_neutral_words() {
        let e = "privileged".parse::<Level>().unwrap_err();
        assert_eq!(e, OptionsError::Level("privileged".into()));
        assert_eq!(
            e.to_string(),
            "invalid level \"privileged\": expected \"baseline\" or \"restricted\""
        );
        let opts = Options {
            ignore: vec!["nope".into()],
            ..Options::default()
        };
        let e = opts.validate().unwrap_err();
        assert_eq!(
            e,
            OptionsError::UnknownRule {
                id: "nope".into(),
                list: RuleList::Ignore
            }
        );
        assert_eq!(e.to_string(), "unknown rule \"nope\" in ignore");
        assert!(e.expected().contains("rule ID"));
        let pss = Options {
            also: vec!["privileged-container".into()],
            ..Options::default()
        };
        assert_eq!(
            pss.validate(),
            Err(OptionsError::PssRuleInAlso("privileged-container".into()))
        );
    }

    #[test]
    fn modes() {
        let m = Modes::only(Mode::Warn).with(Mode::Enforce);
        assert_eq!(m.iter().collect::<Vec<_>>(), [Mode::Enforce, Mode::Warn]);
        assert!(!m.contains(Mode::Audit));
        assert!(Modes::NONE.is_empty());
    }

    #[test]
    fn inactive_selected_rules() {
        let opts = Options {
            level: Some(Level::Baseline),
            select: vec![
                "privileged-container".into(),
                "may-run-as-root".into(),
                "writable-root-filesystem".into(),
                "host-namespaces".into(),
            ],
            ignore: vec!["host-namespaces".into()],
            ..Options::default()
        };
        let why: Vec<(&str, Inactive)> = opts
            .inactive_selected()
            .into_iter()
            .map(|(r, w)| (r.id, w))
            .collect();
        assert_eq!(
            why,
            [
                (
                    "may-run-as-root",
                    Inactive::AboveLevel {
                        check_level: Level::Restricted,
                        level: Level::Baseline
                    }
                ),
                ("writable-root-filesystem", Inactive::NotPss),
                ("host-namespaces", Inactive::AlsoIgnored),
            ]
        );
        // Named in `also`, a hardening rule runs beside the level.
        let also = Options {
            also: vec!["writable-root-filesystem".into()],
            ..opts
        };
        assert!(also
            .inactive_selected()
            .iter()
            .all(|(r, _)| r.id != "writable-root-filesystem"));
        // An input diagnostic runs under a level without `also`: never inactive for it.
        let diagnostics = Options {
            level: Some(Level::Restricted),
            select: vec![
                "invalid-field-type".into(),
                "duplicate-key".into(),
                "unknown-ignored-rule".into(),
            ],
            ignore: vec!["duplicate-key".into()],
            ..Options::default()
        };
        let why: Vec<(&str, Inactive)> = diagnostics
            .inactive_selected()
            .into_iter()
            .map(|(r, w)| (r.id, w))
            .collect();
        assert_eq!(why, [("duplicate-key", Inactive::AlsoIgnored)]);
    }

    #[test]
    fn input_diagnostics_run_under_every_level() {
        let rule = |id| rules::rule(id).unwrap();
        for level in [None, Some(Level::Baseline), Some(Level::Restricted)] {
            let opts = Options {
                level,
                ..Options::default()
            };
            for r in rules::RULES
                .iter()
                .filter(|r| r.category == Category::Diagnostic)
            {
                assert!(opts.runs_other(r), "{} at {level:?}", r.id);
            }
            // `select` and `ignore` still choose them.
            let ignored = Options {
                ignore: vec!["invalid-field-type".into()],
                ..opts.clone()
            };
            assert!(!ignored.runs_other(rule("invalid-field-type")));
            assert!(ignored.runs_other(rule("duplicate-key")));
            let selected = Options {
                select: vec!["privileged-container".into()],
                ..opts.clone()
            };
            assert!(!selected.runs_other(rule("invalid-field-type")));
            // Naming one in `also` is accepted and changes nothing.
            let also = Options {
                also: vec!["invalid-field-type".into()],
                ..opts
            };
            assert_eq!(also.validate(), Ok(()));
            assert!(also.runs_other(rule("invalid-field-type")));
        }
        // Hardening rules still run under a level only when `also` names them.
        let level = Options {
            level: Some(Level::Baseline),
            ..Options::default()
        };
        assert!(!level.runs_other(rule("writable-root-filesystem")));
        assert!(Options::default().runs_other(rule("writable-root-filesystem")));
    }
}
