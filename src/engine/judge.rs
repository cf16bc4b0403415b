//! One resource judged: the rules its policies call for, hits turned into findings,
//! findings an annotation suppresses set apart.
//!
//! A resource is judged by one policy per Pod Security Admission mode (the options' level
//! and version as `enforce`, or its namespace's policies, see [`Options::namespaces`]).
//! PSS rules run once per distinct (level, version) among them; the same hit under
//! several policies is one finding tagged with every mode it fails. Hardening rules and
//! input diagnostics run once, outside any mode.
//!
//! A resource judged as the cluster would judge it (its namespace is in
//! [`Options::namespaces`], or [`Options::namespace_defaults`] is set) gets, on each PSS
//! finding, the severity and words of what Pod Security Admission would do
//! ([`super::admission`]); an exempt namespace or `runtimeClassName`
//! ([`Options::exemptions`]) gets no PSS finding.
//!
//! A finding about a missing field whose mapping holds a misspelling of it says so in
//! its message ([`super::near_miss`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::span::resolve_span;
use crate::options::{Level, ModePolicies, Modes, Options, Policy};
use crate::position::Lines;
use crate::report::{Finding, PssRef, ResourceRef};
use crate::rules::{unknown_fields_of, Category, Ctx, Hit, Room, Rule, RULES, UNKNOWN_FIELD};
use crate::workload::{annotations, Workload};
use crate::yaml::{Document, NodeId, Span};

/// The annotation that suppresses rules for one resource: a comma-separated list of rule
/// IDs, on the resource's `metadata` or on its pod template's `metadata`.
pub const IGNORE_ANNOTATION: &str = "kube-secctx.io/ignore";

/// PSS rules with the PSA check each runs as.
type PssRules = Vec<(&'static Rule, &'static str)>;

/// The rules that run, worked out once per checker.
#[derive(Debug, Clone)]
pub(super) struct Plans {
    /// The PSS rules (and the PSA check each runs as) per `(level, minor version)`, built
    /// on first use.
    pss: Vec<((Level, u32), PssRules)>,
    /// The hardening rules and input diagnostics that run.
    others: Vec<&'static Rule>,
    /// The policies of resources outside [`Options::namespaces`].
    default: ModePolicies,
}

impl Plans {
    pub(super) fn new(opts: &Options) -> Plans {
        Plans {
            pss: Vec::new(),
            others: RULES
                .iter()
                .copied()
                .filter(|r| r.category != Category::Pss && opts.runs_other(r))
                .collect(),
            default: ModePolicies {
                enforce: Some(Policy {
                    level: opts.pss_level(),
                    version: opts.pss_version,
                }),
                ..ModePolicies::default()
            },
        }
    }

    /// The PSS rules at `level` and minor `version`, with their PSA check IDs.
    fn pss(
        &mut self,
        opts: &Options,
        level: Level,
        version: u32,
    ) -> &[(&'static Rule, &'static str)] {
        let at = match self.pss.iter().position(|(k, _)| *k == (level, version)) {
            Some(i) => i,
            None => {
                let rules = RULES
                    .iter()
                    .copied()
                    .filter(|r| opts.is_selected(r.id))
                    .filter_map(|r| r.pss_check_at(level, version).map(|c| (r, c)))
                    .collect();
                self.pss.push(((level, version), rules));
                self.pss.len() - 1
            }
        };
        self.pss.get(at).map_or(&[], |(_, rules)| rules.as_slice())
    }
}

/// A resource to judge.
pub(super) struct Resource<'r, 'd> {
    pub(super) file: &'r Arc<str>,
    pub(super) doc: &'r Document<'d>,
    pub(super) workload: &'r Workload,
    pub(super) spec: NodeId,
    /// Whether `spec` is the workload's pod spec. `false` for a workload whose pod
    /// template is missing (`spec` is then its root): only the rules of
    /// [`WITHOUT_POD_SPEC`] run.
    pub(super) pod_spec: bool,
    /// The text's line index, for messages that name a line; `None` for objects.
    pub(super) lines: Option<&'r Lines<'d>>,
}

/// What judging one resource gave.
pub(super) struct Judged {
    pub(super) findings: Vec<Finding>,
    pub(super) suppressed: Vec<Finding>,
    /// The error entry (message, span) when a budget of the resource was reached.
    pub(super) over_budget: Option<(String, Span)>,
}

