//! What a fix changes in the object, independent of any text: [`Op`]s on JSON pointers,
//! applied to a decoded object ([`apply`]; the mutating admission policy and the fix
//! verification) or turned into text edits ([`super::layout`]).

use serde_json::{Map, Value};

use crate::yaml::{escape_pointer, unescape_pointer};

/// One change of an object. Paths are lists of unescaped JSON pointer tokens from the
/// document's root (a list index is its decimal token).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Sets the field at `path` to `value`, creating the mappings on the way (a `null`
    /// on the way becomes a mapping). Source: the finding's API field.
    Set {
        /// Where.
        path: Vec<String>,
        /// The new value (a scalar).
        value: Value,
    },
    /// Appends `value` to the list at `path`, creating the list (and the mappings on the
    /// way) when it is missing or `null`; nothing when the list already holds `value`.
    Append {
        /// The list.
        path: Vec<String>,
        /// The new item (a scalar).
        value: Value,
    },
    /// Removes the mapping key or the list item at `path`.
    Remove {
        /// Where.
        path: Vec<String>,
    },
    /// Renames the mapping key at `path` to `to`, keeping its value (`unknown-field`: a
    /// misspelled key). The mapping must not hold `to` already, unless another op of the
    /// same fix set it to the same value (that op is then written by this one). As text,
    /// only the key is rewritten (in its own quoting style).
    Rename {
        /// The key's path.
        path: Vec<String>,
        /// The new key (a field name of the API).
        to: String,
    },
    /// Moves the mapping entry at `from` to `to`: its value is removed from `from` and set
    /// at `to`, creating the mappings on the way (`unknown-field`: a field written at the
    /// wrong level). `to` must be missing or `null` (or set to the same value by another
    /// op). As text, the entry's own lines move
    /// (comments inside it included), re-indented.
    Move {
        /// The entry's path.
        from: Vec<String>,
        /// Where its value goes.
        to: Vec<String>,
    },
}

impl Op {
    /// The path the op changes (for a [`Op::Move`], the field it takes the value from).
    pub fn path(&self) -> &[String] {
        match self {
            Op::Set { path, .. }
            | Op::Append { path, .. }
            | Op::Remove { path }
            | Op::Rename { path, .. } => path,
            Op::Move { from, .. } => from,
        }
    }

    /// Where a [`Op::Rename`] or an [`Op::Move`] puts the value (the renamed key's new
    /// path); `None` for the other ops.
    pub fn destination(&self) -> Option<Vec<String>> {
        match self {
            Op::Rename { path, to } => {
                let (_, parent) = path.split_last()?;
                let mut out = parent.to_vec();
                out.push(to.clone());
                Some(out)
            }
            Op::Move { to, .. } => Some(to.clone()),
            _ => None,
        }
    }

    /// The path as a JSON pointer (RFC 6901).
    pub fn pointer(&self) -> String {
        to_pointer(self.path())
    }
}

/// A value as a fix's title or a change's summary shows it: a string as it is (`RuntimeDefault`),
/// anything else as JSON (`false`, `["ALL"]`).
pub fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => super::layout::json_text(other),
    }
}

/// Splits a JSON pointer into unescaped tokens (`""` is the root: no token).
pub fn tokens(pointer: &str) -> Vec<String> {
    match pointer.strip_prefix('/') {
        Some(rest) => rest
            .split('/')
            .map(|t| unescape_pointer(t).into_owned())
            .collect(),
        None => Vec::new(),
    }
}

/// Joins tokens into a JSON pointer.
pub fn to_pointer(path: &[String]) -> String {
    let mut out = String::new();
    for t in path {
        out.push('/');
        out.push_str(&escape_pointer(t));
    }
    out
}

