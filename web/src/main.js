// The kube-secctx web checker: CodeMirror 6 + the kube-secctx npm package (WebAssembly).
//
// Everything happens in this page: the manifest is checked by the WebAssembly module,
// files are read with the File API, share links live in the URL fragment (which browsers
// never send to a server). After the page has loaded it makes no request at all.
import { EditorSelection, EditorState } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, rectangularSelection, crosshairCursor,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import {
  HighlightStyle, bracketMatching, foldGutter, foldKeymap, indentOnInput, indentUnit,
  syntaxHighlighting,
} from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { forEachDiagnostic, lintGutter, lintKeymap, previousDiagnostic, setDiagnostics } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { tags as t } from '@lezer/highlight';
import { init, check, rules, version } from 'kube-secctx';
import EXAMPLES from 'virtual:examples';

import { decodeShare, encodeShare } from './share.js';
import { docSections, inlineMarkdown, paragraphs } from './markdown.js';

/** How long typing must pause before a re-check. */
const DEBOUNCE_MS = 150;
const LEVELS = { '': 'All rules', restricted: 'PSS restricted', baseline: 'PSS baseline' };

const $ = (id) => document.getElementById(id);
const ui = {
  body: document.body,
  level: $('level'),
  pss: $('pss'),
  example: $('example'),
  open: $('open'),
  file: $('file'),
  share: $('share'),
  editor: $('editor'),
  filename: $('filename'),
  summary: $('summary'),
  total: $('total'),
  findings: $('findings'),
  status: $('status'),
  dropzone: $('dropzone'),
  toast: $('toast'),
};

const app = {
  ready: false,
  latest: '', // the newest PSS version the engine knows (from a check's options)
  rulesById: new Map(),
  fileName: '',
  report: null,
  checks: 0,
  timer: 0,
  times: null, // the last re-check's times
  entries: [], // the panel's entries, in its order
  itemOf: new WeakMap(), // the panel's buttons -> their entries
  active: null, // the stable key of the entry whose details are open in the panel
};

// --- the editor ------------------------------------------------------------------------
const highlight = HighlightStyle.define([
  { tag: t.comment, color: 'var(--tok-comment)', fontStyle: 'italic' },
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--tok-key)' },
  { tag: [t.string, t.special(t.string), t.content], color: 'var(--tok-string)' },
  { tag: [t.number, t.bool, t.null, t.atom, t.keyword], color: 'var(--tok-atom)' },
  { tag: [t.meta, t.documentMeta, t.processingInstruction], color: 'var(--tok-meta)' },
  { tag: [t.labelName, t.typeName, t.tagName, t.annotation], color: 'var(--tok-anchor)' },
  { tag: [t.punctuation, t.separator, t.squareBracket, t.brace], color: 'var(--tok-punct)' },
  { tag: t.invalid, color: 'var(--sev-error)' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', backgroundColor: 'var(--editor-bg)', color: 'var(--fg)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', fontSize: '13.5px', lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--accent)', padding: '6px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--accent)', borderLeftWidth: '2px' },
  '&.cm-focused': { outline: 'none' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
    { backgroundColor: 'var(--selection)' },
  '.cm-gutters': {
    backgroundColor: 'var(--gutter-bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)', color: 'var(--fg)' },
  '.cm-lineNumbers .cm-gutterElement': { padding: '0 8px 0 12px' },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--chip-bg)', border: 'none', color: 'var(--muted)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--panel-bg)', color: 'var(--fg)', border: '1px solid var(--border)',
    borderRadius: '8px', boxShadow: 'var(--shadow)', overflow: 'hidden',
  },
  '.cm-tooltip-lint': { maxWidth: 'min(560px, 90vw)', maxHeight: '60vh', overflowY: 'auto', padding: '0' },
  '.cm-diagnostic': { padding: '10px 12px 10px 14px', borderLeftWidth: '4px', marginLeft: '0' },
  '.cm-diagnostic + .cm-diagnostic': { borderTop: '1px solid var(--border)' },
  '.cm-diagnosticSource': { display: 'none' }, // the rule id is in the head already
  '.cm-diagnostic-error': { borderLeftColor: 'var(--sev-error)' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--sev-warning)' },
  '.cm-lintRange-error': { backgroundImage: 'var(--squiggle-error)' },
  '.cm-lintRange-warning': { backgroundImage: 'var(--squiggle-warning)' },
  '.cm-lintRange-active': { backgroundColor: 'var(--lint-active)' },
  '.cm-lintPoint-error:after': { borderBottomColor: 'var(--sev-error)' },
  '.cm-lintPoint-warning:after': { borderBottomColor: 'var(--sev-warning)' },
  '.cm-panels': { backgroundColor: 'var(--panel-bg)', color: 'var(--fg)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--border)' },
  '.cm-searchMatch': { backgroundColor: 'var(--search-match)' },
  '.cm-selectionMatch': { backgroundColor: 'var(--selection-match)' },
  '.cm-matchingBracket, .cm-nonmatchingBracket': { backgroundColor: 'var(--selection-match)' },
});

