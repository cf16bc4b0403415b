use super::table::NET_BIND_SERVICE;
use super::*;
use crate::options::{Options, PssVersion, LATEST_MINOR};
use crate::rules::Category;

fn doc(scope: Scope, path: &[&str]) -> String {
    security_context_doc(scope, path).unwrap_or_else(|| panic!("no doc for {path:?}"))
}

/// The bullet of `level` in a field's doc.
fn level_line(text: &str, level: &str) -> String {
    let prefix = format!("- **{level}**: ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {level} line in:\n{text}"))
        .to_string()
}

#[test]
fn run_as_non_root_restricted_true() {
    for scope in [Scope::Pod, Scope::Container] {
        let d = doc(scope, &["runAsNonRoot"]);
        assert!(
            d.starts_with(&format!(
                "**securityContext.runAsNonRoot** ({}) · *boolean*",
                scope.as_str()
            )),
            "{d}"
        );
        assert_eq!(level_line(&d, "baseline"), "any value");
        let r = level_line(&d, "restricted");
        assert!(
            r.starts_with("must be `true` at pod level or in every container"),
            "{r}"
        );
        assert!(r.contains("from v1.35 any value when `spec.hostUsers: false`"));
        assert!(r.contains("PSA check `runAsNonRoot`, rule `may-run-as-root`"));
        assert!(!r.contains("from v1.0"), "{r}");
    }
}

#[test]
fn run_as_user_restricted_not_zero_from_v1_23() {
    let d = doc(Scope::Pod, &["runAsUser"]);
    assert_eq!(level_line(&d, "baseline"), "any value");
    let r = level_line(&d, "restricted");
    assert!(r.starts_with("from v1.23: unset or not `0`"), "{r}");
    assert!(r.contains("PSA check `runAsUser`, rule `run-as-root-user`"));
    // No baseline check on the field: nothing "as baseline" before v1.23.
    assert!(!r.contains("as baseline"), "{r}");
}

#[test]
fn allow_privilege_escalation_restricted_false() {
    let d = doc(Scope::Container, &["allowPrivilegeEscalation"]);
    assert_eq!(level_line(&d, "baseline"), "any value");
    let r = level_line(&d, "restricted");
    assert!(
        r.starts_with("from v1.8: must be set to `false` in every container"),
        "{r}"
    );
    assert!(r.contains("exempt from v1.25"));
    assert!(r.contains("rule `privilege-escalation-allowed`"));
}

#[test]
fn capabilities_add_default_set_and_net_bind_service() {
    const FROM_CHECKS_MD: &str = "`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, \
        `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, \
        `SETUID` or `SYS_CHROOT`";
    let d = doc(Scope::Container, &["capabilities", "add"]);
    let b = level_line(&d, "baseline");
    assert!(
        b.starts_with(&format!(
            "each entry must be one of {FROM_CHECKS_MD} (exact"
        )),
        "{b}"
    );
    assert!(b.contains("PSA check `capabilities_baseline`, rule `non-default-capabilities`"));
    let r = level_line(&d, "restricted");
    assert!(r.starts_with("from v1.22: only `NET_BIND_SERVICE`;"), "{r}");
    assert!(r.contains("before v1.22, as baseline"), "{r}");
    assert!(r.contains("rule `unrestricted-capabilities`"));
    // An index into the list is the list.
    assert_eq!(doc(Scope::Container, &["capabilities", "add", "0"]), d);
    assert_eq!(
        security_context_doc(Scope::Container, &["capabilities", "add", "0", "x"]),
        None
    );
}

#[test]
fn capabilities_drop_must_include_all() {
    let d = doc(Scope::Container, &["capabilities", "drop"]);
    assert_eq!(level_line(&d, "baseline"), "any value");
    let r = level_line(&d, "restricted");
    assert!(r.starts_with("from v1.22: must contain `ALL`"), "{r}");
    assert!(!r.contains("as baseline"), "{r}");
    let parent = doc(Scope::Container, &["capabilities"]);
    assert!(level_line(&parent, "restricted").contains("`drop` must contain `ALL`"));
}

