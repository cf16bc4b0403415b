//! The `securityContext` fields: what each does and which values each Pod Security
//! Standards level allows in it, as a table ([`FIELDS`]) and as a short markdown text for
//! an editor's hover ([`security_context_doc`]).
//!
//! Sources:
//! - **What a field does, its type and its values**: the Kubernetes API reference of
//!   `PodSecurityContext` (the pod's `spec.securityContext`, 13 fields) and `SecurityContext`
//!   (a container's `securityContext`, 12 fields), with `Capabilities`, `SeccompProfile`,
//!   `AppArmorProfile`, `SELinuxOptions`, `WindowsSecurityContextOptions` and `Sysctl`
//!   (`k8s.io/api/core/v1`), in our own words.
//! - **What each level allows, and from which policy version**: Pod Security Admission's
//!   checks, as `shared/corpus/psa/CHECKS.md` gives them (read from
//!   `kubernetes/pod-security-admission` at commit `8f84a87`, `policy/check_*.go`). Each
//!   [`FieldRule`] names its PSA check ID.
//! - **Which kube-secctx rule reports it**: [`crate::rules::RULES`], looked up by PSA check
//!   ID; hardening rules and input diagnostics by the rule IDs in [`FieldDoc::rules`].
//!
//! No I/O, no panics; the table is plain data for any front end (the language server's
//! hover, the web page).
//!
//! Layout: this file holds the types, [`lookup`] and [`security_context_doc`]; `table.rs`
//! the data ([`FIELDS`] and what each PSA check allows per field); `format.rs` the
//! markdown. The value lists PSS allows ([`BASELINE_CAPABILITIES`], [`SAFE_SYSCTLS`],
//! [`SELINUX_TYPES`]) are the rules' own, re-exported from [`crate::rules`].

use crate::options::Level;
use crate::rules::{self, Rule};

mod format;
mod table;
#[cfg(test)]
mod tests;

pub use crate::rules::{allowed_at, Since, BASELINE_CAPABILITIES, SAFE_SYSCTLS, SELINUX_TYPES};
pub use table::FIELDS;

/// Where a `securityContext` sits: the pod's `spec.securityContext` (`PodSecurityContext`)
/// or a container's `securityContext` (`SecurityContext`). Init and ephemeral containers
/// are [`Scope::Container`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `spec.securityContext` (`PodSecurityContext`).
    Pod,
    /// `spec.{initContainers,containers,ephemeralContainers}[*].securityContext`
    /// (`SecurityContext`).
    Container,
}

impl Scope {
    /// `"pod"` or `"container"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Pod => "pod",
            Scope::Container => "container",
        }
    }
}

/// Which `securityContext` objects have a field (per the Kubernetes API types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scopes {
    /// Only `PodSecurityContext` (e.g. `fsGroup`, `sysctls`).
    Pod,
    /// Only `SecurityContext` (e.g. `privileged`, `capabilities`).
    Container,
    /// Both; a container's value overrides the pod's for that container (e.g. `runAsUser`).
    Both,
}

impl Scopes {
    /// Whether the field exists in a `securityContext` at `scope`.
    pub fn contains(self, scope: Scope) -> bool {
        matches!(
            (self, scope),
            (Scopes::Both, _) | (Scopes::Pod, Scope::Pod) | (Scopes::Container, Scope::Container)
        )
    }
}

/// The JSON type of a field's value, as the API decodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `true` / `false`.
    Boolean,
    /// An integer (`int64`: UIDs and GIDs).
    Integer,
    /// A string (often one of [`FieldDoc::values`]).
    String,
    /// An object of the sub-fields listed in [`FIELDS`].
    Object,
    /// A list of strings (`capabilities.add`, `capabilities.drop`).
    StringList,
    /// A list of integers (`supplementalGroups`).
    IntegerList,
    /// A list of objects with the keys [`FieldDoc::item_keys`] (`sysctls`).
    ObjectList,
}

impl Shape {
    /// The type in words: `"boolean"`, `"list of strings"`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Boolean => "boolean",
            Shape::Integer => "integer",
            Shape::String => "string",
            Shape::Object => "object",
            Shape::StringList => "list of strings",
            Shape::IntegerList => "list of integers",
            Shape::ObjectList => "list of objects",
        }
    }

    /// Whether the value is a list (its items are addressed by numeric indices).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Shape::StringList | Shape::IntegerList | Shape::ObjectList
        )
    }
}

/// What one Pod Security Admission check allows in one field.
///
/// Source: `shared/corpus/psa/CHECKS.md` (PSA `policy/check_<check>.go`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldRule {
    /// The level of the check (a restricted check applies at restricted only; a baseline
    /// check at both, unless a restricted check overrides it: see
    /// [`crate::rules::PssInfo::replaced_in_restricted_since`]).
    pub level: Level,
    /// The PSA check ID, e.g. `"capabilities_baseline"`.
    pub check: &'static str,
    /// First policy version (`v1.<minor>`) at which the check reads this field. It can be
    /// later than the check's own first version: `seccompProfile_baseline` reads
    /// annotations before v1.19 and the fields from v1.19.
    pub since: u32,
    /// What the check allows in the field (markdown, one phrase). `{values}` stands for
    /// [`FieldRule::values`], formatted with the versions that add to them.
    pub allows: &'static str,
    /// The values the check allows, when it allows a list of them (empty otherwise).
    pub values: &'static [Since],
}

