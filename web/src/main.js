// The kube-secctx web checker: CodeMirror 6 + the kube-secctx npm package (WebAssembly).
//
// Everything happens in this page: the manifest is checked by the WebAssembly module,
// files are read with the File API, share links live in the URL fragment (which browsers
// never send to a server). After the page has loaded it makes no request at all.
import { ChangeSet, EditorSelection, EditorState, Transaction } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, rectangularSelection, crosshairCursor, repositionTooltips, tooltips,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, isolateHistory, redo, undo } from '@codemirror/commands';
import {
  HighlightStyle, bracketMatching, foldGutter, foldKeymap, indentOnInput, indentUnit,
  syntaxHighlighting,
} from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { forEachDiagnostic, lintGutter, linter, lintKeymap, previousDiagnostic, setDiagnostics } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { tags as t } from '@lezer/highlight';
import { init, applyFixes, check, rules, version } from 'kube-secctx';
import EXAMPLES from 'virtual:examples';

import { decodeShare, encodeShare } from './share.js';
import { docSections, inlineMarkdown, paragraphs } from './markdown.js';
import { fixLabel, hunkHeader, textChanges, unifiedDiff } from './fixes.js';

/** How long typing must pause before a re-check. */
const DEBOUNCE_MS = 150;
const LEVELS = { '': 'All rules', restricted: 'PSS restricted', baseline: 'PSS baseline' };
/** The single-column layout of narrow screens (phones): the same breakpoint as style.css. */
const STACKED = matchMedia('(max-width: 900px)');

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
  pane: document.querySelector('.findings-pane'),
  fixAll: $('fix-all'),
  fixAllUnsafe: $('fix-all-unsafe'),
  dialog: $('fix-dialog'),
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
  // At most as wide as the editor (--editor-w, kept up to date below); as high as the room
  // above or below the finding inside the editor (tooltipSpace), scrolling beyond that.
  // (A hover tooltip is a box of sections, the list of findings one of them: CodeMirror
  // sets the box's height, and the list scrolls inside it.)
  '.cm-tooltip-hover': { display: 'flex', flexDirection: 'column' },
  '.cm-tooltip-lint': {
    width: 'max-content', maxWidth: 'min(560px, calc(var(--editor-w, 90vw) - 16px))', minHeight: '0', flex: '0 1 auto',
    overflowY: 'auto', padding: '0',
  },
  '.cm-diagnostic': { padding: '0', borderLeftWidth: '4px', marginLeft: '0' },
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
      // Where several findings share a spot, the hover shows one line each (see tipFilter).
      lintGutter({ tooltipFilter: tipFilter }),
      linter(null, { tooltipFilter: tipFilter }),
      // Tooltips stay inside the editor: never over the toolbar or the findings panel.
      tooltips({ tooltipSpace: editorSpace }),
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

/** The room tooltips may use: the editor's visible part (on a phone, the part on screen). */
function editorSpace(v) {
  const r = v.scrollDOM.getBoundingClientRect();
  const height = v.dom.ownerDocument.documentElement.clientHeight;
  return { top: Math.max(r.top, 0), bottom: Math.min(r.bottom, height), left: r.left, right: r.right };
}
// The editor's width, for the tooltips' max-width.
new ResizeObserver(([e]) => {
  ui.editor.style.setProperty('--editor-w', `${Math.round(e.contentRect.width)}px`);
}).observe(ui.editor);

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
  clearTimeout(fixState.timer); // (no fix is computed while you type)
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
  ui.fixAll.disabled = report.findings.length === 0;
  ui.fixAllUnsafe.disabled = report.findings.length === 0;
  // Open details and hover cards show the fixes of the text they were made for: bring
  // them up to date once typing pauses (not in the re-check: fixes cost more than a check).
  scheduleActions();
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
      renderMessage: () => tipCard(f),
      renderRow: () => tipRow(f),
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
      renderMessage: () => tipCard(e),
      renderRow: () => tipRow(e),
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

