//! Code actions (quick fixes, "Ignore RULE for this resource", fix all) and hover.

use super::*;

#[test]
fn code_actions_fix_the_finding_they_are_asked_about() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    let mut text = nginx();
    open(&mut c, URI, &text);
    let ds = c.diagnostics(URI, 1);
    let root = find(&ds, "may-run-as-root").clone();
    let on_line: Vec<Value> = ds
        .iter()
        .filter(|d| d["range"] == root["range"])
        .cloned()
        .collect();
    let actions = code_actions(&mut c, root["range"].clone(), Value::Array(on_line), None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    // Safe fixes first and preferred; unsafe ones say so; an ignore per rule; fix all.
    assert_eq!(
        titles,
        [
            "Add securityContext with allowPrivilegeEscalation: false",
            "Set seccompProfile: {type: RuntimeDefault} in the pod's securityContext",
            "Set allowPrivilegeEscalation: false",
            "Set runAsNonRoot: true in the pod's securityContext (unsafe fix)",
            "Add ALL to capabilities.drop (unsafe fix)",
            "Set readOnlyRootFilesystem: true (unsafe fix)",
            "Ignore container-security-context-missing for this resource",
            "Ignore may-run-as-root for this resource",
            "Ignore missing-seccomp-profile for this resource",
            "Ignore privilege-escalation-allowed for this resource",
            "Ignore unrestricted-capabilities for this resource",
            "Ignore writable-root-filesystem for this resource",
            "Fix all safe kube-secctx findings (4 findings)",
        ],
        "{actions:#?}"
    );
    let preferred: Vec<&Value> = actions
        .iter()
        .filter(|a| a["isPreferred"] == true)
        .collect();
    assert_eq!(preferred.len(), 3);
    assert_eq!(preferred[0]["kind"], "quickfix");
    assert_eq!(
        preferred[0]["diagnostics"][0]["code"],
        "container-security-context-missing"
    );
    // The preferred fix: its diagnostic is gone (and privilege-escalation-allowed with
    // it), and nothing new appears.
    text = apply_action(&mut c, &text, preferred[0], 2);
    assert!(
        text.contains("        securityContext:\n          allowPrivilegeEscalation: false\n"),
        "{text}"
    );
    let ds = c.diagnostics(URI, 2);
    assert_eq!(
        codes(&ds),
        [
            "may-run-as-root",
            "missing-seccomp-profile",
            "pod-security-context-missing",
            "unrestricted-capabilities",
            "writable-root-filesystem",
        ]
    );

    // Asked about may-run-as-root alone: its (unsafe) fix and its ignore.
    let root = find(&ds, "may-run-as-root").clone();
    let actions = code_actions(
        &mut c,
        root["range"].clone(),
        json!([root]),
        Some(json!(["quickfix"])),
    );
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Set runAsNonRoot: true in the pod's securityContext (unsafe fix)",
            "Ignore may-run-as-root for this resource",
        ]
    );
    assert_eq!(actions[0]["isPreferred"], false);
    text = apply_action(&mut c, &text, &actions[0], 3);
    let ds = c.diagnostics(URI, 3);
    assert!(
        !codes(&ds).contains(&"may-run-as-root".to_string()),
        "{ds:#?}"
    );
    assert!(
        text.ends_with("      securityContext:\n        runAsNonRoot: true\n"),
        "{text}"
    );

    // "Ignore RULE for this resource" writes the annotation; the finding is suppressed.
    let wr = find(&ds, "writable-root-filesystem").clone();
    let actions = code_actions(&mut c, wr["range"].clone(), json!([wr]), None);
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "Ignore writable-root-filesystem for this resource")
        .unwrap();
    text = apply_action(&mut c, &text, ignore, 4);
    assert!(
        text.starts_with(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx-deployment\n  labels:\n    app: nginx\n  annotations:\n    kube-secctx.io/ignore: writable-root-filesystem\n"
        ),
        "{text}"
    );
    let ds = c.diagnostics(URI, 4);
    assert_eq!(
        codes(&ds),
        ["missing-seccomp-profile", "unrestricted-capabilities"],
        "{ds:#?}"
    );
    assert!(c.shutdown().success());
}