/// The documentation of one `securityContext` field: a row of [`FIELDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldDoc {
    /// The keys below `securityContext`, e.g. `["seccompProfile", "type"]`; empty for the
    /// `securityContext` object itself.
    pub path: &'static [&'static str],
    /// Which `securityContext` objects have the field.
    pub scopes: Scopes,
    /// The type of its value.
    pub shape: Shape,
    /// The values the API accepts, for a string field with a fixed set (empty otherwise).
    pub values: &'static [&'static str],
    /// For a [`Shape::ObjectList`], the keys of its items (they resolve to this field).
    pub item_keys: &'static [&'static str],
    /// What the field does (markdown, one or two sentences; from the API reference).
    pub what: &'static str,
    /// What the Pod Security Standards checks allow in it (empty: no check reads it).
    pub pss: &'static [FieldRule],
    /// kube-secctx rules outside the Pod Security Standards about it (hardening rules and
    /// input diagnostics), by rule ID.
    pub rules: &'static [&'static str],
}

impl FieldDoc {
    /// The field's path below `securityContext`, dotted: `"seccompProfile.type"`.
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }
}

/// The row of [`FIELDS`] for `path` (keys below `securityContext`) in a `securityContext`
/// at `scope`: the row documented for that scope, else the row of the other scope (a
/// field in the wrong `securityContext`; check [`Scopes::contains`]). `None` for an
/// unknown field.
///
/// Numeric keys right after a list field are its items' indices and are skipped
/// (`["capabilities", "add", "0"]` is `capabilities.add`), and an item key of a list of
/// objects resolves to the list (`["sysctls", "0", "name"]` is `sysctls`). Nothing below
/// an item's value resolves.
pub fn lookup(scope: Scope, path: &[&str]) -> Option<&'static FieldDoc> {
    /// Where the walk is: at a field, in an item of a list field, or at an item's key.
    #[derive(Clone, Copy)]
    enum At {
        Field(&'static FieldDoc),
        Item(&'static FieldDoc),
        ItemKey(&'static FieldDoc),
    }
    let mut key: Vec<&str> = Vec::with_capacity(path.len());
    let mut at = At::Field(row(scope, &key)?);
    for &seg in path {
        at = match at {
            At::Field(doc) if doc.shape.is_list() && is_index(seg) => At::Item(doc),
            At::Field(doc) | At::Item(doc)
                if doc.shape == Shape::ObjectList && doc.item_keys.contains(&seg) =>
            {
                At::ItemKey(doc)
            }
            At::Field(_) => {
                key.push(seg);
                At::Field(row(scope, &key)?)
            }
            At::Item(_) | At::ItemKey(_) => return None,
        };
    }
    match at {
        At::Field(doc) | At::Item(doc) | At::ItemKey(doc) => Some(doc),
    }
}

/// The row for exactly `path`, preferring the one documented for `scope`.
fn row(scope: Scope, path: &[&str]) -> Option<&'static FieldDoc> {
    let mut rows = FIELDS.iter().filter(|f| f.path == path);
    let first = rows.next()?;
    if first.scopes.contains(scope) {
        return Some(first);
    }
    Some(rows.find(|f| f.scopes.contains(scope)).unwrap_or(first))
}

/// A list item's index: ASCII digits only.
fn is_index(seg: &str) -> bool {
    !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())
}

/// The kube-secctx rule that runs PSA check `check` (its own check or its `also`), from
/// [`crate::rules::RULES`].
fn rule_for_check(check: &str) -> Option<&'static Rule> {
    rules::RULES
        .iter()
        .copied()
        .find(|r| r.psa_checks().iter().any(|&(_, c, _)| c == check))
}

/// Markdown documentation of the `securityContext` field at `path` (the keys below
/// `securityContext`, as [`lookup`] resolves them) in a `securityContext` at `scope`,
/// for an editor's hover. `None` for an unknown field.
///
/// Shape: a heading line (`**securityContext.runAsNonRoot** (pod) · *boolean*`), a
/// paragraph on what the field does, then **Pod Security Standards**: one bullet for
/// what `baseline` allows and one for `restricted`, each naming its PSA check ID and the
/// kube-secctx rule ID and the first policy version when it is not v1.0 (or one line "No
/// Pod Security Standards check reads this field"), then the kube-secctx hardening rules
/// and input diagnostics about the field. An empty `path` gives an overview of the
/// `securityContext` at `scope`: its fields and the checks that read them. A field of the
/// other scope (`fsGroup` in a container) says where it belongs and that it has no effect
/// here.
pub fn security_context_doc(scope: Scope, path: &[&str]) -> Option<String> {
    let doc = lookup(scope, path)?;
    let mut out = format::heading(doc, scope);
    if doc.path.is_empty() {
        format::overview(doc, scope, &mut out);
    } else if doc.scopes.contains(scope) {
        out.push_str(doc.what);
        out.push_str("\n\n");
        out.push_str(&format::pss_section(doc));
        format::other_rules(doc, &mut out);
    } else {
        let (level, home, here) = match scope {
            Scope::Container => (
                "pod-level",
                "the pod's `spec.securityContext`",
                "a container's `securityContext`",
            ),
            Scope::Pod => (
                "container-level",
                "each container's `securityContext`",
                "the pod's `spec.securityContext`",
            ),
        };
        out.push_str(&format!(
            "`{}` is a {level} field: it belongs in {home} and has no effect in {here} (the \
             API server drops an unknown field, or rejects it under strict field \
             validation). No Pod Security Standards check reads it here.\n\n{}",
            doc.dotted(),
            doc.what
        ));
    }
    Some(out)
}
