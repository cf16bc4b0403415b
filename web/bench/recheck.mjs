// make bench-web: how long a re-check of a 2,000-line manifest takes in the page.
//
// The page (web/dist) is served on 127.0.0.1 and opened in headless Chromium with a
// 2,000-line manifest (the examples/ manifests, over and over, as one multi-document
// stream) in its #yaml= link. Then, in the page, an edit is made and the page's own
// re-check runs (window.kubeSecctx.recheck(): the WebAssembly check, the diagnostics,
// the editor update, the findings panel, and the layout they cause), timed with
// performance.now(). Three kinds of edit:
//   typing       a character typed into a value (the findings stay the same)
//   new line     a line inserted near the top (every finding moves down a line)
//   findings     `privileged: true` <-> `false` (findings appear and go: the panel is rebuilt)
// The debounce (the pause the page waits for while you type) is not counted.
//
// Fixes are not part of a re-check (they cost more than a check: each is verified by
// checking the fixed text again). What they cost when something asks for them is timed
// too: the fixes of the whole text (check(text, {fixes: true}), what a hover or an opened
// entry computes once per text), and what "Fix all" computes before its dialog
// (applyFixes and the diff), safe fixes only and with the unsafe ones.
//
//   node bench/recheck.mjs [--runs N]       (default 60 runs per kind, after 10 warm-up runs)
import { availableParallelism, loadavg } from 'node:os';

import { openPage, startBrowser } from '../test/browser.mjs';
import { LINES, manifest2000 } from './manifest.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 60;
const WARMUP = 10;

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), min: s[0], max: s.at(-1), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

const fmt = (x) => x.toFixed(2);