const view = new EditorView({
  parent: ui.editor,
  state: EditorState.create({
    doc: '',
    extensions: [
      lintGutter(),
      lineNumbers(),
      foldGutter(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      indentUnit.of('  '),
      EditorState.tabSize.of(2),
      bracketMatching(),
      rectangularSelection(),
      crosshairCursor(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      yaml(),
      syntaxHighlighting(highlight),
      theme,
      // Tab is not bound: it moves the focus, as everywhere else on the page
      // (Ctrl-] and Ctrl-[ indent and dedent; Enter keeps the indentation).
      keymap.of([
        ...defaultKeymap, ...historyKeymap, ...searchKeymap, ...foldKeymap, ...lintKeymap,
        { key: 'Shift-F8', run: previousDiagnostic },
      ]),
      EditorView.contentAttributes.of({ 'aria-label': 'Kubernetes manifest (YAML)' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) scheduleCheck();
      }),
      // Files dropped on the editor replace the manifest (handled on the window below)
      // instead of being inserted at the drop position.
      EditorView.domEventHandlers({
        drop: (e) => hasFiles(e),
        dragover: (e) => hasFiles(e),
      }),
    ],
  }),
});

// The lint extensions are set up now, not by the first check.
view.dispatch(setDiagnostics(view.state, []));

function setText(text, fileName) {
  app.fileName = fileName || '';
  ui.filename.textContent = fileName ? `— ${fileName}` : '';
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: text },
    selection: EditorSelection.cursor(0),
    scrollIntoView: true,
  });
  // The doc change scheduled a debounced check: check at once instead (after the layout
  // of the new text, which is not the check's).
  void document.body.offsetHeight;
  runCheck();
}

// --- checking --------------------------------------------------------------------------
function options() {
  const o = {};
  if (ui.level.value) o.level = ui.level.value;
  if (ui.pss.value && ui.pss.value !== 'latest') o.pssVersion = ui.pss.value;
  if (app.fileName) o.fileName = app.fileName;
  return o;
}

function scheduleCheck() {
  clearTimeout(app.timer);
  // A manifest whose check takes long waits for a longer pause, so typing stays smooth.
  const delay = Math.min(1000, Math.max(DEBOUNCE_MS, 4 * (app.times?.total ?? 0)));
  app.timer = setTimeout(runCheck, delay);
}

/**
 * Checks the editor's text now and shows the result: squiggles, gutter markers, the
 * findings panel. Returns the times it took (ms): `check` (the WebAssembly call),
 * `editor` (diagnostics and the editor's update), `panel` (the findings panel and the
 * layout the changes cause) and `total`.
 */
