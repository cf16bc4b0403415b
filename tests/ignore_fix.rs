//! "Ignore RULE for this resource" (`kube_secctx::fix::ignore_fix`): the exact text of
//! each edit (the expected texts are the spec), and the finding suppressed afterwards.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use kube_secctx::fix::{apply_edits, ignore_fix, Applicability};
use kube_secctx::{check, Finding, Options};

const FILE: &str = "x.yaml";

/// The first finding of `rule` in document `document` whose path starts with `under`.
fn finding(text: &str, rule: &str, document: usize, under: &str) -> Finding {
    let report = check(FILE, text, &Options::default()).unwrap();
    report
        .findings
        .into_iter()
        .find(|f| f.rule == rule && f.document == document && f.path.starts_with(under))
        .unwrap_or_else(|| panic!("no {rule} in document {document} under {under:?}"))
}

/// Ignores the finding of `rule` (document `document`, path under `under`) and checks
/// that the new text is `expected`, that the finding is suppressed there, and that
/// every other finding outside its resource is still reported.
fn ignored_in(text: &str, rule: &str, document: usize, under: &str, expected: &str) {
    let f = finding(text, rule, document, under);
    let opts = Options::default();
    let fix = ignore_fix(&opts, FILE, text, &f).unwrap_or_else(|e| panic!("no fix: {e}"));
    assert_eq!(fix.title, format!("ignore {rule} for this resource"));
    assert_eq!(fix.applicability, Applicability::Safe);
    assert_eq!(fix.ops.len(), 1);
    for pair in fix.edits.windows(2) {
        assert!(pair[0].span.end <= pair[1].span.start, "overlapping edits");
    }
    let new = apply_edits(text, &fix.edits);
    assert_eq!(new, expected);
    let report = check(FILE, &new, &opts).unwrap();
    let same = |g: &Finding| g.rule == f.rule && g.document == f.document && g.path == f.path;
    assert!(
        !report.findings.iter().any(same),
        "{rule} at {} is still reported",
        f.path
    );
    assert!(
        report.suppressed.iter().any(same),
        "{rule} at {} is not reported as suppressed",
        f.path
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // The other resources' findings are all still reported.
    let before = check(FILE, text, &opts).unwrap();
    for g in before
        .findings
        .iter()
        .filter(|g| g.document != f.document || g.resource != f.resource)
    {
        assert!(
            report
                .findings
                .iter()
                .any(|h| h.rule == g.rule && h.document == g.document && h.path == g.path),
            "{} at {} (document {}) disappeared",
            g.rule,
            g.path,
            g.document
        );
    }
}

/// `ignore_fix`'s error for the first finding of `rule` in document 0.
fn refused(text: &str, rule: &str) -> String {
    let f = finding(text, rule, 0, "");
    match ignore_fix(&Options::default(), FILE, text, &f) {
        Ok(fix) => panic!("a fix: {fix:?}"),
        Err(why) => why,
    }
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
";

#[test]
fn a_deployment_without_annotations_gets_them() {
    ignored_in(
        DEPLOYMENT,
        "privileged-container",
        0,
        "",
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kube-secctx.io/ignore: privileged-container
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
    );
}

#[test]
fn existing_annotations_keep_their_entries_and_comments() {
    ignored_in(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    # who to ask
    team: platform  # on call
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
        "privileged-container",
        0,
        "",
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    # who to ask
    team: platform  # on call
    kube-secctx.io/ignore: privileged-container
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
    );
}

#[test]
fn an_existing_ignore_annotation_is_extended_with_its_separator() {
    // `,` when the author wrote `,` (a value with a comma is written quoted).
    ignored_in(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kube-secctx.io/ignore: host-port  # reviewed
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
        "privileged-container",
        0,
        "",
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kube-secctx.io/ignore: \"host-port,privileged-container\"  # reviewed
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
    );
    // `, ` when the author wrote `, `.
    ignored_in(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kube-secctx.io/ignore: 'host-port, host-namespaces'
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
        "privileged-container",
        0,
        "",
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kube-secctx.io/ignore: \"host-port, host-namespaces, privileged-container\"
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
    );
}

#[test]
fn an_annotation_only_on_the_pod_template_is_extended_there() {
    ignored_in(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        app: web
      annotations:
        kube-secctx.io/ignore: host-port
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
        "privileged-container",
        0,
        "",
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        app: web
      annotations:
        kube-secctx.io/ignore: \"host-port,privileged-container\"
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
    );
}

#[test]
fn flow_metadata_stays_flow() {
    ignored_in(
        "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext: {privileged: true}
",
        "privileged-container",
        0,
        "",
        "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {kube-secctx.io/ignore: privileged-container}}
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext: {privileged: true}
",
    );
}

#[test]
fn a_json_document_stays_json() {
    ignored_in(
        r#"{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {
    "name": "web"
  },
  "spec": {
    "template": {
      "spec": {
        "containers": [
          {
            "name": "app",
            "image": "nginx",
            "securityContext": {
              "privileged": true
            }
          }
        ]
      }
    }
  }
}
"#,
        "privileged-container",
        0,
        "",
        r#"{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {
    "name": "web",
    "annotations": {
      "kube-secctx.io/ignore": "privileged-container"
    }
  },
  "spec": {
    "template": {
      "spec": {
        "containers": [
          {
            "name": "app",
            "image": "nginx",
            "securityContext": {
              "privileged": true
            }
          }
        ]
      }
    }
  }
}
"#,
    );
}

