//! The near miss: a finding about a missing field whose mapping holds a misspelling of it.
//!
//! A rule that sees no `runAsNonRoot` reports it missing, at the `securityContext:` key;
//! when the author wrote `runAsNonroot: true` there, that key is what to fix. For every
//! finding (whatever its rule) whose JSON pointer names a key missing from a mapping that
//! exists — the deepest mapping on the pointer, so a misspelled `securityContex:` block
//! counts for `.../securityContext/runAsNonRoot`, and a container's field it inherits
//! from the pod (`runAsNonRoot`, `seccompProfile`, ...) is looked for in the pod's
//! `securityContext` too — a key of that mapping that is not a
//! field of its API type at the checked Kubernetes version ([`crate::schema`],
//! [`crate::Options::kube_version`]) and is spelled like the missing key
//! ([`crate::suggest::did_you_mean`], or equal without case) is named in the finding's
//! message: "(`runAsNonroot` at line 12 is not read: a misspelling of `runAsNonRoot`?)",
//! without the line for an object checked without text (admission).

use crate::position::Lines;
use crate::rules::unknown_fields_of;
use crate::schema::Unknown;
use crate::workload::Workload;
use crate::yaml::{unescape_pointer, Document, NodeId, Span};

/// What the near-miss note of a message starts with (the language server finds the
/// findings that have one by it).
pub const NEAR_MISS_MARK: &str = "is not read: a misspelling of";

/// A key that is not read, spelled like a field a finding says is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    /// The key as written (as the API reads it).
    pub key: String,
    /// Where the key is, in bytes of the text (empty without text).
    pub span: Span,
    /// The field it misspells (the missing key of the finding's pointer).
    pub field: String,
}

impl NearMiss {
    /// The sentence for beside the key (the language server's related information):
    /// "`runAsNonroot` is not read: a misspelling of `runAsNonRoot`?".
    pub fn related_message(&self) -> String {
        format!(
            "`{}` {NEAR_MISS_MARK} `{}`?",
            self.key.escape_debug(),
            self.field
        )
    }
}

/// The unknown keys of one workload, by the mapping holding them: found on first need
/// (most findings of a resource point at fields that exist, or at mappings without an
/// unknown key).
pub(super) struct Unread<'r, 'd> {
    doc: &'r Document<'d>,
    workload: &'r Workload,
    minor: u32,
    /// The workload's keys that are not fields, when the engine walked them for the
    /// `unknown-field` rule; `None`: walked here on need.
    unknown: Option<&'r [Unknown<'r>]>,
    /// Those keys by the mapping holding them, made on first need.
    by_map: Option<crate::hash::HashMap<NodeId, Vec<(&'r str, Span)>>>,
    /// The answers given so far, by mapping and missing key: several rules (and the
    /// policies of several modes) report the same missing field.
    answers: Vec<(NodeId, String, Option<NearMiss>)>,
}

impl<'r, 'd> Unread<'r, 'd> {
    /// For workload `w` of `doc`, at Kubernetes v1.`minor`; `unknown`: its keys that
    /// are not fields at that version, if already walked (else walked here on need).
    pub(super) fn new(
        doc: &'r Document<'d>,
        workload: &'r Workload,
        minor: u32,
        unknown: Option<&'r [Unknown<'r>]>,
    ) -> Self {
        Unread {
            doc,
            workload,
            minor,
            unknown,
            by_map: None,
            answers: Vec::new(),
        }
    }

    /// The near miss of a finding at `pointer`, if any: in the deepest mapping on the
    /// pointer, else, for a container's field it inherits from the pod, in the pod's.
    pub(super) fn near_miss(&mut self, pointer: &str) -> Option<NearMiss> {
        // Every key is a field (known once walked): nothing is misspelled.
        if self.unknown.is_some_and(<[_]>::is_empty) {
            return None;
        }
        match self.at(pointer) {
            Lookup::Present => None,
            Lookup::Missing(Some(m)) => Some(m),
            // The container does not set it: the pod's value applies, if written.
            Lookup::Missing(None) => match self.at(&pod_level(pointer)?) {
                Lookup::Missing(m) => m,
                Lookup::Present => None,
            },
        }
    }

    fn at(&mut self, pointer: &str) -> Lookup {
        match self.missing_at(pointer) {
            None => Lookup::Present,
            Some(found) => Lookup::Missing(found),
        }
    }

    /// `None` when every key of `pointer` is there; else the near miss of the first
    /// missing one, if any.
    fn missing_at(&mut self, pointer: &str) -> Option<Option<NearMiss>> {
        let doc = self.doc;
        let Some(mut at) = doc.root else {
            return Some(None);
        };
        let mut missing = None;
        // The pointer's unescaped tokens (as `fix::ops::tokens` gives them), one at a
        // time: only the missing one is kept.
        let tokens = pointer
            .strip_prefix('/')
            .into_iter()
            .flat_map(|rest| rest.split('/'))
            .map(unescape_pointer);
        for t in tokens {
            let next = match doc.map(at) {
                Some(_) => doc.get(at, &t),
                None => doc
                    .seq(at)
                    .and_then(|items| items.get(t.parse::<usize>().ok()?).copied()),
            };
            match next {
                Some(n) => at = n,
                None => {
                    missing = Some(t);
                    break;
                }
            }
        }
        let missing = missing?;
        Some(self.spelled_like(at, missing.into_owned()))
    }

    /// The near miss of `missing` among the keys of mapping `at`.
    fn spelled_like(&mut self, at: NodeId, missing: String) -> Option<NearMiss> {
        if let Some((.., answer)) = self
            .answers
            .iter()
            .find(|(node, key, _)| *node == at && *key == missing)
        {
            return answer.clone();
        }
        let answer = self.first_spelled_like(at, &missing);
        self.answers.push((at, missing, answer.clone()));
        answer
    }

    /// [`Unread::spelled_like`], worked out.
    fn first_spelled_like(&mut self, at: NodeId, missing: &str) -> Option<NearMiss> {
        let doc = self.doc;
        let keys = doc.map(at)?;
        let close = |k: &str| {
            k != missing
                && (k.eq_ignore_ascii_case(missing) || crate::suggest::is_close(k, missing))
        };
        // Cheap first: a key spelled alike at all.
        if !keys.iter().any(|e| close(&e.key)) {
            return None;
        }
        let (doc, w, minor, unknown) = (self.doc, self.workload, self.minor, self.unknown);
        let by_map = self.by_map.get_or_insert_with(|| {
            let own;
            let found = match unknown {
                Some(found) => found,
                None => {
                    own = unknown_fields_of(doc, w, minor);
                    &own
                }
            };
            let mut out: crate::hash::HashMap<NodeId, Vec<(&str, Span)>> =
                crate::hash::HashMap::default();
            for u in found {
                if let Some(step) = u.chain.last() {
                    out.entry(step.node).or_default().push((u.key, u.key_span));
                }
            }
            out
        });
        let (key, span) = by_map.get(&at)?.iter().find(|(k, _)| close(k))?;
        Some(NearMiss {
            key: (*key).to_string(),
            span: *span,
            field: missing.to_string(),
        })
    }
}