/// The rules that also check a workload without a pod template (a Deployment whose
/// `spec.template` is missing or misspelled, a Pod without `spec`): `unknown-field`,
/// since a misspelled `template` is often why there is none. Every other rule needs the
/// pod spec.
pub(super) const WITHOUT_POD_SPEC: &[&str] = &["unknown-field"];

/// A hit with what it came from: the rule, the PSA check it ran as (for PSS rules) and
/// the modes whose policy it fails.
struct Judgement {
    rule: &'static Rule,
    pss: Option<PssRef>,
    hit: Hit,
    modes: Modes,
}

/// Judges one resource: the rules of its policies, less the rules in `skip` (the
/// checker's per-file ignores, which do not run at all).
pub(super) fn judge(
    opts: &Options,
    plans: &mut Plans,
    skip: &[&'static str],
    r: &Resource<'_, '_>,
) -> Judged {
    let w = r.workload;
    // An empty `metadata.namespace` is unset, as the API server reads it: `default`.
    let namespace = w
        .resource
        .namespace
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    // Judged as the cluster would (its namespace's labels, or the admission
    // configuration's defaults), or by the options' level alone.
    let cluster = opts
        .namespaces
        .get(namespace)
        .copied()
        .or(opts.namespace_defaults);
    let policies = cluster.unwrap_or(plans.default);
    // PSA's exemptNamespace and exemptRuntimeClass (admission.go): no PSS check at all.
    let runtime_class = r
        .doc
        .get(r.spec, "runtimeClassName")
        .and_then(|n| r.doc.str(n));
    let exempt =
        opts.exemptions.namespace(namespace) || opts.exemptions.runtime_class(runtime_class);
    let policies = if exempt || !r.pod_spec {
        ModePolicies::default()
    } else {
        policies
    };
    // Modes per distinct (level, version), in the order the modes first name them.
    let mut groups: Vec<((Level, u32), Modes)> = Vec::new();
    for (mode, p) in policies.iter() {
        let key = (p.level, p.version.minor());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, modes)) => *modes = modes.with(mode),
            None => groups.push((key, Modes::only(mode))),
        }
    }
    let limits = &opts.limits;
    let mut room = Room {
        findings: limits.max_findings_per_resource,
        bytes: limits.max_finding_bytes_per_resource,
        full: false,
    };
    // The keys that are not fields, walked once when `unknown-field` runs: the rule
    // reports them, and the near miss of every finding looks among them (none, the
    // common case: no finding has one).
    let runs_unknown = !skip.contains(&UNKNOWN_FIELD.id)
        && plans.others.iter().any(|rule| rule.id == UNKNOWN_FIELD.id);
    let unknown = runs_unknown.then(|| unknown_fields_of(r.doc, w, opts.kube_version.minor()));
    let ctx = |level, version, room| Ctx {
        doc: r.doc,
        workload: w,
        spec: r.spec,
        level,
        version,
        kube_minor: opts.kube_version.minor(),
        lines: r.lines,
        hits: Vec::new(),
        room,
        unknown: unknown.as_deref(),
    };
    let mut judgements: Vec<Judgement> = Vec::new();
    // Where each hit is in `judgements`, when several policies may give it.
    let mut merged: HashMap<(&'static str, &'static str, String, String), usize> = HashMap::new();
    for &((level, version), modes) in &groups {
        for &(rule, check) in plans.pss(opts, level, version) {
            if room.full {
                break;
            }
            if skip.contains(&rule.id) {
                continue;
            }
            let mut c = ctx(level, version, room);
            (rule.check)(&mut c);
            room = c.room;
            for hit in c.hits {
                // The check the hit names (a rule that covers two), else the rule's own.
                let pss = match hit.check {
                    Some((level, check)) => PssRef { level, check },
                    None => PssRef {
                        level: rule.pss.map_or(level, |info| info.level),
                        check,
                    },
                };
                if groups.len() > 1 {
                    let key = (rule.id, pss.check, hit.pointer.clone(), hit.message.clone());
                    if let Some(j) = merged.get(&key).and_then(|&i| judgements.get_mut(i)) {
                        j.modes = j.modes.union(modes);
                        continue;
                    }
                    merged.insert(key, judgements.len());
                }
                judgements.push(Judgement {
                    rule,
                    pss: Some(pss),
                    hit,
                    modes,
                });
            }
        }
    }
    for &rule in &plans.others {
        if room.full {
            break;
        }
        if skip.contains(&rule.id) || (!r.pod_spec && !WITHOUT_POD_SPEC.contains(&rule.id)) {
            continue;
        }
        let mut c = ctx(opts.pss_level(), opts.pss_version.minor(), room);
        (rule.check)(&mut c);
        room = c.room;
        judgements.extend(c.hits.into_iter().map(|hit| Judgement {
            rule,
            pss: None,
            hit,
            modes: Modes::NONE,
        }));
    }
    let ignored = ignored_rules(r.doc, w);
    let mut out = Judged {
        findings: Vec::with_capacity(judgements.len()),
        suppressed: Vec::new(),
        over_budget: room.full.then(|| over_budget(r, limits)),
    };
    let resource = Arc::new(w.resource.clone());
    // Whether PSA rejects the resource (a Pod failing `enforce`): then it warns about
    // nothing (EvaluatePod), whatever `kube-secctx.io/ignore` hides from us.
    let rejected = judgements
        .iter()
        .any(|j| j.pss.is_some() && j.modes.contains(crate::Mode::Enforce));
    let mut unread =
        super::near_miss::Unread::new(r.doc, w, opts.kube_version.minor(), unknown.as_deref());
    for j in judgements {
        let suppressed = ignored.contains(j.rule.id);
        let mut f = finding(r, &resource, j);
        // An unknown key's own finding already says what it misspells.
        let unread_here = f.rule != "unknown-field";
        if let Some(m) = unread_here.then(|| unread.near_miss(&f.path)).flatten() {
            f.message.push_str(&super::near_miss::note(&m, r.lines));
        }
        if cluster.is_some() && f.pss.is_some() {
            let (severity, wording) =
                super::admission::admission(&policies, &w.resource, f.modes, rejected);
            f.severity = severity;
            f.admission = Some(wording);
        }
        if suppressed {
            out.suppressed.push(f);
        } else {
            out.findings.push(f);
        }
    }
    out
}

