//! OPA wasm ABI 1.2 front end (`wasm32-unknown-unknown`): `kube-secctx.gatekeeper.wasm`
//! and `kube-secctx.opa.wasm`.
//!
//! The module looks to an OPA SDK like a compiled Rego policy with two entrypoints (see
//! [`crate::admission::Entrypoint`]); `eval` runs the core through
//! [`crate::admission::opa_evaluate`]. This file only moves bytes in and out of linear
//! memory.
//!
//! - Memory is imported from `env.memory` (the SDKs create it with 5 pages); the build
//!   links with `--import-memory`, a 128 KiB stack (`-zstack-size=131072`) and
//!   `--initial-memory` of 5 pages (`mk/policy.mk`). No other import.
//! - The ABI version globals `opa_wasm_abi_version` (1) and `opa_wasm_abi_minor_version`
//!   (2) are real wasm globals; Rust cannot emit an exported constant global, so
//!   `policy/tools/finish.mjs` adds them after `wasm-opt`.
//! - The allocator is a bump allocator whose top is `opa_heap_ptr_get`/`opa_heap_ptr_set`:
//!   the SDKs write the input at the heap pointer themselves and reset it between calls.
//!   `free` only gives back the last allocation. The heap starts above the memory the
//!   module was instantiated with (stack and static data live below).
//! - A value (what `opa_json_parse` returns and `opa_json_dump` reads) is a 12-byte
//!   header in the heap: a magic word, the length and the address of the JSON text.
//!   Results own their text (NUL-terminated, written once, not copied again);
//!   `opa_json_parse` does not copy the host's text, it points at it (and `opa_json_dump`
//!   of such a value copies it once, to add the NUL). Addresses that are not values read
//!   as `null`, never as a trap.
//! - Settings are validated per evaluation: the OPA ABI has no settings-validation call,
//!   and Kubewarden's OPA evaluator answers `valid: true` for any settings in its
//!   `gatekeeper` and `opa` modes. So a typo in the settings deploys, and then every
//!   request is answered with `invalid settings: ...` (a violation; a rejection with code
//!   500 in the response contract).
//! - Entrypoint 0 is `kube_secctx/violation` (Gatekeeper, Kubewarden `gatekeeper` mode);
//!   with the feature `opa-response-default` it is `kube_secctx/response` (Kubewarden
//!   `opa` mode). Kubewarden always evaluates entrypoint 0.
//!
//! # Memory
//!
//! Rust aborts (a wasm `unreachable` trap) when an allocation fails, so before it parses
//! anything `eval`/`opa_eval` grows memory by
//! [`crate::admission::evaluation_memory_estimate`] of the input and data (about 10×
//! the request for typical requests, more for requests made of many tiny values or many
//! violating containers). When the host's memory maximum does not allow that, the
//! result is a clean error (a violation / a rejection with code 500 that says how much
//! memory is needed), not a trap. Growing costs address space, not physical memory, on
//! the usual hosts. The stores of results are fallible too (a null result, not a trap).
//! A request whose evaluation needs more than the estimate can still trap when the host
//! bounds memory; the README (*Admission policies*, *Memory*) says how large a maximum to
//! configure.

use crate::admission::Entrypoint;

/// The entrypoints by ID.
pub const ENTRYPOINTS: [Entrypoint; 2] = if cfg!(feature = "opa-response-default") {
    [Entrypoint::Response, Entrypoint::Violation]
} else {
    [Entrypoint::Violation, Entrypoint::Response]
};

/// The `entrypoints()` map as JSON: `{"kube_secctx/violation": 0, ...}`.
pub fn entrypoints_json() -> String {
    let items: Vec<String> = ENTRYPOINTS
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{:?}:{i}", e.name()))
        .collect();
    format!("{{{}}}", items.join(","))
}