#[test]
fn fix_all_applies_every_safe_fix_as_check_fix_does() {
    let (mut c, _) = Client::start(json!({}), Value::Null);
    let text = nginx();
    open(&mut c, URI, &text);
    assert_eq!(c.diagnostics(URI, 1).len(), 7);
    // An automatic request (the cursor moved) that names no kind gets no fix-all: it
    // would send the whole document's edits on every move.
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI},
               "range": {"start": {"line": 17, "character": 8}, "end": {"line": 17, "character": 8}},
               "context": {"diagnostics": [], "triggerKind": 2}}),
    );
    assert!(
        r.as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] == "quickfix"),
        "{r:#}"
    );
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    let actions = code_actions(
        &mut c,
        whole.clone(),
        json!([]),
        Some(json!(["source.fixAll"])),
    );
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.kube-secctx");
    assert!(
        actions[0]["edit"].get("changes").is_some(),
        "no documentChanges capability"
    );
    let fixed = apply_action(&mut c, &text, &actions[0], 2);
    // The same text `kube-secctx check --fix` writes.
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
        .args(["check", "--fix", "-", "--exit-zero"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .and_then(|mut p| {
            use std::io::Write;
            p.stdin.take().unwrap().write_all(text.as_bytes())?;
            p.wait_with_output()
        })
        .unwrap();
    assert_eq!(fixed, String::from_utf8(cli.stdout).unwrap());
    assert!(
        fixed.contains(
            "      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n"
        ),
        "{fixed}"
    );
    let ds = c.diagnostics(URI, 2);
    assert_eq!(
        codes(&ds),
        [
            "may-run-as-root",
            "unrestricted-capabilities",
            "writable-root-filesystem"
        ]
    );
    // Nothing safe is left: no fix-all action.
    let actions = code_actions(
        &mut c,
        whole,
        json!([]),
        Some(json!(["source.fixAll.kube-secctx"])),
    );
    assert!(actions.is_empty(), "{actions:#?}");
    // `only` of another kind gives nothing.
    let r = json!({"start": {"line": 17, "character": 8}, "end": {"line": 17, "character": 8}});
    assert!(code_actions(&mut c, r, json!([]), Some(json!(["refactor"]))).is_empty());
    assert!(c.shutdown().success());
}

#[test]
fn one_code_action_for_findings_with_the_same_edit() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    // Two containers without seccompProfile: each finding's fix is the same edit of the
    // pod (an editor listed it twice).
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n";
    open(&mut c, URI, text);
    let ds = c.diagnostics(URI, 1);
    let all = json!({"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}});
    let actions = code_actions(&mut c, all.clone(), json!([]), Some(json!(["quickfix"])));
    for (i, a) in actions.iter().enumerate() {
        assert!(
            !actions[..i]
                .iter()
                .any(|b| b["title"] == a["title"] && b["edit"] == a["edit"]),
            "{actions:#?}"
        );
    }
    let seccomp = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Set seccompProfile")
        })
        .unwrap();
    assert_eq!(
        seccomp["diagnostics"].as_array().unwrap().len(),
        ds.iter()
            .filter(|d| d["code"] == "missing-seccomp-profile")
            .count()
    );
    // `only: [""]` is CodeActionKind.Empty, which every kind is under.
    let empty = code_actions(&mut c, all, json!([]), Some(json!([""])));
    assert_eq!(empty.len(), actions.len() + 1, "{empty:#?}");
    assert!(c.shutdown().success());
}

#[test]
fn hover_shows_rule_docs_and_security_context_fields() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      privileged: true\n      allowPrivilegeEscalation: false\n      capabilities: {drop: [ALL]}\n      readOnlyRootFilesystem: true\n";
    open(&mut c, URI, text);
    let ds = c.diagnostics(URI, 1);
    assert_eq!(codes(&ds), ["privileged-container"]);
    let hover = |c: &mut Client, line: u64, ch: u64| {
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": ch}}),
        )
    };
    // Over the finding (`true` of `privileged: true`): the rule's documentation.
    let h = hover(&mut c, 11, 19);
    assert_eq!(h["contents"]["kind"], "markdown");
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("# privileged-container\n"), "{md}");
    assert!(md.contains("## Automatic fix"), "{md}");
    assert_eq!(range(&json!({"range": h["range"]})), [11, 18, 11, 22]);
    // Over a securityContext field: what it does and what each level allows.
    let h = hover(&mut c, 5, 6);
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("runAsNonRoot"), "{md}");
    assert!(md.contains("restricted"), "{md}");
    assert_eq!(range(&json!({"range": h["range"]})), [5, 4, 5, 16]);
    let h = hover(&mut c, 13, 30);
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("drop"), "{md}");
    // Elsewhere: nothing.
    assert_eq!(hover(&mut c, 9, 5), Value::Null);
    // Several findings at one place: what each says first, then each rule's docs.
    change(&mut c, URI, 2, json!([{"text": nginx()}]));
    c.diagnostics(URI, 2);
    let h = hover(&mut c, 17, 9);
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with("**6 findings here:**\n\n- `container-security-context-missing`: container \"nginx\" has no securityContext\n- `may-run-as-root`: runAsNonRoot != true"),
        "{md}"
    );
    assert_eq!(md.matches("## Automatic fix").count(), 6);
    assert!(c.shutdown().success());
}

#[test]
fn a_typo_in_the_ignore_annotation_is_an_error_with_a_quick_fix() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    // nginx with an annotation whose second ID is a typo.
    let mut text = nginx().replacen(
        "metadata:\n  name: nginx-deployment\n",
        "metadata:\n  name: nginx-deployment\n  annotations:\n    kube-secctx.io/ignore: \"writable-root-filesystem, may-run-as-rot\"\n",
        1,
    );
    open(&mut c, URI, &text);
    let ds = c.diagnostics(URI, 1);
    let typo = find(&ds, "unknown-ignored-rule").clone();
    // The ID itself: line 5 (0-based), UTF-16 columns 54..68.
    assert_eq!(range(&typo), [5, 54, 5, 68], "{typo:#}");
    assert_eq!(typo["severity"], 1);
    assert_eq!(
        typo["message"],
        "kube-secctx.io/ignore names \"may-run-as-rot\", which is not a rule ID: did you mean `may-run-as-root`?"
    );
    // The typo suppresses nothing: may-run-as-root is still reported.
    assert!(codes(&ds).contains(&"may-run-as-root".to_string()));

    let actions = code_actions(
        &mut c,
        typo["range"].clone(),
        json!([typo]),
        Some(json!(["quickfix"])),
    );
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Replace \"may-run-as-rot\" with \"may-run-as-root\" (unsafe fix)")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    text = apply_action(&mut c, &text, fix, 2);
    assert!(
        text.contains("    kube-secctx.io/ignore: \"writable-root-filesystem, may-run-as-root\"\n"),
        "{text}"
    );
    let ds = c.diagnostics(URI, 2);
    let left = codes(&ds);
    assert!(
        !left.contains(&"unknown-ignored-rule".to_string()),
        "{ds:#?}"
    );
    assert!(!left.contains(&"may-run-as-root".to_string()), "{ds:#?}");
    assert!(c.shutdown().success());
}