/** The level badge of a finding: `PSS restricted · runAsNonRoot`, `hardening`, `input`. */
function levelBadge(f) {
  return f.pss
    ? el('span', { class: `badge level-${f.pss.level}` }, `PSS ${f.pss.level}`, el('span', { class: 'check' }, f.pss.check))
    : el('span', { class: `badge level-${categoryOf(f)}` }, CATEGORY_LABEL[categoryOf(f)]);
}

/**
 * The room for a finding's actions, in the hover's lines and cards and in the panel's
 * details: its Fix button, or why it has no automatic fix (see fillActions). `mode`:
 * 'line' (a line of the hover's list), 'row' (the card a line opens), 'full' (a hover
 * card), 'panel' (the panel's details). Empty (and not shown) for an error entry.
 */
function actionsSlot(x, mode) {
  const node = el('div', { class: 'actions', dataset: { actionsFor: stableKey(x) } });
  if (x.rule) {
    fixState.slots.set(node, { f: x, mode });
    // The hover computes the fixes when it opens (it is not typing); the panel's details,
    // made again by a re-check, wait until typing pauses unless they are known already.
    if (mode !== 'panel' || fixesKnown()) fillActions(node);
    else scheduleActions();
  }
  return node;
}

/**
 * What a finding says, as a card. `mode`: 'full' (the hover card of a finding alone at its
 * spot: severity, rule, level, title, message, why it matters, fix), 'row' (opened from a
 * line of the hover's list, which shows the severity, rule and title already) or 'panel'
 * (under the panel's entry, which shows the rest already).
 */
function findingDetails(f, mode) {
  const info = app.rulesById.get(f.rule);
  const doc = info ? docSections(info.docs) : {};
  const box = el('div', { class: `details sev-${f.severity}` });
  if (mode === 'full') {
    box.append(el('div', { class: 'details-head' },
      el('span', { class: `sev sev-${f.severity}` }, f.severity),
      el('code', { class: 'rule' }, f.rule),
      levelBadge(f)));
    if (info) box.append(el('div', { class: 'details-title' }, info.title));
  } else if (mode === 'row') {
    box.append(el('div', { class: 'details-head' }, levelBadge(f)));
  }
  if (mode !== 'panel') box.append(el('p', { class: 'details-msg' }, f.message));
  // Labelled sections, not headings: the cards are not part of the page's outline (a
  // card in the editor would otherwise put an h4 under the editor's h2).
  const secs = el('dl', { class: 'details-secs' });
  const why = doc['Why it matters'];
  if (why) secs.append(el('div', { class: 'details-sec' }, el('dt', null, 'Why it matters'), el('dd', null, ...paragraphs(why))));
  // The fix: the rule's docs (what `kube-secctx explain` prints), else the finding's hint.
  secs.append(el('div', { class: 'details-sec' }, el('dt', null, 'Fix'),
    el('dd', null, ...(doc.Fix ? paragraphs(doc.Fix) : [el('p', null, inlineMarkdown(capitalize(f.fix)))]))));
  box.append(secs, actionsSlot(f, mode));
  return box;
}

/** The same for a document that could not be checked. */
function errorDetails(e, mode) {
  const box = el('div', { class: 'details sev-error' });
  if (mode === 'full') {
    box.append(el('div', { class: 'details-head' },
      el('span', { class: 'sev sev-error' }, 'error'),
      el('code', { class: 'rule' }, 'error'),
      el('span', { class: 'badge level-diagnostic' }, `document ${e.document + 1} not checked`)));
  } else if (mode === 'row') {
    box.append(el('div', { class: 'details-head' },
      el('span', { class: 'badge level-diagnostic' }, `document ${e.document + 1} not checked`)));
  }
  if (mode !== 'panel') box.append(el('p', { class: 'details-msg' }, e.message));
  box.append(el('dl', { class: 'details-secs' }, el('div', { class: 'details-sec' }, el('dt', null, 'Fix'),
    el('dd', null, el('p', null, 'Correct the document at this position; the other documents are still checked.')))));
  return box;
}

function details(x, mode) {
  return x.rule ? findingDetails(x, mode) : errorDetails(x, mode);
}

