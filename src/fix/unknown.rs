//! The fix of an `unknown-field` finding: the key renamed to the field it misspells, or
//! its entry moved to the level where it is a field, as [`crate::schema::suggest`] says
//! at the Kubernetes version the finding was judged with ([`crate::Options::kube_version`]).

use super::ops::{tokens, Op};
use super::plan::{NoFix, Plan};
use super::Applicability;
use crate::report::Finding;
use crate::schema::{self, display_path, Suggestion};
use crate::workload::Workload;
use crate::yaml::{escape_pointer, Document};

/// The plan for `f`, an `unknown-field` finding of workload `w` in `doc`, judged at
/// Kubernetes v1.`minor`:
///
/// - a spelling ([`Suggestion::Spelling`]): [`Op::Rename`] to the first suggestion,
///   when the value fits that field (a mapping for an object, a scalar for a scalar) and
///   the mapping does not hold that key already;
/// - a place ([`Suggestion::Place`], the nearest): [`Op::Move`] there, when the place is
///   one field (not every item of a list with several, `[*]`), its value fits, and the
///   field is missing or `null` there; [`Op::Remove`] of the key when the field there
///   already holds the same value;
/// - a version ([`Suggestion::Version`]) or nothing close: no fix.
///
/// Unsafe: the field then takes effect (a `runAsNonRoot: true` the kubelet enforces, a
/// `privileged: true` that was ignored until now).
pub(super) fn plan(
    doc: &Document<'_>,
    w: &Workload,
    f: &Finding,
    minor: u32,
) -> Result<Plan, NoFix> {
    let start = schema::start(doc, w).ok_or("the key is not in a workload's fields")?;
    let u = schema::unknown_at(doc, &start, &f.path, minor)
        .ok_or("the key is a field at this Kubernetes version")?;
    let here = u.chain.last().ok_or("the key is not in a mapping")?;
    let key = u.key;
    match schema::suggest(doc, &u, minor) {
        Some(Suggestion::Spelling(names)) => {
            let to = names
                .first()
                .copied()
                .ok_or("no field is spelled like it")?;
            if !schema::value_fits(doc, u.value, here.model, to, minor) {
                return Err(format!("its value does not fit `{to}`: correct it by hand"));
            }
            if doc.get(here.node, to).is_some() {
                return Err(format!(
                    "the mapping already has `{to}`: keep one of the two by hand"
                ));
            }
            // Another unknown key of the mapping that would be renamed to the same field.
            let fields = schema::model(here.model);
            let twin = doc.map(here.node).unwrap_or_default().iter().any(|e| {
                e.key != key
                    && fields.field_at(&e.key, minor).is_none()
                    && crate::suggest::did_you_mean(&e.key, fields.fields_at(minor).map(|f| f.name))
                        .first()
                        == Some(&to)
            });
            if twin {
                return Err(format!(
                    "another key of the mapping is spelled like `{to}` too: keep one by hand"
                ));
            }
            Ok(Plan {
                title: format!("rename `{key}` to `{to}`"),
                applicability: Applicability::Unsafe,
                ops: vec![Op::Rename {
                    path: tokens(&u.pointer),
                    to: to.to_string(),
                }],
            })
        }
        Some(Suggestion::Place(places)) => {
            if let [a, b, ..] = places.as_slice() {
                return Err(format!(
                    "it may belong at `{}` or at `{}`: move it by hand",
                    display_path(&a.pointer),
                    display_path(&b.pointer)
                ));
            }
            if !doc.duplicates.is_empty() {
                return Err(
                    "the document has a duplicated key (duplicate-key): which mapping the \
                     field moves into is ambiguous; keep one of the keys first"
                        .into(),
                );
            }
            let p = places.first().ok_or("no place")?;
            let shown = display_path(&p.pointer);
            let to = tokens(&p.pointer);
            if to.iter().any(|t| t == "*") {
                return Err(format!(
                    "it belongs at `{shown}`, in each item of a list with several (or none): \
                     move it by hand"
                ));
            }
            if !p.fits {
                return Err(format!(
                    "its value does not fit the field at `{shown}`: move it by hand"
                ));
            }
            let root = doc.root.ok_or("an empty document")?;
            if let Some(there) = doc.pointer(root, &p.pointer).filter(|&n| !doc.is_null(n)) {
                // Set to the same value there (by hand, or by another fix of an earlier
                // `--fix` pass): the misplaced key says nothing more.
                let there = doc.json_within(there, 64);
                if there.is_some() && there == doc.json_within(u.value, 64) {
                    return Ok(Plan {
                        title: format!("remove `{key}`: `{shown}` holds the same value"),
                        applicability: Applicability::Unsafe,
                        ops: vec![Op::Remove {
                            path: tokens(&u.pointer),
                        }],
                    });
                }
                return Err(format!(
                    "`{shown}` is already set: keep one of the two by hand"
                ));
            }
            // The only key of its mapping, moving inside it: the mapping would be emptied
            // and written into at once.
            let only = doc.map(here.node).is_some_and(|m| m.len() == 1);
            if only && p.pointer.starts_with(&format!("{}/", here.pointer)) {
                return Err(format!(
                    "it is the only key of its mapping and belongs inside it, at `{shown}`: \
                     move it by hand"
                ));
            }
            // Another unknown key of the same mapping moving into the same new mapping
            // (a template written without its `spec:`): the two insertions would meet.
            if let Some(new) = created(doc, root, &p.pointer) {
                let sibling = doc.map(here.node).unwrap_or_default().iter().any(|e| {
                    let pointer = format!("{}/{}", here.pointer, escape_pointer(&e.key));
                    e.key != key
                        && schema::unknown_at(doc, &start, &pointer, minor).is_some_and(|v| {
                            matches!(
                                schema::suggest(doc, &v, minor),
                                Some(Suggestion::Place(ps)) if ps.first().and_then(|q| created(doc, root, &q.pointer)) == Some(new.clone())
                            )
                        })
                });
                if sibling {
                    return Err(format!(
                        "other keys of this mapping also belong in `{}`, which is not there: \
                         move them by hand",
                        display_path(&new)
                    ));
                }
            }
            Ok(Plan {
                title: format!("move `{key}` to `{shown}`"),
                applicability: Applicability::Unsafe,
                ops: vec![Op::Move {
                    from: tokens(&u.pointer),
                    to,
                }],
            })
        }
        Some(Suggestion::Version { first, last }) => Err(format!(
            "`{key}` is a field of {} in Kubernetes v1.{first} to v1.{last} only: use a \
             Kubernetes version that has it, or remove it",
            schema::model(here.model).name
        )),
        None => Err("no field is close to it: correct or remove it by hand".into()),
    }
}

#[cfg(test)]
#[path = "unknown_tests.rs"]
mod tests;

/// The first mapping on the way to `pointer` (absolute) that the document does not have
/// (a JSON pointer), if any: what a move there creates.
fn created(doc: &Document<'_>, root: crate::yaml::NodeId, pointer: &str) -> Option<String> {
    super::created_on_the_way(doc, root, &tokens(pointer))
}
