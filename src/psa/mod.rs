//! Pod Security Admission's view of a cluster: namespace labels
//! ([`policy_to_evaluate`]), its admission configuration ([`read_admission_config`]) and
//! the [`Options`] fields they give ([`Cluster`]). No I/O: a front end reads the files
//! and hands their texts here.
//!
//! Sources, all from `k8s.io/pod-security-admission` at commit `8f84a87` (2026-07-01):
//! `api/helpers.go` (`PolicyToEvaluate`, `ParseLevel`, `ParseVersion`),
//! `admission/admission.go` (`ValidatePod`, `ValidatePodController`, `EvaluatePod`,
//! `exemptNamespace`, `exemptRuntimeClass`), `admission/api/v1/defaults.go`
//! (`SetDefaults_PodSecurityDefaults`), `admission/api/validation/validation.go`
//! (`ValidatePodSecurityConfiguration`).

mod config;
mod labels;
mod namespaces;
mod pod_security;

use std::collections::BTreeMap;

pub use config::{
    read_admission_config, read_pod_security_configuration, AdmissionConfig, ConfigError,
    ConfigProblem, PsaConfig, ADMISSION_API_VERSIONS, POD_SECURITY_API_VERSIONS,
};
pub use labels::{
    policy_to_evaluate, LabelError, Labelled, LevelVersion, PsaLevel, PsaPolicy, LABEL_PREFIX,
};
pub use namespaces::{may_hold_namespace, namespaces, NamespaceObject};
pub use pod_security::{dns1123_label, dns1123_subdomain};

use crate::options::Options;
use crate::yaml::{parse_stream, Document, Span};

/// The label errors of every Namespace object of `doc` (PSA's `PolicyToEvaluate`
/// errors; the API server's `ValidateNamespace` rejects such a Namespace): what the
/// engine reports as error entries at each label's value.
pub fn label_errors(doc: &Document<'_>) -> Vec<LabelError> {
    namespaces(doc)
        .into_iter()
        .flat_map(|ns| policy_to_evaluate(doc, ns.labels, &PsaPolicy::default()).errors)
        .collect()
}

/// Something worth saying that is not a problem of the files: a note never fails a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The file it is about (`None`: the run as a whole).
    pub file: Option<String>,
    /// Where in that file (bytes of its text).
    pub span: Option<Span>,
    /// The note.
    pub message: String,
}

/// One namespace the inputs describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribedNamespace {
    /// The file that describes it.
    pub file: String,
    /// Where (its first key).
    pub at: Span,
    /// Its labels' policy and errors, over the configuration's defaults.
    pub labelled: Labelled,
    /// Whether it came from a cluster's list (`--namespaces`) rather than an input
    /// that will be applied.
    pub from_cluster: bool,
}

/// The cluster as Pod Security Admission sees it: the namespaces described and the
/// admission configuration. Build it with [`Cluster::new`], add each text that may
/// describe namespaces ([`Cluster::add_text`]), then [`Cluster::apply`] it to the
/// options and show [`Cluster::notes`].
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    config: Option<PsaConfig>,
    /// By name; an input's Namespace replaces one from a cluster's list (it is what will
    /// be applied); within one kind, the last one read wins.
    namespaces: BTreeMap<String, DescribedNamespace>,
    /// Notes about namespaces described twice with different Pod Security labels.
    conflicts: Vec<Note>,
}

impl Cluster {
    /// A cluster with this admission configuration (`None`: PSA's built-in defaults,
    /// and resources outside the namespaces described are judged as without a cluster).
    pub fn new(config: Option<PsaConfig>) -> Cluster {
        Cluster {
            config,
            namespaces: BTreeMap::new(),
            conflicts: Vec::new(),
        }
    }

    /// The admission configuration's defaults, or PSA's built-in defaults.
    pub fn defaults(&self) -> PsaPolicy {
        self.config.as_ref().map(|c| c.defaults).unwrap_or_default()
    }