// --- the hover: one card, or one line per finding ------------------------------------------
// A spot with one finding shows its card. A spot with several (a container without a
// securityContext has six) shows one line each: severity, rule ID, the rule's title; a
// line opens to its card. The lint extension renders each diagnostic with renderMessage:
// tipFilter swaps in the line when the spot has more than one.
function tipFilter(diags) {
  return diags.length > 1 ? diags.map((d) => (d.renderRow ? { ...d, renderMessage: d.renderRow } : d)) : diags;
}

/**
 * The tooltip's list scrolls when it is taller than the room it has: it gets a name and
 * a place in the Tab order (a scrolling region must be reachable from the keyboard).
 * Called on a node of the tooltip being built (the list exists once renderMessage returns).
 */
function labelTooltip(node) {
  queueMicrotask(() => {
    const list = node.closest('.cm-tooltip-lint');
    if (!list || list.hasAttribute('tabindex')) return;
    list.setAttribute('tabindex', '0');
    list.setAttribute('aria-label', 'Findings here');
  });
}

function tipCard(x) {
  const card = details(x, 'full');
  card.classList.add('tip-card');
  labelTooltip(card);
  return card;
}

/** Scrolls the tooltip's list (only it) to show `node`, its top first. */
function keepInList(node) {
  const list = node.closest('.cm-tooltip-lint');
  if (!list) return;
  const n = node.getBoundingClientRect();
  const l = list.getBoundingClientRect();
  if (n.bottom > l.bottom) list.scrollTop += Math.min(n.bottom - l.bottom, n.top - l.top);
  else if (n.top < l.top) list.scrollTop -= l.top - n.top;
}

let tipIds = 0;
function tipRow(x) {
  const sev = x.rule ? x.severity : 'error';
  const rule = x.rule ?? 'error';
  const short = (x.rule && app.rulesById.get(x.rule)?.title) || x.message;
  const id = `tip-${(tipIds += 1)}`;
  const body = el('div', { class: 'tip-body', id, hidden: true });
  const toggle = el('button', {
    type: 'button', class: 'tip-toggle', 'aria-expanded': 'false', 'aria-controls': id,
    dataset: { rule, severity: sev },
  },
  el('span', { class: 'chevron', 'aria-hidden': 'true' }),
  el('span', { class: `sev sev-${sev}` }, sev),
  el('code', { class: 'rule' }, rule),
  el('span', { class: 'tip-short' }, short));
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    if (open && !body.firstChild) body.append(details(x, 'row'));
    toggle.setAttribute('aria-expanded', String(open));
    body.hidden = !open;
    repositionTooltips(view);
    // Once the tooltip has its new size: the opened card in sight within the list.
    if (open) view.requestMeasure({ read() {}, write() { keepInList(item) } });
  });
  const item = el('div', { class: 'tip-item', dataset: { rule } }, el('div', { class: 'tip-row' }, toggle, actionsSlot(x, 'line')), body);
  labelTooltip(item);
  return item;
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
          ? `Passes Pod Security Standards ${lvl} (${report.options.pssVersion}), with no input diagnostic.`
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
  el('span', { class: `icon sev-${sev}`, role: 'img', 'aria-label': sev }),
  el('span', { class: 'body' },
    el('span', { class: 'line1' },
      el('code', { class: 'rule' }, rule),
      isError ? null : el('span', { class: `badge level-${categoryOf(f)}` },
        f.pss ? `PSS ${f.pss.level}` : CATEGORY_LABEL[categoryOf(f)])),
    el('span', { class: 'msg' }, f.message)),
  el('span', { class: 'loc' }));
  const li = el('li', { class: open ? 'open' : null }, btn);
  if (open) li.append(details(f, 'panel'));
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
  // The fixes of the text, for the details' Fix button (computed once per text).
  if (app.active) currentFixes();
  // Open this entry's details (why it matters, fix), close the others.
  renderPanel(app.report, view.state.doc.length === 0);
  // (The render made new entries: find this one's button by its key.)
  const entry = [...ui.findings.querySelectorAll('button.finding')].find((b) => stableKey(app.itemOf.get(b).f) === key);
  if (STACKED.matches) {
    // One column (a phone): the editor is above the panel, in a page that scrolls. Scroll
    // only the editor's own scroller to the finding (CodeMirror's scrollIntoView would
    // scroll the page up to the editor, taking the details just opened off screen).
    view.dispatch({ selection: EditorSelection.cursor(from) });
    centerInEditor(from);
  } else {
    view.dispatch({
      selection: EditorSelection.cursor(from),
      effects: EditorView.scrollIntoView(from, { y: 'center' }),
    });
  }
  // The entry and its details in sight (in the panel, and on a phone in the page).
  if (entry) reveal(entry.closest('li'));
  // A mouse click moves the focus to the editor; a keyboard user stays in the list, and so
  // does a finger (focusing the editor would open the on-screen keyboard).
  const touch = e.pointerType === 'touch' || e.pointerType === 'pen';
  if (e.detail > 0 && !touch) view.focus();
  else entry?.focus({ preventScroll: true });
});

