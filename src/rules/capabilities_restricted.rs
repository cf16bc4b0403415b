//! `unrestricted-capabilities` — PSA check `capabilities_restricted` (restricted, v1.22+).
use super::{quoted_list, Ctx};
use crate::workload::push_decimal;

declare_rule! {
    /// ## What it checks
    /// A container does not drop `ALL` capabilities, or adds back anything but
    /// `NET_BIND_SERVICE`. One finding per container that does not drop `ALL`, at its
    /// `capabilities.drop` key (or the nearest key that exists), and one per other
    /// capability added, at its item of `capabilities.add`. Admission answers with PSA's
    /// one violation per container for both, at `capabilities.drop` when `ALL` is
    /// missing, else at the first capability added.
    ///
    /// ## Why it matters
    /// Even the runtime's default capabilities (`NET_RAW`, `CHOWN`, `DAC_OVERRIDE`,
    /// `SETUID`...) are more than most programs need; `NET_RAW` alone allows spoofing on
    /// the pod network.
    ///
    /// ## Pod Security Standards
    /// Restricted, PSA check `capabilities_restricted`, from v1.22. Fields:
    /// `spec.containers[*].securityContext.capabilities.drop` must contain `ALL` (exact,
    /// case-sensitive) and `.add` may contain only `NET_BIND_SERVICE` (also init and
    /// ephemeral containers). A missing `securityContext` or `capabilities` fails. From
    /// v1.25, Windows pods are exempt. Replaces `non-default-capabilities` at the
    /// restricted level.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     securityContext:
    ///       capabilities:
    ///         drop: ["NET_RAW"]
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     securityContext:
    ///       capabilities:
    ///         drop: ["ALL"]
    ///         add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Fix
    /// Set `capabilities: {drop: ["ALL"]}` in each container's `securityContext`, and add
    /// back only `NET_BIND_SERVICE` if the program binds a port below 1024.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted> (Capabilities)
    /// - PSA source: `policy/check_capabilities_restricted.go`
    UNRESTRICTED_CAPABILITIES {
        id: "unrestricted-capabilities",
        title: "Container does not drop ALL capabilities",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Restricted, check: "capabilities_restricted", since: 22, replaced_in_restricted_since: None, also: None, }),
        fix: "set capabilities.drop: [\"ALL\"] and add back at most NET_BIND_SERVICE",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.version >= 25 && ctx.is_windows() {
        return;
    }
    const DROP_ALL: &str = "must set securityContext.capabilities.drop=[\"ALL\"]";
    let must_not_add =
        |caps: String| format!("must not include {caps} in securityContext.capabilities.add");
    for c in ctx.containers() {
        let caps = ctx.get(ctx.sc(c), "capabilities");
        let drops_all = ctx
            .strs(ctx.get(caps, "drop"))
            .iter()
            .any(|(_, d)| *d == "ALL");
        let bad_add: Vec<(usize, &str)> = ctx
            .strs(ctx.get(caps, "add"))
            .into_iter()
            .filter(|(_, a)| *a != "NET_BIND_SERVICE")
            .collect();
        if drops_all && bad_add.is_empty() {
            continue;
        }
        // Admission's one violation per container: both problems, at `drop` when `ALL` is
        // missing, else at the first capability added. Its message starts as each
        // finding's does (`prefix` bytes), and is the `drop` finding's when nothing is added.
        let mut message = String::with_capacity(128);
        message.push_str("unrestricted capabilities: ");
        message.push_str(&ctx.container_label(c));
        message.push(' ');
        let prefix = message.len();
        if !drops_all {
            message.push_str(DROP_ALL);
        }
        if !bad_add.is_empty() {
            if !drops_all {
                message.push_str(" and ");
            }
            message.push_str(&must_not_add(quoted_list(bad_add.iter().map(|b| b.1))));
        }
        let mut pointer = ctx.container_pointer(c);
        match (drops_all, bad_add.first()) {
            (true, Some((i, _))) => {
                pointer.push_str("/securityContext/capabilities/add/");
                push_decimal(&mut pointer, *i);
            }
            _ => pointer.push_str("/securityContext/capabilities/drop"),
        }
        // Each added capability's finding: `lead` and its own problem.
        let lead = match bad_add.is_empty() {
            true => String::new(),
            false => message.get(..prefix).unwrap_or_default().to_string(),
        };
        let drop_message = (!drops_all).then(|| {
            if bad_add.is_empty() {
                message.clone()
            } else {
                format!("{lead}{DROP_ALL}")
            }
        });
        let group = Ctx::group(pointer, message);
        if let Some(msg) = drop_message {
            ctx.report_container_in(c, "securityContext/capabilities/drop", msg, Some(&group));
        }
        for (i, cap) in bad_add {
            let msg = format!("{lead}{}", must_not_add(format!("{cap:?}")));
            let rel = format!("securityContext/capabilities/add/{i}");
            ctx.report_container_in(c, &rel, msg, Some(&group));
        }
    }
}
