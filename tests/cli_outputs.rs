//! What a user sees from the `kube-secctx` binary in the formats for people: `--format
//! concise` (one line per finding), the text format's line naming each resource (a
//! `kubectl get pods -A -o yaml` dump, pods of two namespaces in one `List`), and a typo
//! in the `kube-secctx.io/ignore` annotation (`unknown-ignored-rule`).
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::process::{stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

/// `kubectl get pods -A -o yaml` of a small cluster: `default/web-…` (nginx, no
/// securityContext), `kube-system/kube-proxy-…` (privileged, hostNetwork, a hostPath
/// volume) and `kube-system/coredns-…`, in one `List`.
fn pods_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kubectl-get-pods-all-namespaces.yaml")
}

/// Runs the binary in `dir` (no color unless asked, `NO_COLOR` unset).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run kube-secctx")
}

/// A temporary directory holding the pods dump as `pods.yaml` and `files`.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(pods_fixture(), dir.path().join("pods.yaml")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const BAD_YAML: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {a: [\n";

#[test]
fn concise_is_one_line_per_finding_then_the_summary() {
    let dir = dir_with(&[("bad.yaml", BAD_YAML)]);
    let o = run_in(
        dir.path(),
        &["check", "--format", "concise", "bad.yaml", "pods.yaml"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let expected = r#"bad.yaml:4:12: error: invalid YAML: while parsing a node, did not find expected node content
pods.yaml:24:7: warning: container "nginx" has no securityContext [container-security-context-missing]
pods.yaml:24:7: error: runAsNonRoot != true: pod or container "nginx" must set securityContext.runAsNonRoot=true [may-run-as-root]
pods.yaml:24:7: error: seccompProfile: pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost" [missing-seccomp-profile]
pods.yaml:24:7: error: allowPrivilegeEscalation != false: container "nginx" must set securityContext.allowPrivilegeEscalation=false [privilege-escalation-allowed]
pods.yaml:24:7: error: unrestricted capabilities: container "nginx" must set securityContext.capabilities.drop=["ALL"] [unrestricted-capabilities]
pods.yaml:24:7: warning: container "nginx" does not set securityContext.readOnlyRootFilesystem=true [writable-root-filesystem]
pods.yaml:54:3: warning: pod has no securityContext [pod-security-context-missing]
pods.yaml:62:7: error: runAsNonRoot != true: pod or container "kube-proxy" must set securityContext.runAsNonRoot=true [may-run-as-root]
pods.yaml:62:7: error: seccompProfile: pod or container "kube-proxy" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost" [missing-seccomp-profile]
pods.yaml:62:7: error: allowPrivilegeEscalation != false: container "kube-proxy" must set securityContext.allowPrivilegeEscalation=false [privilege-escalation-allowed]
pods.yaml:62:7: error: unrestricted capabilities: container "kube-proxy" must set securityContext.capabilities.drop=["ALL"] [unrestricted-capabilities]
pods.yaml:62:7: warning: container "kube-proxy" does not set securityContext.readOnlyRootFilesystem=true [writable-root-filesystem]
pods.yaml:63:21: error: privileged: container "kube-proxy" must not set securityContext.privileged=true [privileged-container]
pods.yaml:69:18: error: host namespaces: pod must not set hostNetwork=true [host-namespaces]
pods.yaml:75:7: error: restricted volume types: volume "lib-modules" uses restricted volume type "hostPath" [forbidden-volume-type]
pods.yaml:90:3: warning: pod has no securityContext [pod-security-context-missing]
pods.yaml:95:7: error: runAsNonRoot != true: pod or container "coredns" must set securityContext.runAsNonRoot=true [may-run-as-root]
pods.yaml:95:7: error: seccompProfile: pod or container "coredns" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost" [missing-seccomp-profile]
Found 18 findings (13 errors, 5 warnings) and 1 input error in 2 files (3 resources checked).
"#;
    assert_eq!(stdout(&o), expected);
    assert_eq!(stderr(&o), "");

    // Every entry line has GCC's shape, which editors' error formats read.
    for line in expected.lines().filter(|l| !l.starts_with("Found ")) {
        let mut parts = line.splitn(4, ':');
        let (file, l, c) = (parts.next(), parts.next(), parts.next());
        assert!(file.is_some_and(|f| f.ends_with(".yaml")), "{line}");
        assert!(l.unwrap().parse::<usize>().is_ok(), "{line}");
        assert!(c.unwrap().parse::<usize>().is_ok(), "{line}");
        let rest = parts.next().unwrap();
        assert!(
            rest.starts_with(" error: ") || rest.starts_with(" warning: "),
            "{line}"
        );
    }
}

#[test]
fn concise_clean_unreadable_and_colors() {
    let dir = dir_with(&[(
        "ok.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    )]);
    let o = run_in(dir.path(), &["check", "--format", "concise", "ok.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "No problems found in 1 file (0 resources checked).\n"
    );

    // An unreadable file: exit 2, its error on stderr, counted after the summary.
    let o = run_in(
        dir.path(),
        &["check", "--format", "concise", "ok.yaml", "missing.yaml"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: missing.yaml: "),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&o),
        "No problems found in 1 file (0 resources checked).\n1 file could not be read and was not checked (see the errors above).\n"
    );

    // Colors as the text format: the location bold, the severity colored, the rule dim.
    let select = ["--select", "host-namespaces", "pods.yaml"];
    let colored = run_in(
        dir.path(),
        &[
            &["check", "--format", "concise", "--color", "always"][..],
            &select,
        ]
        .concat(),
    );
    let out = stdout(&colored);
    assert!(
        out.starts_with("\u{1b}[1mpods.yaml:69:18\u{1b}[0m: \u{1b}[1m\u{1b}[91merror:\u{1b}[0m host namespaces: pod must not set hostNetwork=true \u{1b}[36m[host-namespaces]\u{1b}[0m\n"),
        "{out:?}"
    );
    let plain = run_in(
        dir.path(),
        &[
            &[
                "check",
                "--format",
                "concise",
                "--color",
                "always",
                "--no-color",
            ][..],
            &select,
        ]
        .concat(),
    );
    assert_eq!(
        stdout(&plain),
        "pods.yaml:69:18: error: host namespaces: pod must not set hostNetwork=true [host-namespaces]\nFound 1 finding (1 error) in 1 file (3 resources checked).\n"
    );
}

#[test]
fn text_names_each_resource_of_a_list_above_its_findings() {
    let dir = dir_with(&[]);
    let o = run_in(dir.path(), &["check", "--level", "baseline", "pods.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let expected = r#"Pod kube-system/kube-proxy-8hx2v (pods.yaml)
pods.yaml:63:21: privileged-container [PSS baseline] privileged: container "kube-proxy" must not set securityContext.privileged=true
   |
63 |         privileged: true
   |                     ^^^^
   |
   = fix: remove `privileged: true` from the container's securityContext (or set it to false)

pods.yaml:69:18: host-namespaces [PSS baseline] host namespaces: pod must not set hostNetwork=true
   |
69 |     hostNetwork: true
   |                  ^^^^
   |
   = fix: remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false)

pods.yaml:75:7: host-path-volume [PSS baseline] hostPath volumes: volume "lib-modules" must not use hostPath
   |
75 |     - hostPath:
   |       ^^^^^^^^
   |
   = fix: replace the hostPath volume with emptyDir, configMap, secret or a persistentVolumeClaim

Found 3 findings (3 errors) in 1 file (3 resources checked).
"#;
    assert_eq!(stdout(&o), expected);

    // In the default profile every pod has findings: one line names each, in the
    // List's order, above the findings of that pod only.
    let o = run_in(dir.path(), &["check", "pods.yaml"]);
    let out = stdout(&o);
    let mut current = "";
    let mut seen = Vec::new();
    for line in out.lines() {
        if line.starts_with("Pod ") {
            current = line;
            seen.push(line);
        } else if let Some(rest) = line.strip_prefix("pods.yaml:") {
            let row: usize = rest.split(':').next().unwrap().parse().unwrap();
            // The pods' lines in the dump: web 3–42, kube-proxy 43–80, coredns 81–.
            let owner = match row {
                3..=42 => "Pod default/web-7d4b9c6f58-x2x9q (pods.yaml)",
                43..=80 => "Pod kube-system/kube-proxy-8hx2v (pods.yaml)",
                _ => "Pod kube-system/coredns-6f6b679f8f-9w7tq (pods.yaml)",
            };
            assert_eq!(current, owner, "{line}");
        }
    }
    assert_eq!(
        seen,
        [
            "Pod default/web-7d4b9c6f58-x2x9q (pods.yaml)",
            "Pod kube-system/kube-proxy-8hx2v (pods.yaml)",
            "Pod kube-system/coredns-6f6b679f8f-9w7tq (pods.yaml)",
        ],
        "{out}"
    );
    assert!(out
        .ends_with("Found 18 findings (13 errors, 5 warnings) in 1 file (3 resources checked).\n"));
}

#[test]
fn text_resource_lines_across_documents_and_after_an_error() {
    // Two documents, the second a Deployment without a namespace, then a document that
    // does not parse: each resource is named once; the error entry has no resource.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: one}\nspec:\n  hostPID: true\n  containers: [{name: c, image: i}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  template:\n    spec:\n      hostIPC: true\n      containers: [{name: c, image: i}]\n---\nkind: [\n";
    let dir = dir_with(&[("multi.yaml", text)]);
    let o = run_in(
        dir.path(),
        &["check", "--select", "host-namespaces", "multi.yaml"],
    );
    let out = stdout(&o);
    let heads: Vec<&str> = out
        .lines()
        .filter(|l| {
            !l.starts_with(' ') && !l.is_empty() && !l.starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    assert_eq!(
        heads,
        [
            "Pod one/a (multi.yaml)",
            "multi.yaml:5:12: host-namespaces [PSS baseline] host namespaces: pod must not set hostPID=true",
            "Deployment b (multi.yaml)",
            "multi.yaml:14:16: host-namespaces [PSS baseline] host namespaces: pod must not set hostIPC=true",
            "multi.yaml:17:8: error: invalid YAML: while parsing a node, did not find expected node content",
            "Found 2 findings (2 errors) and 1 input error in 1 file (2 resources checked).",
        ],
        "{out}"
    );
}

const TYPO: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    kube-secctx.io/ignore: "host-port, privilegd-container"
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: app
        image: registry.example/app:1.0
        ports: [{containerPort: 8080, hostPort: 8080}]
        securityContext:
          privileged: true
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
"#;

#[test]
fn a_typo_in_the_ignore_annotation_is_an_error_at_the_id_with_a_suggestion() {
    let dir = dir_with(&[("web.yaml", TYPO)]);
    let o = run_in(dir.path(), &["check", "web.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    // `host-port` is a rule: it suppresses the hostPort finding. The typo suppresses
    // nothing: the privileged finding stays, and the typo is reported at its own columns.
    let expected = r#"Deployment shop/web (web.yaml)
web.yaml:7:40: unknown-ignored-rule [diagnostic] kube-secctx.io/ignore names "privilegd-container", which is not a rule ID: did you mean `privileged-container`?
  |
7 |     kube-secctx.io/ignore: "host-port, privilegd-container"
  |                                        ^^^^^^^^^^^^^^^^^^^
  |
  = fix: write the rule ID as `kube-secctx rules` lists it, or remove it from the annotation

web.yaml:21:23: privileged-container [PSS baseline] privileged: container "app" must not set securityContext.privileged=true
   |
21 |           privileged: true
   |                       ^^^^
   |
   = fix: remove `privileged: true` from the container's securityContext (or set it to false)

Found 2 findings (2 errors) in 1 file (1 resource checked, 1 finding suppressed).
"#;
    assert_eq!(stdout(&o), expected);

    // The JSON report: an error at line 7, columns 40 to 59 (the ID, end exclusive).
    let o = run_in(dir.path(), &["check", "--format", "json", "web.yaml"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let typo = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unknown-ignored-rule")
        .unwrap();
    assert_eq!(typo["severity"], "error");
    assert_eq!(typo["path"], "/metadata/annotations/kube-secctx.io~1ignore");
    assert_eq!(typo["range"]["start"]["line"], 7);
    assert_eq!(typo["range"]["start"]["column"], 40);
    assert_eq!(typo["range"]["end"]["column"], 59);
    assert_eq!(typo["pss"], serde_json::Value::Null);

    // Fixed with the suggestion (unsafe: the corrected ID suppresses a finding).
    let o = run_in(dir.path(), &["check", "--diff", "web.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--diff",
            "--unsafe-fixes",
            "--select",
            "unknown-ignored-rule",
            "web.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(
            "-    kube-secctx.io/ignore: \"host-port, privilegd-container\"\n+    kube-secctx.io/ignore: \"host-port, privileged-container\"\n"
        ),
        "{}",
        stdout(&o)
    );

    // Like any rule, it can be ignored; and `explain` documents it.
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--ignore",
            "unknown-ignored-rule",
            "web.yaml",
        ],
    );
    assert_eq!(
        stdout(&o),
        "web.yaml:21:23: error: privileged: container \"app\" must not set securityContext.privileged=true [privileged-container]\nFound 1 finding (1 error) in 1 file (1 resource checked, 1 finding suppressed).\n"
    );
    let o = run_in(dir.path(), &["explain", "unknown-ignored-rule"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# unknown-ignored-rule\n\n**Unknown rule ID in the ignore annotation.** Input diagnostic; severity `error`."));
}

/// The `text` blocks of the README that start with `first`: their lines.
fn readme_block(first: &str) -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find(&format!("```text\n{first}"))
        .unwrap_or_else(|| panic!("no README block starts with {first:?}"));
    let body = &readme[start + "```text\n".len()..];
    let end = body.find("\n```").unwrap();
    body[..end].lines().map(str::to_string).collect()
}

#[test]
fn the_readme_shows_what_the_cli_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // "### Example": the start of the nginx Deployment's text output.
    let block = readme_block("Deployment nginx-deployment (examples/nginx-deployment.yaml)");
    let out = stdout(&run_in(root, &["check", "examples/nginx-deployment.yaml"]));
    assert!(out.starts_with(&(block.join("\n") + "\n")), "{out}");

    // "### Output formats": concise lines of the DaemonSet (`...` stands for lines left out).
    let block =
        readme_block("$ kube-secctx check --format concise examples/privileged-daemonset.yaml");
    let out = stdout(&run_in(
        root,
        &[
            "check",
            "--format",
            "concise",
            "examples/privileged-daemonset.yaml",
        ],
    ));
    let lines: Vec<&str> = out.lines().collect();
    for line in block.iter().skip(1).filter(|l| *l != "...") {
        assert!(
            lines.contains(&line.as_str()),
            "{line:?} is not printed:\n{out}"
        );
    }
    assert_eq!(lines.last().map(|l| l.to_string()), block.last().cloned());

    // "Suppressing a rule for one resource": the typo.
    let block = readme_block("Deployment shop/web (web.yaml)");
    let dir = dir_with(&[("web.yaml", TYPO)]);
    let out = stdout(&run_in(dir.path(), &["check", "web.yaml"]));
    assert!(out.starts_with(&(block.join("\n") + "\n")), "{out}");
}

/// Names and namespaces come from manifests: a line break or an escape sequence in them is
/// written escaped, so it cannot start a line of its own (a GitHub Actions `::error::`
/// command in a CI log) or drive the terminal.
#[test]
fn control_characters_from_manifests_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"p\\n::error file=r.yaml,line=1::injected\"\n  namespace: \"ns\\r\\n::warning::x\\u001b[31m\"\nspec:\n  containers:\n  - name: a\n    image: b\n    securityContext: {privileged: true}\n";
    std::fs::write(dir.path().join("r.yaml"), pod).unwrap();
    for format in ["text", "concise"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
            .args(["check", "--level", "baseline", "--format", format, "r.yaml"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.lines().all(|l| !l.starts_with("::")) && !stdout.contains('\u{1b}'),
            "{format}:\n{stdout}"
        );
        if format == "text" {
            assert!(
                stdout.starts_with(
                    "Pod ns\\r\\n::warning::x\\u{1b}[31m/p\\n::error file=r.yaml,line=1::injected (r.yaml)\n"
                ),
                "{stdout}"
            );
        }
    }
}