#[test]
fn seccomp_type_baseline_and_restricted() {
    for scope in [Scope::Pod, Scope::Container] {
        let d = doc(scope, &["seccompProfile", "type"]);
        assert!(d.contains("one of `RuntimeDefault`, `Localhost`, `Unconfined`"));
        let b = level_line(&d, "baseline");
        assert!(
            b.starts_with(
                "from v1.19: if set, `type` must be `RuntimeDefault` or `Localhost` (`Unconfined` fails)"
            ),
            "{b}"
        );
        assert!(b.contains("rule `unconfined-seccomp-profile`"));
        let r = level_line(&d, "restricted");
        assert!(
            r.starts_with(
                "from v1.19: `type` must be `RuntimeDefault` or `Localhost`, set at pod level"
            ),
            "{r}"
        );
        assert!(r.contains("rule `missing-seccomp-profile`"));
        assert!(!r.contains("as baseline"), "{r}");
    }
}

#[test]
fn selinux_type_list() {
    let d = doc(Scope::Pod, &["seLinuxOptions", "type"]);
    let b = level_line(&d, "baseline");
    assert!(
        b.starts_with(
            "unset, empty or one of `container_t`, `container_init_t` or `container_kvm_t` \
             (v1.31 adds `container_engine_t`)"
        ),
        "{b}"
    );
    assert_eq!(level_line(&d, "restricted"), "as baseline");
    assert_eq!(
        allowed_at(SELINUX_TYPES, 30),
        ["container_t", "container_init_t", "container_kvm_t"]
    );
    assert_eq!(allowed_at(SELINUX_TYPES, 31).len(), 4);
    let level = doc(Scope::Container, &["seLinuxOptions", "level"]);
    assert!(level.contains("No Pod Security Standards check reads this field"));
}

#[test]
fn proc_mount_default() {
    let d = doc(Scope::Container, &["procMount"]);
    let b = level_line(&d, "baseline");
    assert!(
        b.starts_with("unset or `Default` (`Unmasked` fails)"),
        "{b}"
    );
    assert!(b.contains("PSA check `procMount`, rule `unmasked-proc-mount`"));
    let r = level_line(&d, "restricted");
    assert!(
        r.starts_with("from v1.35: unset or `Default`, even when `spec.hostUsers: false`; before v1.35, as baseline"),
        "{r}"
    );
    assert!(r.contains("PSA check `procMount_restricted`, rule `unmasked-proc-mount`"));
}

#[test]
fn sysctls_safe_set_per_version() {
    let d = doc(Scope::Pod, &["sysctls"]);
    let b = level_line(&d, "baseline");
    assert!(
        b.contains(
            "`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, \
             `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range` or \
             `net.ipv4.ip_unprivileged_port_start` (v1.27 adds \
             `net.ipv4.ip_local_reserved_ports`; v1.29 adds `net.ipv4.tcp_keepalive_time`, \
             `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl` or \
             `net.ipv4.tcp_keepalive_probes`; v1.32 adds `net.ipv4.tcp_rmem` or \
             `net.ipv4.tcp_wmem`; v1.37 adds `net.ipv4.tcp_slow_start_after_idle` or \
             `net.ipv4.tcp_notsent_lowat`)"
        ),
        "{b}"
    );
    assert!(b.contains("rule `unsafe-sysctl`"));
    assert_eq!(level_line(&d, "restricted"), "as baseline");
    assert_eq!(allowed_at(SAFE_SYSCTLS, 0).len(), 5);
    assert_eq!(allowed_at(SAFE_SYSCTLS, 26).len(), 5);
    assert_eq!(allowed_at(SAFE_SYSCTLS, 27).len(), 6);
    assert_eq!(allowed_at(SAFE_SYSCTLS, 29).len(), 10);
    assert_eq!(allowed_at(SAFE_SYSCTLS, 32).len(), 12);
    assert_eq!(allowed_at(SAFE_SYSCTLS, 37).len(), 14);
    // Items and their keys resolve to the list.
    for path in [
        &["sysctls", "0"][..],
        &["sysctls", "0", "name"],
        &["sysctls", "3", "value"],
        &["sysctls", "name"],
    ] {
        assert_eq!(doc(Scope::Pod, path), d, "{path:?}");
    }
    assert_eq!(
        security_context_doc(Scope::Pod, &["sysctls", "0", "other"]),
        None
    );
    assert_eq!(
        security_context_doc(Scope::Pod, &["sysctls", "0", "name", "x"]),
        None
    );
}

