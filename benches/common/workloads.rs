//! Generated workloads for the benchmarks (issue 16): Deployments, StatefulSets,
//! DaemonSets and CronJobs, in turn, with realistic pod specs — labels and annotations,
//! one to three containers (an init container in one of four), images, ports, `env` with
//! `valueFrom`, resources, probes, volume mounts and volumes, and a `securityContext` that
//! is, by turns, absent, partial (a baseline pass, a restricted fail) or complete
//! (restricted passes), so that every rule has work and the findings are many but not
//! every line.
//!
//! The text is a function of the count alone (a fixed xorshift sequence): the same count
//! gives the same bytes in every run, in Rust and, through `gen-workloads`, for Node.
//! About 3.1 KB a workload: 10,000 of them make 31 MB.

use std::fmt::Write as _;

/// A small deterministic generator (xorshift64*): no dependency, the same numbers on
/// every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs.get(self.below(xs.len() as u64) as usize)
            .copied()
            .unwrap_or_default()
    }
}

const KINDS: [&str; 4] = ["Deployment", "StatefulSet", "DaemonSet", "CronJob"];
const APPS: [&str; 12] = [
    "checkout",
    "payments",
    "catalog",
    "search",
    "ingest",
    "billing",
    "auth",
    "gateway",
    "metrics",
    "reports",
    "mailer",
    "scheduler",
];
const IMAGES: [&str; 10] = [
    "registry.example.com/team/app",
    "ghcr.io/example/service",
    "docker.io/library/nginx",
    "quay.io/prometheus/node-exporter",
    "registry.k8s.io/ingress-nginx/controller",
    "gcr.io/distroless/static",
    "docker.io/bitnami/redis",
    "public.ecr.aws/example/worker",
    "mcr.microsoft.com/dotnet/aspnet",
    "docker.io/library/postgres",
];
const NAMESPACES: [&str; 5] = ["default", "shop", "platform", "data", "observability"];

/// `count` workloads as one multi-document YAML stream (`---` between documents).
pub fn generate(count: usize) -> String {
    generate_from(count, 0)
}

/// `count` workloads from the sequence numbered `stream` (so that the files of a
/// directory differ from each other).
pub fn generate_from(count: usize, stream: u64) -> String {
    let mut out = String::with_capacity(count * 3200);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
    for i in 0..count {
        if i > 0 {
            out.push_str("---\n");
        }
        workload(&mut out, &mut rng, i);
    }
    out
}

fn workload(out: &mut String, rng: &mut Rng, i: usize) {
    let kind = KINDS.get(i % KINDS.len()).copied().unwrap_or("Deployment");
    let app = rng.pick(&APPS);
    let name = format!("{app}-{i}");
    let ns = rng.pick(&NAMESPACES);
    let (api, spec_indent) = match kind {
        "CronJob" => ("batch/v1", "          "),
        _ => ("apps/v1", "      "),
    };
    let _ = writeln!(out, "apiVersion: {api}\nkind: {kind}\nmetadata:");
    let _ = writeln!(out, "  name: {name}\n  namespace: {ns}\n  labels:");
    let _ = writeln!(
        out,
        "    app.kubernetes.io/name: {app}\n    app.kubernetes.io/instance: {name}\n    \
         app.kubernetes.io/part-of: shop\n    app.kubernetes.io/managed-by: kustomize"
    );
    let _ = writeln!(
        out,
        "  annotations:\n    # owned by the {app} team\n    example.com/owner: \"team-{app}@example.com\"\n    \
         example.com/revision: \"{}\"",
        rng.below(500)
    );
    out.push_str("spec:\n");
    let (meta_indent, template_key) = match kind {
        "CronJob" => {
            let _ = writeln!(
                out,
                "  schedule: \"{} */{} * * *\"\n  concurrencyPolicy: Forbid\n  \
                 successfulJobsHistoryLimit: 3\n  jobTemplate:\n    spec:\n      \
                 backoffLimit: 2\n      template:",
                rng.below(60),
                1 + rng.below(6)
            );
            ("        ", "")
        }
        "DaemonSet" => {
            let _ = writeln!(
                out,
                "  selector:\n    matchLabels:\n      app.kubernetes.io/instance: {name}\n  \
                 updateStrategy:\n    type: RollingUpdate\n  template:"
            );
            ("    ", "")
        }
        "StatefulSet" => {
            let _ = writeln!(
                out,
                "  serviceName: {name}\n  replicas: {}\n  selector:\n    matchLabels:\n      \
                 app.kubernetes.io/instance: {name}\n  template:",
                1 + rng.below(5)
            );
            ("    ", "")
        }
        _ => {
            let _ = writeln!(
                out,
                "  replicas: {}\n  revisionHistoryLimit: 5\n  selector:\n    matchLabels:\n      \
                 app.kubernetes.io/instance: {name}\n  strategy:\n    type: RollingUpdate\n    \
                 rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 0\n  template:",
                1 + rng.below(8)
            );
            ("    ", "")
        }
    };
    let _ = template_key;
    let m = meta_indent;
    let _ = writeln!(
        out,
        "{m}metadata:\n{m}  labels:\n{m}    app.kubernetes.io/name: {app}\n{m}    \
         app.kubernetes.io/instance: {name}\n{m}  annotations:\n{m}    \
         prometheus.io/scrape: \"true\"\n{m}    prometheus.io/port: \"9090\"\n{m}spec:"
    );
    pod_spec(out, rng, spec_indent, kind, &name, app);
}

