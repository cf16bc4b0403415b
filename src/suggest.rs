//! "Did you mean" hints: the known names closest to one that is not known.
//!
//! One function for every place that meets a name it does not know: rule IDs given to
//! `--select`/`--ignore`/`explain`, rule IDs in the `kube-secctx.io/ignore` annotation
//! (the `unknown-ignored-rule` input diagnostic), and any other list of names (field
//! names, setting keys) a caller passes in.

/// At most this many suggestions are returned.
pub const MAX_SUGGESTIONS: usize = 3;

/// The names among `candidates` close to `unknown`, best first, at most
/// [`MAX_SUGGESTIONS`].
///
/// Names are compared without ASCII case and surrounding whitespace. A candidate is
/// close when its optimal-string-alignment distance to `unknown` (insertions, deletions,
/// substitutions and transpositions of adjacent characters, counted in characters; the
/// `strsim` crate) is at most a third of `unknown`'s length in characters, and at least
/// 1; or, for an `unknown` of four characters or more, when the candidate contains it
/// (`seccomp` → `missing-seccomp-profile`, ranked after every edit-distance match). A
/// candidate that differs only in case and `-`/`_` (`pss_version` → `pssVersion`,
/// `fail-on` → `failOn`) ranks first. Ties keep the candidates' order. Returns nothing for
/// an empty `unknown`.
///
/// ```
/// use kube_secctx::suggest::did_you_mean;
/// let ids = ["privileged-container", "host-port", "host-path-volume"];
/// assert_eq!(did_you_mean("privileged-containr", ids), ["privileged-container"]);
/// assert_eq!(did_you_mean("hots-port", ids), ["host-port"]);
/// assert!(did_you_mean("zzzz", ids).is_empty());
/// assert_eq!(did_you_mean("pss_version", ["level", "pssVersion"]), ["pssVersion"]);
/// ```
pub fn did_you_mean<'c, I>(unknown: &str, candidates: I) -> Vec<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    let needle = unknown.trim().to_ascii_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let limit = (needle.chars().count() / 3).max(1);
    let folded = fold(&needle);
    let mut scored: Vec<(usize, usize, &'c str)> = candidates
        .into_iter()
        .enumerate()
        .filter_map(|(order, candidate)| {
            let lower = candidate.to_ascii_lowercase();
            let distance = strsim::osa_distance(&needle, &lower);
            if fold(&lower) == folded {
                Some((0, order, candidate))
            } else if distance <= limit {
                Some((distance, order, candidate))
            } else if needle.chars().count() >= 4 && lower.contains(needle.as_str()) {
                Some((limit + 1, order, candidate))
            } else {
                None
            }
        })
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, _, candidate)| candidate)
        .collect()
}

/// Whether [`did_you_mean`]`(unknown, [candidate])` would suggest `candidate`: the same
/// test for one candidate, without allocating unless an edit distance must be computed.
/// Names whose lengths, or whose letters counted without ASCII case, are too far apart
/// for the distance limit are ruled out before it (an insertion or a deletion changes
/// the length by one and the letter counts by one; a substitution changes the counts by
/// two at most; a transposition changes neither).
pub fn is_close(unknown: &str, candidate: &str) -> bool {
    let needle = unknown.trim();
    if needle.is_empty() {
        return false;
    }
    let n = needle.chars().count();
    let limit = (n / 3).max(1);
    if fold_chars(needle).eq(fold_chars(candidate)) {
        return true;
    }
    if n >= 4 && contains_ignore_ascii_case(candidate, needle) {
        return true;
    }
    if n.abs_diff(candidate.chars().count()) > limit || letters_apart(needle, candidate) > 2 * limit
    {
        return false;
    }
    strsim::osa_distance(
        &needle.to_ascii_lowercase(),
        &candidate.to_ascii_lowercase(),
    ) <= limit
}

/// The characters of [`fold`], one at a time.
fn fold_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .map(|c| c.to_ascii_lowercase())
}