/// Applies `ops` to `root`: renames and moves first, then the others in order, removals
/// last and from the highest list index down (so that the indices of the ops, all taken
/// on the original object, stay right).
///
/// # Errors
/// A message when an op does not fit the object: a path through a scalar or a list
/// index that does not exist.
pub fn apply(root: &mut Value, ops: &[Op]) -> Result<(), String> {
    // Renames and moves first: the other ops of a fix set may write into the field they
    // bring (`allowPrivilegeEscalation: false` into a `securityContext` moved from under
    // `resources:`).
    let movers = ops.iter().filter(|op| op.destination().is_some());
    for op in movers.chain(ops.iter().filter(|op| op.destination().is_none())) {
        match op {
            Op::Set { path, value } => {
                let (last, parents) = path.split_last().ok_or("an op on the root")?;
                let parent = walk_create(root, parents)?;
                match parent {
                    Value::Object(m) => {
                        m.insert(last.clone(), value.clone());
                    }
                    Value::Array(items) => {
                        let slot = index(last)
                            .and_then(|i| items.get_mut(i))
                            .ok_or_else(|| format!("no item {last}"))?;
                        *slot = value.clone();
                    }
                    _ => return Err(format!("{} is not a mapping", to_pointer(parents))),
                }
            }
            Op::Append { path, value } => {
                let (last, parents) = path.split_last().ok_or("an op on the root")?;
                let Value::Object(parent) = walk_create(root, parents)? else {
                    return Err(format!("{} is not a mapping", to_pointer(parents)));
                };
                let list = parent
                    .entry(last.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if list.is_null() {
                    *list = Value::Array(Vec::new());
                }
                let Value::Array(items) = list else {
                    return Err(format!("{} is not a list", to_pointer(path)));
                };
                if !items.contains(value) {
                    items.push(value.clone());
                }
            }
            Op::Remove { .. } => {}
            Op::Rename { path, to } => {
                let (last, parents) = path.split_last().ok_or("an op on the root")?;
                let Some(Value::Object(m)) = walk(root, parents) else {
                    return Err(format!("{} is not a mapping", to_pointer(parents)));
                };
                let value = m
                    .remove(last.as_str())
                    .ok_or_else(|| format!("no field {}", to_pointer(path)))?;
                // Another op may have set the same value there (see `Op::Rename`).
                if m.get(to.as_str()).is_some_and(|v| *v != value) {
                    return Err(format!("{}/{to} is already set", to_pointer(parents)));
                }
                m.insert(to.clone(), value);
            }
            Op::Move { from, to } => {
                let (last, parents) = from.split_last().ok_or("an op on the root")?;
                let Some(Value::Object(m)) = walk(root, parents) else {
                    return Err(format!("{} is not a mapping", to_pointer(parents)));
                };
                let value = m
                    .remove(last.as_str())
                    .ok_or_else(|| format!("no field {}", to_pointer(from)))?;
                let (last, parents) = to.split_last().ok_or("an op on the root")?;
                let Value::Object(m) = walk_create(root, parents)? else {
                    return Err(format!("{} is not a mapping", to_pointer(parents)));
                };
                if m.get(last.as_str())
                    .is_some_and(|v| !v.is_null() && *v != value)
                {
                    return Err(format!("{} is already set", to_pointer(to)));
                }
                m.insert(last.clone(), value);
            }
        }
    }
    for path in removals(ops) {
        let (last, parents) = path.split_last().ok_or("an op on the root")?;
        match walk(root, parents) {
            Some(Value::Object(m)) => {
                m.remove(last.as_str());
            }
            Some(Value::Array(items)) => {
                let i = index(last).filter(|&i| i < items.len());
                let i = i.ok_or_else(|| format!("no item {}", to_pointer(path)))?;
                items.remove(i);
            }
            _ => return Err(format!("no field {}", to_pointer(path))),
        }
    }
    Ok(())
}

/// The paths of the `Remove` ops, deepest and highest list index first, once each: the
/// order in which removing them keeps the other paths right.
fn removals(ops: &[Op]) -> Vec<&[String]> {
    let mut out: Vec<&[String]> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Remove { path } => Some(path.as_slice()),
            _ => None,
        })
        .collect();
    out.sort_unstable_by(|a, b| compare_paths(b, a));
    out.dedup();
    out
}