/** Scrolls the editor's own scroller (not the page) to put `pos` in its middle. */
function centerInEditor(pos) {
  const scroller = view.scrollDOM;
  const block = view.lineBlockAt(pos);
  const top = scroller.getBoundingClientRect().top;
  const y = view.documentTop + block.top - top + scroller.scrollTop;
  scroller.scrollTop = Math.max(0, y - (scroller.clientHeight - block.height) / 2);
}

/** Scrolls the panel, and the page when it scrolls, to show all of `node` (its top when it is too tall). */
function reveal(node) {
  const room = Math.min(ui.findings.clientHeight, document.documentElement.clientHeight);
  node.scrollIntoView({ block: node.getBoundingClientRect().height > room ? 'start' : 'nearest', behavior: 'instant' });
}

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


// --- fixes: the Fix buttons, "Fix all" ---------------------------------------------------
// A plain check does not compute fixes (they cost about twice a check: each is verified by
// checking the fixed text again). They are computed for the text when something shows
// them, once per text and options: a hover, an entry's details, a Fix or Fix all.
const fixState = {
  doc: null, // the editor's text (CodeMirror's immutable Text) the fixes are for
  opts: '',
  byKey: new Map(), // stableKey -> [finding with fixes / noFix, ...]
  ms: 0, // how long computing them took
  slots: new WeakMap(), // an actions slot -> {f, mode}
  filled: new WeakMap(), // an actions slot -> the Text it was filled for
  timer: 0,
  plan: null, // what the Fix all dialog shows: {doc, before, after, unsafe, result, opener}
};

function fixesKnown() {
  return fixState.doc === view.state.doc && fixState.opts === JSON.stringify(options());
}

/** The findings of the editor's text with their fixes (`check(text, {fixes: true})`), by key. */
function currentFixes() {
  if (fixesKnown()) return fixState.byKey;
  const doc = view.state.doc;
  const opts = options();
  const t0 = performance.now();
  const byKey = new Map();
  try {
    for (const f of check(doc.toString(), { ...opts, fixes: true }).findings) {
      const k = stableKey(f);
      const list = byKey.get(k);
      if (list) list.push(f); else byKey.set(k, [f]);
    }
  } catch (e) {
    showStatus(`Computing fixes failed: ${e.message}`, 'error');
  }
  Object.assign(fixState, { doc, opts: JSON.stringify(opts), byKey, ms: performance.now() - t0 });
  return byKey;
}

/** The finding `f` (of the last check) in the editor's text now, with its fixes; or null. */
function withFixes(f) {
  const list = currentFixes().get(stableKey(f));
  if (!list) return null;
  // The same rule at the same path twice (rare): the nearest.
  const at = f.range.start.offset;
  return list.reduce((a, b) => (Math.abs(b.range.start.offset - at) < Math.abs(a.range.start.offset - at) ? b : a));
}