/// Whether `haystack` holds `needle`, without ASCII case (bytes: ASCII case folding keeps
/// every other byte, so a match is a match of the lowercased strings).
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len().max(1))
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The sum over characters of how much more often one name holds it than the other
/// (ASCII without case; every other character counted as one and the same): at most
/// twice the edit distance of the two names.
fn letters_apart(a: &str, b: &str) -> usize {
    let mut counts = [0i32; 129];
    let slot = |c: char| {
        if c.is_ascii() {
            usize::from(c.to_ascii_lowercase() as u8)
        } else {
            128
        }
    };
    for c in a.chars() {
        if let Some(n) = counts.get_mut(slot(c)) {
            *n += 1;
        }
    }
    for c in b.chars() {
        if let Some(n) = counts.get_mut(slot(c)) {
            *n -= 1;
        }
    }
    counts.iter().map(|n| n.unsigned_abs() as usize).sum()
}

/// `name` without ASCII case, `-` and `_`: two names that fold alike differ only in
/// those (`pss_version`, `pssVersion`; `fsgroup`, `fsGroup`).
pub fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `` `a` `` , `` `a` or `b` `` or `` `a`, `b` or `c` ``: suggestions for a message, each
/// in backticks; empty for none.
pub fn or_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RULES;

    fn ids() -> impl Iterator<Item = &'static str> {
        RULES.iter().map(|r| r.id)
    }

    #[test]
    fn rule_ids() {
        assert_eq!(
            did_you_mean("privileged-containr", ids()),
            ["privileged-container"]
        );
        // A transposition is one edit.
        assert_eq!(
            did_you_mean("privilegde-container", ids()),
            ["privileged-container"]
        );
        assert_eq!(
            did_you_mean("Host-Namespace", ids()).first(),
            Some(&"host-namespaces")
        );
        // A part of an ID, after the close ones.
        assert_eq!(
            did_you_mean("seccomp", ids()),
            ["unconfined-seccomp-profile", "missing-seccomp-profile"]
        );
        assert!(did_you_mean("zzzzzzzzzz", ids()).is_empty());
        assert!(did_you_mean("  ", ids()).is_empty());
    }

    #[test]
    fn short_names_need_a_close_match() {
        let fields = ["hostPID", "hostIPC", "hostNetwork", "hostUsers"];
        assert_eq!(did_you_mean("hostPDI", fields), ["hostPID"]);
        assert_eq!(did_you_mean("ab", ["abc", "xy", "a"]), ["abc", "a"]);
        assert!(did_you_mean("ab", ["xyz"]).is_empty());
    }

    /// [`is_close`] says what [`did_you_mean`] says for one candidate, over the API's
    /// field names and rule IDs against each other and against their misspellings.
    #[test]
    fn is_close_is_did_you_mean_for_one_candidate() {
        let mut names: Vec<String> = crate::schema::MODELS
            .iter()
            .flat_map(|m| m.fields.iter().map(|f| f.name.to_string()))
            .chain(ids().map(str::to_string))
            .collect();
        names.sort();
        names.dedup();
        let mut words = names.clone();
        for n in names.iter().step_by(7) {
            let chars: Vec<char> = n.chars().collect();
            for i in 0..chars.len() {
                let mut dropped = chars.clone();
                dropped.remove(i);
                words.push(dropped.iter().collect());
                let mut swapped = chars.clone();
                if i + 1 < chars.len() {
                    swapped.swap(i, i + 1);
                    words.push(swapped.iter().collect());
                }
            }
            words.push(n.to_uppercase());
            words.push(format!(" {n}é "));
            words.push(n.replace(|c: char| c.is_ascii_uppercase(), "_"));
        }
        words.extend(["", " ", "a", "ab", "é", "ü-x", "Ünïcödé"].map(String::from));
        let mut checked = 0;
        for (i, a) in words.iter().enumerate() {
            for b in words.iter().skip(i % 9).step_by(9) {
                assert_eq!(
                    is_close(a, b),
                    !did_you_mean(a, [b.as_str()]).is_empty(),
                    "{a:?} {b:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn lists() {
        assert_eq!(or_list(&[]), "");
        assert_eq!(or_list(&["a"]), "`a`");
        assert_eq!(or_list(&["a", "b"]), "`a` or `b`");
        assert_eq!(or_list(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