function runCheck() {
  clearTimeout(app.timer);
  if (!app.ready) return null;
  const t0 = performance.now();
  const text = view.state.doc.toString();
  let report;
  try {
    report = check(text, options());
  } catch (e) {
    showStatus(`Check failed: ${e.message}`, 'error');
    return null;
  }
  const t1 = performance.now();
  app.report = report;
  const diags = diagnostics(report, view.state.doc);
  // While typing, the diagnostics CodeMirror already shows (mapped through the edit) are
  // usually the new ones: then the editor is left alone.
  if (!sameDiagnostics(view.state, diags)) view.dispatch(setDiagnostics(view.state, diags));
  const t2 = performance.now();
  renderPanel(report, text.length === 0);
  void document.body.offsetHeight; // count the layout the changes cause
  const t3 = performance.now();
  app.checks += 1;
  const times = { check: t1 - t0, editor: t2 - t1, panel: t3 - t2, total: t3 - t0 };
  app.times = times;
  ui.status.dataset.checks = String(app.checks);
  ui.status.dataset.checkMs = times.total.toFixed(3);
  const lvl = report.options.level ? `PSS ${report.options.level}` : 'all rules';
  // (The first check also sets up the editor's lint code: its time says nothing.)
  const took = app.checks === 1 ? 'ready'
    : `checked in ${times.total < 10 ? times.total.toFixed(1) : Math.round(times.total)} ms`;
  showStatus(`kube-secctx ${version} · ${lvl} · PSS ${report.options.pssVersion} · ${took}`);
  return times;
}

/** The report as CodeMirror diagnostics (its positions are UTF-16 offsets, as the report's). */
function diagnostics(report, doc) {
  const len = doc.length;
  const out = [];
  for (const f of report.findings) {
    const from = Math.min(f.range.start.offset, len);
    const to = Math.max(from, Math.min(f.range.end.offset, len));
    out.push({
      from, to,
      severity: f.severity === 'error' ? 'error' : 'warning',
      source: f.rule,
      message: `${f.rule}: ${f.message}`,
      renderMessage: () => findingDetails(f, true),
      // Everything the underline and its tooltip show (for sameDiagnostics).
      key: `${f.severity}|${f.rule}|${f.pss?.level}|${f.pss?.check}|${f.message}|${f.fix}`,
    });
  }
  for (const e of report.errors) {
    const from = Math.min(e.range.start.offset, len);
    let to = Math.max(from, Math.min(e.range.end.offset, len));
    // An error at a point: underline the rest of its line, so it is seen.
    if (to === from) to = doc.lineAt(from).to;
    out.push({
      from, to,
      severity: 'error',
      source: 'error',
      message: e.message,
      renderMessage: () => errorDetails(e),
      key: `error|${e.document}|${e.message}`,
    });
  }
  return out;
}

function sameDiagnostics(state, diags) {
  const sig = (from, to, d) => `${from}:${to}:${d.key}`;
  const cur = [];
  forEachDiagnostic(state, (d, from, to) => { cur.push(sig(from, to, d)); });
  if (cur.length !== diags.length) return false;
  const next = diags.map((d) => sig(d.from, d.to, d));
  cur.sort();
  next.sort();
  return cur.every((x, i) => x === next[i]);
}

// --- what a finding says: the hover tooltip and the panel's details ------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function pssLabel(pss) {
  return pss ? `PSS ${pss.level} · ${pss.check}` : null;
}

function categoryOf(f) {
  if (f.pss) return f.pss.level;
  return app.rulesById.get(f.rule)?.category === 'diagnostic' ? 'diagnostic' : 'hardening';
}

const CATEGORY_LABEL = { baseline: 'PSS baseline', restricted: 'PSS restricted', hardening: 'hardening', diagnostic: 'input' };