/** Fills an actions slot: the finding's Fix button, or why it has none. */
function fillActions(slot) {
  const info = fixState.slots.get(slot);
  if (!info) return;
  const { f, mode } = info;
  const cur = withFixes(f);
  fixState.filled.set(slot, view.state.doc);
  const fix = cur?.fixes?.[0];
  const nodes = [];
  if (mode === 'line') {
    // One line of the hover's list: a compact button (its card tells the rest).
    if (fix) nodes.push(fixButton(f, fix, true));
  } else if (fix && mode === 'row') {
    const l = fixLabel(fix, f.rule);
    nodes.push(el('p', { class: `fix-note ${fix.applicability}` },
      el('span', { class: 'fix-what' }, `${l.what}.`), ' ', el('span', { class: 'fix-why' }, `${l.why}.`)));
  } else if (fix) {
    nodes.push(fixButton(f, fix, false));
  } else if (cur?.noFix) {
    nodes.push(el('p', { class: 'nofix' }, el('span', { class: 'nofix-head' }, 'No automatic fix:'), ' ', cur.noFix));
  }
  slot.replaceChildren(...nodes);
}

/** A finding's Fix button: what it does, and for an unsafe fix that it is unsafe and why. */
function fixButton(f, fix, compact) {
  const l = fixLabel(fix, f.rule);
  const data = { fixRule: f.rule, applicability: fix.applicability };
  const b = compact
    ? el('button', { type: 'button', class: `fix-btn compact ${fix.applicability}`, 'aria-label': l.long, title: l.long, dataset: data }, l.short)
    : el('button', { type: 'button', class: `fix-btn ${fix.applicability}`, dataset: data },
      el('span', { class: 'fix-what' }, l.what), ' ', el('span', { class: 'fix-why' }, l.why));
  b.addEventListener('click', (e) => applyFix(f, e, b));
  return b;
}

/** Brings the actions shown (open details, a hover) up to date with the text, once typing pauses. */
function scheduleActions() {
  clearTimeout(fixState.timer);
  fixState.timer = setTimeout(refreshActions, Math.min(1000, Math.max(300, 4 * (app.times?.total ?? 0))));
}

function refreshActions() {
  for (const slot of document.querySelectorAll('.actions[data-actions-for]')) {
    if (fixState.slots.has(slot) && fixState.filled.get(slot) !== view.state.doc) fillActions(slot);
  }
}

/** The editor's cursor at `pos`, scrolled into sight (on a phone, in the editor's own scroller). */
function moveTo(pos, spec) {
  view.dispatch({
    ...spec,
    selection: EditorSelection.cursor(pos),
    effects: STACKED.matches ? [] : EditorView.scrollIntoView(pos, { y: 'nearest', yMargin: 40 }),
  });
  if (STACKED.matches) centerInEditor(pos);
}

/**
 * Applies a finding's fix to the editor's text: its edits as one transaction (one step of
 * the editor's history: Ctrl+Z undoes it), then checks at once as after any edit.
 */
function applyFix(f, e, btn) {
  const cur = withFixes(f);
  const fix = cur?.fixes?.[0];
  if (!fix) {
    toast(`${f.rule}: ${cur ? `no automatic fix now (${cur.noFix ?? 'none'})` : 'this finding is gone'}.`);
    refreshActions();
    return;
  }
  const inPanel = ui.findings.contains(btn);
  const entries = [...ui.findings.querySelectorAll('button.finding')];
  const index = inPanel ? entries.indexOf(btn.closest('li')?.firstChild) : -1;
  const changes = ChangeSet.of(fix.edits.map((x) => ({ from: x.range.start.offset, to: x.range.end.offset, insert: x.newText })),
    view.state.doc.length);
  // The cursor at the end of what the fix wrote (the end of its first edit).
  const first = fix.edits[0];
  let pos = changes.mapPos(first.range.end.offset, 1);
  if (first.newText.endsWith('\n')) pos -= 1;
  moveTo(pos, { changes, annotations: [isolateHistory.of('full'), Transaction.userEvent.of('input.fix')] });
  runCheck();
  toast(`Fixed ${f.rule}: ${fix.title}${fix.applicability === 'unsafe' ? ' (an unsafe fix: check it)' : ''}. Ctrl+Z undoes it.`);
  // A mouse click goes on in the editor (Ctrl+Z there undoes); the keyboard stays in the
  // panel, on the entry now in this one's place; a finger does not focus the editor.
  const touch = e.pointerType === 'touch' || e.pointerType === 'pen';
  if (inPanel && (e.detail === 0 || touch)) {
    const now = [...ui.findings.querySelectorAll('button.finding')];
    (now[Math.min(Math.max(index, 0), now.length - 1)] ?? $('findings-title')).focus({ preventScroll: touch });
  } else if (!touch) {
    view.focus();
  }
}

// Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y) in the findings pane undo and redo in the editor, so a
// fix applied from the panel is undone where it was applied.
ui.pane.addEventListener('keydown', (e) => {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
  const k = e.key.toLowerCase();
  const done = k === 'z' ? (e.shiftKey ? redo(view) : undo(view)) : k === 'y' && !e.shiftKey ? redo(view) : null;
  if (done === null) return;
  e.preventDefault();
  if (done) runCheck();
});

// "Fix all" and "Fix all, including unsafe": the diff of the text and applyFixes(text)
// first, in a modal dialog; Apply replaces what changed in one transaction (undoable).
/** What Fix all would do now: {doc, before, after, result, unsafe, ms: {fix, diff}}. */
function planFixAll(unsafe) {
  const doc = view.state.doc;
  const before = doc.toString();
  const t0 = performance.now();
  const result = applyFixes(before, { ...options(), unsafe });
  const t1 = performance.now();
  const hunks = result.text === before ? [] : unifiedDiff(before, result.text);
  const t2 = performance.now();
  return { doc, before, after: result.text, result, hunks, unsafe, ms: { fix: t1 - t0, diff: t2 - t1 } };
}

function openFixAll(unsafe, opener) {
  let plan;
  try {
    plan = planFixAll(unsafe);
  } catch (e) {
    toast(`Fix all failed: ${e.message}`);
    return;
  }
  if (plan.after === plan.before) {
    let n = 0;
    for (const list of currentFixes().values()) n += list.filter((f) => f.fixes?.[0]?.applicability === 'unsafe').length;
    toast(unsafe || n === 0
      ? 'No automatic fix applies to these findings.'
      : `No safe fix applies. ${n} finding${n === 1 ? ' has' : 's have'} an unsafe fix: "Fix all, including unsafe" shows ${n === 1 ? 'it' : 'them'}.`);
    return;
  }
  plan.opener = opener;
  fixState.plan = plan;
  const d = ui.dialog;
  const n = plan.result.applied.length;
  $('fix-dialog-title').textContent = unsafe ? 'Fix all, including unsafe fixes' : 'Fix all: the safe fixes';
  $('fix-dialog-warning').hidden = !unsafe;
  const left = plan.result.remaining;
  $('fix-dialog-desc').textContent = `${n} fix${n === 1 ? '' : 'es'} would change the manifest as below. ` +
    (left.length === 0 ? 'No finding would remain.'
      : `${left.length} finding${left.length === 1 ? ' would remain' : 's would remain'}: ${[...new Set(left.map((f) => f.rule))].join(', ')}.`);
  // One line per rule: what its fixes do (or how many there are), unsafe ones marked.
  const byRule = new Map();
  for (const a of plan.result.applied) {
    const g = byRule.get(a.rule) ?? { titles: new Set(), n: 0, unsafe: false };
    g.titles.add(a.title);
    g.n += 1;
    g.unsafe ||= a.applicability === 'unsafe';
    byRule.set(a.rule, g);
  }
  $('fix-dialog-list').replaceChildren(...[...byRule].map(([rule, g]) => el('li', { dataset: { rule, applicability: g.unsafe ? 'unsafe' : 'safe' } },
    el('code', { class: 'rule' }, rule), ' ',
    g.titles.size === 1 ? [...g.titles][0] : 'several changes', g.n > 1 ? ` (${g.n} findings)` : null,
    g.unsafe ? el('span', { class: 'tag-unsafe' }, 'unsafe') : null)));
  $('fix-dialog-list').scrollTop = 0;
  $('fix-diff').replaceChildren(...diffNodes(plan.hunks));
  $('fix-apply').textContent = `Apply ${n} fix${n === 1 ? '' : 'es'}`;
  d.showModal();
  $('fix-diff').scrollTop = 0;
  $('fix-diff').focus();
}

