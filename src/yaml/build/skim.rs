//! Skimming: the values a document's checks never read, parsed but not built.
//!
//! A document whose `apiVersion` and `kind` name a resource that cannot hold a pod
//! template (a CustomResourceDefinition, a ConfigMap, a ClusterRole: the caller's
//! [`Skim`] decides) needs of its tree only the root mapping's `apiVersion`, `kind` and
//! `metadata` (its name, namespace, annotations, a Namespace's labels). The values of
//! the root's other keys (a CRD's `spec`, most of its bytes) are then *skimmed*: every
//! event is still read, so the syntax, the nesting limit and the spans are checked as
//! before, and each mapping's keys are compared for duplicates, but no node is built;
//! the value stands in the tree as an empty mapping or sequence with its span.
//!
//! Skimming is exact or it does not happen: whatever it does not read the way the full
//! reading does makes the builder start the document again without it ([`Halt::Skim`]):
//! an alias (it may name a node that was not built), a merge key `<<`, a repeated key, a
//! key that is a collection, a `template` key in the root's `spec` (a resource matched
//! by the shape of its pod template, `spec.template.spec.containers`), a syntax error or
//! a limit, a repeated or merged key in the root mapping (it may change the `kind` the
//! choice was made on). The checks therefore see the same findings, errors and spans
//! with and without skimming; only the skimmed subtrees are missing.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle, Tag};

use super::{key_string_owned, make_scalar, Builder, Frame, Halt};
use crate::yaml::{Document, NodeId, Span, Value};

/// Whether a document whose root mapping has this `apiVersion` and `kind` (strings, as a
/// Kubernetes decoder reads them) may have the values of its root keys other than
/// `apiVersion`, `kind` and `metadata` skimmed (see the module's docs).
pub type Skim = fn(api_version: &str, kind: &str) -> bool;

/// The root keys that are always built.
const KEPT: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// A value being skimmed: its open collections (the skimmed value itself first) and the
/// keys of the open mappings, innermost last.
pub(super) struct Skimmer<'a> {
    /// The placeholder node of the skimmed value.
    id: NodeId,
    frames: Vec<SkimFrame>,
    keys: Vec<Cow<'a, str>>,
    /// Whether the skimmed value is the root's `spec`.
    spec: bool,
}

/// An open collection inside a skimmed value.
struct SkimFrame {
    map: bool,
    start: usize,
    /// Where its keys start in [`Skimmer::keys`].
    from: usize,
    /// A mapping's largest value end, a sequence's last item's end: a block
    /// collection's span ends there (as [`super::build`] computes it).
    last_end: Option<usize>,
    /// In a mapping: the next node is a key.
    key_next: bool,
}

impl SkimFrame {
    fn new(map: bool, start: usize, from: usize) -> Self {
        SkimFrame {
            map,
            start,
            from,
            last_end: None,
            key_next: map,
        }
    }

    /// A value (or a sequence item) that ends at `end` is done.
    fn value_done(&mut self, end: usize) {
        self.last_end = if self.map {
            Some(self.last_end.map_or(end, |e| e.max(end)))
        } else {
            Some(end)
        };
        self.key_next = self.map;
    }
}

impl<'a> Builder<'a> {
    /// Starts skimming a collection that opens at `start` when it is the value of a root
    /// key the checks do not read (see the module's docs); returns whether it did.
    pub(super) fn start_skim(&mut self, is_map: bool, start: usize) -> bool {
        let Some(skim) = self.skim else { return false };
        let [Frame::Map {
            from,
            merges_from,
            pending_key: Some((key, _, false)),
            ..
        }] = self.stack.as_slice()
        else {
            return false;
        };
        if KEPT.contains(&key.as_ref()) || self.merges.len() > *merges_from {
            return false;
        }
        let spec = key == "spec";
        // `apiVersion` and `kind` as written so far (the last of a repeated key, which
        // then makes the builder start again anyway).
        let written = self.entries.get(*from..).unwrap_or_default();
        let field = |name: &str| {
            written
                .iter()
                .rev()
                .find(|e| e.key == name)
                .and_then(|e| self.doc.str(e.value))
        };
        let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else {
            return false;
        };
        if !skim(api_version, kind) {
            return false;
        }
        let placeholder = if is_map {
            Value::Map(Vec::new())
        } else {
            Value::Seq(Vec::new())
        };
        let id = self.push(placeholder, Span::new(start, start));
        // An anchor on it is not recorded: any alias in a skimmed document halts the skim.
        self.doc.skimmed = true;
        self.skimmer = Some(Skimmer {
            id,
            frames: vec![SkimFrame::new(is_map, start, 0)],
            keys: Vec::new(),
            spec,
        });
        true
    }

