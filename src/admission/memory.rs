//! How much memory evaluating a request takes in the OPA builds, estimated before parsing,
//! so that a host's memory cap gives a clean error instead of a trap (see `crate::opa`).

/// Memory evaluating a request takes, per byte of input and data (the text itself, the
/// decoded strings, the response quoting them).
const MEMORY_PER_BYTE: usize = 4;

/// ... per JSON value or key (a decoded value, a map slot, a document node, and a
/// finding when the value is one of a list a check reports item by item: capabilities,
/// annotations).
const MEMORY_PER_VALUE: usize = 1 << 10;

/// ... per JSON object (a volume, a port, a sysctl: each can be a violation, i.e. a
/// finding, a violation, its message and its serialized form).
const MEMORY_PER_OBJECT: usize = 6 << 10;

/// ... per container (an object with an `image` key): one violation per check.
const MEMORY_PER_CONTAINER: usize = 40 << 10;

/// ... per AppArmor or seccomp annotation key (a check reports each one).
const MEMORY_PER_ANNOTATION: usize = 8 << 10;

/// Annotation keys a check reports one by one (prefixes).
const CHECKED_ANNOTATIONS: [&[u8]; 3] = [
    b"container.apparmor.security.beta.kubernetes.io/",
    b"container.seccomp.security.alpha.kubernetes.io/",
    b"seccomp.security.alpha.kubernetes.io/pod",
];

/// ... for any request (settings, rule tables, the response).
const MEMORY_BASE: usize = 128 << 10;

/// An estimate, from above for the requests measured, of the heap memory (bytes) that
/// evaluating `input` with `data` takes in the OPA builds: a cheap scan that counts
/// bytes, JSON values, objects and containers, without parsing (so without allocating).
/// The OPA front end grows memory by this much before it parses, and answers with a
/// clean error when the host's maximum does not allow it (`crate::opa`).
///
/// Measured against the builds (heap used beyond the input, per byte of input): about
/// 1× for a request that is mostly one large string, 10× for many small labels, 12× for
/// a typical Deployment, 40× for long arrays of numbers, and up to 800× for pods made
/// of thousands of tiny violating containers (each violation is a structured object
/// many times the size of the container that caused it). The estimate is larger than
/// each of these; it is a heuristic, not a proof (the README, *Admission policies*, *Memory*).
pub fn evaluation_memory_estimate(input: &[u8], data: &[u8]) -> usize {
    let a = json_shape(input);
    let b = json_shape(data);
    let sum = |x: usize, y: usize, per: usize| x.saturating_add(y).saturating_mul(per);
    MEMORY_BASE
        .saturating_add(sum(a.bytes, b.bytes, MEMORY_PER_BYTE))
        .saturating_add(sum(a.values, b.values, MEMORY_PER_VALUE))
        .saturating_add(sum(a.objects, b.objects, MEMORY_PER_OBJECT))
        .saturating_add(sum(a.containers, b.containers, MEMORY_PER_CONTAINER))
        .saturating_add(sum(a.annotations, b.annotations, MEMORY_PER_ANNOTATION))
}

/// What [`json_shape`] counts.
#[derive(Debug, Clone, Copy, Default)]
struct JsonShape {
    bytes: usize,
    /// `,`, `:`, `[` and `{` outside strings, plus one: one per value or key, roughly.
    values: usize,
    /// `{` outside strings.
    objects: usize,
    /// `"image":` keys.
    containers: usize,
    /// AppArmor and seccomp annotation keys ([`CHECKED_ANNOTATIONS`]).
    annotations: usize,
}

/// Counts the shape of JSON text in one pass, without allocating (and without checking
/// that it is JSON).
fn json_shape(text: &[u8]) -> JsonShape {
    let mut shape = JsonShape {
        bytes: text.len(),
        values: 1,
        ..JsonShape::default()
    };
    let (mut in_string, mut escaped, mut start) = (false, false, 0);
    // What the last token was, when it was a string that a `:` makes a key we count.
    #[derive(PartialEq)]
    enum Key {
        Other,
        Image,
        Annotation,
    }
    let mut key = Key::Other;
    for (i, &b) in text.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                let s = text.get(start..i).unwrap_or_default();
                key = if s == b"image" {
                    Key::Image
                } else if CHECKED_ANNOTATIONS.iter().any(|p| s.starts_with(p)) {
                    Key::Annotation
                } else {
                    Key::Other
                };
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                start = i + 1;
                continue;
            }
            b':' => {
                shape.values += 1;
                match key {
                    Key::Image => shape.containers += 1,
                    Key::Annotation => shape.annotations += 1,
                    Key::Other => {}
                }
            }
            b',' | b'[' => shape.values += 1,
            b'{' => {
                shape.values += 1;
                shape.objects += 1;
            }
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            _ => {}
        }
        key = Key::Other;
    }
    shape
}

/// Makes sure the memory evaluating `input` with `data` may take
/// ([`evaluation_memory_estimate`]) can be had, for the builds whose allocator gives
/// freed memory back to later allocations (the Kubewarden waPC and WASI modules): it is
/// asked for once and handed back. On wasm32, where a failed allocation is a trap, a
/// request too large for the module's 4 GiB gets a clean answer instead.
///
/// # Errors
/// A message with the input's size and the memory it needs.
pub fn reserve_for_evaluation(input: &[u8], data: &[u8]) -> Result<(), String> {
    let need = evaluation_memory_estimate(input, data);
    let mut probe: Vec<u8> = Vec::new();
    probe.try_reserve_exact(need).map_err(|_| {
        format!(
            "kube-secctx cannot evaluate this request: its input ({} bytes) needs up to about \
             {need} bytes of memory, more than the policy module can have",
            input.len()
        )
    })
}

/// Makes sure mutating an object of `values` JSON values can be had (a copy of the object,
/// its document tree and a second check: [`MEMORY_PER_VALUE`] each, the same figure the
/// first evaluation is estimated with), as [`reserve_for_evaluation`] does for the
/// evaluation itself; when it cannot, the object is not mutated.
///
/// # Errors
/// A message saying how much memory mutating needs.
pub(super) fn reserve_for_mutation(values: usize) -> Result<(), String> {
    let need = MEMORY_BASE.saturating_add(values.saturating_mul(MEMORY_PER_VALUE));
    let mut probe: Vec<u8> = Vec::new();
    probe.try_reserve_exact(need).map_err(|_| {
        format!("mutating it needs up to about {need} bytes of memory, more than the policy module can have")
    })
}