function findingDetails(f, withHead) {
  const info = app.rulesById.get(f.rule);
  const doc = info ? docSections(info.docs) : {};
  const box = el('div', { class: `details sev-${f.severity}` });
  if (withHead) {
    box.append(el('div', { class: 'details-head' },
      el('span', { class: `sev sev-${f.severity}` }, f.severity),
      el('code', { class: 'rule' }, f.rule),
      f.pss
        ? el('span', { class: `badge level-${f.pss.level}` }, `PSS ${f.pss.level}`, el('span', { class: 'check' }, f.pss.check))
        : el('span', { class: `badge level-${categoryOf(f)}` }, CATEGORY_LABEL[categoryOf(f)])));
    if (info) box.append(el('div', { class: 'details-title' }, info.title));
    box.append(el('p', { class: 'details-msg' }, f.message));
  }
  const why = doc['Why it matters'];
  if (why) box.append(el('div', { class: 'details-sec' }, el('h4', null, 'Why it matters'), ...paragraphs(why)));
  // The fix: the rule's docs (what `kube-secctx explain` prints), else the finding's hint.
  box.append(el('div', { class: 'details-sec' }, el('h4', null, 'Fix'),
    ...(doc.Fix ? paragraphs(doc.Fix) : [el('p', null, inlineMarkdown(capitalize(f.fix)))])));
  return box;
}

function errorDetails(e) {
  return el('div', { class: 'details sev-error' },
    el('div', { class: 'details-head' },
      el('span', { class: 'sev sev-error' }, 'error'),
      el('code', { class: 'rule' }, 'error'),
      el('span', { class: 'badge level-diagnostic' }, `document ${e.document + 1} not checked`)),
    el('p', { class: 'details-msg' }, e.message),
    el('div', { class: 'details-sec' }, el('h4', null, 'Fix'),
      el('p', null, 'Correct the document at this position; the other documents are still checked.')));
}

