//! Pod Security Admission's configuration, read as PSA reads it: `SetDefaults_...`,
//! `ValidatePodSecurityConfiguration`, the `AdmissionConfiguration` wrapper
//! (`k8s.io/pod-security-admission` at commit `8f84a87`; the function is named in each
//! test).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use kube_secctx::psa::{
    read_admission_config, read_pod_security_configuration, AdmissionConfig, LevelVersion, PsaLevel,
};
use kube_secctx::{Level, Mode, PssVersion};

#[test]
fn set_defaults_fills_privileged_and_latest() {
    // SetDefaults_PodSecurityDefaults: empty levels privileged, empty versions latest.
    let AdmissionConfig::Config(c) = read_admission_config(
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n\
         - name: EventRateLimit\n  path: erl.yaml\n- name: PodSecurity\n  configuration:\n    \
         apiVersion: pod-security.admission.config.k8s.io/v1beta1\n    kind: PodSecurityConfiguration\n    \
         defaults:\n      enforce: baseline\n      audit-version: v1.25\n",
    )
    .unwrap() else {
        panic!()
    };
    let lv = |level, version| LevelVersion { level, version };
    assert_eq!(
        c.defaults.enforce,
        lv(PsaLevel::Pss(Level::Baseline), PssVersion::Latest)
    );
    assert_eq!(
        c.defaults.audit,
        lv(PsaLevel::Privileged, PssVersion::V1(25))
    );
    assert_eq!(
        c.defaults.warn,
        lv(PsaLevel::Privileged, PssVersion::Latest)
    );
    assert_eq!(c.defaults.mode_policies().get(Mode::Warn), None);
}

#[test]
fn validate_pod_security_configuration_names_every_bad_field() {
    // ValidatePodSecurityConfiguration: ParseLevel/ParseVersion for defaults;
    // ValidateNamespaceName (DNS-1123 label) and duplicates for namespaces;
    // NameIsDNSSubdomain and duplicates for runtimeClasses; non-empty usernames.
    let text = "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n\
                defaults:\n  enforce: strict\n  warn-version: v2.0\nexemptions:\n  \
                namespaces: [kube-system, Kube_Bad, kube-system]\n  runtimeClasses: [kata, kata]\n  \
                usernames: ['']\n";
    let e = read_pod_security_configuration(text).unwrap_err();
    let fields: Vec<&str> = e.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "defaults.enforce",
            "defaults.warn-version",
            "exemptions.namespaces[1]",
            "exemptions.namespaces[2]",
            "exemptions.runtimeClasses[1]",
            "exemptions.usernames[0]",
        ]
    );
    let first = &e.problems[0];
    assert_eq!(
        &text[first.span.unwrap().start..first.span.unwrap().end],
        "strict"
    );
    assert!(first
        .message
        .contains("must be one of privileged, baseline, restricted"));
    assert!(e.problems[3].message.starts_with("Duplicate value"));
    // An inline configuration names its fields from the AdmissionConfiguration.
    let e = read_admission_config(
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n\
         - name: PodSecurity\n  configuration:\n    apiVersion: pod-security.admission.config.k8s.io/v1\n    \
         kind: PodSecurityConfiguration\n    defaults: {audit-version: latest1}\n",
    )
    .unwrap_err();
    assert_eq!(
        e.problems[0].field,
        "plugins[0].configuration.defaults.audit-version"
    );
}

#[test]
fn a_plugin_path_is_returned_for_the_front_end_to_read() {
    let text = "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n\
                - name: PodSecurity\n  path: podsecurity.yaml\n";
    match read_admission_config(text).unwrap() {
        AdmissionConfig::Path { path, span } => {
            assert_eq!(path, "podsecurity.yaml");
            assert_eq!(&text[span.start..span.end], "podsecurity.yaml");
        }
        other => panic!("{other:?}"),
    }
    let e = read_admission_config("apiVersion: v1\nkind: ConfigMap\n").unwrap_err();
    assert_eq!(e.problems[0].field, "kind");
}

#[test]
fn unknown_fields_are_ignored_as_psa_decoder_does_and_said() {
    // load.go decodes with the scheme's non-strict UniversalDecoder: unknown fields are
    // dropped. We keep PSA's behaviour and say which were dropped.
    let AdmissionConfig::Config(c) = read_admission_config(
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n\
         defaults: {enforce: baseline, enforc-version: v1.24}\nexemption: {namespaces: [a]}\n",
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(c.defaults.enforce.version, PssVersion::Latest);
    assert!(c.exemptions.namespaces.is_empty());
    assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
    assert!(c.warnings[0].starts_with("exemption: unknown field"));
    assert!(c.warnings[1].starts_with("defaults.enforc-version: unknown field"));
    // An AdmissionConfiguration without the PodSecurity plugin: PSA runs with its
    // built-in defaults (LoadFromData(nil)).
    let AdmissionConfig::Config(c) = read_admission_config(
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n",
    )
    .unwrap() else {
        panic!()
    };
    assert!(c.defaults.fully_privileged());
    assert!(c.warnings[0].contains("no PodSecurity plugin"));
}
