//! Walking a resource against the table: every key that is not a field of its
//! mapping's model in the Kubernetes version checked.

use std::fmt::Write as _;

use super::{model, root_model, Field, ModelId, Ty, POD_TEMPLATE};
use crate::workload::Workload;
use crate::yaml::{escape_pointer, Document, NodeId, Span, Value};

/// How deep a walk goes (mappings and lists): far deeper than any API type (a pod spec
/// is about ten levels down a CronJob), so only a document built to loop stops it.
const MAX_DEPTH: usize = 64;

/// One mapping on the way from the walk's start to an unknown key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The mapping node.
    pub node: NodeId,
    /// Its model.
    pub model: ModelId,
    /// Its JSON pointer (absolute, from the document's root).
    pub pointer: String,
}

/// A key that is not a field of its mapping's model in the version checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown<'d> {
    /// The key as the API reads it (a YAML 1.1 boolean key `on` is `"true"`).
    pub key: &'d str,
    /// The key's span in the text (bytes; empty for a tree built without text).
    pub key_span: Span,
    /// The key's value node.
    pub value: NodeId,
    /// The key's JSON pointer (absolute).
    pub pointer: String,
    /// The mappings from the walk's start down to the one holding the key (the last).
    pub chain: Vec<Step>,
}

/// A key that is a field of its mapping's model in the version checked (see
/// [`known_fields`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known<'d> {
    /// The key as the API reads it.
    pub key: &'d str,
    /// The key's span in the text (bytes; empty for a tree built without text). For an
    /// entry a merge key `<<` brought ([`Known::merged`]), the span in the merged mapping.
    pub key_span: Span,
    /// Whether the entry came into its mapping through a merge key `<<`.
    pub merged: bool,
    /// The key's value node.
    pub value: NodeId,
    /// The key's JSON pointer (absolute).
    pub pointer: String,
    /// The model of the mapping holding the key.
    pub model: ModelId,
    /// The field.
    pub field: &'static Field,
}

/// Where the walk of a workload starts (see [`start`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// The node: the resource's root, or its pod template.
    pub node: NodeId,
    /// Its model.
    pub model: ModelId,
    /// Its JSON pointer (absolute).
    pub pointer: String,
    /// Whether the template and its `metadata` and `spec` may hold keys of their own
    /// (a custom resource's pod template: Knative's `containerConcurrency`).
    pub open: bool,
}

/// Where the walk of workload `w` starts: its whole object when the table describes
/// its `apiVersion` and `kind` ([`root_model`]); else its pod template (`spec.template`,
/// [`POD_TEMPLATE`]): for a built-in kind under an older API version
/// (`extensions/v1beta1`) the template as the API defines it, for a resource matched
/// by shape (an Argo Rollout, a Knative Service) [`Start::open`], since a custom
/// resource may extend its template's pod spec. `None` when the template is not there.
pub fn start(doc: &Document<'_>, w: &Workload) -> Option<Start> {
    if let Some(model) = root_model(&w.resource.api_version, &w.resource.kind) {
        return Some(Start {
            node: w.root,
            model,
            pointer: w.root_pointer.clone(),
            open: false,
        });
    }
    let template = w.spec_pointer.strip_suffix("/spec")?;
    let relative = template.strip_prefix(w.root_pointer.as_str())?;
    let node = doc.pointer(w.root, relative)?;
    Some(Start {
        node,
        model: POD_TEMPLATE,
        pointer: template.to_string(),
        open: w.resource.matched_by == crate::report::MatchedBy::Shape,
    })
}

/// Calls `found` for each key under `from` ([`start`]) that is not a field of its mapping's model in Kubernetes v1.`minor`, in
/// document order. Keys whose values have free keys (labels, `nodeSelector`,
/// `resources.limits`) are not fields and are not checked; values of the wrong type (a
/// scalar where an object belongs) are not walked into (`invalid-field-type` reports
/// those it knows). Each mapping is walked once, even when aliases reach it again. With
/// [`Start::open`], the keys of the template, its `metadata` and its `spec` themselves
/// are not reported (the fields below them are).
pub fn unknown_fields<'d>(
    doc: &'d Document<'_>,
    from: &Start,
    minor: u32,
    found: &mut dyn FnMut(Unknown<'d>),
) {
    walk(doc, from, minor, Some(found), None);
}