/** The diff as DOM nodes: each hunk's header, then its lines (old and new line numbers, +/−, text). */
function diffNodes(hunks) {
  const out = [];
  for (const h of hunks) {
    out.push(el('div', { class: 'diff-hunk' }, hunkHeader(h)));
    for (const l of h.lines) {
      const kind = l.kind === '+' ? 'add' : l.kind === '-' ? 'del' : 'ctx';
      out.push(el('div', { class: `diff-line diff-${kind}` },
        el('span', { class: 'diff-ln', 'aria-hidden': 'true' }, l.old ?? ''),
        el('span', { class: 'diff-ln', 'aria-hidden': 'true' }, l.new ?? ''),
        el('span', { class: 'diff-mark' }, l.kind === '-' ? '−' : l.kind),
        el('span', { class: 'diff-text' }, l.text, l.noNewline ? el('span', { class: 'diff-eof' }, ' (no newline at end)') : null)));
    }
  }
  return out;
}

function applyFixAll() {
  const plan = fixState.plan;
  if (!plan) return;
  if (view.state.doc !== plan.doc) {
    ui.dialog.close();
    toast('The manifest changed: use Fix all again.');
    return;
  }
  const changes = textChanges(plan.before, plan.after);
  const pos = changes.length ? ChangeSet.of(changes, plan.before.length).mapPos(changes[0].from, -1) : 0;
  moveTo(pos, { changes, annotations: [isolateHistory.of('full'), Transaction.userEvent.of('input.fix')] });
  if (view.state.doc.toString() !== plan.after) {
    // (Cannot happen: textChanges is exact. Should it, the fixed text is still what counts.)
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: plan.after } });
  }
  ui.dialog.close();
  runCheck();
  const n = plan.result.applied.length;
  const left = app.report.findings.length;
  toast(`Applied ${n} fix${n === 1 ? '' : 'es'}${plan.unsafe ? ' (unsafe ones included: check them)' : ''}; ` +
    `${left} finding${left === 1 ? '' : 's'} left. Ctrl+Z undoes ${n === 1 ? 'it' : 'them'}.`);
}

ui.fixAll.addEventListener('click', () => openFixAll(false, ui.fixAll));
ui.fixAllUnsafe.addEventListener('click', () => openFixAll(true, ui.fixAllUnsafe));
$('fix-apply').addEventListener('click', applyFixAll);
$('fix-cancel').addEventListener('click', () => ui.dialog.close());
// The dialog is modal (the page behind it is inert); Tab and Shift+Tab go round inside it,
// Escape closes it (the browser's own), and the focus goes back to the button that opened it.
ui.dialog.addEventListener('keydown', (e) => {
  if (e.key !== 'Tab') return;
  const focusable = [...ui.dialog.querySelectorAll('button, [tabindex="0"]')].filter((x) => !x.disabled && x.offsetParent !== null);
  if (!focusable.length) return;
  const i = focusable.indexOf(document.activeElement);
  const next = e.shiftKey ? (i <= 0 ? focusable.length - 1 : i - 1) : (i === focusable.length - 1 ? 0 : i + 1);
  focusable[next].focus();
  e.preventDefault();
});
ui.dialog.addEventListener('close', () => {
  const opener = fixState.plan?.opener;
  fixState.plan = null;
  (opener?.isConnected && !opener.disabled ? opener : view.contentDOM).focus();
});
// A click on the backdrop (outside the dialog's box) is a Cancel.
ui.dialog.addEventListener('click', (e) => {
  if (e.target !== ui.dialog) return;
  const r = ui.dialog.getBoundingClientRect();
  if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) ui.dialog.close();
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
  applyFixes,
  /** The fixes of the editor's text now (computed when not known); the time it took, ms. */
  fixes() {
    const byKey = currentFixes();
    return { findings: [...byKey.values()].flat(), ms: fixState.ms };
  },
  /** What Fix all would do now, with its times (ms: fix, diff), without the dialog. */
  planFixAll: (unsafe = false) => {
    const p = planFixAll(unsafe);
    return { text: p.after, applied: p.result.applied, remaining: p.result.remaining, hunks: p.hunks.length, ms: p.ms };
  },
  get report() { return app.report; },
  /** The times of the last re-check, ms: check, editor, panel, total. */
  get times() { return app.times; },
});