/// What a finding's pointer names: a field that is there, or one that is missing (with
/// its near miss, if any).
enum Lookup {
    Present,
    Missing(Option<NearMiss>),
}

/// Security context fields a container inherits from the pod's `securityContext` when it
/// does not set its own (Kubernetes API: `PodSecurityContext`, "the value specified in
/// SecurityContext takes precedence").
pub const INHERITED: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "windowsOptions",
];

/// For a container's `securityContext` field that it inherits from the pod
/// ([`INHERITED`]), the pod's: `/spec/containers/0/securityContext/runAsNonRoot` →
/// `/spec/securityContext/runAsNonRoot`.
fn pod_level(pointer: &str) -> Option<String> {
    ["/containers/", "/initContainers/", "/ephemeralContainers/"]
        .iter()
        .find_map(|list| {
            let at = pointer.rfind(list)?;
            let tail = pointer.get(at + list.len()..)?;
            let (index, rest) = tail.split_once("/securityContext/")?;
            if index.contains('/') || !INHERITED.contains(&rest.split('/').next()?) {
                return None;
            }
            Some(format!("{}/securityContext/{rest}", pointer.get(..at)?))
        })
}

/// The note appended to a finding's message for `m`: with the key's line when the text
/// was indexed.
pub(super) fn note(m: &NearMiss, lines: Option<&Lines<'_>>) -> String {
    let at = match lines {
        Some(li) if m.span != Span::default() => format!(" at line {}", li.line(m.span.start) + 1),
        _ => String::new(),
    };
    format!(
        " (`{}`{at} {NEAR_MISS_MARK} `{}`?)",
        m.key.escape_debug(),
        m.field
    )
}

/// The near miss of finding `pointer` of workload `w` in `doc`, checked at Kubernetes
/// v1.`minor` (see the module's documentation): for a front end that shows the key
/// beside the finding (the language server's related information). `None` when the
/// pointer names no missing key, or its mapping holds no key spelled like it that is not
/// a field.
pub fn near_miss(doc: &Document<'_>, w: &Workload, pointer: &str, minor: u32) -> Option<NearMiss> {
    Unread::new(doc, w, minor, None).near_miss(pointer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use crate::{check, Options};

    fn messages(text: &str, rule: &str) -> Vec<String> {
        let opts = Options {
            select: vec![rule.to_string()],
            ..Options::default()
        };
        check("p.yaml", text, &opts)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n";

    #[test]
    fn a_misspelled_block_is_named_for_the_fields_below_it() {
        let text = format!(
            "{POD}  containers:\n  - name: a\n    image: x\n    SecurityContext:\n      readOnlyRootFilesystem: true\n"
        );
        assert_eq!(
            messages(&text, "writable-root-filesystem"),
            ["container \"a\" does not set securityContext.readOnlyRootFilesystem=true (`SecurityContext` at line 8 is not read: a misspelling of `securityContext`?)"]
        );
    }

    #[test]
    fn only_keys_that_are_not_fields_and_spelled_alike_count() {
        // `runAsGroup` is a field; `fsGroup` is one of the pod (and not spelled alike).
        let text = format!(
            "{POD}  containers:\n  - name: a\n    image: x\n    securityContext:\n      runAsGroup: 1000\n      fsGroup: 1000\n"
        );
        for m in messages(&text, "may-run-as-root") {
            assert!(!m.contains("is not read"), "{m}");
        }
    }

    #[test]
    fn without_text_the_line_is_left_out() {
        let object = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"securityContext": {"runAsNonroot": true},
                     "containers": [{"name": "a", "image": "x"}]}});
        let opts = Options {
            select: vec!["may-run-as-root".into()],
            ..Options::default()
        };
        let mut checker = crate::Checker::new(&opts).unwrap();
        let findings = checker
            .check_object("request.object", &object)
            .findings
            .to_vec();
        assert_eq!(
            findings[0].message,
            "runAsNonRoot != true: pod or container \"a\" must set securityContext.runAsNonRoot=true (`runAsNonroot` is not read: a misspelling of `runAsNonRoot`?)"
        );
    }
}