/// Calls `found` for each key under `from` ([`start`]) that is a field of its mapping's
/// model in Kubernetes v1.`minor`, in document order: the keys [`unknown_fields`] walks
/// past, with the model each is a field of (the misspelling test over the real corpus
/// mutates them). The same walk: keys with free names are not fields and are not
/// visited; each mapping once; with [`Start::open`], the keys of the template, its
/// `metadata` and its `spec` that are fields are visited, the others skipped.
pub fn known_fields<'d>(
    doc: &'d Document<'_>,
    from: &Start,
    minor: u32,
    found: &mut dyn FnMut(Known<'d>),
) {
    walk(doc, from, minor, None, Some(found));
}

fn walk<'d, 'f>(
    doc: &'d Document<'_>,
    from: &Start,
    minor: u32,
    unknown: Option<&'f mut dyn FnMut(Unknown<'d>)>,
    known: Option<&'f mut dyn FnMut(Known<'d>)>,
) {
    let mut w = Walk {
        doc,
        minor,
        open: from.open,
        chain: Vec::new(),
        start: &from.pointer,
        path: Vec::new(),
        aliases: !doc.aliased.is_empty(),
        seen: crate::hash::HashSet::default(),
        unknown,
        known,
    };
    w.value(from.node, Ty::Model(from.model), 0);
}

/// One step of the walk's way down: a key of a mapping, or an index of a list.
#[derive(Clone, Copy)]
enum Token<'d> {
    Key(&'d str),
    Index(usize),
}

struct Walk<'d, 'a, 's, 'f> {
    doc: &'d Document<'a>,
    minor: u32,
    open: bool,
    /// The mappings from the start down to the one walked: node, model, and how many
    /// tokens of `path` lead to it; made [`Step`]s for an unknown key only.
    chain: Vec<(NodeId, ModelId, usize)>,
    /// The start's pointer.
    start: &'s str,
    /// The way from the start to the node walked: pointers are written only for the keys
    /// reported (most keys are fields, and most walks report nothing).
    path: Vec<Token<'d>>,
    /// Whether the document has aliases (or merge keys): only then can a mapping be
    /// reached twice, and `seen` is kept.
    aliases: bool,
    seen: crate::hash::HashSet<(NodeId, ModelId)>,
    unknown: Option<&'f mut dyn FnMut(Unknown<'d>)>,
    known: Option<&'f mut dyn FnMut(Known<'d>)>,
}

