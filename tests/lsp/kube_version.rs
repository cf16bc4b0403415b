//! The `kubeVersion` setting: which Kubernetes API fields exist (`unknown-field`), from
//! `initializationOptions`, `workspace/didChangeConfiguration`, `workspace/configuration`
//! and the configuration file's `kubernetesVersion`; a bad value is shown and the settings
//! in force are kept; the PSS version (`pssVersion`) never decides it.

use super::*;

/// A pod that passes every rule on the newest Kubernetes version, and sets
/// `appArmorProfile` (a field of `PodSecurityContext` from Kubernetes v1.30) on line 8
/// (0-based 7), characters 4 to 19.
const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  securityContext:
    runAsNonRoot: true
    appArmorProfile: {type: RuntimeDefault}
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
";

const MESSAGE: &str = "`appArmorProfile` is not a field of PodSecurityContext in Kubernetes \
     v1.29: it is one from Kubernetes v1.30 on";

/// The one diagnostic a v1.29 cluster gives `POD`.
fn assert_unknown_at_v1_29(ds: &[Value]) {
    assert_eq!(codes(ds), ["unknown-field"], "{ds:#?}");
    let d = find(ds, "unknown-field");
    assert_eq!(range(d), [7, 4, 7, 19]);
    assert_eq!(d["severity"], 1);
    assert_eq!(d["message"], MESSAGE);
}

/// A temporary directory with `files`, and the `file://` URI of `pod.yaml` in it
/// (holding `POD`).
fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        std::fs::write(dir.path().join(path), text).unwrap();
    }
    std::fs::write(dir.path().join("pod.yaml"), POD).unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = format!("file://{}/pod.yaml", root.display());
    (dir, uri)
}

#[test]
fn kube_version_from_initialization_options_and_did_change_configuration() {
    let (_dir, uri) = workspace(&[]);
    let (mut c, _) = Client::start(push_caps(), json!({"kubeVersion": "v1.29.3"}));
    open(&mut c, &uri, POD);
    assert_unknown_at_v1_29(&c.diagnostics(&uri, 1));

    // A bad value is shown, naming the range, and the settings in force are kept.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kube-secctx": {"kubeVersion": "v1.12"}}}),
    );
    let m = c.notification("window/showMessage", |_| true);
    assert_eq!(m["type"], 1);
    let text = m["message"].as_str().unwrap();
    assert!(
        text.starts_with(
            "kube-secctx: setting kubeVersion: invalid Kubernetes version \"v1.12\": expected \
             \"latest\" or \"v1.N\" (v1.17 to v1.37"
        ),
        "{text}"
    );
    assert!(text.ends_with("; the previous settings are kept"), "{text}");
    change(&mut c, &uri, 2, json!([{"text": POD}]));
    assert_unknown_at_v1_29(&c.diagnostics(&uri, 2));
    let m = {
        c.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"kubeVersion": 1.29}}),
        );
        c.notification("window/showMessage", |_| true)
    };
    assert!(
        m["message"]
            .as_str()
            .unwrap()
            .starts_with("kube-secctx: setting kubeVersion: expected \"latest\" or \"v1.N\""),
        "{m}"
    );

    // `latest` (or `null`): the newest version, where the field exists.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kube-secctx": {"kubeVersion": "latest"}}}),
    );
    assert_eq!(c.diagnostics(&uri, 2), Vec::<Value>::new());
    // The PSS version is not the Kubernetes version.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kube-secctx": {"kubeVersion": null, "pssVersion": "v1.29"}}}),
    );
    assert_eq!(c.diagnostics(&uri, 2), Vec::<Value>::new());
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kube-secctx": {"kubeVersion": "1.29", "pssVersion": "v1.37"}}}),
    );
    assert_unknown_at_v1_29(&c.diagnostics(&uri, 2));
    assert!(c.shutdown().success());
}

#[test]
fn kube_version_from_workspace_configuration() {
    let (_dir, uri) = workspace(&[]);
    let (mut c, _) = Client::start(json!({"workspace": {"configuration": true}}), Value::Null);
    c.configuration = json!({"kubeVersion": "v1.29"});
    open(&mut c, &uri, POD);
    // The first push may come before the answer is read; the one after it has the finding.
    let mut ds = c.diagnostics(&uri, 1);
    if ds.is_empty() {
        ds = c.diagnostics(&uri, 1);
    }
    assert_unknown_at_v1_29(&ds);
    assert!(c.shutdown().success());
}

#[test]
fn kubernetes_version_from_the_configuration_file_and_the_setting_over_it() {
    let (dir, uri) = workspace(&[(".kube-secctx.yaml", "kubernetesVersion: v1.29\n")]);
    let root = format!(
        "file://{}",
        std::fs::canonicalize(dir.path()).unwrap().display()
    );
    let (mut c, _) = Client::start_in(json!(root), push_caps(), Value::Null);
    open(&mut c, &uri, POD);
    assert_unknown_at_v1_29(&c.diagnostics(&uri, 1));
    // The client's key replaces the file's, `null` included (the default, `latest`).
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kube-secctx": {"kubeVersion": null}}}),
    );
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    // Other keys leave the file's version in force.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kube-secctx": {"pssVersion": "v1.30"}}}),
    );
    assert_unknown_at_v1_29(&c.diagnostics(&uri, 1));
    assert!(c.notifications.is_empty(), "{:?}", c.notifications);
    assert!(c.shutdown().success());

    // A bad value in the file is shown at its position; the document gets the client's
    // settings alone.
    let (dir, uri) = workspace(&[(".kube-secctx.yaml", "kubernetesVersion: v1.12\n")]);
    let root = format!(
        "file://{}",
        std::fs::canonicalize(dir.path()).unwrap().display()
    );
    let (mut c, _) = Client::start_in(json!(root), push_caps(), Value::Null);
    open(&mut c, &uri, POD);
    let m = c.notification("window/showMessage", |_| true);
    let text = m["message"].as_str().unwrap();
    assert!(
        text.contains(".kube-secctx.yaml:1:20: kubernetesVersion: expected \"latest\""),
        "{text}"
    );
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    assert!(c.shutdown().success());
}