/// Evaluates entrypoint `id` on JSON `input` and `data`: OPA's result set JSON
/// (`[{"result": ...}]`), or `[]` (undefined) for an unknown ID.
pub fn evaluate(id: i32, input: &[u8], data: &[u8]) -> String {
    match usize::try_from(id).ok().and_then(|i| ENTRYPOINTS.get(i)) {
        Some(&e) => crate::admission::opa_evaluate(e, input, data),
        None => "[]".to_string(),
    }
}

#[cfg(target_arch = "wasm32")]
mod abi {
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32::{memory_grow, memory_size};
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    use crate::admission::{evaluation_memory_estimate, opa_insufficient_memory};

    const PAGE: usize = 65_536;
    /// Marks a value whose NUL-terminated text this module wrote: `OPAV`.
    const MAGIC: u32 = 0x5641_504f;
    /// Marks a value whose text is the host's (from `opa_json_parse`), not terminated:
    /// `OPAR`.
    const MAGIC_REF: u32 = 0x5241_504f;
    /// Marks an evaluation context: `OPAC`.
    const CTX_MAGIC: u32 = 0x4341_504f;
    /// Heap alignment (OPA's allocator aligns to 8 too).
    const ALIGN: usize = 8;
    /// What `opa_json_dump` returns for an address that is not a value, or when memory
    /// runs out: static data, so it needs no allocation.
    static NULL_JSON: [u8; 5] = *b"null\0";

    /// Bottom of the heap (0 until first use): the memory size at first use, so stack
    /// and static data are below it.
    static BASE: AtomicUsize = AtomicUsize::new(0);
    /// Top of the heap: the next free byte.
    static TOP: AtomicUsize = AtomicUsize::new(0);

    fn memory_bytes() -> usize {
        memory_size(0).saturating_mul(PAGE)
    }

    fn base() -> usize {
        match BASE.load(Relaxed) {
            0 => {
                let b = memory_bytes();
                BASE.store(b, Relaxed);
                TOP.store(b, Relaxed);
                b
            }
            b => b,
        }
    }

    fn top() -> usize {
        let b = base();
        TOP.load(Relaxed).max(b)
    }

    fn set_top(t: usize) {
        TOP.store(t.max(base()), Relaxed);
    }

    /// Grows memory so that `[0, end)` is addressable.
    fn ensure(end: usize) -> bool {
        let have = memory_bytes();
        if end <= have {
            return true;
        }
        let pages = (end - have).div_ceil(PAGE);
        memory_grow(0, pages) != usize::MAX
    }

    /// Takes `size` bytes aligned to `align` from the top of the heap.
    fn bump(size: usize, align: usize) -> Option<usize> {
        let align = align.max(1);
        let start = top().checked_add(align - 1)? & !(align - 1);
        let end = start.checked_add(size)?;
        if !ensure(end) {
            return None;
        }
        TOP.store(end, Relaxed);
        Some(start)
    }

    /// The bump allocator behind every Rust allocation in this module.
    struct Bump;