function capitalize(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

// --- the findings panel ------------------------------------------------------------------
// Entries are sorted by position and grouped by resource (groups in the order of their
// first entry). Re-checks reuse the DOM: an entry whose resource, rule, severity and
// message are unchanged keeps its element (only its position is updated), so typing in a
// long manifest touches only what changed.
function resourceKey(f) {
  const r = f.resource;
  return `${f.document}\u0000${r.apiVersion}\u0000${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name ?? ''}`;
}

/** Identifies an entry across edits (for the open details): not by offset. */
function stableKey(x) {
  return x.rule ? `${x.rule}|${x.document}|${x.path}` : `error|${x.document}|${x.message}`;
}

/** Makes `parent`'s children exactly `nodes`, moving only what is out of place. */
function reconcile(parent, nodes) {
  let cur = parent.firstChild;
  for (const n of nodes) {
    if (n === cur) {
      cur = cur.nextSibling;
    } else {
      parent.insertBefore(n, cur);
    }
  }
  while (cur) {
    const next = cur.nextSibling;
    cur.remove();
    cur = next;
  }
}

const panel = {
  entries: new Map(), // content key -> [li, ...] of the last render
  groups: new Map(), // group key -> {section, list, count}
  summary: '',
  empty: '',
};

function renderPanel(report, empty) {
  const entries = [];
  for (const f of report.findings) entries.push({ kind: 'finding', f, group: resourceKey(f), at: f.range.start.offset });
  for (const e of report.errors) entries.push({ kind: 'error', f: e, group: `${e.document}\u0000error`, at: e.range.start.offset });
  entries.sort((a, b) => a.at - b.at || (a.f.rule ?? '').localeCompare(b.f.rule ?? ''));
  app.entries = entries;

  renderSummary(report);
  const s = report.summary;

  if (entries.length === 0) {
    const lvl = report.options.level;
    const what = empty
      ? 'Paste a manifest, open a file or pick an example.'
      : s.resources === 0
        ? 'No workload with a pod spec in this manifest.'
        : lvl
          ? `Passes Pod Security Standards ${lvl} (${report.options.pssVersion}).`
          : `Passes Pod Security Standards restricted (${report.options.pssVersion}) and every hardening rule.`;
    const key = `${empty}|${what}`;
    if (panel.empty !== key) {
      panel.empty = key;
      panel.entries.clear();
      panel.groups.clear();
      ui.findings.replaceChildren(el('div', { class: `empty${empty ? '' : ' ok'}` },
        empty ? null : el('div', { class: 'ok-mark', 'aria-hidden': 'true' }, '✓'),
        el('p', { class: 'empty-title' }, empty ? 'Nothing to check yet' : 'No problems found'),
        el('p', { class: 'muted' }, what)));
    }
    return;
  }
  panel.empty = '';

  const oldEntries = panel.entries;
  const oldGroups = panel.groups;
  panel.entries = new Map();
  panel.groups = new Map();
  const groups = new Map(); // group key -> {node, items: [li, ...]}, in order
  entries.forEach((x) => {
    const f = x.f;
    const open = app.active === stableKey(f);
    const key = `${x.group}|${f.rule ?? 'error'}|${f.severity ?? 'error'}|${f.pss?.level}|${f.pss?.check}|${f.message}|${open}`;
    const li = oldEntries.get(key)?.shift() ?? entryNode(x, open);
    const btn = li.firstChild;
    const { line, column } = f.range.start;
    app.itemOf.set(btn, x);
    const where = `${line}:${column}`;
    const loc = btn.lastChild;
    if (loc.textContent !== where) {
      btn.setAttribute('data-line', String(line));
      btn.setAttribute('data-column', String(column));
      loc.firstChild ? (loc.firstChild.data = where) : loc.append(where);
    }
    const list = panel.entries.get(key);
    if (list) list.push(li); else panel.entries.set(key, [li]);

    let g = groups.get(x.group);
    if (!g) {
      const node = oldGroups.get(x.group) ?? groupNode(x);
      panel.groups.set(x.group, node);
      groups.set(x.group, (g = { node, items: [] }));
    }
    g.items.push(li);
  });
  const sections = [];
  for (const { node, items } of groups.values()) {
    if (node.count.textContent !== String(items.length)) {
      node.count.textContent = String(items.length);
      node.count.title = `${items.length} finding${items.length === 1 ? '' : 's'}`;
    }
    reconcile(node.list, items);
    sections.push(node.section);
  }
  reconcile(ui.findings, sections);
}

function renderSummary(report) {
  const s = report.summary;
  const bySev = { error: 0, warning: 0 };
  const byCat = { restricted: 0, baseline: 0, hardening: 0, diagnostic: 0 };
  for (const f of report.findings) {
    bySev[f.severity] = (bySev[f.severity] || 0) + 1;
    byCat[categoryOf(f)] += 1;
  }
  const nErr = report.errors.length;
  const key = [s.resources, s.documents, bySev.error, bySev.warning, byCat.baseline, byCat.restricted,
    byCat.hardening + byCat.diagnostic, nErr].join(' ');
  if (panel.summary === key) return;
  panel.summary = key;
  ui.total.textContent = `${s.resources} resource${s.resources === 1 ? '' : 's'} in ${s.documents} document${s.documents === 1 ? '' : 's'}`;
  const chip = (cls, n, label, data) =>
    el('span', { class: `chip ${cls}${n === 0 ? ' zero' : ''}`, dataset: { ...data, count: String(n) } },
      el('b', null, String(n)), ` ${label}`);
  const chips = [
    chip('sev-error', bySev.error, bySev.error === 1 ? 'error' : 'errors', { severity: 'error' }),
    chip('sev-warning', bySev.warning, bySev.warning === 1 ? 'warning' : 'warnings', { severity: 'warning' }),
    el('span', { class: 'sep', 'aria-hidden': 'true' }),
    chip('level-baseline', byCat.baseline, 'PSS baseline', { level: 'baseline' }),
    chip('level-restricted', byCat.restricted, 'PSS restricted', { level: 'restricted' }),
    chip('level-hardening', byCat.hardening + byCat.diagnostic, 'hardening & input', { level: 'none' }),
  ];
  if (nErr) chips.push(chip('invalid', nErr, nErr === 1 ? 'document not checked' : 'documents not checked', { errors: String(nErr) }));
  ui.summary.replaceChildren(...chips);
}

function groupNode(x) {
  const count = el('span', { class: 'count' });
  let head;
  if (x.kind === 'error') {
    head = el('h3', { class: 'group-head' },
      el('span', { class: 'kind' }, `Document ${x.f.document + 1}`),
      el('span', { class: 'name muted' }, 'not checked'),
      count);
  } else {
    const r = x.f.resource;
    head = el('h3', { class: 'group-head' },
      el('span', { class: 'kind' }, r.kind),
      el('span', { class: 'name' }, r.name ?? '(no name)'),
      r.namespace ? el('span', { class: 'ns muted' }, r.namespace) : null,
      count);
  }
  const list = el('ul', { class: 'entries' });
  const section = el('section', { class: 'group', dataset: { document: String(x.f.document) } }, head, list);
  return { section, list, count };
}

function entryNode(item, open) {
  const f = item.f;
  const isError = item.kind === 'error';
  const rule = isError ? 'error' : f.rule;
  const sev = isError ? 'error' : f.severity;
  const btn = el('button', {
    type: 'button',
    class: `finding sev-${sev}`,
    'aria-expanded': open ? 'true' : 'false',
    dataset: { rule, line: '', column: '', severity: sev },
  },
  el('span', { class: `icon sev-${sev}`, 'aria-label': sev }),
  el('span', { class: 'body' },
    el('span', { class: 'line1' },
      el('code', { class: 'rule' }, rule),
      isError ? null : el('span', { class: `badge level-${categoryOf(f)}` },
        f.pss ? `PSS ${f.pss.level}` : CATEGORY_LABEL[categoryOf(f)])),
    el('span', { class: 'msg' }, f.message)),
  el('span', { class: 'loc' }));
  const li = el('li', { class: open ? 'open' : null }, btn);
  if (open) li.append(isError ? errorDetails(f) : findingDetails(f, false));
  return li;
}

ui.findings.addEventListener('click', (e) => {
  const btn = e.target.closest('button.finding');
  if (!btn) return;
  const item = app.itemOf.get(btn);
  if (!item) return;
  const f = item.f;
  const from = Math.min(f.range.start.offset, view.state.doc.length);
  const key = stableKey(f);
  app.active = app.active === key ? null : key;
  // Open this entry's details (why it matters, fix), close the others.
  renderPanel(app.report, view.state.doc.length === 0);
  const index = app.entries.indexOf(item);
  view.dispatch({
    selection: EditorSelection.cursor(from),
    effects: EditorView.scrollIntoView(from, { y: 'center' }),
  });
  // A mouse click moves the focus to the editor; a keyboard user stays in the list.
  if (e.detail > 0) view.focus();
  else [...ui.findings.querySelectorAll('button.finding')].find((b) => app.itemOf.get(b) === app.entries[index])?.focus();
});

// Arrow keys move between entries of the panel.
ui.findings.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const all = [...ui.findings.querySelectorAll('button.finding')];
  const i = all.indexOf(document.activeElement);
  if (i < 0) return;
  const next = all[e.key === 'ArrowDown' ? Math.min(i + 1, all.length - 1) : Math.max(i - 1, 0)];
  next.focus();
  e.preventDefault();
});

