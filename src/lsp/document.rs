//! An open document: its text, kept in step with the client's by incremental changes, and
//! its analysis, computed when first needed after each change.

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::analysis::Analysis;
use super::config::DocConfig;
use super::convert;
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
    /// What applies to it: the client's settings over its configuration file.
    pub(crate) config: DocConfig,
    /// The analysis of `text` under `config`, when computed.
    analysis: Option<Analysis>,
}

impl Doc {
    /// A document opened with `text`.
    pub(crate) fn new(
        uri: Uri,
        version: i32,
        language: String,
        text: String,
        config: DocConfig,
    ) -> Doc {
        Doc {
            uri,
            version,
            language,
            text,
            config,
            analysis: None,
        }
    }

    /// Sets what applies to the document; whether it changed (its analysis is then
    /// forgotten).
    pub(crate) fn configure(&mut self, config: DocConfig) -> bool {
        if config == self.config {
            return false;
        }
        self.config = config;
        self.analysis = None;
        true
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

    /// The text and its analysis under its options, computed now if the text or the
    /// settings changed since the last one. A document the configuration file's `exclude`
    /// matches has the analysis of a text that is not Kubernetes: nothing.
    pub(crate) fn analyzed(&mut self) -> (&str, &mut Analysis) {
        let Doc {
            uri,
            language,
            text,
            config,
            analysis,
            ..
        } = self;
        let a = analysis.get_or_insert_with(|| {
            if config.excluded {
                Analysis::default()
            } else {
                Analysis::new(uri.as_str(), language, text, &config.options)
            }
        });
        (text.as_str(), a)
    }
}