#[test]
fn privileged_baseline_false() {
    let d = doc(Scope::Container, &["privileged"]);
    let b = level_line(&d, "baseline");
    assert!(b.starts_with("unset or `false`; `true` fails"), "{b}");
    assert!(b.contains("PSA check `privileged`, rule `privileged-container`"));
    assert_eq!(level_line(&d, "restricted"), "as baseline");
}

#[test]
fn apparmor_and_host_process_from_v1_0() {
    for path in [&["appArmorProfile"][..], &["appArmorProfile", "type"]] {
        let d = doc(Scope::Container, path);
        let b = level_line(&d, "baseline");
        assert!(
            b.starts_with("if set, `type` must be `RuntimeDefault` or `Localhost`"),
            "{b}"
        );
        assert!(b.contains("rule `forbidden-apparmor-profile`"));
    }
    let d = doc(Scope::Pod, &["windowsOptions", "hostProcess"]);
    let b = level_line(&d, "baseline");
    assert!(b.starts_with("`hostProcess` unset or `false`"), "{b}");
    assert!(b.contains("PSA check `windowsHostProcess`, rule `windows-host-process`"));
}

#[test]
fn wrong_scope_says_where_it_belongs() {
    let d = doc(Scope::Container, &["fsGroup"]);
    assert!(
        d.starts_with("**securityContext.fsGroup** (container) · *integer*"),
        "{d}"
    );
    assert!(d.contains("`fsGroup` is a pod-level field"), "{d}");
    assert!(
        d.contains("has no effect in a container's `securityContext`"),
        "{d}"
    );
    let d = doc(Scope::Container, &["sysctls", "0", "name"]);
    assert!(d.contains("`sysctls` is a pod-level field"), "{d}");
    let d = doc(Scope::Pod, &["capabilities", "add"]);
    assert!(
        d.contains("`capabilities.add` is a container-level field"),
        "{d}"
    );
    let d = doc(Scope::Pod, &["readOnlyRootFilesystem"]);
    assert!(d.contains("is a container-level field"), "{d}");
}

#[test]
fn readonly_root_names_its_hardening_rule() {
    let d = doc(Scope::Container, &["readOnlyRootFilesystem"]);
    assert!(d.contains("No Pod Security Standards check reads this field"));
    assert!(
        d.contains("rule `writable-root-filesystem` (hardening)"),
        "{d}"
    );
}

#[test]
fn unknown_fields_are_none() {
    for (scope, path) in [
        (Scope::Pod, &["nope"][..]),
        (Scope::Container, &["runAsUser", "x"]),
        (Scope::Container, &["capabilities", "nope"]),
        (Scope::Pod, &["0"]),
        (Scope::Pod, &["runAsUser", "0"]),
        (Scope::Container, &["seccompProfile", "typ"]),
    ] {
        assert_eq!(security_context_doc(scope, path), None, "{path:?}");
    }
}

#[test]
fn overview_lists_the_scope_fields() {
    let pod = doc(Scope::Pod, &[]);
    assert!(pod.starts_with("**securityContext** (pod) · *object* (`PodSecurityContext`)"));
    for f in [
        "fsGroup",
        "fsGroupChangePolicy",
        "runAsGroup",
        "runAsNonRoot",
        "runAsUser",
        "seLinuxChangePolicy",
        "seLinuxOptions",
        "seccompProfile",
        "appArmorProfile",
        "supplementalGroups",
        "supplementalGroupsPolicy",
        "sysctls",
        "windowsOptions",
    ] {
        assert!(pod.contains(&format!("`{f}`")), "{f}: {pod}");
    }
    assert!(!pod.contains("`privileged`"));
    assert!(pod.contains("rule `pod-security-context-missing` (hardening)"));
    let c = doc(Scope::Container, &[]);
    assert!(c.contains("rule `container-security-context-missing` (hardening)"));
    assert!(c.contains("`capabilities_restricted`"));
    assert!(!c.contains("`fsGroup`"));
}

/// The API's fields: 13 in `PodSecurityContext`, 12 in `SecurityContext`.
#[test]
fn every_api_field_is_documented() {
    let count = |scope: Scope| {
        FIELDS
            .iter()
            .filter(|f| f.path.len() == 1 && f.scopes.contains(scope))
            .count()
    };
    assert_eq!(count(Scope::Pod), 13);
    assert_eq!(count(Scope::Container), 12);
    // One row per path and scope; every sub-field has its parent.
    for (i, f) in FIELDS.iter().enumerate() {
        for g in FIELDS.iter().skip(i + 1) {
            assert!(
                !(f.path == g.path
                    && [Scope::Pod, Scope::Container]
                        .iter()
                        .any(|&s| f.scopes.contains(s) && g.scopes.contains(s))),
                "{:?} twice",
                f.path
            );
        }
        if let Some((_, parent)) = f.path.split_last() {
            assert!(
                FIELDS
                    .iter()
                    .any(|p| p.path == parent && (parent.is_empty() || p.scopes == f.scopes)),
                "{:?} has no parent",
                f.path
            );
        }
    }
}