impl<'d> Walk<'d, '_, '_, '_> {
    /// The pointer of the first `len` tokens of the path (absolute).
    fn pointer(&self, len: usize) -> String {
        let mut out = self.start.to_string();
        for t in self.path.iter().take(len) {
            match t {
                Token::Key(k) => {
                    out.push('/');
                    out.push_str(&escape_pointer(k));
                }
                Token::Index(i) => {
                    let _ = write!(out, "/{i}");
                }
            }
        }
        out
    }

    fn value(&mut self, node: NodeId, ty: Ty, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let doc = self.doc;
        match (ty, doc.node(node).map(|n| &n.value)) {
            (Ty::Model(m), Some(Value::Map(_))) => self.object(node, m, depth),
            (Ty::List(item), Some(Value::Seq(items))) => {
                for (i, &child) in items.iter().enumerate() {
                    self.path.push(Token::Index(i));
                    self.value(child, *item, depth + 1);
                    self.path.pop();
                }
            }
            (Ty::Map(value), Some(Value::Map(entries))) if value.model().is_some() => {
                for e in entries {
                    self.path.push(Token::Key(e.key.as_ref()));
                    self.value(e.value, *value, depth + 1);
                    self.path.pop();
                }
            }
            _ => {}
        }
    }

    fn object(&mut self, node: NodeId, m: ModelId, depth: usize) {
        if self.aliases && !self.seen.insert((node, m)) {
            return;
        }
        let doc = self.doc;
        let Some(entries) = doc.map(node) else { return };
        self.chain.push((node, m, self.path.len()));
        let fields = model(m);
        for e in entries {
            self.path.push(Token::Key(e.key.as_ref()));
            match fields.field_at(&e.key, self.minor) {
                Some(f) => {
                    if self.known.is_some() {
                        let pointer = self.pointer(self.path.len());
                        if let Some(known) = self.known.as_mut() {
                            known(Known {
                                key: e.key.as_ref(),
                                key_span: e.key_span(),
                                merged: e.is_merged(),
                                value: e.value,
                                pointer,
                                model: m,
                                field: f,
                            });
                        }
                    }
                    self.value(e.value, f.ty, depth + 1);
                }
                None if self.open && self.chain.len() <= 2 => {}
                None => {
                    if self.unknown.is_some() {
                        let chain = self
                            .chain
                            .iter()
                            .map(|&(node, model, len)| Step {
                                node,
                                model,
                                pointer: self.pointer(len),
                            })
                            .collect();
                        let pointer = self.pointer(self.path.len());
                        if let Some(unknown) = self.unknown.as_mut() {
                            unknown(Unknown {
                                key: e.key.as_ref(),
                                key_span: e.key_span(),
                                value: e.value,
                                pointer,
                                chain,
                            });
                        }
                    }
                }
            }
            self.path.pop();
        }
        self.chain.pop();
    }
}

/// The unknown key at `pointer` (absolute) under `from`, as [`unknown_fields`] reports
/// it, found by walking only the mappings on the pointer's way (linear in its depth: the
/// fix of each of a resource's unknown keys looks its own up). `None` when the pointer
/// does not name a key, or names one that is a field there in Kubernetes v1.`minor`.
pub fn unknown_at<'d>(
    doc: &'d Document<'_>,
    from: &Start,
    pointer: &str,
    minor: u32,
) -> Option<Unknown<'d>> {
    let rest = pointer.strip_prefix(from.pointer.as_str())?;
    let tokens = crate::fix::ops::tokens(rest);
    let (last, way) = tokens.split_last()?;
    let mut node = from.node;
    let mut ty = Ty::Model(from.model);
    let mut at = from.pointer.clone();
    let mut chain: Vec<Step> = Vec::new();
    let step = |at: &mut String, t: &str| {
        at.push('/');
        at.push_str(&escape_pointer(t));
    };
    for t in way {
        match ty {
            Ty::Model(m) => {
                chain.push(Step {
                    node,
                    model: m,
                    pointer: at.clone(),
                });
                let e = doc.entry(node, t)?;
                ty = model(m).field_at(t, minor)?.ty;
                node = e.value;
            }
            Ty::List(item) => {
                node = *doc.seq(node)?.get(t.parse::<usize>().ok()?)?;
                ty = *item;
            }
            Ty::Map(value) => {
                node = doc.entry(node, t)?.value;
                ty = *value;
            }
            _ => return None,
        }
        step(&mut at, t);
    }
    let Ty::Model(m) = ty else { return None };
    if model(m).field_at(last, minor).is_some() || (from.open && chain.len() < 2) {
        return None;
    }
    chain.push(Step {
        node,
        model: m,
        pointer: at.clone(),
    });
    let e = doc.entry(node, last)?;
    step(&mut at, last);
    Some(Unknown {
        key: e.key.as_ref(),
        key_span: e.key_span(),
        value: e.value,
        pointer: at,
        chain,
    })
}

/// A JSON pointer as a field path for messages, as `kubectl explain` and Pod Security
/// Admission write them: `/spec/containers/0/securityContext` →
/// `spec.containers[0].securityContext` (a `*` token, for "every item", → `[*]`).
pub fn display_path(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = crate::yaml::unescape_pointer(token);
        if token == "*" || (!token.is_empty() && token.bytes().all(|b| b.is_ascii_digit())) {
            out.push('[');
            out.push_str(&token);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}
