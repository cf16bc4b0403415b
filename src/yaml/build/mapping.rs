//! A mapping finished: merge keys applied, duplicate keys removed (the last wins) and
//! recorded, as go-yaml v2 decodes a mapping.

use std::borrow::Cow;

use super::{error_at, Builder};
use crate::yaml::{DuplicateKey, Entry, NodeId, Span, Value, YamlError};

/// One item of a mapping as written: a `key: value` entry or a merge key `<<: source`.
enum MapItem<'a> {
    Entry(Entry<'a>),
    Merge(NodeId, Span),
}

/// Up to this many keys, duplicates are looked for by comparing every pair (cheaper than
/// hashing for the small mappings most manifests are made of).
const PAIRWISE: usize = 16;

/// Whether two of `entries` have the same key.
fn has_duplicate(entries: &[Entry<'_>]) -> bool {
    repeats(entries, |e| &e.key)
}

/// Whether two of `keys` are the same (the keys of a skimmed mapping, see `skim`).
pub(super) fn has_duplicate_key(keys: &[Cow<'_, str>]) -> bool {
    repeats(keys, |k| k)
}

/// Whether two items have the same key: pairwise up to [`PAIRWISE`] items, hashed above.
fn repeats<T>(items: &[T], key: impl Fn(&T) -> &str) -> bool {
    if items.len() <= PAIRWISE {
        return items
            .iter()
            .enumerate()
            .any(|(i, e)| items.iter().skip(i + 1).any(|f| key(f) == key(e)));
    }
    let mut keys: crate::hash::HashSet<&str> = crate::hash::HashSet::default();
    keys.reserve(items.len());
    !items.iter().all(|e| keys.insert(key(e)))
}

impl<'a> Builder<'a> {
    /// The entries of the mapping `map` being closed, whose entries as written are those
    /// of [`Builder::entries`] from `from` on and its merge keys those of
    /// [`Builder::merges`] from `merges_from` on (both are taken off). A mapping without
    /// a merge key or a repeated key keeps its entries as written, in one allocation of
    /// their number; the others go through [`Builder::finish_items`].
    pub(super) fn finish_map(
        &mut self,
        map: NodeId,
        from: usize,
        merges_from: usize,
        index: usize,
    ) -> Result<Vec<Entry<'a>>, YamlError> {
        let written = self.entries.get(from..).unwrap_or_default();
        if self.merges.len() <= merges_from && !has_duplicate(written) {
            return Ok(self.entries.drain(from..).collect());
        }
        let merges: Vec<(usize, NodeId, Span)> = self.merges.drain(merges_from..).collect();
        let mut items = Vec::with_capacity(written.len() + merges.len());
        let mut merges = merges.into_iter().peekable();
        for (at, e) in (from..).zip(self.entries.drain(from..)) {
            while let Some((_, source, span)) = merges.next_if(|&(before, _, _)| before <= at) {
                items.push(MapItem::Merge(source, span));
            }
            items.push(MapItem::Entry(e));
        }
        items.extend(merges.map(|(_, source, span)| MapItem::Merge(source, span)));
        self.finish_items(map, items, index)
    }

    /// Builds a mapping's entries as go-yaml v2 decodes it (`decoder.mapping`): items are
    /// applied in source order and each one sets its key, so a later key wins over an
    /// earlier one — a repeated explicit key (recorded as a [`DuplicateKey`]), a key set
    /// by a merge `<<` before it, or an explicit key before a merge. In a list of merged
    /// maps (`<<: [*a, *b]`) the earlier map wins. Lookups are hashed, so the cost is
    /// linear in the entries written and merged.
    fn finish_items(
        &mut self,
        map: NodeId,
        items: Vec<MapItem<'a>>,
        index: usize,
    ) -> Result<Vec<Entry<'a>>, YamlError> {
        let mut out: Vec<Entry<'a>> = Vec::with_capacity(items.len());
        // Whether out[i] was set by an explicit key (not a merge).
        let mut explicit: Vec<bool> = Vec::with_capacity(items.len());
        let mut slots: crate::hash::HashMap<Cow<'a, str>, usize> = crate::hash::HashMap::default();
        let mut hidden: Vec<(usize, Span)> = Vec::new();
        let mut has_merge = false;
        let merge_error =
            || "invalid YAML: a merge key `<<` needs a mapping or a list of mappings".to_string();
        for item in items {
            match item {
                MapItem::Entry(e) => match slots.get(&e.key).copied() {
                    Some(i) => {
                        if let (Some(slot), Some(was_explicit)) =
                            (out.get_mut(i), explicit.get_mut(i))
                        {
                            if *was_explicit {
                                hidden.push((i, slot.key_span()));
                            }
                            *slot = e;
                            *was_explicit = true;
                        }
                    }
                    None => {
                        slots.insert(e.key.clone(), out.len());
                        out.push(e);
                        explicit.push(true);
                    }
                },
                MapItem::Merge(source, span) => {
                    has_merge = true;
                    let sources: Vec<NodeId> = match self.doc.node(source).map(|n| &n.value) {
                        Some(Value::Map(_)) => vec![source],
                        // go-yaml steps backwards: earlier maps take precedence.
                        Some(Value::Seq(list)) => list.iter().rev().copied().collect(),
                        _ => return Err(error_at(index, span.start, merge_error())),
                    };
                    for src in sources {
                        let Some(Value::Map(merged)) = self.doc.node(src).map(|n| &n.value) else {
                            return Err(error_at(index, span.start, merge_error()));
                        };
                        self.expansions += merged.len();
                        if self.expansions > self.limits.max_alias_expansions {
                            return Err(error_at(
                                index,
                                span.start,
                                format!(
                                    "too many alias expansions (limit {})",
                                    self.limits.max_alias_expansions
                                ),
                            ));
                        }
                        for m in merged {
                            match slots.get(&m.key).copied() {
                                Some(i) => {
                                    if let (Some(slot), Some(was_explicit)) =
                                        (out.get_mut(i), explicit.get_mut(i))
                                    {
                                        *slot = m.clone();
                                        *was_explicit = false;
                                    }
                                }
                                None => {
                                    slots.insert(m.key.clone(), out.len());
                                    out.push(m.clone());
                                    explicit.push(false);
                                }
                            }
                        }
                    }
                }
            }
        }
        if has_merge {
            self.doc.merging.push(map);
        }
        for (entry, was_explicit) in out.iter_mut().zip(&explicit) {
            if !was_explicit {
                entry.set_merged();
            }
        }
        for (i, hidden) in hidden {
            if let Some(winner) = out.get(i) {
                self.doc.duplicates.push(DuplicateKey {
                    map,
                    key: winner.key.to_string(),
                    winner: winner.key_span(),
                    hidden,
                });
            }
        }
        Ok(out)
    }
}