// --- status, toasts ------------------------------------------------------------------------
function showStatus(text, kind) {
  ui.status.textContent = text;
  ui.status.classList.toggle('bad', kind === 'error');
}

let toastTimer = 0;
function toast(text) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 3500);
}

// --- controls ------------------------------------------------------------------------------
ui.level.addEventListener('change', () => runCheck());
ui.pss.addEventListener('change', () => runCheck());
ui.example.addEventListener('change', () => {
  const ex = EXAMPLES.find((x) => x.id === ui.example.value);
  if (ex) setText(ex.text, ex.file);
});
ui.open.addEventListener('click', () => ui.file.click());
ui.file.addEventListener('change', async () => {
  const f = ui.file.files?.[0];
  if (f) await openFile(f);
  ui.file.value = '';
});

async function openFile(file) {
  try {
    const text = await file.text();
    ui.example.value = '';
    setText(text, file.name);
    toast(`Opened ${file.name} (${file.size.toLocaleString('en')} bytes) — read in the page, not uploaded`);
  } catch (e) {
    toast(`Could not read ${file.name}: ${e.message}`);
  }
}

// Drop a file anywhere on the page.
function hasFiles(e) {
  return !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
}
let dragDepth = 0;
window.addEventListener('dragenter', (e) => {
  if (!hasFiles(e)) return;
  dragDepth += 1;
  ui.dropzone.hidden = false;
});
window.addEventListener('dragleave', (e) => {
  if (!hasFiles(e)) return;
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) ui.dropzone.hidden = true;
});
window.addEventListener('dragover', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'copy';
});
window.addEventListener('drop', (e) => {
  dragDepth = 0;
  ui.dropzone.hidden = true;
  if (!hasFiles(e)) return;
  e.preventDefault();
  const f = e.dataTransfer.files[0];
  if (f) openFile(f);
});