#[test]
fn a_list_item_gets_its_own_annotation() {
    ignored_in(
        "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: one
  spec:
    containers:
    - name: app
      image: nginx
      securityContext:
        privileged: true
- apiVersion: v1
  kind: Pod
  metadata:
    name: two
  spec:
    containers:
    - name: app
      image: nginx
      securityContext:
        privileged: true
",
        "privileged-container",
        0,
        "/items/1/",
        "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: one
  spec:
    containers:
    - name: app
      image: nginx
      securityContext:
        privileged: true
- apiVersion: v1
  kind: Pod
  metadata:
    name: two
    annotations:
      kube-secctx.io/ignore: privileged-container
  spec:
    containers:
    - name: app
      image: nginx
      securityContext:
        privileged: true
",
    );
}

#[test]
fn crlf_line_endings_stay() {
    let expected = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kube-secctx.io/ignore: privileged-container
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
";
    ignored_in(
        &DEPLOYMENT.replace('\n', "\r\n"),
        "privileged-container",
        0,
        "",
        &expected.replace('\n', "\r\n"),
    );
}

#[test]
fn a_bom_stays() {
    ignored_in(
        "\u{feff}apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  hostNetwork: true
  containers:
  - name: app
    image: nginx
",
        "host-namespaces",
        0,
        "",
        "\u{feff}apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kube-secctx.io/ignore: host-namespaces
spec:
  hostNetwork: true
  containers:
  - name: app
    image: nginx
",
    );
}

#[test]
fn a_pod_gets_the_annotation_on_its_metadata() {
    ignored_in(
        "\
apiVersion: v1
kind: Pod
metadata:
    name: p
    labels:
        app: p   # the selector's
spec:
    containers:
    -   name: app
        image: nginx
        securityContext:
            privileged: true
",
        "privileged-container",
        0,
        "",
        "\
apiVersion: v1
kind: Pod
metadata:
    name: p
    labels:
        app: p   # the selector's
    annotations:
        kube-secctx.io/ignore: privileged-container
spec:
    containers:
    -   name: app
        image: nginx
        securityContext:
            privileged: true
",
    );
}