async function main() {
  const text = manifest2000();
  const env = await startBrowser();
  try {
    const { page, problems } = await openPage(env, { hash: `yaml=${Buffer.from(text).toString('base64url')}` });
    const info = await page.evaluate(() => {
      const k = window.kubeSecctx;
      return {
        lines: k.view.state.doc.lines,
        findings: k.report.findings.length,
        resources: k.report.summary.resources,
        documents: k.report.summary.documents,
        entries: document.querySelectorAll('#findings [data-rule]').length,
      };
    });
    // A text file ends with a newline: 2,000 lines and the empty one after the last.
    if (info.lines !== LINES + 1) throw new Error(`the editor has ${info.lines} lines, not ${LINES}`);
    if (info.entries !== info.findings) throw new Error(`the panel shows ${info.entries} of ${info.findings} findings`);

    const results = await page.evaluate(({ runs, warmup }) => {
      const k = window.kubeSecctx;
      const view = k.view;
      const doc = () => view.state.doc.toString();
      // typing: in the first image value; new line: after the first line; findings:
      // the first `privileged: true`.
      const imageAt = doc().indexOf('image: nginx:') + 'image: nginx:'.length;
      const privAt = doc().indexOf('privileged: true') + 'privileged: '.length;
      const kinds = {
        typing: (i) => (i % 2 === 0
          ? { from: imageAt, insert: 'x' }
          : { from: imageAt, to: imageAt + 1 }),
        'new line': (i) => (i % 2 === 0
          ? { from: doc().indexOf('\n') + 1, insert: '# a new line\n' }
          : { from: doc().indexOf('\n') + 1, to: doc().indexOf('\n') + 1 + '# a new line\n'.length }),
        findings: (i) => (i % 2 === 0
          ? { from: privAt, to: privAt + 4, insert: 'false' }
          : { from: privAt, to: privAt + 5, insert: 'true' }),
      };
      const out = {};
      for (const [name, edit] of Object.entries(kinds)) {
        const r = { total: [], check: [], editor: [], panel: [] };
        for (let i = 0; i < warmup + runs; i += 1) {
          view.dispatch({ changes: edit(i) });
          const t = k.recheck();
          if (i >= warmup) for (const key of Object.keys(r)) r[key].push(t[key]);
        }
        out[name] = r;
      }
      // The WebAssembly call alone, on the same text.
      const text = doc();
      const bare = [];
      for (let i = 0; i < warmup + runs; i += 1) {
        const a = performance.now();
        k.check(text);
        if (i >= warmup) bare.push(performance.now() - a);
      }
      out.bare = bare;
      // Fixes, on demand: after an edit (so they are not known yet), as the page computes them.
      const fixes = [];
      const plans = { safe: { fix: [], diff: [] }, unsafe: { fix: [], diff: [] } };
      for (let i = 0; i < warmup + runs; i += 1) {
        view.dispatch({ changes: kinds.typing(i) });
        const f = k.fixes();
        if (i >= warmup) fixes.push(f.ms);
        if (i === warmup) out.fixable = f.findings.filter((x) => x.fixes.length).length;
        for (const kind of ['safe', 'unsafe']) {
          const p = k.planFixAll(kind === 'unsafe');
          if (i >= warmup) { plans[kind].fix.push(p.ms.fix); plans[kind].diff.push(p.ms.diff); }
          if (i === warmup) out[`${kind}Applied`] = p.applied.length;
        }
      }
      k.recheck();
      out.fixes = fixes;
      out.plans = plans;
      return out;
    }, { runs: RUNS, warmup: WARMUP });
    if (problems.length) throw new Error(problems.join('\n'));

    const bytes = Buffer.byteLength(text);
    console.log(`bench-web: a ${LINES.toLocaleString('en')}-line manifest (${(bytes / 1024).toFixed(0)} KiB, ` +
      `${info.documents} documents, ${info.resources} resources, ${info.findings} findings) in the page, ` +
      `headless Chromium, ${RUNS} runs per kind after ${WARMUP} warm-up runs:`);
    const load = loadavg()[0].toFixed(1);
    console.log(`bench-web: (${availableParallelism()} cores, load average ${load} when it ended: other work on the machine slows it down)`);
    console.log('bench-web:   re-check, ms            min  median     p95 | medians: check()  editor   panel');
    for (const name of ['typing', 'new line', 'findings']) {
      const r = results[name];
      const t = stats(r.total);
      const m = (key) => fmt(stats(r[key]).median).padStart(7);
      console.log(`bench-web:   ${`after ${name}`.padEnd(18)} ${fmt(t.min).padStart(7)} ${fmt(t.median).padStart(7)} ${fmt(t.p95).padStart(7)} |         ${m('check')} ${m('editor')} ${m('panel')}`);
    }
    const b = stats(results.bare);
    console.log(`bench-web:   check() alone on the whole text: median ${fmt(b.median)} ms, p95 ${fmt(b.p95)} ms`);
    const fx = stats(results.fixes);
    console.log(`bench-web:   fixes, on demand (a hover or an entry opened after an edit; ${results.fixable} findings with a fix): ` +
      `median ${fmt(fx.median)} ms, p95 ${fmt(fx.p95)} ms = ${(fx.median / b.median).toFixed(1)}× check(): not in the re-check`);
    for (const kind of ['safe', 'unsafe']) {
      const p = results.plans[kind];
      const f = stats(p.fix);
      const d = stats(p.diff);
      console.log(`bench-web:   Fix all${kind === 'unsafe' ? ', including unsafe' : ''} before its dialog (${results[`${kind}Applied`]} fixes): ` +
        `applyFixes median ${fmt(f.median)} ms, the diff ${fmt(d.median)} ms`);
    }
    const worst = Math.max(...['typing', 'new line', 'findings'].map((n) => stats(results[n].total).median));
    console.log(`bench-web: re-check of a 2,000-line manifest: ${fmt(stats(results.typing.total).median)} ms median while typing, ` +
      `${fmt(worst)} ms median at worst (one frame: 16.7 ms)`);
    await page.close();
  } finally {
    await env.close();
  }
}

await main();
