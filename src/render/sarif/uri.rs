//! File paths as SARIF artifact URIs.

/// A file path as a URI reference: backslashes become `/`, a leading `./` goes, characters
/// outside the URI path set are percent-encoded (UTF-8). An absolute path (`/x`, `C:\x`,
/// `\\server\share`) becomes a `file://` URI; a relative one stays relative.
///
/// A directory given with a trailing separator keeps its trailing `/`.
pub fn path_to_uri(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.trim_start_matches('/').to_string();
    }
    let bytes = p.as_bytes();
    let drive = bytes.len() >= 2
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.get(1) == Some(&b':')
        && (bytes.len() == 2 || bytes.get(2) == Some(&b'/'));
    if let Some(unc) = p.strip_prefix("//") {
        return format!("file://{}", encode(unc));
    }
    if drive {
        let (letter, rest) = p.split_at(2);
        return format!("file:///{letter}{}", encode(rest));
    }
    if p.starts_with('/') {
        return format!("file://{}", encode(&p));
    }
    encode(&p)
}

/// A path given as bytes (a Unix file name need not be UTF-8) as a URI reference: as
/// [`path_to_uri`] for a path with `/` separators, each byte that is not allowed in a
/// URI path percent-encoded (`a\xFE.yaml` → `a%FE.yaml`).
pub fn path_bytes_to_uri(path: &[u8]) -> String {
    let mut p = path;
    while let Some(rest) = p.strip_prefix(b"./") {
        p = rest;
        while let Some(rest) = p.strip_prefix(b"/") {
            p = rest;
        }
    }
    let encoded = encode_bytes(p);
    if p.starts_with(b"/") {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

/// Percent-encodes everything but unreserved characters, `/` and the sub-delimiters and
/// `@` allowed in a path (`:` is encoded: it would read as a scheme in a relative path).
fn encode(s: &str) -> String {
    encode_bytes(s.as_bytes())
}

/// [`encode`] over bytes.
fn encode_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