#[test]
fn a_later_document_is_edited_in_bytes_of_the_whole_text() {
    let text = format!(
        "{DEPLOYMENT}---
# the second
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {{team: platform}}
spec:
  containers:
  - name: app
    image: nginx
    securityContext:
      privileged: true
"
    );
    let expected = format!(
        "{DEPLOYMENT}---
# the second
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {{team: platform, kube-secctx.io/ignore: privileged-container}}
spec:
  containers:
  - name: app
    image: nginx
    securityContext:
      privileged: true
"
    );
    ignored_in(&text, "privileged-container", 1, "", &expected);
}

#[test]
fn a_null_annotations_becomes_a_mapping() {
    ignored_in(
        "\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
spec:
  hostPID: true
  containers:
  - name: app
    image: nginx
",
        "host-namespaces",
        0,
        "",
        "\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kube-secctx.io/ignore: host-namespaces
spec:
  hostPID: true
  containers:
  - name: app
    image: nginx
",
    );
}

#[test]
fn a_suppressed_finding_is_already_ignored() {
    let f = finding(DEPLOYMENT, "privileged-container", 0, "");
    let opts = Options::default();
    let fix = ignore_fix(&opts, FILE, DEPLOYMENT, &f).unwrap();
    let ignored = apply_edits(DEPLOYMENT, &fix.edits);
    // The finding of the text before, asked again of the text after.
    let why = ignore_fix(&opts, FILE, &ignored, &f).unwrap_err();
    assert_eq!(
        why,
        "privileged-container is already ignored for this resource (annotation kube-secctx.io/ignore)"
    );
}

#[test]
fn a_finding_the_text_does_not_have_is_refused() {
    let f = finding(DEPLOYMENT, "privileged-container", 0, "");
    let clean = DEPLOYMENT.replace("privileged: true", "privileged: false");
    let why = ignore_fix(&Options::default(), FILE, &clean, &f).unwrap_err();
    assert_eq!(
        why,
        "a new check of the text does not report privileged-container at \
         /spec/template/spec/containers/0/securityContext/privileged"
    );
}

#[test]
fn a_document_that_does_not_parse_is_refused() {
    let f = finding(DEPLOYMENT, "privileged-container", 0, "");
    let broken = format!("{DEPLOYMENT}  - [\n");
    let why = ignore_fix(&Options::default(), FILE, &broken, &f).unwrap_err();
    assert!(why.starts_with("the document does not parse: "), "{why}");
}

#[test]
fn an_alias_in_metadata_is_refused() {
    let why = refused(
        "\
apiVersion: apps/v1
kind: Deployment
metadata: &meta
  name: web
spec:
  template:
    metadata: *meta
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
        "privileged-container",
    );
    assert_eq!(
        why,
        "the field is in an anchored node (`&name`) that an alias (`*name`) also uses: edit it by hand"
    );
}

#[test]
fn a_merge_key_in_annotations_is_refused() {
    let why = refused(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    <<: {team: platform}
    owner: me
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
",
        "privileged-container",
    );
    assert_eq!(why, "the mapping uses a merge key `<<`: edit it by hand");
}

#[test]
fn a_service_gets_the_annotation_for_its_duplicated_key() {
    // A resource without a pod template: the annotation goes on its own metadata.
    let text = "\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
    port: 8080
";
    let expected = "\
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    kube-secctx.io/ignore: duplicate-key
spec:
  ports:
  - port: 80
    port: 8080
";
    ignored_in(text, "duplicate-key", 0, "/spec", expected);
}

#[test]
fn a_list_item_or_the_list_itself_gets_the_annotation_for_its_duplicated_key() {
    let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
  data: {a: x, a: y}
kind: List
";
    // The ConfigMap item's own key: the item's metadata.
    let item = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c, annotations: {kube-secctx.io/ignore: duplicate-key}}
  data: {a: x, a: y}
kind: List
";
    ignored_in(text, "duplicate-key", 0, "/items/0", item);
    // The List's own key: the List's metadata, created.
    let list = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
  data: {a: x, a: y}
kind: List
metadata:
  annotations:
    kube-secctx.io/ignore: duplicate-key
";
    ignored_in(text, "duplicate-key", 0, "/kind", list);
}