    /// Reads the Namespace objects of one text (YAML or JSON, any number of documents,
    /// `List`s included). `from_cluster`: the text is a cluster's list
    /// (`kubectl get namespaces -o yaml`), not an input to apply. Documents that do not
    /// parse are skipped (the check reports them when the text is an input).
    pub fn add_text(&mut self, file: &str, text: &str, from_cluster: bool) {
        let stream = parse_stream(text, &crate::Limits::default());
        let defaults = self.defaults();
        for doc in &stream.documents {
            for ns in namespaces(doc) {
                let Some(name) = ns.name else { continue };
                if from_cluster && self.namespaces.get(&name).is_some_and(|n| !n.from_cluster) {
                    continue;
                }
                let described = DescribedNamespace {
                    file: file.to_string(),
                    at: ns.at,
                    labelled: policy_to_evaluate(doc, ns.labels, &defaults),
                    from_cluster,
                };
                if let Some(before) = self.namespaces.get(&name).filter(|b| {
                    b.from_cluster == from_cluster
                        && b.labelled.policy.mode_policies()
                            != described.labelled.policy.mode_policies()
                }) {
                    self.conflicts.push(Note {
                        file: Some(file.to_string()),
                        span: Some(ns.at),
                        message: format!(
                            "namespace {name} is also described in {} with other Pod \
                             Security labels: this one, read last, is used",
                            before.file
                        ),
                    });
                }
                self.namespaces.insert(name, described);
            }
        }
    }

    /// The namespaces described, by name.
    pub fn namespaces(&self) -> &BTreeMap<String, DescribedNamespace> {
        &self.namespaces
    }

    /// Sets `opts.namespaces` (each namespace described, judged by its labels over the
    /// defaults), `opts.namespace_defaults` (with a configuration: its defaults, for the
    /// namespaces not described) and `opts.exemptions`.
    pub fn apply(&self, opts: &mut Options) {
        for (name, ns) in &self.namespaces {
            opts.namespaces
                .insert(name.clone(), ns.labelled.policy.mode_policies());
        }
        if let Some(config) = &self.config {
            opts.namespace_defaults = Some(config.defaults.mode_policies());
            opts.exemptions = config.exemptions.clone();
        }
    }

    /// What to tell the user: the configuration's ignored fields, that `usernames`
    /// exemptions cannot apply to files (once), a namespace described twice with other
    /// labels (the one read last is used), the invalid labels of namespaces from a
    /// cluster's list (an input's are error entries of the check), and one note per
    /// namespace that has no `enforce` label while the defaults enforce `privileged`.
    pub fn notes(&self) -> Vec<Note> {
        let mut out = Vec::new();
        let run_note = |message: String| Note {
            file: None,
            span: None,
            message,
        };
        if let Some(config) = &self.config {
            out.extend(config.warnings.iter().cloned().map(run_note));
            if !config.usernames.is_empty() {
                out.push(run_note(format!(
                    "the admission configuration exempts usernames ({}): requests by those \
                     users are not checked by the cluster, but files have no user, so the \
                     exemption cannot apply here",
                    config.usernames.join(", ")
                )));
            }
        }
        out.extend(self.conflicts.iter().cloned());
        let enforces_nothing = self.defaults().enforce.level == PsaLevel::Privileged;
        for (name, ns) in &self.namespaces {
            if ns.from_cluster {
                out.extend(ns.labelled.errors.iter().map(|e| Note {
                    file: Some(ns.file.clone()),
                    span: Some(e.span),
                    message: format!("namespace {name}: {}", e.describe()),
                }));
            }
            let exempt = self
                .config
                .as_ref()
                .is_some_and(|c| c.exemptions.namespace(name));
            if !ns.labelled.has_enforce_label && enforces_nothing && !exempt {
                out.push(Note {
                    file: Some(ns.file.clone()),
                    span: Some(ns.at),
                    message: unlabelled_note(name),
                });
            }
        }
        out
    }
}

/// The note for a namespace without an `enforce` label that the defaults leave
/// `privileged`.
pub fn unlabelled_note(namespace: &str) -> String {
    format!(
        "namespace {namespace} has no pod-security.kubernetes.io/enforce label: the cluster \
         enforces nothing"
    )
}