/// Every field rule names a PSA check that a kube-secctx rule runs, at the level and
/// no earlier than the version the rule table gives; `{values}` is used iff there are
/// values; the other rules exist.
#[test]
fn the_table_agrees_with_the_rule_table() {
    for f in FIELDS {
        for r in f.pss {
            let rule =
                rule_for_check(r.check).unwrap_or_else(|| panic!("no rule runs check {}", r.check));
            let (level, _, since) = rule
                .psa_checks()
                .into_iter()
                .find(|c| c.1 == r.check)
                .unwrap();
            assert_eq!(level, r.level, "{}", r.check);
            assert!(r.since >= since, "{}", r.check);
            assert_eq!(
                r.allows.contains("{values}"),
                !r.values.is_empty(),
                "{}",
                r.check
            );
        }
        for id in f.rules {
            let rule = rules::rule(id).unwrap_or_else(|| panic!("no rule {id}"));
            assert_ne!(rule.category, Category::Pss, "{id}");
        }
    }
}

/// Every rule whose documentation is about a `securityContext` field is named by some
/// field's doc.
#[test]
fn every_security_context_rule_is_mentioned() {
    let mut all = String::new();
    for f in FIELDS {
        for scope in [Scope::Pod, Scope::Container] {
            all.push_str(&security_context_doc(scope, f.path).unwrap());
        }
    }
    let mut n = 0;
    for rule in rules::RULES {
        if rule.docs.contains("securityContext") {
            n += 1;
            assert!(all.contains(&format!("rule `{}`", rule.id)), "{}", rule.id);
        }
    }
    assert!(n >= 17, "{n}");
}

/// The table's claims beyond the value lists it shares with the checks
/// ([`BASELINE_CAPABILITIES`], [`SAFE_SYSCTLS`], [`SELINUX_TYPES`]) agree with the engine:
/// restricted allows only `NET_BIND_SERVICE` in `capabilities.add`, baseline's capability
/// names are exact and case-sensitive, and `runAsUser: 0` fails from v1.23.
#[test]
fn the_table_claims_match_the_checks() {
    fn findings(rule: &str, minor: u32, level: Level, sc: &str, csc: &str) -> usize {
        let yaml = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {sc}\n  containers:\n  - name: c\n    image: i\n    securityContext: {csc}\n"
        );
        let opts = Options {
            level: Some(level),
            pss_version: PssVersion::V1(minor),
            select: vec![rule.to_string()],
            ..Options::default()
        };
        let report = crate::check("t.yaml", &yaml, &opts).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        report.findings.iter().filter(|f| f.rule == rule).count()
    }
    let pss_sc = "{runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}";
    for cap in BASELINE_CAPABILITIES {
        let csc = format!(
            "{{allowPrivilegeEscalation: false, capabilities: {{drop: [ALL], add: [{cap}]}}}}"
        );
        let n = findings(
            "unrestricted-capabilities",
            LATEST_MINOR,
            Level::Restricted,
            pss_sc,
            &csc,
        );
        let allowed = allowed_at(NET_BIND_SERVICE, LATEST_MINOR).contains(cap);
        assert_eq!(n == 0, allowed, "{cap}: {n}");
    }
    for bad in ["NET_RAW", "CAP_CHOWN", "chown"] {
        let csc = format!("{{capabilities: {{add: [{bad}]}}}}");
        assert_eq!(
            findings(
                "non-default-capabilities",
                LATEST_MINOR,
                Level::Baseline,
                "{}",
                &csc
            ),
            1,
            "{bad}"
        );
    }
    // runAsUser: 0 passes before v1.23 and fails from it.
    for (minor, want) in [(22, 0), (23, 1)] {
        assert_eq!(
            findings(
                "run-as-root-user",
                minor,
                Level::Restricted,
                "{runAsUser: 0}",
                "{}"
            ),
            want
        );
    }
}
