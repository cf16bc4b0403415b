//! What an unknown key was probably meant to be.

use std::collections::VecDeque;

use crate::suggest::fold;

use super::{model, ModelId, Ty, Unknown};
use crate::yaml::{escape_pointer, Document, NodeId, Value};

/// How many fields down from a mapping on the way a misplaced key is looked for
/// (`template.spec.securityContext` from a Deployment's `spec` is three).
const MAX_DOWN: usize = 3;

/// Where a misplaced key is a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The model the key is a field of there.
    pub model: ModelId,
    /// The field's JSON pointer there (absolute). A `*` token stands for every item of a
    /// list with several items (or none yet); a list with one item gives its `0`.
    pub pointer: String,
    /// Whether the value written fits the field there: an object whose keys are all
    /// fields of the field's model, a list for a list, a scalar for a scalar.
    pub fits: bool,
}

/// What an unknown key was probably meant to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggestion {
    /// The key is a field of this model in other Kubernetes versions: from v1.`first`
    /// to v1.`last` (minor versions).
    Version {
        /// The first minor version that has it.
        first: u32,
        /// The last minor version that has it.
        last: u32,
    },
    /// The key is a field at another level of the object (nearest first; a second place
    /// only when it is a field of another model and the value fits both).
    Place(Vec<Place>),
    /// Fields of the same model spelled alike, best first (`runAsNonroot` →
    /// `runAsNonRoot`; [`crate::suggest::did_you_mean`]).
    Spelling(Vec<&'static str>),
}

/// The most likely meaning of `u`, an unknown key of `doc` in Kubernetes v1.`minor`, in
/// this order: the same field in another version; a field of that name at another level
/// whose type fits the value (the nearest: fewest mappings up and then down from the
/// key's mapping, up to the walk's start, at most three fields down); a field of the
/// same model spelled alike; a field at another level the value does not fit. `None`
/// when nothing is close.
pub fn suggest(doc: &Document<'_>, u: &Unknown<'_>, minor: u32) -> Option<Suggestion> {
    let here = u.chain.last()?;
    if let Some((first, last)) = model(here.model).field(u.key).and_then(|f| f.range()) {
        return Some(Suggestion::Version { first, last });
    }
    let places = places(doc, u, minor);
    let fitting: Vec<&(usize, Place)> = places.iter().filter(|(_, p)| p.fits).collect();
    if let Some((cost, best)) = fitting.first() {
        let mut out = vec![best.clone()];
        if let Some((_, second)) = fitting
            .iter()
            .skip(1)
            .find(|(c, p)| *c <= cost + 1 && p.model != best.model)
        {
            out.push(second.clone());
        }
        return Some(Suggestion::Place(out));
    }
    let names = model(here.model).fields_at(minor).map(|f| f.name);
    let mut spelled = crate::suggest::did_you_mean(u.key, names);
    // A slip of case or `-`/`_` (`fsgroup`) is that field, not one of several.
    if spelled.first().is_some_and(|s| fold(s) == fold(u.key)) {
        spelled.truncate(1);
    }
    if !spelled.is_empty() {
        return Some(Suggestion::Spelling(spelled));
    }
    places
        .into_iter()
        .next()
        .map(|(_, p)| Suggestion::Place(vec![p]))
}

/// Every field named like the key at another level, with its cost (mappings up plus
/// fields down), cheapest first (then nearest ancestor, then the table's order).
///
/// A key that is no field of any model in that version has none, found without the
/// search: a mapping of thousands of unknown keys (one finding each, up to the
/// resource's budget) costs a lookup per key, not a walk of the types around it.
fn places(doc: &Document<'_>, u: &Unknown<'_>, minor: u32) -> Vec<(usize, Place)> {
    if !super::MODELS
        .iter()
        .any(|m| m.field_at(u.key, minor).is_some())
    {
        return Vec::new();
    }
    let mut out: Vec<(usize, usize, Place)> = Vec::new();
    for (up, step) in u.chain.iter().rev().enumerate() {
        let mut queue = VecDeque::from([(step.model, Some(step.node), step.pointer.clone(), 0)]);
        while let Some((m, node, pointer, depth)) = queue.pop_front() {
            for f in model(m).fields_at(minor) {
                // The status is written by the cluster, never a place to move a key to.
                if f.name == "status" {
                    continue;
                }
                let field_pointer = format!("{pointer}/{}", escape_pointer(f.name));
                if f.name == u.key {
                    let fits = fits(doc, u.value, f.ty, minor);
                    out.push((
                        up + depth + 1,
                        up,
                        Place {
                            model: m,
                            pointer: field_pointer.clone(),
                            fits,
                        },
                    ));
                }
                if depth + 1 >= MAX_DOWN {
                    continue;
                }
                let child = node.and_then(|n| doc.get_set(n, f.name));
                match f.ty {
                    Ty::Model(cm) => queue.push_back((cm, child, field_pointer, depth + 1)),
                    Ty::List(Ty::Model(cm)) => {
                        // A pod's one container is "the" container; the one item of
                        // another list (a volume, a port) is not the one a key was
                        // meant for: every item.
                        let items = child.and_then(|c| doc.seq(c)).unwrap_or(&[]);
                        let container =
                            matches!(model(*cm).name, "Container" | "EphemeralContainer");
                        let (token, item) = match items {
                            [one] if container => ("0", Some(*one)),
                            _ => ("*", None),
                        };
                        queue.push_back((*cm, item, format!("{field_pointer}/{token}"), depth + 1));
                    }
                    _ => {}
                }
            }
        }
    }
    // Stable: equal costs keep the nearest ancestor's, then the breadth-first order.
    out.sort_by_key(|(cost, up, _)| (*cost, *up));
    out.into_iter().map(|(cost, _, p)| (cost, p)).collect()
}

/// Whether `value` fits a field of type `ty` (see [`Place::fits`]).
fn fits(doc: &Document<'_>, value: NodeId, ty: Ty, minor: u32) -> bool {
    match (ty, doc.node(value).map(|n| &n.value)) {
        (_, None) => false,
        (_, Some(Value::Scalar(_))) if doc.is_null(value) => true,
        (Ty::Model(m), Some(Value::Map(entries))) => entries
            .iter()
            .all(|e| model(m).field_at(&e.key, minor).is_some()),
        (Ty::Map(_), Some(Value::Map(_))) | (Ty::List(_), Some(Value::Seq(_))) => true,
        (Ty::Bool | Ty::Int | Ty::Number | Ty::Str | Ty::Any, Some(Value::Scalar(_))) => true,
        (Ty::Any, _) => true,
        _ => false,
    }
}

/// Whether `value` fits field `field` of `m` in Kubernetes v1.`minor` (see
/// [`Place::fits`]): for the fix that renames a misspelled key to `field`. `false` when
/// `m` has no such field then.
pub fn value_fits(doc: &Document<'_>, value: NodeId, m: ModelId, field: &str, minor: u32) -> bool {
    model(m)
        .field_at(field, minor)
        .is_some_and(|f| fits(doc, value, f.ty, minor))
}

#[cfg(test)]
#[path = "fits_tests.rs"]
mod fits_tests;