    /// One event of a skimmed value. `Ok(Some((id, span)))` when the skimmed value ends:
    /// its placeholder node (now with its span) and the span, to be added to the root
    /// mapping.
    pub(super) fn skim_event(
        &mut self,
        event: Event<'a>,
        start: usize,
        end: usize,
    ) -> Result<Option<(NodeId, Span)>, Halt> {
        let depth = self.stack.len();
        let max_depth = self.limits.max_depth;
        let base = self.base;
        let Some(s) = self.skimmer.as_mut() else {
            return Err(Halt::Skim);
        };
        match event {
            Event::Scalar(text, style, _, tag) => {
                let in_spec = s.spec && s.frames.len() == 1;
                let Some(top) = s.frames.last_mut() else {
                    return Err(Halt::Skim);
                };
                if top.key_next {
                    let key = skimmed_key(text, style, tag.as_deref())?;
                    if in_spec && key == "template" {
                        return Err(Halt::Skim);
                    }
                    s.keys.push(key);
                    top.key_next = false;
                } else {
                    let end = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                        super::block_scalar_span(self.src, base, start, end, &text).1
                    } else {
                        end
                    };
                    top.value_done(end);
                }
                Ok(None)
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let key_position = s.frames.last().is_some_and(|f| f.key_next);
                if key_position || depth + s.frames.len() >= max_depth {
                    return Err(Halt::Skim);
                }
                let is_map = matches!(event, Event::MappingStart(..));
                s.frames.push(SkimFrame::new(is_map, start, s.keys.len()));
                Ok(None)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = s.frames.pop() else {
                    return Err(Halt::Skim);
                };
                if frame.map {
                    let keys = s.keys.get(frame.from..).unwrap_or_default();
                    if super::mapping::has_duplicate_key(keys) {
                        return Err(Halt::Skim);
                    }
                    s.keys.truncate(frame.from);
                }
                // As the full reading: flow collections end at their closing bracket (the
                // end event covers it), block ones at their last child (the end event is
                // empty, at the next token).
                let span_end = if end > start {
                    end
                } else {
                    frame.last_end.unwrap_or(end).max(frame.start)
                };
                match s.frames.last_mut() {
                    Some(parent) => {
                        parent.value_done(span_end);
                        Ok(None)
                    }
                    None => {
                        let (id, span) = (s.id, Span::new(frame.start, span_end));
                        self.skimmer = None;
                        if let Some(n) = self.doc.nodes.get_mut(id as usize) {
                            n.set_span(span);
                        }
                        Ok(Some((id, span)))
                    }
                }
            }
            // An alias may name a node that was not built; anything else cannot stand
            // inside a collection.
            _ => Err(Halt::Skim),
        }
    }
}

/// A skimmed mapping's key as the full reading compares it (`on` is `"true"`, `0x1` is
/// `"1"`); a merge key `<<` halts the skim.
fn skimmed_key<'a>(
    text: Cow<'a, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<Cow<'a, str>, Halt> {
    if style == ScalarStyle::Plain && text == "<<" {
        return Err(Halt::Skim);
    }
    Ok(key_string_owned(make_scalar(text, style, tag)))
}

/// Whether a finished document that was skimmed may stand: its root mapping has no
/// repeated and no merged key, so its `apiVersion` and `kind` are the ones the skim was
/// chosen on.
pub(super) fn root_is_plain(doc: &Document<'_>) -> bool {
    let Some(root) = doc.root else { return true };
    !doc.merging.contains(&root) && doc.duplicates.iter().all(|d| d.map != root)
}
