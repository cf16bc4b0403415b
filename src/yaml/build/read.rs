//! Which reading takes a document's text: the JSON scanner for a document that is one
//! JSON value, else the YAML parser (through a copy when reserved directives hold
//! non-ASCII characters), skimming when asked and reading again in full when a skim
//! halts; the events each gives, with byte spans, go to [`super::build`].

use std::borrow::Cow;

use saphyr_parser::{Event, Parser};

use super::{build, error_at, Halt, Skim, Spanned};
use crate::yaml::chars::CharMap;
use crate::yaml::{Document, Limits, YamlError};

/// The events as [`build`] takes them: the iterator itself on native targets (a copy of
/// the builder for each source saves a dynamic call and a move per event, ~2% of a
/// check), a trait object in wasm (one copy for every source keeps the modules small).
#[cfg(not(target_arch = "wasm32"))]
macro_rules! events_for_build {
    ($events:expr) => {
        $events
    };
}
#[cfg(target_arch = "wasm32")]
macro_rules! events_for_build {
    ($events:expr) => {
        $events as &mut dyn Iterator<Item = Spanned<'a>>
    };
}

/// Parses one document's text `src`, which starts at byte `base` of the stream and is
/// document `index`: the document, or the first syntax error or limit hit.
///
/// A document that is one JSON value (what `kubectl get -o json` writes) is read by our
/// JSON scanner ([`crate::yaml::json_text`]), which gives the same events with the same spans
/// as the YAML parser gives for JSON, one at a time: the YAML scanner would hold every
/// token of a flow collection until it closes (it cannot rule out a mapping key before
/// then), so a large JSON document would be held whole, several times over. Anything the
/// JSON scanner does not accept, or that fails on the way, is read as YAML, so errors
/// and edge cases are the YAML reading's.
///
/// With `skim`, the values the checks never read of a document that `skim` takes are
/// skimmed (see [`super::skim`]); the result is otherwise the same.
pub(crate) fn build_document<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
    skim: Option<Skim>,
) -> Result<Document<'a>, YamlError> {
    if skim.is_some() {
        match read(src, base, index, limits, skim) {
            Ok(doc) => return Ok(doc),
            Err(Halt::Error(e)) => return Err(e),
            Err(Halt::Skim) => {}
        }
    }
    read(src, base, index, limits, None).map_err(full_error(index, base))
}

/// The JSON reading when it takes the text, else the YAML reading.
fn read<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
    skim: Option<Skim>,
) -> Result<Document<'a>, Halt> {
    match json_reading(src, base, index, limits, skim) {
        Some(Ok(doc)) => return Ok(doc),
        // Read again in full, JSON first: the YAML reading may not take what JSON does.
        Some(Err(Halt::Skim)) => return Err(Halt::Skim),
        Some(Err(Halt::Error(_))) | None => {}
    }
    match block_reading(src, base, index, limits, skim) {
        Some(Ok(doc)) => return Ok(doc),
        Some(Err(Halt::Skim)) => return Err(Halt::Skim),
        // Not in the block subset, or an error (a limit): the YAML reading's word.
        Some(Err(Halt::Error(_))) | None => {}
    }
    yaml_reading(src, base, index, limits, skim)
}

/// The block reading ([`crate::yaml::block_text`]): `None` when the reader leaves the
/// text to the YAML parser (a byte it does not read, or something outside its subset
/// met on the way); else the build's result (an error there is a limit the builder
/// hit, which the caller leaves to the YAML reading too).
fn block_reading<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
    skim: Option<Skim>,
) -> Option<Result<Document<'a>, Halt>> {
    let mut events = crate::yaml::block_text::BlockEvents::new(src, base)?;
    let built = build(
        src,
        base,
        index,
        limits,
        skim,
        events_for_build!(&mut events),
    );
    // A build that stopped on the reader's bail (as an error, or as a skim's halt) is
    // not the block reading's to decide.
    if events.bailed() {
        return None;
    }
    Some(built)
}

/// The block reading alone: `None` when it does not take the text (see
/// [`block_reading`]). For the tests and the `block` fuzz target.
pub(crate) fn build_block<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
) -> Option<Result<Document<'a>, YamlError>> {
    match block_reading(src, base, index, limits, None)? {
        Ok(doc) => Some(Ok(doc)),
        Err(Halt::Error(e)) => Some(Err(e)),
        // (A build that does not skim never halts to skim.)
        Err(Halt::Skim) => None,
    }
}

/// The JSON reading alone: `None` when `src` does not start like a JSON document.
pub(crate) fn build_json<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
) -> Option<Result<Document<'a>, YamlError>> {
    json_reading(src, base, index, limits, None).map(|r| r.map_err(full_error(index, base)))
}

/// [`build_json`], skimming with `skim`.
fn json_reading<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
    skim: Option<Skim>,
) -> Option<Result<Document<'a>, Halt>> {
    let mut events = crate::yaml::json_text::JsonEvents::new(src, base)?;
    Some(
        build(
            src,
            base,
            index,
            limits,
            skim,
            events_for_build!(&mut events),
        )
        .map(|mut doc| {
            doc.json = true;
            doc
        }),
    )
}

/// The error of a build that did not skim (which never halts to skim: should it, the
/// document is "invalid YAML" at its start rather than a panic).
fn full_error(index: usize, base: usize) -> impl Fn(Halt) -> YamlError {
    move |h| match h {
        Halt::Error(e) => e,
        Halt::Skim => error_at(index, base, "invalid YAML".to_string()),
    }
}

