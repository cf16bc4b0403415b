//! The markdown of [`security_context_doc`](super::security_context_doc): the heading,
//! a `securityContext`'s overview, the **Pod Security Standards** bullets and the
//! kube-secctx rules about a field.

use super::{allowed_at, rule_for_check, FieldDoc, FieldRule, Scope, Since, FIELDS};
use crate::options::Level;
use crate::rules::{self, Category};

/// `**securityContext.x.y** (pod) · *string*, one of `A`, `B``.
pub(super) fn heading(doc: &FieldDoc, scope: Scope) -> String {
    let mut out = String::from("**securityContext");
    for key in doc.path {
        out.push('.');
        out.push_str(key);
    }
    out.push_str(&format!(
        "** ({}) · *{}*",
        scope.as_str(),
        doc.shape.as_str()
    ));
    if doc.path.is_empty() {
        out.push_str(match scope {
            Scope::Pod => " (`PodSecurityContext`)",
            Scope::Container => " (`SecurityContext`)",
        });
    }
    if !doc.values.is_empty() {
        out.push_str(", one of ");
        out.push_str(&code_list(doc.values));
    }
    if !doc.item_keys.is_empty() {
        out.push_str(" (");
        out.push_str(&code_list(doc.item_keys));
        out.push(')');
    }
    out.push_str("\n\n");
    out
}

/// The overview of a `securityContext` object: its fields, the PSS checks that read them,
/// and the rules about the object itself.
pub(super) fn overview(doc: &FieldDoc, scope: Scope, out: &mut String) {
    out.push_str(doc.what);
    let fields: Vec<&str> = FIELDS
        .iter()
        .filter(|f| f.scopes.contains(scope))
        .filter_map(|f| match f.path {
            [one] => Some(*one),
            _ => None,
        })
        .collect();
    out.push_str("\n\nFields: ");
    out.push_str(&code_list(&fields));
    out.push_str(".\n\n");
    let mut checks: Vec<(Level, &str)> = FIELDS
        .iter()
        .filter(|f| f.scopes.contains(scope))
        .flat_map(|f| f.pss.iter().map(|r| (r.level, r.check)))
        .collect();
    checks.sort_unstable();
    checks.dedup();
    out.push_str("**Pod Security Standards** checks reading them:");
    for level in [Level::Baseline, Level::Restricted] {
        let ids: Vec<&str> = checks
            .iter()
            .filter(|c| c.0 == level)
            .map(|c| c.1)
            .collect();
        out.push_str(&format!(" {} {};", level.as_str(), code_list(&ids)));
    }
    out.push_str(" hover a field for what each level allows in it.");
    other_rules(doc, out);
}

/// The **Pod Security Standards** part of a field's doc.
pub(super) fn pss_section(doc: &FieldDoc) -> String {
    let baseline: Vec<&FieldRule> = doc
        .pss
        .iter()
        .filter(|r| r.level == Level::Baseline)
        .collect();
    let restricted: Vec<&FieldRule> = doc
        .pss
        .iter()
        .filter(|r| r.level == Level::Restricted)
        .collect();
    if baseline.is_empty() && restricted.is_empty() {
        return "No Pod Security Standards check reads this field: baseline and restricted \
                allow any value."
            .to_string();
    }
    let mut out = String::from("**Pod Security Standards**\n- **baseline**: ");
    if baseline.is_empty() {
        out.push_str("any value");
    } else {
        let parts: Vec<String> = baseline.iter().map(|r| field_rule(r, &[])).collect();
        out.push_str(&parts.join("; "));
    }
    out.push_str("\n- **restricted**: ");
    if restricted.is_empty() {
        out.push_str(if baseline.is_empty() {
            "any value"
        } else {
            "as baseline"
        });
    } else {
        let parts: Vec<String> = restricted
            .iter()
            .map(|r| field_rule(r, &baseline))
            .collect();
        out.push_str(&parts.join("; "));
    }
    out
}

/// One check's phrase: `from v1.N: <allows>; before v1.N, as baseline — PSA check `c`,
/// rule `r``. `baseline` are the field's baseline rules, for a restricted rule that
/// starts after one of them (it replaces it from then on).
fn field_rule(rule: &FieldRule, baseline: &[&FieldRule]) -> String {
    let mut out = String::new();
    if rule.since > 0 {
        out.push_str(&format!("from v1.{}: ", rule.since));
    }
    out.push_str(
        &rule
            .allows
            .replace("{values}", &values_text(rule.values, rule.since)),
    );
    if rule.since > 0 && baseline.iter().any(|b| b.since < rule.since) {
        out.push_str(&format!("; before v1.{}, as baseline", rule.since));
    }
    out.push_str(&format!(" — PSA check `{}`", rule.check));
    if let Some(r) = rule_for_check(rule.check) {
        out.push_str(&format!(", rule `{}`", r.id));
    }
    out
}

/// `` `a` or `b` (v1.27 adds `c`; v1.29 adds `d` or `e`) ``: the values allowed from `since`, and
/// the later versions' additions.
fn values_text(groups: &[Since], since: u32) -> String {
    let base = allowed_at(groups, since);
    let mut out = or_list(&base);
    let later: Vec<String> = groups
        .iter()
        .filter(|g| g.minor > since)
        .map(|g| format!("v1.{} adds {}", g.minor, or_list(g.values)))
        .collect();
    if !later.is_empty() {
        out.push_str(&format!(" ({})", later.join("; ")));
    }
    out
}

/// The kube-secctx rules outside PSS about a field: `kube-secctx: rule `id` (hardening):
/// Title.`
pub(super) fn other_rules(doc: &FieldDoc, out: &mut String) {
    let parts: Vec<String> = doc
        .rules
        .iter()
        .filter_map(|id| rules::rule(id))
        .map(|r| {
            let kind = match r.category {
                Category::Pss => "Pod Security Standards",
                Category::Hardening => "hardening",
                Category::Diagnostic => "input diagnostic",
            };
            format!("rule `{}` ({kind}): {}", r.id, r.title)
        })
        .collect();
    if !parts.is_empty() {
        out.push_str("\n\nkube-secctx ");
        out.push_str(&parts.join("; "));
        out.push('.');
    }
}

/// `` `a`, `b` or `c` ``.
fn or_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or `{last}`", code_list(rest)),
        _ => code_list(items),
    }
}

/// `` `a`, `b`, `c` ``.
fn code_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
