//! Versions: the Pod Security Standards policy version (`PssVersion`, PSA's
//! `enforce-version` label) and the Kubernetes version (`KubeVersion`, which API fields
//! exist), with their parsers and the words of their errors.

use super::OptionsError;

/// The newest Pod Security Standards policy version this build knows: `v1.37`.
/// `latest` and any later `v1.N` evaluate as this version, as Pod Security Admission does.
pub const LATEST_MINOR: u32 = 37;

/// A Pod Security Standards policy version (`pod-security.kubernetes.io/enforce-version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PssVersion {
    /// `latest`: the newest version known ([`LATEST_MINOR`]).
    #[default]
    Latest,
    /// `v1.N` (a later N than [`LATEST_MINOR`] evaluates as latest).
    V1(u32),
}

impl PssVersion {
    /// The minor version to evaluate at (`latest` and later versions → [`LATEST_MINOR`]).
    pub fn minor(self) -> u32 {
        match self {
            PssVersion::Latest => LATEST_MINOR,
            PssVersion::V1(n) => n.min(LATEST_MINOR),
        }
    }

    /// The version evaluated, as `v1.N` (`latest` resolved).
    pub fn resolved(self) -> String {
        format!("v1.{}", self.minor())
    }
}

impl std::str::FromStr for PssVersion {
    type Err = OptionsError;

    /// Parses `latest` or `v1.N` as Pod Security Admission's `ParseVersion` does
    /// (`^v1\.(0|[1-9][0-9]*)$`, no leading zeros, the minor read as a 64-bit integer; a
    /// minor beyond [`LATEST_MINOR`] evaluates as latest).
    ///
    /// # Errors
    /// [`OptionsError::PssVersion`] for any other text.
    fn from_str(s: &str) -> Result<Self, OptionsError> {
        if s == "latest" {
            return Ok(PssVersion::Latest);
        }
        s.strip_prefix("v1.")
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .filter(|n| *n == "0" || !n.starts_with('0'))
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|&n| i64::try_from(n).is_ok())
            .map(|n| PssVersion::V1(u32::try_from(n).unwrap_or(u32::MAX)))
            .ok_or_else(|| OptionsError::PssVersion(s.to_string()))
    }
}

/// A Kubernetes version (`--kube-version`, config key `kubernetesVersion`): which API
/// fields exist, for the `unknown-field` input diagnostic. Independent of the
/// [`PssVersion`]: a v1.37 cluster runs namespaces pinned to `enforce-version: v1.29`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KubeVersion {
    /// `latest`: the newest version of the field table ([`crate::schema::LAST_MINOR`]).
    #[default]
    Latest,
    /// `v1.N`: N at least [`crate::schema::FIRST_MINOR`]; a later N than
    /// [`crate::schema::LAST_MINOR`] is checked as that version (fields added after it
    /// are not in this build's table).
    V1(u32),
}

impl KubeVersion {
    /// The minor version whose fields are checked (`latest` and later versions →
    /// [`crate::schema::LAST_MINOR`]).
    pub fn minor(self) -> u32 {
        match self {
            KubeVersion::Latest => crate::schema::LAST_MINOR,
            KubeVersion::V1(n) => n.min(crate::schema::LAST_MINOR),
        }
    }

    /// The version checked, as `v1.N` (`latest` resolved).
    pub fn resolved(self) -> String {
        format!("v1.{}", self.minor())
    }
}

impl std::str::FromStr for KubeVersion {
    type Err = OptionsError;

    /// Parses `latest`, or a Kubernetes version as `kubectl version` and kubeconform's
    /// `-kubernetes-version` write it: `v1.N`, `1.N`, `v1.N.P` or `1.N.P` (the patch
    /// release is read and ignored: patch releases add no API fields), with an optional
    /// pre-release or build suffix after `-` or `+` (`v1.29.3-eks-1234`, `v1.29.3+k3s1`,
    /// `v1.30.0-rc.1`: ignored too).
    ///
    /// # Errors
    /// [`OptionsError::KubeVersion`] for any other text, and for a minor below
    /// [`crate::schema::FIRST_MINOR`] (older than the field table).
    fn from_str(s: &str) -> Result<Self, OptionsError> {
        if s == "latest" {
            return Ok(KubeVersion::Latest);
        }
        let bad = || OptionsError::KubeVersion(s.to_string());
        // A pre-release or a distribution's build (`v1.29.3-eks-1234`, `v1.29.3+k3s1`,
        // `v1.30.0-rc.1`, as the server's `kubectl version` prints them): the API is that
        // minor's.
        let release = s.split(['-', '+']).next().unwrap_or(s);
        if release.len() < s.len() && !release.ends_with(|c: char| c.is_ascii_digit()) {
            return Err(bad());
        }
        let rest = release.strip_prefix('v').unwrap_or(release);
        let rest = rest.strip_prefix("1.").ok_or_else(bad)?;
        let (minor, patch) = match rest.split_once('.') {
            Some((m, p)) => (m, Some(p)),
            None => (rest, None),
        };
        let digits = |t: &str| {
            !t.is_empty()
                && t.bytes().all(|b| b.is_ascii_digit())
                && (t == "0" || !t.starts_with('0'))
        };
        if !digits(minor) || patch.is_some_and(|p| !digits(p)) {
            return Err(bad());
        }
        let n = minor.parse::<u32>().map_err(|_| bad())?;
        if n < crate::schema::FIRST_MINOR {
            return Err(bad());
        }
        Ok(KubeVersion::V1(n))
    }
}

pub(super) fn expected_kube_version() -> String {
    format!(
        "\"latest\" or \"v1.N\" (v1.{} to v1.{}, optionally with a patch release and a build: v1.29.3-eks-1234; later versions are checked as v1.{})",
        crate::schema::FIRST_MINOR,
        crate::schema::LAST_MINOR,
        crate::schema::LAST_MINOR
    )
}

pub(super) fn expected_version() -> String {
    format!("\"latest\" or \"v1.N\" (v1.0 to v1.{LATEST_MINOR}; later versions evaluate as latest)")
}