/// Orders paths token by token, list indices as numbers.
pub(crate) fn compare_paths(a: &[String], b: &[String]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (index(x), index(y)) {
            (Some(i), Some(j)) => i.cmp(&j),
            _ => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Where the field at `pointer` (of the object before `ops`) is after them: `None` when
/// an op removed it or a parent of it. Used to tell the findings left after a fix from
/// the ones it moved (removing list item 0 moves item 1 to 0).
///
/// A field inside a renamed or moved entry is at the same place inside its new one.
pub fn moved_pointer(pointer: &str, ops: &[Op]) -> Option<String> {
    let mut path = tokens(pointer);
    for op in ops {
        if let (Some(dest), from) = (op.destination(), op.path()) {
            if path.get(..from.len()) == Some(from) {
                let rest = path.get(from.len()..).unwrap_or(&[]).to_vec();
                path = dest;
                path.extend(rest);
            }
        }
    }
    for removed in removals(ops) {
        let (last, parents) = removed.split_last()?;
        if path.len() <= parents.len() || path.get(..parents.len()) != Some(parents) {
            continue;
        }
        let Some(token) = path.get_mut(parents.len()) else {
            continue;
        };
        if token == last {
            return None;
        }
        if let (Some(at), Some(gone)) = (index(token), index(last)) {
            if at > gone {
                *token = (at - 1).to_string();
            }
        }
    }
    Some(to_pointer(&path))
}

fn index(token: &str) -> Option<usize> {
    if token.len() > 1 && token.starts_with('0') {
        return None;
    }
    token.parse().ok()
}

fn walk<'v>(mut at: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    for t in path {
        at = match at {
            Value::Object(m) => m.get_mut(t.as_str())?,
            Value::Array(items) => items.get_mut(index(t)?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Walks `path`, creating missing (or `null`) mappings.
fn walk_create<'v>(mut at: &'v mut Value, path: &[String]) -> Result<&'v mut Value, String> {
    for (depth, t) in path.iter().enumerate() {
        if at.is_null() {
            *at = Value::Object(Map::new());
        }
        at = match at {
            Value::Object(m) => m
                .entry(t.clone())
                .or_insert_with(|| Value::Object(Map::new())),
            Value::Array(items) => index(t).and_then(|i| items.get_mut(i)).ok_or_else(|| {
                format!("no item {}", to_pointer(path.get(..=depth).unwrap_or(&[])))
            })?,
            _ => {
                return Err(format!(
                    "{} is not a mapping",
                    to_pointer(path.get(..depth).unwrap_or(&[]))
                ))
            }
        };
    }
    if at.is_null() {
        *at = Value::Object(Map::new());
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Vec<String> {
        tokens(s)
    }

    #[test]
    fn set_creates_mappings_and_replaces_null() {
        let mut v = json!({"spec": {"containers": [{"name": "a", "securityContext": null}]}});
        let ops = [
            Op::Set {
                path: p("/spec/containers/0/securityContext/allowPrivilegeEscalation"),
                value: json!(false),
            },
            Op::Set {
                path: p("/spec/securityContext/seccompProfile/type"),
                value: json!("RuntimeDefault"),
            },
        ];
        apply(&mut v, &ops).unwrap();
        assert_eq!(
            v,
            json!({"spec": {
                "containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}],
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}})
        );
    }

    #[test]
    fn removals_run_from_the_highest_index() {
        let mut v = json!({"add": ["A", "B", "C"], "drop": null});
        let ops = [
            Op::Remove { path: p("/add/0") },
            Op::Remove { path: p("/add/2") },
            Op::Append {
                path: p("/drop"),
                value: json!("ALL"),
            },
        ];
        apply(&mut v, &ops).unwrap();
        assert_eq!(v, json!({"add": ["B"], "drop": ["ALL"]}));
        assert_eq!(moved_pointer("/add/1", &ops).as_deref(), Some("/add/0"));
        assert_eq!(moved_pointer("/add/2", &ops), None);
        assert_eq!(moved_pointer("/add/0/x", &ops), None);
        assert_eq!(moved_pointer("/other", &ops).as_deref(), Some("/other"));
    }

    #[test]
    fn a_path_through_a_scalar_is_an_error() {
        let mut v = json!({"securityContext": "x"});
        let ops = [Op::Set {
            path: p("/securityContext/privileged"),
            value: json!(false),
        }];
        assert!(apply(&mut v, &ops).is_err());
    }

    #[test]
    fn rename_and_move_keep_the_value_and_refuse_a_field_that_is_set() {
        let mut v = json!({"spec": {"securityContext": {"runAsNonroot": true},
            "containers": [{"resources": {"securityContext": {"privileged": false}}}]}});
        let ops = [
            Op::Rename {
                path: p("/spec/securityContext/runAsNonroot"),
                to: "runAsNonRoot".into(),
            },
            Op::Move {
                from: p("/spec/containers/0/resources/securityContext"),
                to: p("/spec/containers/0/securityContext"),
            },
        ];
        apply(&mut v, &ops).unwrap();
        assert_eq!(
            v,
            json!({"spec": {"securityContext": {"runAsNonRoot": true},
                "containers": [{"resources": {}, "securityContext": {"privileged": false}}]}})
        );
        assert_eq!(
            ops[0].destination(),
            Some(p("/spec/securityContext/runAsNonRoot"))
        );
        // A field inside a moved entry is at the same place in its new one.
        assert_eq!(
            moved_pointer(
                "/spec/containers/0/resources/securityContext/privileged",
                &ops
            )
            .as_deref(),
            Some("/spec/containers/0/securityContext/privileged")
        );
        // A rename or a move onto another value is refused.
        let mut v = json!({"a": {"x": 1, "y": 2}});
        let rename = [Op::Rename {
            path: p("/a/x"),
            to: "y".into(),
        }];
        assert!(apply(&mut v.clone(), &rename).is_err());
        let moved = [Op::Move {
            from: p("/a/x"),
            to: p("/b/c"),
        }];
        apply(&mut v, &moved).unwrap();
        assert_eq!(v, json!({"a": {"y": 2}, "b": {"c": 1}}));
    }
}
