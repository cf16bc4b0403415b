use super::*;

fn parse(text: &str) -> Result<ConfigFile, Vec<String>> {
    ConfigFile::parse(Path::new("repo/.kube-secctx.yaml"), text)
        .map_err(|es| es.iter().map(ToString::to_string).collect())
}

#[test]
fn every_key_with_its_position() {
    let c = parse(
        "# settings\nlevel: baseline\npssVersion: v1.29\nselect: [privileged-container]\n\
         ignore:\n  - host-namespaces\nexclude: [\"charts/**\"]\nperFileIgnores:\n  \
         \"legacy/**\": [may-run-as-root]\nnamespaces: ns.yaml\nadmissionConfig: \
         cluster/admission.yaml\nfailOn: error\n",
    )
    .unwrap();
    assert_eq!(c.dir, Path::new("repo"));
    assert_eq!(
        c.level,
        Some(Located {
            value: Some(Level::Baseline),
            line: 2,
            column: 1
        })
    );
    assert_eq!(
        c.pss_version.map(|v| (v.value, v.line)),
        Some((PssVersion::V1(29), 3))
    );
    assert_eq!(c.select.unwrap().value, ["privileged-container"]);
    assert_eq!(c.ignore.unwrap().value, ["host-namespaces"]);
    assert_eq!(c.exclude.unwrap().value, ["charts/**"]);
    let pfi = c.per_file_ignores.unwrap();
    assert_eq!(pfi.line, 8);
    assert_eq!(
        pfi.value,
        [PerFileIgnore {
            pattern: "legacy/**".into(),
            rules: vec!["may-run-as-root".into()]
        }]
    );
    assert_eq!(c.namespaces.unwrap().value, [PathBuf::from("repo/ns.yaml")]);
    assert_eq!(
        c.admission_config.unwrap().value,
        PathBuf::from("repo/cluster/admission.yaml")
    );
    assert_eq!(c.fail_on.unwrap().value, FailOn::Error);
}

#[test]
fn empty_files_and_defaults() {
    assert_eq!(parse("").unwrap().level, None);
    assert_eq!(parse("# nothing\n").unwrap().level, None);
    assert_eq!(parse("{}").unwrap().select, None);
    // `default` and null are the default profile, set by the file.
    assert_eq!(parse("level: default").unwrap().level.unwrap().value, None);
    assert_eq!(parse("level:").unwrap().level.unwrap().value, None);
    let c = parse("namespaces: [a.yaml, b/c.yaml]").unwrap();
    assert_eq!(
        c.namespaces.unwrap().value,
        [PathBuf::from("repo/a.yaml"), PathBuf::from("repo/b/c.yaml")]
    );
}

#[test]
fn errors_have_positions_and_suggestions() {
    let e = parse("level: baseline\nlevle: restricted\n").unwrap_err();
    assert_eq!(
        e,
        [
            "repo/.kube-secctx.yaml:2:1: unknown key \"levle\": the keys are level, \
             pssVersion, kubernetesVersion, select, ignore, exclude, perFileIgnores, \
             namespaces, admissionConfig, failOn\n  did you mean `level`?"
        ]
    );
    let e = parse("pss_version: v1.25").unwrap_err();
    assert!(e[0].ends_with("did you mean `pssVersion`?"), "{e:?}");
    let e =
        parse("level: strict\npssVersion: 1.25\nfailOn: warn\nselect: privileged\n").unwrap_err();
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(e[0].starts_with("repo/.kube-secctx.yaml:1:8: level: invalid level \"strict\""));
    assert!(e[1]
        .starts_with("repo/.kube-secctx.yaml:2:13: pssVersion: expected \"latest\" or \"v1.N\""));
    assert!(e[1].ends_with("got the number 1.25"), "{}", e[1]);
    assert_eq!(
        e[2],
        "repo/.kube-secctx.yaml:3:9: failOn: expected \"error\", \"warning\" or \"none\", \
         got \"warn\"\n  did you mean `warning`?"
    );
    assert_eq!(
        e[3],
        "repo/.kube-secctx.yaml:4:9: select: expected a list of rule IDs, got \"privileged\""
    );
    let e = parse("ignore: [host-namespaces, privileged-containers]\n").unwrap_err();
    assert_eq!(
        e,
        [
            "repo/.kube-secctx.yaml:1:27: ignore: unknown rule \"privileged-containers\": run \
          `kube-secctx rules` for the list\n  did you mean `privileged-container`?"
        ]
    );
    let e = parse("perFileIgnores:\n  \"[legacy\": [nope]\n").unwrap_err();
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].starts_with("repo/.kube-secctx.yaml:2:3: perFileIgnores: invalid glob"));
    assert!(e[1].contains("2:15: perFileIgnores \"[legacy\": unknown rule \"nope\""));
    let e = parse("level: baseline\nlevel: restricted\n").unwrap_err();
    assert_eq!(
        e,
        ["repo/.kube-secctx.yaml:2:1: key \"level\" is given twice (also on line 1)"]
    );
    assert!(parse("- level\n").unwrap_err()[0].contains("not a list"));
    assert!(
        parse("level: baseline\n---\nlevel: baseline\n").unwrap_err()[0]
            .contains(":2:1: a configuration file holds one YAML document")
    );
    assert!(parse("level: [\n").unwrap_err()[0].starts_with("repo/.kube-secctx.yaml:"));
    assert!(parse("admissionConfig: [a, b]").unwrap_err()[0]
        .ends_with("admissionConfig: expected a file path, got a list"));
}