fn pod_spec(out: &mut String, rng: &mut Rng, p: &str, kind: &str, name: &str, app: &str) {
    let posture = rng.below(4);
    let _ = writeln!(out, "{p}serviceAccountName: {app}");
    if kind == "CronJob" {
        let _ = writeln!(out, "{p}restartPolicy: OnFailure");
    }
    if kind == "DaemonSet" && rng.below(3) == 0 {
        let _ = writeln!(
            out,
            "{p}hostNetwork: true\n{p}dnsPolicy: ClusterFirstWithHostNet"
        );
    }
    let _ = writeln!(out, "{p}terminationGracePeriodSeconds: 30");
    match posture {
        0 => {}
        1 => {
            let _ = writeln!(out, "{p}securityContext:\n{p}  fsGroup: 2000");
        }
        _ => {
            let _ = writeln!(
                out,
                "{p}securityContext:\n{p}  runAsNonRoot: true\n{p}  runAsUser: 10001\n{p}  \
                 fsGroup: 10001\n{p}  seccompProfile:\n{p}    type: RuntimeDefault"
            );
        }
    }
    if rng.below(4) == 0 {
        let _ = writeln!(out, "{p}initContainers:");
        container(out, rng, p, "migrate", posture, false);
    }
    let _ = writeln!(out, "{p}containers:");
    let n = 1 + rng.below(3);
    for c in 0..n {
        let cname = if c == 0 {
            app.to_string()
        } else {
            format!("sidecar-{c}")
        };
        container(out, rng, p, &cname, posture, c == 0);
    }
    let _ = writeln!(
        out,
        "{p}volumes:\n{p}- name: config\n{p}  configMap:\n{p}    name: {name}-config\n{p}- \
         name: tmp\n{p}  emptyDir:\n{p}    sizeLimit: 64Mi"
    );
    if kind == "DaemonSet" {
        let _ = writeln!(
            out,
            "{p}- name: varlog\n{p}  hostPath:\n{p}    path: /var/log\n{p}    type: Directory"
        );
    }
}

fn container(out: &mut String, rng: &mut Rng, p: &str, name: &str, posture: u64, main: bool) {
    let image = rng.pick(&IMAGES);
    let _ = writeln!(
        out,
        "{p}- name: {name}\n{p}  image: {image}:1.{}.{}\n{p}  imagePullPolicy: IfNotPresent",
        rng.below(30),
        rng.below(10)
    );
    if main {
        let _ = writeln!(
            out,
            "{p}  args: [\"--port=8080\", \"--log-level=info\"]\n{p}  ports:\n{p}  - name: http\n{p}    \
             containerPort: 8080\n{p}    protocol: TCP\n{p}  - name: metrics\n{p}    containerPort: 9090"
        );
        let _ = writeln!(
            out,
            "{p}  env:\n{p}  - name: LOG_FORMAT\n{p}    value: json\n{p}  - name: POD_NAME\n{p}    \
             valueFrom:\n{p}      fieldRef:\n{p}        fieldPath: metadata.name\n{p}  - name: \
             DB_PASSWORD\n{p}    valueFrom:\n{p}      secretKeyRef:\n{p}        name: {name}-db\n{p}        \
             key: password"
        );
        let _ = writeln!(
            out,
            "{p}  readinessProbe:\n{p}    httpGet:\n{p}      path: /healthz\n{p}      port: http\n{p}    \
             periodSeconds: 10\n{p}  livenessProbe:\n{p}    tcpSocket:\n{p}      port: 8080\n{p}    \
             initialDelaySeconds: 15"
        );
    }
    let _ = writeln!(
        out,
        "{p}  resources:\n{p}    requests:\n{p}      cpu: {}m\n{p}      memory: {}Mi\n{p}    \
         limits:\n{p}      memory: {}Mi",
        50 * (1 + rng.below(8)),
        64 * (1 + rng.below(8)),
        128 * (1 + rng.below(8))
    );
    let _ = writeln!(
        out,
        "{p}  volumeMounts:\n{p}  - name: config\n{p}    mountPath: /etc/{name}\n{p}    \
         readOnly: true\n{p}  - name: tmp\n{p}    mountPath: /tmp"
    );
    match (posture, rng.below(3)) {
        (0, _) => {}
        (1, 0) => {
            let _ = writeln!(out, "{p}  securityContext:\n{p}    privileged: true");
        }
        (1, _) => {
            let _ = writeln!(
                out,
                "{p}  securityContext:\n{p}    allowPrivilegeEscalation: false"
            );
        }
        (_, 0) => {
            let _ = writeln!(
                out,
                "{p}  securityContext:\n{p}    allowPrivilegeEscalation: false\n{p}    \
                 capabilities:\n{p}      drop: [\"ALL\"]\n{p}      add: [\"NET_ADMIN\"]"
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{p}  securityContext:\n{p}    allowPrivilegeEscalation: false\n{p}    \
                 readOnlyRootFilesystem: true\n{p}    capabilities:\n{p}      drop:\n{p}      - ALL"
            );
        }
    }
}