/// [`build_document`] with the YAML parser alone.
pub(crate) fn build_yaml<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
) -> Result<Document<'a>, YamlError> {
    yaml_reading(src, base, index, limits, None).map_err(full_error(index, base))
}

/// [`build_yaml`], skimming with `skim`.
fn yaml_reading<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
    skim: Option<Skim>,
) -> Result<Document<'a>, Halt> {
    let chars = CharMap::new(src);
    let abs = |char_index: usize| base + chars.byte(char_index);
    let spanned =
        |ev: Option<Result<(Event<'a>, saphyr_parser::Span), saphyr_parser::ScanError>>| {
            Some(match ev? {
                Ok((event, span)) => Ok((event, abs(span.start.index()), abs(span.end.index()))),
                Err(e) => {
                    let at = abs(e.marker().index());
                    let message = if e.info() == "recursion limit exceeded" {
                        "nesting deeper than the YAML parser's limit of 255 levels".to_string()
                    } else {
                        format!("invalid YAML: {}", e.info())
                    };
                    Err(error_at(index, at, message))
                }
            })
        };
    match ascii_directives(src) {
        None => {
            let mut parser = Parser::new_from_str(src);
            let mut events = std::iter::from_fn(|| spanned(parser.next_event()));
            build(
                src,
                base,
                index,
                limits,
                skim,
                events_for_build!(&mut events),
            )
        }
        Some(patched) => {
            // The events come from the patched copy: their texts are owned (and borrowed
            // back from `src` by the builder where they match it).
            let mut parser = Parser::new_from_str(&patched);
            let mut events = std::iter::from_fn(|| {
                let ev = parser.next_event()?;
                spanned(Some(ev.map(|(event, span)| (owned(event), span))))
            });
            // Rare (a reserved directive with non-ASCII text): one more copy of the
            // builder is not worth it.
            let events: &mut dyn Iterator<Item = Spanned<'a>> = &mut events;
            build(src, base, index, limits, skim, events)
        }
    }
}

/// `src` with each non-ASCII character of its reserved directive lines (`%FOO ...`, in the
/// prologue: the first lines, up to `---` or the first content, that are only
/// directives, comments and blank lines)
/// replaced by one `x`, when there is one; `None` otherwise. saphyr counts the characters
/// of a reserved directive's name and parameters in bytes, so that every position after
/// such a line would be off (past the text); one ASCII character for each keeps the
/// character positions the text's, and a reserved directive's content means nothing to
/// YAML. `%YAML` and `%TAG` lines are left as they are (saphyr counts them right, and
/// rejects what they must not hold).
fn ascii_directives(src: &str) -> Option<String> {
    let reserved = |line: &str| {
        line.strip_prefix('%').is_some_and(|rest| {
            let name = rest.split([' ', '\t', '\r', '\n']).next().unwrap_or("");
            name != "YAML" && name != "TAG"
        })
    };
    let mut needed = false;
    let mut prologue = 0;
    for line in src.split_inclusive('\n') {
        let (_, text) = body(line);
        if text.starts_with("---") {
            break;
        }
        let bare = text.trim_start_matches([' ', '\t']);
        if bare.trim_end_matches(['\r', '\n']).is_empty() || bare.starts_with('#') {
            prologue += line.len();
            continue;
        }
        if !text.starts_with('%') {
            // The first content line: the scanner reads no directive after it.
            break;
        }
        needed |= reserved(text) && !text.is_ascii();
        prologue += line.len();
    }
    if !needed {
        return None;
    }
    let (head, rest) = src.split_at(prologue);
    let mut out = String::with_capacity(src.len());
    for line in head.split_inclusive('\n') {
        let (bom, text) = body(line);
        if reserved(text) {
            out.push_str(line.get(..bom).unwrap_or(""));
            out.extend(text.chars().map(|c| if c.is_ascii() { c } else { 'x' }));
        } else {
            out.push_str(line);
        }
    }
    out.push_str(rest);
    Some(out)
}

/// `line` without a byte order mark that opens it (the scanner skips one on a line of
/// the prologue), and the mark's length in bytes (0 without one).
fn body(line: &str) -> (usize, &str) {
    match line.strip_prefix('\u{feff}') {
        Some(rest) => (line.len() - rest.len(), rest),
        None => (0, line),
    }
}

/// An event with its texts owned, free of the input it was read from.
fn owned(event: Event<'_>) -> Event<'static> {
    let tag = |t: Option<Cow<'_, saphyr_parser::Tag>>| t.map(|t| Cow::Owned(t.into_owned()));
    match event {
        Event::Nothing => Event::Nothing,
        Event::StreamStart => Event::StreamStart,
        Event::StreamEnd => Event::StreamEnd,
        Event::DocumentStart(explicit) => Event::DocumentStart(explicit),
        Event::DocumentEnd => Event::DocumentEnd,
        Event::Alias(id) => Event::Alias(id),
        Event::Scalar(text, style, anchor, t) => {
            Event::Scalar(Cow::Owned(text.into_owned()), style, anchor, tag(t))
        }
        Event::SequenceStart(anchor, t) => Event::SequenceStart(anchor, tag(t)),
        Event::SequenceEnd => Event::SequenceEnd,
        Event::MappingStart(anchor, t) => Event::MappingStart(anchor, tag(t)),
        Event::MappingEnd => Event::MappingEnd,
    }
}