#[test]
fn globs_match_as_gitignore_and_ruff() {
    let base = Path::new("/repo");
    let g = PathGlobs::new(
        base,
        &[
            "legacy/**".into(),
            "*.generated.yaml".into(),
            "vendor".into(),
            "./charts/".into(),
            "/top.yaml".into(),
        ],
    )
    .unwrap();
    let m = |p: &str| g.matching(Path::new(p));
    assert_eq!(m("/repo/legacy/a/b.yaml"), [0]);
    assert_eq!(m("/repo/x/legacy/b.yaml"), [] as [usize; 0]);
    assert_eq!(m("/repo/a/b/c.generated.yaml"), [1]);
    assert_eq!(m("/elsewhere/c.generated.yaml"), [1]);
    assert_eq!(m("/repo/a/vendor/x/y.yaml"), [2]);
    assert_eq!(m("/repo/charts/t/deploy.yaml"), [3]);
    assert_eq!(m("/repo/top.yaml"), [4]);
    assert_eq!(m("/repo/a/top.yaml"), [] as [usize; 0]);
    // `*` does not cross a `/`.
    let star = PathGlobs::new(base, &["legacy/*.yaml".into()]).unwrap();
    assert!(star.is_match(Path::new("/repo/legacy/a.yaml")));
    assert!(!star.is_match(Path::new("/repo/legacy/b/a.yaml")));
    assert!(PathGlobs::check("[a").is_err());
    assert!(PathGlobs::check("./").is_err());
}

#[test]
fn discovery_takes_the_nearest_and_refuses_two_names() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let deep = root.join("a/b/c");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(root.join(".kube-secctx.yaml"), "").unwrap();
    std::fs::write(root.join("a/.kube-secctx.yml"), "").unwrap();
    assert_eq!(
        discover(&deep).unwrap(),
        Some(root.join("a/.kube-secctx.yml"))
    );
    assert_eq!(
        discover(&root).unwrap(),
        Some(root.join(".kube-secctx.yaml"))
    );
    std::fs::write(root.join("a/.kube-secctx.yaml"), "").unwrap();
    let e = discover(&deep).unwrap_err();
    assert!(e
        .to_string()
        .ends_with(".kube-secctx.yaml and .kube-secctx.yml are both here: keep one"));
}

#[test]
fn paths_relative_to_the_working_directory() {
    let cwd = Path::new("/w/repo/sub");
    assert_eq!(
        relative_to(Path::new("/w/repo/sub/.kube-secctx.yaml"), cwd),
        Path::new(".kube-secctx.yaml")
    );
    assert_eq!(
        relative_to(Path::new("/w/.kube-secctx.yaml"), cwd),
        Path::new("../../.kube-secctx.yaml")
    );
    assert_eq!(
        relative_to(Path::new("/other/.kube-secctx.yaml"), cwd),
        Path::new("/other/.kube-secctx.yaml")
    );
}

#[test]
fn kubernetes_version_key() {
    use crate::options::KubeVersion;
    let c = parse("level: baseline\nkubernetesVersion: v1.29.3\n").unwrap();
    assert_eq!(
        c.kube_version,
        Some(Located {
            value: KubeVersion::V1(29),
            line: 2,
            column: 1
        })
    );
    // Not the PSS version: that stays unset.
    assert_eq!(c.pss_version, None);
    for (text, want) in [
        ("kubernetesVersion: latest", KubeVersion::Latest),
        ("kubernetesVersion: \"1.30\"", KubeVersion::V1(30)),
        ("kubernetesVersion: v1.40", KubeVersion::V1(40)),
    ] {
        assert_eq!(
            parse(text).unwrap().kube_version.unwrap().value,
            want,
            "{text}"
        );
    }
    let r = Resolved::new(
        Some(&parse("kubernetesVersion: v1.29").unwrap()),
        Path::new("/repo"),
    );
    assert_eq!(r.options().kube_version, KubeVersion::V1(29));
    assert_eq!(
        r.kube_version.origin,
        Origin::File {
            path: "repo/.kube-secctx.yaml".into(),
            line: 1
        }
    );

    // Older than the field table, at the value, naming the range.
    let e = parse("kubernetesVersion: v1.12").unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "repo/.kube-secctx.yaml:1:20: kubernetesVersion: expected \"latest\" or \"v1.N\" \
             (v1.17 to v1.37"
        ),
        "{e:?}"
    );
    assert!(e[0].ends_with("got \"v1.12\""), "{e:?}");
    // A YAML number (1.30 is the float 1.3): the string it was meant to be is suggested.
    let e = parse("kubernetesVersion: 1.30").unwrap_err();
    assert!(
        e[0].ends_with(
            "got the number 1.30 (a number in YAML: write the version as a string)\n  \
             did you mean `v1.30`?"
        ),
        "{e:?}"
    );
    let e = parse("kubernetesVersion: [v1.30]").unwrap_err();
    assert!(e[0].ends_with("got a list"), "{e:?}");
    // A misspelt key.
    let e = parse("kubeVersion: v1.30").unwrap_err();
    assert!(e[0].ends_with("did you mean `kubernetesVersion`?"), "{e:?}");
}