    // SAFETY: `alloc` returns fresh, aligned, in-bounds memory (above everything handed
    // out before and below the grown memory size) or null; `dealloc` only moves the top
    // back when the block is the last one handed out, so no live block is reused;
    // `realloc` grows the last block in place or moves the data to a fresh block. The
    // module is single-threaded (wasm32 without threads).
    #[allow(unsafe_code)]
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            bump(layout.size(), layout.align()).map_or(core::ptr::null_mut(), |a| a as *mut u8)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let start = ptr as usize;
            if start.checked_add(layout.size()) == Some(TOP.load(Relaxed)) {
                set_top(start);
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let start = ptr as usize;
            if start.checked_add(layout.size()) == Some(TOP.load(Relaxed)) {
                if let Some(end) = start.checked_add(new_size) {
                    if ensure(end) {
                        TOP.store(end.max(base()), Relaxed);
                        return ptr;
                    }
                }
                return core::ptr::null_mut();
            }
            // Shrinking a block that is not the last one: keep it where it is (the bytes
            // past `new_size` are simply not used any more).
            if new_size <= layout.size() {
                return ptr;
            }
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                return core::ptr::null_mut();
            };
            // SAFETY: `new_layout` has the caller's alignment and a non-zero size (the
            // GlobalAlloc contract for realloc).
            let new = unsafe { self.alloc(new_layout) };
            if !new.is_null() {
                // SAFETY: the old block is live for `layout.size()` bytes, the new one for
                // `new_size`; they do not overlap (the new one is above the top the old
                // one was below).
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                }
            }
            new
        }
    }

    #[global_allocator]
    static ALLOCATOR: Bump = Bump;

    /// `len` bytes of linear memory at `addr`, or `None` when the range is not inside
    /// memory. For addresses the host hands us (input, JSON to parse, values).
    #[allow(unsafe_code)] // reads linear memory at host-given addresses
    fn memory_slice<'a>(addr: usize, len: usize) -> Option<&'a [u8]> {
        let end = addr.checked_add(len)?;
        if addr == 0 || end > memory_bytes() {
            return None;
        }
        // SAFETY: `[addr, addr + len)` is inside linear memory (checked above; memory
        // never shrinks), which is always readable in wasm32, and `addr` is not null. The
        // bytes are plain `u8`s, valid for any bit pattern. The slice is used only within
        // the current export call, during which nothing else writes to memory (the host
        // is suspended and the module is single-threaded).
        Some(unsafe { core::slice::from_raw_parts(addr as *const u8, len) })
    }

    fn read_u32(addr: usize) -> Option<u32> {
        let b = memory_slice(addr, 4)?;
        Some(u32::from_le_bytes([
            *b.first()?,
            *b.get(1)?,
            *b.get(2)?,
            *b.get(3)?,
        ]))
    }

    #[allow(unsafe_code)] // writes a value header or an evaluation context
    fn write_u32(addr: usize, value: u32) -> bool {
        let Some(end) = addr.checked_add(4) else {
            return false;
        };
        if addr == 0 || end > memory_bytes() {
            return false;
        }
        // SAFETY: the 4 bytes at `addr` are inside linear memory (checked above) and
        // `write_unaligned` needs no alignment. Only memory this module handed out as a
        // value header or an evaluation context (whose magic word `ctx_field` checked
        // first) is written, never a live Rust object.
        unsafe { core::ptr::write_unaligned(addr as *mut u32, value.to_le()) };
        true
    }

    /// A value header `[magic, len, text]` in the heap; its address, or 0 when out of
    /// memory.
    fn header(magic: u32, text: usize, len: usize) -> i32 {
        let (Ok(text), Ok(len)) = (u32::try_from(text), u32::try_from(len)) else {
            return 0;
        };
        match bump(12, ALIGN) {
            Some(h) if write_u32(h, magic) && write_u32(h + 4, len) && write_u32(h + 8, text) => {
                h as i32
            }
            _ => 0,
        }
    }

    /// Stores JSON text as a value that owns it (NUL-terminated, not copied); its address,
    /// or 0 when out of memory (never a trap).
    fn store(mut json: Vec<u8>) -> i32 {
        let len = json.len();
        if json.try_reserve_exact(1).is_err() {
            return 0;
        }
        json.push(0);
        // Leaked on purpose: the heap is reclaimed by the host's `opa_heap_ptr_set`.
        let text: &'static mut [u8] = json.leak();
        header(MAGIC, text.as_ptr() as usize, len)
    }

    /// Copies `bytes` into a fresh `Vec`, or `None` when out of memory.
    fn try_copy(bytes: &[u8]) -> Option<Vec<u8>> {
        let mut v = Vec::new();
        v.try_reserve_exact(bytes.len().saturating_add(1)).ok()?;
        v.extend_from_slice(bytes);
        Some(v)
    }

    /// `(magic, text address, length)` of the value at `addr`, or `None` when `addr` is
    /// not one.
    fn value(addr: i32) -> Option<(u32, usize, usize)> {
        let addr = addr as u32 as usize;
        let magic = read_u32(addr)?;
        if magic != MAGIC && magic != MAGIC_REF {
            return None;
        }
        let len = read_u32(addr + 4)? as usize;
        let text = read_u32(addr + 8)? as usize;
        memory_slice(text, len)?;
        Some((magic, text, len))
    }

    /// The JSON text of a value, or `None` when `addr` is not one.
    fn load<'a>(addr: i32) -> Option<&'a [u8]> {
        let (_, text, len) = value(addr)?;
        memory_slice(text, len)
    }

    // Evaluation context: [CTX_MAGIC, input, data, entrypoint, result] as u32s.
    fn ctx_field(ctx: i32, field: usize) -> Option<usize> {
        let ctx = ctx as u32 as usize;
        (read_u32(ctx)? == CTX_MAGIC).then_some(ctx + 4 * field)
    }

    fn ctx_get(ctx: i32, field: usize) -> i32 {
        ctx_field(ctx, field)
            .and_then(read_u32)
            .map_or(0, |v| v as i32)
    }

    fn ctx_set(ctx: i32, field: usize, value: i32) {
        if let Some(addr) = ctx_field(ctx, field) {
            write_u32(addr, value as u32);
        }
    }

    const INPUT: usize = 1;
    const DATA: usize = 2;
    const ENTRYPOINT: usize = 3;
    const RESULT: usize = 4;

    /// Evaluates entrypoint `id` on `input` and `data` after making sure the memory the
    /// evaluation needs can be had: the result set JSON, or a clean error result (as the
    /// entrypoint shapes it) when the host's memory maximum is too low.
    fn evaluate_within_memory(id: i32, input: &[u8], data: &[u8]) -> String {
        let need = evaluation_memory_estimate(input, data);
        let end = top().saturating_add(need);
        if ensure(end) {
            return super::evaluate(id, input, data);
        }
        let entrypoint = usize::try_from(id)
            .ok()
            .and_then(|i| super::ENTRYPOINTS.get(i).copied());
        let Some(entrypoint) = entrypoint else {
            return "[]".to_string();
        };
        opa_insufficient_memory(
            entrypoint,
            format!(
                "kube-secctx cannot evaluate this request: its input ({} bytes) needs up to \
                 about {need} bytes of wasm memory, and the host does not let the module's \
                 memory grow from {} to {end} bytes ({} pages). Raise the memory maximum \
                 the host gives the policy (see the kube-secctx admission README, Memory).",
                input.len(),
                memory_bytes(),
                end.div_ceil(PAGE)
            ),
        )
    }

    /// ABI: the JSON map of the built-in functions the policy calls (none).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn builtins() -> i32 {
        try_copy(b"{}").map_or(0, store)
    }

    /// ABI: the JSON map of entrypoint names to IDs.
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn entrypoints() -> i32 {
        store(super::entrypoints_json().into_bytes())
    }

    /// ABI: a new evaluation context (entrypoint 0, no input, no data).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_eval_ctx_new() -> i32 {
        let Some(addr) = bump(20, ALIGN) else {
            return 0;
        };
        let ok = write_u32(addr, CTX_MAGIC) && (1..=4).all(|f| write_u32(addr + 4 * f, 0));
        if ok {
            addr as i32
        } else {
            0
        }
    }

    /// ABI: sets the input value of a context.
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_eval_ctx_set_input(ctx: i32, value: i32) {
        ctx_set(ctx, INPUT, value);
    }

    /// ABI: sets the data value of a context.
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_eval_ctx_set_data(ctx: i32, value: i32) {
        ctx_set(ctx, DATA, value);
    }

    /// ABI: sets the entrypoint of a context.
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_eval_ctx_set_entrypoint(ctx: i32, entrypoint: i32) {
        ctx_set(ctx, ENTRYPOINT, entrypoint);
    }

    /// ABI: the result value of an evaluated context.
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_eval_ctx_get_result(ctx: i32) -> i32 {
        ctx_get(ctx, RESULT)
    }

    /// ABI: evaluates a context; 0 on success, 1 when the result could not be stored
    /// (out of memory; the result is then null).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn eval(ctx: i32) -> i32 {
        let input = load(ctx_get(ctx, INPUT)).unwrap_or(b"");
        let data = load(ctx_get(ctx, DATA)).unwrap_or(b"");
        let result = evaluate_within_memory(ctx_get(ctx, ENTRYPOINT), input, data);
        let stored = store(result.into_bytes());
        ctx_set(ctx, RESULT, stored);
        i32::from(stored == 0)
    }

    /// ABI 1.2: one-call evaluation. The input is the raw JSON at `input`..`input_len`
    /// (written there by the SDK), `heap_ptr` the first free byte after it. Returns the
    /// address of the NUL-terminated result set JSON.
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_eval(
        _reserved: i32,
        entrypoint: i32,
        data: i32,
        input: i32,
        input_len: i32,
        heap_ptr: i32,
        _format: i32,
    ) -> i32 {
        let (input, len) = (input as u32 as usize, input_len as u32 as usize);
        set_top((heap_ptr as u32 as usize).max(input.saturating_add(len)));
        let input = if len == 0 {
            &[][..]
        } else {
            memory_slice(input, len).unwrap_or(b"")
        };
        let data = load(data).unwrap_or(b"");
        let result = evaluate_within_memory(entrypoint, input, data);
        opa_json_dump(store(result.into_bytes()))
    }

    /// ABI: allocates `size` bytes on the heap (0 when out of memory).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_malloc(size: i32) -> i32 {
        bump(size as u32 as usize, ALIGN).map_or(0, |a| a as i32)
    }

    /// ABI: frees a block (the heap is reclaimed by `opa_heap_ptr_set`).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_free(_addr: i32) {}

    /// ABI: parses JSON text at `addr`..`len` into a value; 0 when it is not JSON (or
    /// out of memory). The value points at the host's text: it is not copied (the host
    /// wrote it into memory `opa_malloc` handed out, which stays until the heap is reset
    /// below it, and the value with it).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_json_parse(addr: i32, len: i32) -> i32 {
        let (addr, len) = (addr as u32 as usize, len as u32 as usize);
        let Some(text) = memory_slice(addr, len) else {
            return 0;
        };
        match serde_json::from_slice::<serde::de::IgnoredAny>(text) {
            Ok(_) => header(MAGIC_REF, addr, len),
            Err(_) => 0,
        }
    }

    /// ABI: as `opa_json_parse` (values are JSON here).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_value_parse(addr: i32, len: i32) -> i32 {
        opa_json_parse(addr, len)
    }

    /// ABI: the address of a value's NUL-terminated JSON text (`null` for an address
    /// that is not a value, or when out of memory).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_json_dump(addr: i32) -> i32 {
        let null = NULL_JSON.as_ptr() as usize as i32;
        match value(addr) {
            Some((MAGIC, text, _)) => text as i32,
            // The host's own text has no NUL after it: copy it once.
            Some((_, text, len)) => memory_slice(text, len)
                .and_then(try_copy)
                .map(store)
                .and_then(value)
                .map_or(null, |(_, text, _)| text as i32),
            None => null,
        }
    }

    /// ABI: as `opa_json_dump`.
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_value_dump(value: i32) -> i32 {
        opa_json_dump(value)
    }

    /// ABI: the heap's top.
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_heap_ptr_get() -> i32 {
        top() as i32
    }

    /// ABI: resets the heap's top (never below the heap's bottom).
    #[allow(unsafe_code)] // `no_mangle`: ABI export.
    #[no_mangle]
    pub extern "C" fn opa_heap_ptr_set(addr: i32) {
        set_top(addr as u32 as usize);
    }
}
