//! `--namespaces` and `--admission-config`: the cluster as Pod Security Admission sees it,
//! read before the check (the namespaces of every input and of the cluster's lists, the
//! admission configuration), turned into [`Options`] fields and notes by
//! [`crate::psa::Cluster`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::io::{display_path, io_message, read_file};
use crate::engine::decode;
use crate::position::{LineIndex, Unit};
use crate::psa::{
    may_hold_namespace, read_admission_config, read_pod_security_configuration, AdmissionConfig,
    Cluster, ConfigError, Note, PsaConfig,
};
use crate::Options;

/// What the cluster's files gave: the notes to add to the report, and the text of each
/// file a note is about (for positions and SARIF regions).
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// Notes, in order: the configuration's, then per namespace by name.
    pub(crate) notes: Vec<Note>,
    /// File name (as shown) → text, for the files the notes name: the `--namespaces`
    /// files, and the inputs only when `keep_inputs` (with `--fix`/`--diff`, whose
    /// inputs change after the notes are made); otherwise an input's text is its own,
    /// which the check holds anyway (no second copy of a large input).
    pub(crate) texts: HashMap<String, String>,
}

/// Reads the admission configuration (`admission_config`, with the file its
/// `PodSecurity` plugin's `path` names), the cluster's namespace lists
/// (`namespace_files`) and the Namespace objects of `inputs` (name as shown, bytes; a
/// byte search skips a file that cannot hold one), and sets `opts.namespaces`,
/// `opts.namespace_defaults` and `opts.exemptions` as
/// [`crate::psa::Cluster::apply`] does. For the command line and the configuration file
/// (keys `namespaces` and `admissionConfig`, paths).
///
/// # Errors
/// A message for the user (`path: reason`, or `path:line:column: field: reason` for each
/// invalid field of the configuration): a file that cannot be read, or an invalid
/// admission configuration. The caller exits 2.
pub(crate) fn load<'i>(
    opts: &mut Options,
    namespace_files: &[PathBuf],
    admission_config: Option<&Path>,
    inputs: impl IntoIterator<Item = (&'i str, &'i [u8])>,
    origins: (&str, &str),
    keep_inputs: bool,
) -> Result<Loaded, String> {
    // Where the files were named (`--namespaces`, or the config file's key and line),
    // for messages about them.
    let (ns_origin, config_origin) = origins;
    let limit = opts.limits.max_input_bytes;
    let read = |path: &Path| -> Result<String, String> {
        read_file(path, limit)
            .map(|bytes| decode(&bytes).text.into_owned())
            .map_err(|e| format!("{}: {}", display_path(path), io_message(&e)))
    };
    let mut loaded = Loaded::default();
    let config = match admission_config {
        None => None,
        Some(path) => Some(load_config(path, &read).map_err(|e| format!("{e} ({config_origin})"))?),
    };
    let mut cluster = Cluster::new(config);
    for path in namespace_files {
        let text = read(path).map_err(|e| format!("{e} ({ns_origin})"))?;
        let name = display_path(path);
        // A cluster's list that does not parse would describe nothing, silently.
        let mut first_error = None;
        crate::yaml::for_each_document(&text, &opts.limits, &[], |parsed| {
            if let (crate::yaml::Parsed::Error(e), None) = (parsed, &first_error) {
                first_error = Some(e);
            }
        });
        if let Some(e) = first_error {
            let at = crate::position::LineIndex::new(&text)
                .line_col(e.span.start, crate::position::Unit::Char);
            return Err(format!(
                "{name}:{}:{}: {} ({ns_origin})",
                at.line + 1,
                at.column + 1,
                e.message
            ));
        }
        let before = cluster.namespaces().len();
        cluster.add_text(&name, &text, true);
        if cluster.namespaces().len() == before && !may_hold_namespace(text.as_bytes()) {
            eprintln!("warning: {name}: no Namespace objects found ({ns_origin})");
        }
        loaded.texts.insert(name, text);
    }
    for (name, bytes) in inputs {
        if may_hold_namespace(bytes) {
            let text = decode(bytes).text;
            cluster.add_text(name, &text, false);
            if keep_inputs {
                loaded.texts.insert(name.to_string(), text.into_owned());
            }
        }
    }
    cluster.apply(opts);
    loaded.notes = cluster.notes();
    let named: std::collections::HashSet<&str> = loaded
        .notes
        .iter()
        .filter_map(|n| n.file.as_deref())
        .collect();
    loaded.texts.retain(|name, _| named.contains(name.as_str()));
    Ok(loaded)
}