// Share links: #yaml=<base64url of the UTF-8 text, no padding>&level=…&pss=v1.N
function shareLink() {
  const base = location.href.split('#')[0];
  return `${base}#${encodeShare(view.state.doc.toString(), ui.level.value, ui.pss.value)}`;
}

ui.share.addEventListener('click', async () => {
  const url = shareLink();
  window.history.replaceState(null, '', url); // (`history` is CodeMirror's, imported above)
  toast('The share link is in the address bar.');
  // The clipboard may be refused, or wait for a permission: the link is in the address bar anyway.
  const copied = await Promise.race([
    navigator.clipboard?.writeText(url).then(() => true, () => false) ?? false,
    new Promise((done) => { setTimeout(() => done(false), 3000); }),
  ]);
  if (copied) {
    toast(`Link copied (${url.length.toLocaleString('en')} characters). The manifest travels in the part after #, which browsers never send to a server.`);
  }
});

function restoreFromHash() {
  const hash = location.hash.replace(/^#/, '');
  if (!hash) return false;
  const s = decodeShare(hash);
  if (s.error) {
    toast(`This link could not be read: ${s.error}`);
    return false;
  }
  if (s.yaml === undefined) return false;
  ui.level.value = s.level && LEVELS[s.level] ? s.level : '';
  ui.pss.value = s.pss && [...ui.pss.options].some((o) => o.value === s.pss) ? s.pss : 'latest';
  ui.example.value = '';
  setText(s.yaml, '');
  return true;
}
window.addEventListener('hashchange', () => { if (app.ready) restoreFromHash(); });

// The skip link: to the first finding (or the panel's heading), without touching the URL.
document.querySelector('a.skip').addEventListener('click', (e) => {
  e.preventDefault();
  (ui.findings.querySelector('button.finding') ?? document.getElementById('findings-title')).focus();
});

// --- start -----------------------------------------------------------------------------------
for (const ex of EXAMPLES) ui.example.append(el('option', { value: ex.id }, ex.title));

async function start() {
  // The engine, fetched from the page's own origin (CSP: 'self' + 'wasm-unsafe-eval').
  await init(new URL('kube_secctx_bg.wasm', import.meta.url));
  for (const r of rules()) app.rulesById.set(r.id, r);
  app.latest = check('').options.pssVersion;
  // Warm up: the first checks compile the engine's code; do it now, not in the first re-check.
  check(EXAMPLES.map((x) => x.text).join('\n---\n'));
  const n = Number(/^v1\.(\d+)$/.exec(app.latest)?.[1] ?? 0);
  ui.pss.replaceChildren(el('option', { value: 'latest' }, `latest (${app.latest})`));
  for (let i = n; i >= 0; i -= 1) ui.pss.append(el('option', { value: `v1.${i}` }, `v1.${i}`));
  app.ready = true;
  if (!restoreFromHash()) {
    const first = EXAMPLES[0];
    ui.example.value = first.id;
    setText(first.text, first.file);
  }
  ui.body.dataset.state = 'ready';
}

start().catch((e) => {
  ui.body.dataset.state = 'failed';
  showStatus(`The checker could not start: ${e.message}`, 'error');
});

// For the browser's console, and the benchmark: the package's API and a synchronous re-check.
window.kubeSecctx = Object.freeze({
  version,
  check,
  rules,
  view,
  recheck: runCheck,
  get report() { return app.report; },
  /** The times of the last re-check, ms: check, editor, panel, total. */
  get times() { return app.times; },
});
