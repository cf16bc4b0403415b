//! An open document: its text, kept in step with the client's by incremental changes, and
//! its analysis, computed when first needed after each change.

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::analysis::Analysis;
use super::convert;
use crate::options::Options;
use crate::position::{LineIndex, Unit};

/// An open text document.
#[derive(Debug)]
pub(crate) struct Doc {
    /// The document's URI, as the client sent it.
    pub(crate) uri: Uri,
    /// The client's version of the text.
    pub(crate) version: i32,
    /// The client's language ID (`yaml`, `json`, `helm`, ...).
    pub(crate) language: String,
    /// The text.
    pub(crate) text: String,
    /// The analysis of `text` under the current settings, when computed.
    analysis: Option<Analysis>,
}

impl Doc {
    /// A document opened with `text`.
    pub(crate) fn new(uri: Uri, version: i32, language: String, text: String) -> Doc {
        Doc {
            uri,
            version,
            language,
            text,
            analysis: None,
        }
    }

    /// Applies the client's changes in order: a change with a range replaces that range
    /// (positions in `unit`, counted in the text as it is after the changes before it), one
    /// without replaces the whole text.
    pub(crate) fn change(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        unit: Unit,
    ) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let span = {
                        let li = LineIndex::new(&self.text);
                        convert::span(&li, range, unit)
                    };
                    self.text.replace_range(span.start..span.end, &change.text);
                }
            }
        }
        self.version = version;
        self.analysis = None;
    }

    /// Forgets the analysis (the settings changed).
    pub(crate) fn invalidate(&mut self) {
        self.analysis = None;
    }

    /// The text and its analysis under `opts`, computed now if the text or the settings
    /// changed since the last one.
    pub(crate) fn analyzed(&mut self, opts: &Options) -> (&str, &mut Analysis) {
        let Doc {
            uri,
            language,
            text,
            analysis,
            ..
        } = self;
        let a = analysis.get_or_insert_with(|| Analysis::new(uri.as_str(), language, text, opts));
        (text.as_str(), a)
    }
}