/// Reads an admission configuration file, following the `PodSecurity` plugin's `path`
/// (relative to the configuration file's directory, as the API server reads it).
fn load_config(
    path: &Path,
    read: &dyn Fn(&Path) -> Result<String, String>,
) -> Result<PsaConfig, String> {
    let text = read(path)?;
    let shown = display_path(path);
    match read_admission_config(&text) {
        Ok(AdmissionConfig::Config(config)) => Ok(config),
        Ok(AdmissionConfig::Path { path: inner, span }) => {
            let target = path.parent().unwrap_or(Path::new("")).join(&inner);
            let inner_text = read(&target).map_err(|e| {
                format!(
                    "{}: the PodSecurity plugin's path {inner:?} cannot be read: {e}",
                    at(&shown, &text, Some(span))
                )
            })?;
            read_pod_security_configuration(&inner_text)
                .map_err(|e| config_error(&display_path(&target), &inner_text, &e))
        }
        Err(e) => Err(config_error(&shown, &text, &e)),
    }
}

/// `file:line:column` of a span (1-based, column in characters), or `file`.
fn at(file: &str, text: &str, span: Option<crate::yaml::Span>) -> String {
    match span {
        Some(span) => {
            let lc = LineIndex::new(text).line_col(span.start, Unit::Char);
            format!("{file}:{}:{}", lc.line + 1, lc.column + 1)
        }
        None => file.to_string(),
    }
}

/// One line per problem: `file:line:col: invalid admission configuration: field: why`.
fn config_error(file: &str, text: &str, e: &ConfigError) -> String {
    e.problems
        .iter()
        .map(|p| {
            format!(
                "{}: invalid admission configuration: {}: {}",
                at(file, text, p.span),
                p.field,
                p.message
            )
        })
        .collect::<Vec<_>>()
        .join("\nerror: ")
}

/// [`load`] for `check`'s settings (`--namespaces` and `--admission-config`, else the
/// config file's `namespaces` and `admissionConfig`): nothing with `--level` on the
/// command line (which judges every resource at that level; the namespaces and the
/// admission configuration are then ignored, with a warning). Errors are printed; the
/// exit code is returned.
pub(super) fn prepare(
    args: &super::args::CheckArgs,
    settings: &crate::config::Resolved,
    opts: &mut Options,
    inputs: &[(String, Vec<u8>, Option<PathBuf>)],
) -> Result<Loaded, std::process::ExitCode> {
    let namespaces = &settings.namespaces.value;
    let admission_config = settings.admission_config.value.as_deref();
    // (The settings hold no namespaces nor configuration then: see settings::load.)
    if args.no_namespace_labels {
        return Ok(Loaded::default());
    }
    // `--level default` only undoes a config file's `level`: it overrides nothing.
    if args
        .level
        .is_some_and(|l| l != super::args::LevelArg::Default)
    {
        if !namespaces.is_empty() || admission_config.is_some() {
            eprintln!(
                "warning: --level judges every resource at that level: the namespaces and \
                 the admission configuration given are ignored"
            );
        }
        return Ok(Loaded::default());
    }
    // Only inputs that may hold a Namespace are read for one (`load` asks again); the
    // byte search runs over the inputs on `--threads` threads.
    let holds = crate::engine::map_in_order(inputs, args.thread_count(), &|(_, bytes, _)| {
        may_hold_namespace(bytes)
    });
    let inputs = inputs
        .iter()
        .zip(holds)
        .filter(|(_, holds)| *holds)
        .map(|((name, bytes, _), _)| (name.as_str(), bytes.as_slice()));
    let origin = |o: &crate::config::Origin, key: &str| match o {
        crate::config::Origin::File { .. } => format!("{key} in {o}"),
        _ => o.to_string(),
    };
    let origins = (
        origin(&settings.namespaces.origin, "namespaces"),
        origin(&settings.admission_config.origin, "admissionConfig"),
    );
    load(
        opts,
        namespaces,
        admission_config,
        inputs,
        (&origins.0, &origins.1),
        args.fix || args.diff,
    )
    .map_err(|e| {
        eprintln!("error: {e}");
        std::process::ExitCode::from(super::EXIT_USAGE)
    })
}