/// The error entry of a resource whose findings passed a budget: at the resource's
/// first key (its `List` item, or the document's root).
fn over_budget(r: &Resource<'_, '_>, limits: &crate::Limits) -> (String, Span) {
    let at = r.doc.node(r.workload.root).map_or(0, |n| n.span().start);
    let what = if r.workload.root_pointer.is_empty() {
        "this resource".to_string()
    } else {
        format!("the List item at {}", r.workload.root_pointer)
    };
    let message = format!(
        "{what} gives more findings than the budget of {} findings and {} bytes of \
         pointers and messages per resource: only the findings within it are reported, \
         and the rules after it did not run",
        limits.max_findings_per_resource, limits.max_finding_bytes_per_resource
    );
    (message, Span::new(at, at))
}

/// Rule IDs named in the `kube-secctx.io/ignore` annotation of the resource or its pod
/// template.
fn ignored_rules<'d>(doc: &'d Document<'_>, w: &Workload) -> HashSet<&'d str> {
    let mut out = HashSet::new();
    for meta in [w.metadata, w.pod_metadata] {
        for (k, v) in annotations(doc, meta) {
            if k == IGNORE_ANNOTATION {
                out.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()));
            }
        }
    }
    out
}

fn finding(r: &Resource<'_, '_>, resource: &Arc<ResourceRef>, j: Judgement) -> Finding {
    let Judgement {
        rule,
        pss,
        hit,
        modes,
    } = j;
    let w = r.workload;
    // The container a finding is in: the one the rule named (whose name the hit
    // carries), else the one whose item holds the field (diagnostics report absolute
    // pointers).
    let named = hit.container_index.and_then(|i| w.containers.get(i));
    let container = named.or_else(|| w.container_at(&hit.pointer));
    let span = hit
        .span
        .unwrap_or_else(|| resolve_span(r.doc, w, container, &hit.pointer));
    let container_name = match named {
        Some(_) => hit.container,
        None => container.and_then(|c| c.name.clone()).or(hit.container),
    };
    Finding {
        file: Arc::clone(r.file),
        document: r.doc.index,
        resource: Arc::clone(resource),
        container: container_name,
        rule: rule.id,
        modes,
        pss,
        severity: rule.severity,
        admission: None,
        message: hit.message,
        path: hit.pointer,
        span,
        fix: rule.fix,
        group: hit.group,
    }
}
