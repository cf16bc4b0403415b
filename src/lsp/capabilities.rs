//! What the client can do (read from its `initialize` parameters) and what the server
//! declares in return.

use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, DiagnosticOptions,
    DiagnosticServerCapabilities, HoverProviderCapability, InitializeResult, PositionEncodingKind,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};
use serde_json::Value;

use super::convert;
use super::server::FIX_ALL_KIND;
use crate::position::Unit;

/// The client's capabilities the server acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Client {
    /// The negotiated column unit (`positionEncoding`).
    pub(crate) unit: Unit,
    /// It declares `textDocument.diagnostic`: diagnostics are pulled, never pushed.
    pub(crate) pull: bool,
    /// It takes `workspace/diagnostic/refresh` (`workspace.diagnostics.refreshSupport`).
    pub(crate) refresh: bool,
    /// It answers `workspace/configuration` (`workspace.configuration`).
    pub(crate) configuration: bool,
    /// It takes versioned `documentChanges` in a workspace edit
    /// (`workspace.workspaceEdit.documentChanges`).
    pub(crate) document_changes: bool,
    /// It registers `workspace/didChangeWatchedFiles` dynamically
    /// (`workspace.didChangeWatchedFiles.dynamicRegistration`): the server watches the
    /// configuration files through it.
    pub(crate) watch: bool,
}

impl Client {
    /// The capabilities in `initialize`'s parameters, read leniently from the JSON: a
    /// capability that is missing or of the wrong type is one the client does not have
    /// (a client that sends `"positionEncodings": "utf-8"` still gets a server).
    pub(crate) fn of(params: &Value) -> Client {
        let flag = |pointer: &str| {
            params
                .pointer(pointer)
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let offered: Option<Vec<PositionEncodingKind>> = params
            .pointer("/capabilities/general/positionEncodings")
            .and_then(Value::as_array)
            .map(|kinds| {
                kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|k| PositionEncodingKind::from(k.to_string()))
                    .collect()
            });
        Client {
            unit: convert::negotiate(offered.as_deref()),
            // An object (`DiagnosticClientCapabilities`); `false` is a client that does
            // not pull, which would otherwise get no diagnostics at all.
            pull: params
                .pointer("/capabilities/textDocument/diagnostic")
                .is_some_and(Value::is_object),
            refresh: flag("/capabilities/workspace/diagnostics/refreshSupport"),
            configuration: flag("/capabilities/workspace/configuration"),
            document_changes: flag("/capabilities/workspace/workspaceEdit/documentChanges"),
            watch: flag("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration"),
        }
    }

    /// The `InitializeResult` for this client: incremental sync, hover, code actions of
    /// the kinds `quickfix` and [`FIX_ALL_KIND`], the negotiated position encoding, and a
    /// diagnostic provider only for a client that pulls.
    pub(crate) fn initialize_result(&self) -> InitializeResult {
        let capabilities = ServerCapabilities {
            position_encoding: Some(convert::encoding_kind(self.unit)),
            // Saves are told (without the text): a configuration file saved in the editor
            // is read again by a client that does not watch files for the server.
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::from(FIX_ALL_KIND),
                ]),
                ..CodeActionOptions::default()
            })),
            diagnostic_provider: self.pull.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("kube-secctx".to_string()),
                    inter_file_dependencies: false,
                    workspace_diagnostics: false,
                    ..DiagnosticOptions::default()
                })
            }),
            ..ServerCapabilities::default()
        };
        InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "kube-secctx".to_string(),
                version: Some(crate::VERSION.to_string()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capabilities_are_read_leniently() {
        let c = Client::of(&json!({"capabilities": {
            "general": {"positionEncodings": ["utf-16", "utf-8"]},
            "textDocument": {"diagnostic": {}},
            "workspace": {"configuration": true, "workspaceEdit": {"documentChanges": true},
                          "diagnostics": {"refreshSupport": true}}}}));
        assert_eq!(
            c,
            Client {
                unit: Unit::Byte,
                pull: true,
                refresh: true,
                configuration: true,
                document_changes: true,
                watch: false
            }
        );
        let odd = Client::of(&json!({"capabilities": {
            "general": {"positionEncodings": "utf-8"},
            "textDocument": {"diagnostic": null},
            "workspace": {"configuration": "yes"}}}));
        assert_eq!(
            odd,
            Client {
                unit: Unit::Utf16,
                pull: false,
                refresh: false,
                configuration: false,
                document_changes: false,
                watch: false
            }
        );
        assert_eq!(Client::of(&json!(null)), odd);
        for no in [json!(false), json!(true), json!("yes")] {
            let c = Client::of(&json!({"capabilities": {"textDocument": {"diagnostic": no}}}));
            assert!(!c.pull, "{no}");
        }
    }
}
