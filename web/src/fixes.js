// Fixes on the page: what a Fix button says, and the diff "Fix all" shows before it applies.
// Pure helpers (no DOM): unit-tested in Node (test/unit.test.mjs).
import { diffLines } from 'diff';

/**
 * Why a rule's unsafe fix needs a person's judgement, in a few words for its button: the
 * reason `kube-secctx explain RULE` gives under "## Automatic fix" (which `rules()` does not
 * carry), shortened. A unit test checks that every rule whose explain text says **unsafe**
 * has one here.
 */
export const UNSAFE_REASON = {
  'may-run-as-root': 'the kubelet refuses an image whose user is root',
  'unrestricted-capabilities': 'a process that needs a capability fails',
  'writable-root-filesystem': 'a process that writes outside its volumes fails',
  'privilege-escalation-allowed': 'it changes a setting the container may need (a value you wrote, privileged or SYS_ADMIN)',
  'missing-seccomp-profile': 'it replaces the profile you wrote; system calls the default profile blocks fail',
  'host-namespaces': "a workload that needs the host's namespace stops working",
  'privileged-container': "a workload that needs the host's devices stops working",
  'non-default-capabilities': 'the workload may need the capability',
  'host-port': "clients that reach the pod on the node's port need a Service instead",
  'forbidden-apparmor-profile': 'the workload may need the profile it had',
  'unmasked-proc-mount': 'a workload that needs the unmasked /proc stops working',
  'unconfined-seccomp-profile': 'system calls the default profile blocks fail',
  'unsafe-sysctl': 'a workload that needs the sysctl must get it from the node',
  'windows-host-process': "a HostProcess container's image does not run without it",
  'probe-or-lifecycle-host': "probes and hooks then reach the pod's own IP, not that host",
  'pod-security-context-missing': 'it may stop the workload from starting',
  'container-security-context-missing': 'it may stop the workload from starting',
  'unknown-ignored-rule': "the corrected ID suppresses that rule's findings for the resource",
  'unknown-field': 'the field then takes effect: a setting Kubernetes ignored until now',
};

/** The reason for a rule's unsafe fix (a generic one for a rule not listed). */
export function unsafeReason(rule) {
  return UNSAFE_REASON[rule] ?? 'it may stop the workload from starting';
}

/**
 * What a Fix button says: `what` (`Fix: <title>`), `why` (`Unsafe: <reason>` for an
 * unsafe fix, `Safe` for a safe one), `text` (both: the button's accessible name),
 * `short` (the compact label of a hover line: `Fix` or `Fix (unsafe)`) and `long` (that
 * line's accessible name and title, its visible text first: WCAG 2.5.3, label in name).
 */
export function fixLabel(fix, rule) {
  const unsafe = fix.applicability === 'unsafe';
  const what = `Fix: ${fix.title}`;
  const why = unsafe ? `Unsafe: ${unsafeReason(rule)}` : 'Safe';
  const short = unsafe ? 'Fix (unsafe)' : 'Fix';
  const long = unsafe ? `${short}: ${fix.title} — ${unsafeReason(rule)}` : `${short}: ${fix.title} (safe)`;
  return { what, why, short, long, text: `${what} ${why}` };
}

/**
 * The changes that turn `a` into `b`, as CodeMirror change specs over `a` ({from, to,
 * insert}, sorted, apart): the changed lines, trimmed of what they share at both ends, so
 * that applying "Fix all" touches only what changed (and the editor's markers elsewhere
 * stay where they are).
 */
export function textChanges(a, b) {
  const out = [];
  let pos = 0;
  let cur = null;
  for (const part of diffLines(a, b)) {
    if (part.added || part.removed) {
      cur ??= { from: pos, to: pos, insert: '' };
      if (part.removed) {
        cur.to += part.value.length;
        pos += part.value.length;
      } else {
        cur.insert += part.value;
      }
    } else {
      if (cur) out.push(cur);
      cur = null;
      pos += part.value.length;
    }
  }
  if (cur) out.push(cur);
  for (const c of out) {
    const old = a.slice(c.from, c.to);
    let p = 0;
    while (p < old.length && p < c.insert.length && old[p] === c.insert[p]) p += 1;
    let s = 0;
    while (s < old.length - p && s < c.insert.length - p && old[old.length - 1 - s] === c.insert[c.insert.length - 1 - s]) s += 1;
    c.from += p;
    c.to -= s;
    c.insert = c.insert.slice(p, c.insert.length - s);
  }
  return out.filter((c) => c.from !== c.to || c.insert);
}

/** Applies change specs ({from, to, insert} over `text`, sorted, apart) to `text`. */
export function applyChanges(text, changes) {
  let out = '';
  let at = 0;
  for (const c of changes) {
    out += text.slice(at, c.from) + c.insert;
    at = c.to;
  }
  return out + text.slice(at);
}

/**
 * A unified diff of `a` and `b` as data, for the page to show: hunks with `context` lines
 * around each change, [{oldStart, oldLines, newStart, newLines, lines: [{kind: ' ' | '-' |
 * '+', old, new, text, noNewline}]}] (line numbers 1-based; `old`/`new` null where the
 * line is not in that side; `noNewline` on a last line without a line break).
 */
export function unifiedDiff(a, b, context = 3) {
  const lines = [];
  let o = 1;
  let n = 1;
  for (const part of diffLines(a, b)) {
    const kind = part.added ? '+' : part.removed ? '-' : ' ';
    const texts = part.value.split('\n');
    const last = texts.pop(); // '' after a final line break, else a last line without one
    if (last !== '') texts.push(last);
    texts.forEach((text, i) => {
      const noNewline = last !== '' && i === texts.length - 1;
      lines.push({ kind, old: kind === '+' ? null : o, new: kind === '-' ? null : n, text, noNewline });
      if (kind !== '+') o += 1;
      if (kind !== '-') n += 1;
    });
  }
  const hunks = [];
  let h = null;
  let lastChange = -Infinity;
  lines.forEach((l, i) => {
    if (l.kind === ' ') return;
    if (h && i - lastChange <= 2 * context + 1) {
      h.to = i;
    } else {
      if (h) hunks.push(h);
      h = { from: Math.max(0, i - context), to: i };
    }
    lastChange = i;
  });
  if (h) hunks.push(h);
  return hunks.map(({ from, to }) => {
    const ls = lines.slice(from, Math.min(lines.length, to + context + 1));
    const olds = ls.filter((l) => l.old !== null);
    const news = ls.filter((l) => l.new !== null);
    return {
      oldStart: olds.length ? olds[0].old : 0, // (0: an empty side, as diff -u)
      oldLines: olds.length,
      newStart: news.length ? news[0].new : 0,
      newLines: news.length,
      lines: ls,
    };
  });
}

/** The hunk's header, as in `diff -u`: `@@ -16,7 +16,12 @@`. */
export function hunkHeader(h) {
  const range = (start, count) => (count === 1 ? `${start}` : `${start},${count}`);
  return `@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`;
}
