// End-to-end test of the web checker (make test-web): web/dist served on 127.0.0.1, Debian's
// Chromium headless through playwright-core, the page used as a person would.
//
// Screenshots go to target/web-test/ (WEB_TEST_OUT overrides).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { CSP } from '../csp.mjs';
import { ROOT, WEB, checks, openPage, panelEntries, startBrowser, waitForCheckAfter } from './browser.mjs';

const OUT = process.env.WEB_TEST_OUT || join(ROOT, 'target', 'web-test');
mkdirSync(OUT, { recursive: true });

const NGINX = readFileSync(join(ROOT, 'examples', 'nginx-deployment.yaml'), 'utf8');
const DAEMONSET = readFileSync(join(ROOT, 'examples', 'privileged-daemonset.yaml'), 'utf8');
const b64url = (s) => Buffer.from(s, 'utf8').toString('base64url');
// axe-core (web/package.json pins it), served to the page from its own origin in the test.
const AXE = readFileSync(join(WEB, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

// A Pod whose container (line 6, `name`) has six findings at one position, near the top
// of the editor, where a tooltip above the line would reach the toolbar.
const CROWDED = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: crowded}',
  'spec:',
  '  containers:',
  '  - name: app',
  '    image: nginx',
  '',
].join('\n');

// What the nginx Deployment gives in the default profile (README: lines 16 and 18).
const NGINX_FINDINGS = [
  { rule: 'pod-security-context-missing', line: 16, column: 5, severity: 'warning' },
  { rule: 'container-security-context-missing', line: 18, column: 9, severity: 'warning' },
  { rule: 'may-run-as-root', line: 18, column: 9, severity: 'error' },
  { rule: 'missing-seccomp-profile', line: 18, column: 9, severity: 'error' },
  { rule: 'privilege-escalation-allowed', line: 18, column: 9, severity: 'error' },
  { rule: 'unrestricted-capabilities', line: 18, column: 9, severity: 'error' },
  { rule: 'writable-root-filesystem', line: 18, column: 9, severity: 'warning' },
];

/** The squiggles the editor shows: [{line, text, severity}] (line 1-based). */
function squiggles(page) {
  return page.$$eval('.cm-content .cm-lintRange', (els) => els.map((e) => {
    const line = e.closest('.cm-line');
    const lines = [...document.querySelectorAll('.cm-content .cm-line')];
    return {
      line: lines.indexOf(line) + 1,
      text: e.textContent,
      severity: e.className.includes('cm-lintRange-error') ? 'error' : 'warning',
    };
  }));
}

/** The editor's cursor (the start of the selection): {line, column} (1-based, UTF-16 columns). */
function cursor(page) {
  return page.evaluate(() => {
    const { state } = window.kubeSecctx.view;
    const head = state.selection.main.from;
    const line = state.doc.lineAt(head);
    return { line: line.number, column: head - line.from + 1 };
  });
}

function editorText(page) {
  return page.evaluate(() => window.kubeSecctx.view.state.doc.toString());
}

/** Puts the cursor at the end of a 1-based line, with the keyboard. */
async function cursorToLineEnd(page, line) {
  await page.click('.cm-content');
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  assert.equal((await cursor(page)).line, line);
}

/** Waits until `selector`'s box stays the same over three pairs of frames, and returns it. */
async function settledBox(page, selector) {
  return page.evaluate(async (sel) => {
    const frames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    let last = '';
    for (let same = 0; same < 3;) {
      await frames();
      const r = document.querySelector(sel).getBoundingClientRect();
      const box = JSON.stringify({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
      same = box === last ? same + 1 : 0;
      last = box;
    }
    return JSON.parse(last);
  }, selector);
}

function box(page, selector) {
  return page.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  });
}

/** The tooltip: the list of findings, or the hover's box around it. */
const TIP = '.cm-tooltip:has(.cm-tooltip-lint), .cm-tooltip.cm-tooltip-lint';
const intersects = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;

/**
 * A finger's tap on the first line of `selector`, once scrolled to the bottom of the screen
 * (where its details, opening below it, start off screen): Chromium's touch emulation, over CDP.
 */
async function tap(page, cdp, selector) {
  const b = await page.$eval(selector, (e) => {
    e.scrollIntoView({ block: 'end' });
    const r = e.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  });
  const x = b.x + b.width / 2;
  const y = b.y + Math.min(b.height / 2, 10);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** axe-core's violations on the page as it is: [{id, impact, nodes: [target: summary]}]. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => !!window.axe))) {
    // Loaded as one of the page's own files: the page's CSP applies to it as to the app.
    await page.route('**/axe.min.js', (route) => route.fulfill({ contentType: 'text/javascript', body: AXE }));
    await page.addScriptTag({ url: '/axe.min.js' });
    await page.unroute('**/axe.min.js');
  }
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
}

// Every step waits for a condition (a selector, a check count), never for a time; the
// timeout only stops a run that hangs.
describe('the web checker', { timeout: 180_000 }, () => {
  let env;
  before(async () => { env = await startBrowser(); });
  after(async () => { await env?.close(); });

  test('the nginx example from a #yaml= link: findings, squiggles, editing, no request after load', async () => {
    const { page, requests, problems, atReady } = await openPage(env, { hash: `yaml=${b64url(NGINX)}` });

    // Loaded from the page's own origin only, under the CSP of the issue.
    assert.ok(atReady >= 3, `requests while loading: ${requests}`);
    for (const url of requests.slice(0, atReady)) assert.ok(url.startsWith(env.origin + '/'), `request to another origin: ${url}`);
    assert.equal(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content'), CSP);
    assert.equal(await editorText(page), NGINX);
    assert.equal(await page.inputValue('#level'), '');
    assert.equal(await page.inputValue('#pss'), 'latest');

    // The findings panel: every finding, sorted by position, with data-rule/line/column.
    assert.deepEqual(await panelEntries(page), NGINX_FINDINGS);
    assert.equal(await page.locator('#findings .group').count(), 1);
    assert.match(await page.textContent('#findings .group-head'), /Deployment\s*nginx-deployment/);
    const restricted = await page.$$eval('#findings [data-rule] .badge.level-restricted', (b) => b.length);
    assert.equal(restricted, 4, 'the four PSS restricted findings carry their level');
    const count = (sel) => page.getAttribute(`#summary ${sel}`, 'data-count').then(Number);
    assert.equal(await count('[data-severity="error"]'), 4);
    assert.equal(await count('[data-severity="warning"]'), 3);
    assert.equal(await count('[data-level="restricted"]'), 4);
    assert.equal(await count('[data-level="baseline"]'), 0);
    assert.equal(await count('[data-level="none"]'), 3);

    // Squiggles at the exact ranges, and gutter markers on their lines.
    const sq = await squiggles(page);
    assert.deepEqual(sq.filter((s) => s.line === 16), [{ line: 16, text: 'spec', severity: 'warning' }]);
    assert.ok(sq.some((s) => s.line === 18 && s.text === 'name' && s.severity === 'error'), JSON.stringify(sq));
    assert.ok(sq.every((s) => s.line === 16 || s.line === 18), JSON.stringify(sq));
    assert.equal(await page.locator('.cm-gutter-lint .cm-lint-marker-error').count(), 1);
    assert.equal(await page.locator('.cm-gutter-lint .cm-lint-marker-warning').count(), 1);

    // Hover on line 18 (six findings): one line each; opening one shows its rule ID, PSS
    // level and check, message, why it matters, fix.
    await page.hover('.cm-line:nth-child(18) .cm-lintRange');
    const tip = page.locator('.cm-tooltip-lint');
    await tip.waitFor();
    assert.equal(await tip.locator('.tip-toggle').count(), 6);
    await tip.locator('.tip-toggle[data-rule="may-run-as-root"]').click();
    const tipText = await tip.textContent();
    for (const s of ['may-run-as-root', 'PSS restricted', 'runAsNonRoot', 'must set securityContext.runAsNonRoot=true',
      'Why it matters', 'Fix', 'Set runAsNonRoot: true in the pod', 'container-security-context-missing']) {
      assert.ok(tipText.includes(s), `tooltip lacks ${JSON.stringify(s)}: ${tipText}`);
    }
    await page.screenshot({ path: join(OUT, 'tooltip-light.png') });
    await page.mouse.move(5, 5);
    await tip.waitFor({ state: 'detached' });

    // A click on an entry moves the cursor to the finding and opens its details.
    await page.click('#findings [data-rule="pod-security-context-missing"]');
    assert.deepEqual(await cursor(page), { line: 16, column: 5 });
    assert.equal(await page.getAttribute('#findings [data-rule="pod-security-context-missing"]', 'aria-expanded'), 'true');
    assert.match(await page.textContent('#findings li.open .details'), /Why it matters/);
    await page.screenshot({ path: join(OUT, 'checker-light.png') });

    // Baseline: the nginx Deployment passes; findings and squiggles go.
    let n = await checks(page);
    await page.selectOption('#level', 'baseline');
    await waitForCheckAfter(page, n);
    assert.deepEqual(await panelEntries(page), []);
    assert.match(await page.textContent('#findings'), /No problems found/);
    assert.equal(await page.locator('.cm-lintRange').count(), 0);

    // Typing a privileged container: privileged-container appears at its line.
    await cursorToLineEnd(page, 19); // `        image: nginx:1.14.2`
    await page.keyboard.press('Enter');
    await page.keyboard.type('securityContext:');
    await page.keyboard.press('Enter');
    await page.keyboard.type('  privileged: true'); // Enter keeps the indentation: two more
    const typed = (await editorText(page)).split('\n');
    assert.equal(typed[19], '        securityContext:');
    assert.equal(typed[20], '          privileged: true');
    const privColumn = typed[20].indexOf('true') + 1;
    await page.locator('#findings [data-rule="privileged-container"]').waitFor();
    assert.deepEqual(await panelEntries(page), [{ rule: 'privileged-container', line: 21, column: privColumn, severity: 'error' }]);
    assert.deepEqual(await squiggles(page), [{ line: 21, text: 'true', severity: 'error' }]);
    assert.match(await page.textContent('#findings [data-rule="privileged-container"]'), /PSS baseline/);

    // Invalid YAML: the error entry at its line, with a squiggle there; the rest is gone.
    await cursorToLineEnd(page, 19);
    await page.keyboard.type(': x'); // image: nginx:1.14.2: x
    await page.locator('#findings [data-rule="error"]').waitFor();
    const entries = await panelEntries(page);
    assert.deepEqual(entries, [{ rule: 'error', line: 19, column: 28, severity: 'error' }]);
    assert.match(await page.textContent('#findings [data-rule="error"]'), /invalid YAML/);
    assert.deepEqual(await squiggles(page), [{ line: 19, text: ': x', severity: 'error' }]);
    assert.equal(await page.getAttribute('#summary [data-errors]', 'data-count'), '1');

    // And back: undo the ": x" (one history event) and the finding returns.
    n = await checks(page);
    await page.keyboard.press('Control+z');
    await waitForCheckAfter(page, n);
    await page.locator('#findings [data-rule="privileged-container"]').waitFor();

    // Nothing left the page after it had loaded, and nothing went wrong in it.
    assert.deepEqual(requests.slice(atReady), [], 'requests after load');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('share links restore the manifest and the controls; the button writes one', async () => {
    const hash = `yaml=${b64url(DAEMONSET)}&level=baseline&pss=v1.25`;
    await env.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.origin });
    const { page, requests, atReady, problems } = await openPage(env, { hash });
    assert.equal(await editorText(page), DAEMONSET);
    assert.equal(await page.inputValue('#level'), 'baseline');
    assert.equal(await page.inputValue('#pss'), 'v1.25');
    const report = await page.evaluate(() => window.kubeSecctx.report.options);
    assert.deepEqual({ level: report.level, pss: report.pssVersion }, { level: 'baseline', pss: 'v1.25' });
    const rules = (await panelEntries(page)).map((e) => `${e.rule}@${e.line}:${e.column}`);
    assert.ok(rules.includes('privileged-container@51:23'), rules.join(' '));
    assert.ok(rules.some((r) => r.startsWith('host-namespaces@')), rules.join(' '));

    // The PSS versions offered: latest and every v1.N down to v1.0.
    const versions = await page.$$eval('#pss option', (o) => o.map((x) => x.value));
    assert.equal(versions[0], 'latest');
    assert.equal(versions.at(-1), 'v1.0');
    assert.ok(versions.includes('v1.37'));
    assert.equal(versions.length, Number(versions[1].slice(3)) + 2);

    // The button: the link in the address bar (base64url, no padding), same options.
    await page.selectOption('#level', 'restricted');
    await page.selectOption('#pss', 'v1.30');
    await page.click('#share');
    await page.waitForFunction(() => /Link copied/.test(document.getElementById('toast').textContent));
    const url = new URL(page.url());
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url.href);
    const params = url.hash.slice(1).split('&');
    assert.deepEqual(params.slice(1), ['level=restricted', 'pss=v1.30']);
    const enc = params[0].replace(/^yaml=/, '');
    assert.match(enc, /^[A-Za-z0-9_-]+$/);
    assert.equal(Buffer.from(enc, 'base64url').toString('utf8'), DAEMONSET);

    // The default profile and version are left out of the link.
    await page.selectOption('#level', '');
    await page.selectOption('#pss', 'latest');
    await page.click('#share');
    assert.equal(new URL(page.url()).hash, `#yaml=${b64url(DAEMONSET)}`);

    // Another link pasted into the address bar of the open page: restored and checked.
    await page.evaluate((h) => { location.hash = h; }, `yaml=${b64url(NGINX)}&level=restricted`);
    await page.waitForFunction(() => window.kubeSecctx.report.options.level === 'restricted' &&
      window.kubeSecctx.view.state.doc.lines === 22);
    assert.equal(await editorText(page), NGINX);
    assert.deepEqual((await panelEntries(page)).map((e) => e.rule),
      ['may-run-as-root', 'missing-seccomp-profile', 'privilege-escalation-allowed', 'unrestricted-capabilities']);

    // A broken link: a message, the page goes on.
    await page.evaluate(() => { location.hash = 'yaml=%%%'; });
    await page.waitForFunction(() => /could not be read/.test(document.getElementById('toast').textContent));
    assert.equal(await editorText(page), NGINX);
    assert.deepEqual(requests.slice(atReady), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('non-ASCII text: squiggles at UTF-16 positions', async () => {
    const text = [
      '# Überprüfung 🚀🚀 — ünïcödé',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: "🚀-app", annotations: {note: "日本語 🚀"}}',
      'spec:',
      '  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}',
      '  containers:',
      '  - name: "é🚀"',
      '    image: registry.example/🚀:1',
      '    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}, privileged: true} # 🚀',
      '',
    ].join('\n');
    const { page } = await openPage(env, { hash: `yaml=${b64url(text)}` });
    assert.equal(await editorText(page), text);
    const entries = await panelEntries(page);
    assert.deepEqual(entries.map((e) => e.rule), ['privileged-container']);
    assert.equal(entries[0].line, 10);
    assert.equal(entries[0].column, text.split('\n')[9].indexOf('privileged: true') + 'privileged: '.length + 1);
    assert.deepEqual(await squiggles(page), [{ line: 10, text: 'true', severity: 'error' }]);
    await page.close();
  });

  test('examples menu, open a file, drop a file', async () => {
    const { page, requests, atReady, problems } = await openPage(env);
    // Without a link the page opens the first example, the nginx Deployment.
    assert.equal(await editorText(page), NGINX);
    assert.equal(await page.inputValue('#example'), 'nginx-deployment');
    const options = await page.$$eval('#example option', (o) => o.map((x) => x.value));
    for (const id of ['nginx-deployment', 'privileged-daemonset', 'restricted-deployment']) assert.ok(options.includes(id), id);

    await page.selectOption('#example', 'restricted-deployment');
    await page.locator('#findings .empty.ok').waitFor();
    assert.deepEqual(await panelEntries(page), []);
    assert.match(await page.textContent('#findings'), /Passes Pod Security Standards restricted/);

    await page.selectOption('#example', 'privileged-daemonset');
    await page.locator('#findings [data-rule="privileged-container"]').waitFor();
    assert.ok((await panelEntries(page)).some((e) => e.rule === 'privileged-container' && e.line === 51 && e.column === 23));
    assert.match(await page.textContent('#filename'), /privileged-daemonset\.yaml/);

    // Open a file: the file input behind the "Open file…" button.
    const manifest = 'apiVersion: v1\nkind: Pod\nmetadata: {name: opened}\nspec:\n  hostPID: true\n  containers:\n  - {name: a, image: b}\n';
    let n = await checks(page);
    await page.setInputFiles('#file', { name: 'opened.yaml', mimeType: 'text/yaml', buffer: Buffer.from(manifest) });
    await waitForCheckAfter(page, n);
    assert.equal(await editorText(page), manifest);
    assert.match(await page.textContent('#filename'), /opened\.yaml/);
    assert.ok((await panelEntries(page)).some((e) => e.rule === 'host-namespaces' && e.line === 5 && e.column === 12));

    // Drop a file on the editor: it replaces the manifest.
    n = await checks(page);
    const dropped = 'apiVersion: v1\nkind: Pod\nmetadata: {name: dropped}\nspec:\n  containers:\n  - name: a\n    image: b\n    securityContext: {privileged: true}\n';
    const dt = await page.evaluateHandle((text) => {
      const d = new DataTransfer();
      d.items.add(new File([text], 'dropped.yaml', { type: 'text/yaml' }));
      return d;
    }, dropped);
    await page.dispatchEvent('.cm-content', 'dragenter', { dataTransfer: dt });
    assert.equal(await page.isVisible('#dropzone'), true);
    await page.dispatchEvent('.cm-content', 'dragover', { dataTransfer: dt });
    await page.dispatchEvent('.cm-content', 'drop', { dataTransfer: dt });
    await waitForCheckAfter(page, n);
    assert.equal(await editorText(page), dropped);
    assert.equal(await page.isVisible('#dropzone'), false);
    assert.match(await page.textContent('#filename'), /dropped\.yaml/);
    assert.ok((await panelEntries(page)).some((e) => e.rule === 'privileged-container' && e.line === 8));

    assert.deepEqual(requests.slice(atReady), [], 'opening and dropping files makes no request');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('keyboard: labelled controls, Tab order, Enter on a finding moves the cursor', async () => {
    const { page } = await openPage(env, { hash: `yaml=${b64url(NGINX)}` });
    for (const label of ['Profile', 'PSS version', 'Examples']) {
      assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `a control labelled ${label}`);
    }
    assert.equal(await page.getByRole('button', { name: 'Open file…' }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Copy share link' }).count(), 1);
    assert.equal(await page.getByRole('textbox', { name: 'Kubernetes manifest (YAML)' }).count(), 1);

    // Tab walks through the controls into the editor and on to the findings.
    const order = [];
    await page.locator('body').focus();
    for (let i = 0; i < 10; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const a = document.activeElement;
        return a.id || a.dataset.rule || a.className.split(' ')[0] || a.tagName;
      }));
    }
    const want = ['skip', 'level', 'pss', 'example', 'open', 'share', 'cm-content', 'fix-all', 'fix-all-unsafe', 'pod-security-context-missing'];
    assert.deepEqual(order.slice(0, want.length), want, order.join(' '));

    // Profile by keyboard: focus, change, re-check.
    let n = await checks(page);
    await page.focus('#level');
    await page.selectOption('#level', 'baseline');
    await waitForCheckAfter(page, n);
    await page.selectOption('#level', '');

    // Enter on a finding moves the cursor there and opens its details; arrows move on.
    await page.focus('#findings [data-rule="pod-security-context-missing"]');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.rule), 'container-security-context-missing');
    await page.keyboard.press('Enter');
    assert.deepEqual(await cursor(page), { line: 18, column: 9 });
    assert.equal(await page.getAttribute('#findings [data-rule="container-security-context-missing"]', 'aria-expanded'), 'true');

    // F8 / Shift-F8 in the editor: the next / previous finding.
    await page.click('.cm-content');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('F8');
    assert.deepEqual(await cursor(page), { line: 16, column: 5 });
    await page.keyboard.press('F8');
    assert.deepEqual(await cursor(page), { line: 18, column: 9 });
    await page.keyboard.press('Shift+F8');
    assert.deepEqual(await cursor(page), { line: 16, column: 5 });

    // The skip link, first in the Tab order: to the first finding, the URL untouched.
    await page.focus('a.skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.rule), 'pod-security-context-missing');
    assert.equal(new URL(page.url()).hash, `#yaml=${b64url(NGINX)}`);

    // A line typed at the top: every entry moves down one line (updated in place), and
    // a click still goes to the right place.
    n = await checks(page);
    await page.click('.cm-content');
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('# a comment');
    await page.keyboard.press('Enter');
    await waitForCheckAfter(page, n);
    await page.waitForFunction(() => document.querySelector('#findings [data-rule]').dataset.line === '17');
    assert.deepEqual(await panelEntries(page), NGINX_FINDINGS.map((f) => ({ ...f, line: f.line + 1 })));
    await page.click('#findings [data-rule="writable-root-filesystem"]');
    assert.deepEqual(await cursor(page), { line: 19, column: 9 });
    await page.close();
  });

  test('the CSP is in force: no eval; dark scheme screenshot', async () => {
    const { page, problems } = await openPage(env, { hash: `yaml=${b64url(NGINX)}`, colorScheme: 'dark' });
    // The page's own code runs under the CSP: eval and new Function are refused.
    // (page.evaluate itself is exempt, so the probes run as the page's own scripts.)
    await page.route('**/csp-probe.js', (route) => route.fulfill({
      contentType: 'text/javascript',
      body: `window.__probe = {};
        try { (0, eval)('1'); window.__probe.eval = 'allowed'; } catch (e) { window.__probe.eval = e.name; }
        try { new Function('return 1')(); window.__probe.fn = 'allowed'; } catch (e) { window.__probe.fn = e.name; }`,
    }));
    await page.addScriptTag({ url: '/csp-probe.js' });
    assert.deepEqual(await page.evaluate(() => window.__probe), { eval: 'EvalError', fn: 'EvalError' });
    await page.addScriptTag({ content: 'window.__inlineRan = true' }).catch(() => {});
    assert.equal(await page.evaluate(() => window.__inlineRan), undefined, 'inline scripts are refused');
    await page.unroute('**/csp-probe.js');
    problems.length = 0; // the refusals above are logged as console errors
    assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), true);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, 'rgb(244, 246, 250)', 'dark background');
    await page.click('#findings [data-rule="may-run-as-root"]');
    await page.screenshot({ path: join(OUT, 'checker-dark.png') });
    await page.hover('.cm-line:nth-child(16) .cm-lintRange');
    await page.locator('.cm-tooltip-lint').waitFor();
    await page.screenshot({ path: join(OUT, 'tooltip-dark.png') });
    assert.deepEqual(problems, []);
    await page.close();
  });
  test('a spot with six findings: one line each, each opens to its card; the tooltip stays in the editor, off the toolbar', async () => {
    const { page, problems } = await openPage(env, { hash: `yaml=${b64url(CROWDED)}` });
    const here = (await panelEntries(page)).filter((e) => e.line === 6).map((e) => e.rule).sort();
    assert.equal(here.length, 6, here.join(' '));

    await page.hover('.cm-line:nth-child(6) .cm-lintRange');
    const tip = page.locator('.cm-tooltip-lint');
    await tip.waitFor();
    // One line per finding: severity, rule ID, short message; no card open yet.
    const rows = await tip.locator('.tip-toggle').evaluateAll((els) => els.map((e) => {
      const line = parseFloat(getComputedStyle(e.querySelector('.tip-short')).lineHeight) || 18;
      return {
        rule: e.dataset.rule,
        severity: e.querySelector('.sev').textContent,
        short: e.querySelector('.tip-short').textContent,
        expanded: e.getAttribute('aria-expanded'),
        oneLine: e.querySelector('.tip-short').getBoundingClientRect().height < 1.5 * line,
      };
    }));
    assert.deepEqual(rows.map((r) => r.rule).sort(), here);
    for (const r of rows) {
      assert.ok(r.oneLine, `${r.rule}: its line wraps`);
      assert.equal(r.expanded, 'false');
      assert.ok(['error', 'warning'].includes(r.severity) && r.short.length > 0, JSON.stringify(r));
    }
    assert.equal(rows.find((r) => r.rule === 'may-run-as-root').short, 'Containers may run as root');
    assert.equal(await tip.locator('.tip-body:not([hidden])').count(), 0);
    assert.doesNotMatch(await tip.textContent(), /Why it matters/);
    const toolbar = await box(page, '.topbar');
    const editor = await box(page, '.cm-scroller');
    let tipBox = await settledBox(page, TIP);
    assert.ok(!intersects(tipBox, toolbar), `the tooltip ${JSON.stringify(tipBox)} covers the toolbar ${JSON.stringify(toolbar)}`);
    assert.ok(inside(tipBox, editor), `the tooltip ${JSON.stringify(tipBox)} leaves the editor ${JSON.stringify(editor)}`);
    // The room for a Fix button on each line.
    assert.equal(await tip.locator('.tip-row > .actions').count(), 6);

    // Open one: its card (level and check, message, why it matters, fix); the others stay shut.
    const toggle = tip.locator('.tip-toggle[data-rule="may-run-as-root"]');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const body = tip.locator(`#${await toggle.getAttribute('aria-controls')}`);
    assert.equal(await body.isVisible(), true);
    const card = await body.textContent();
    for (const s of ['PSS restricted', 'runAsNonRoot', 'must set securityContext.runAsNonRoot=true', 'Why it matters', 'Fix',
      'Set runAsNonRoot: true in the pod']) {
      assert.ok(card.includes(s), `the card lacks ${JSON.stringify(s)}: ${card}`);
    }
    assert.equal(await tip.locator('.tip-body:not([hidden])').count(), 1);
    tipBox = await settledBox(page, TIP);
    assert.ok(!intersects(tipBox, toolbar), `open, the tooltip ${JSON.stringify(tipBox)} covers the toolbar`);
    assert.ok(inside(tipBox, editor), `open, the tooltip ${JSON.stringify(tipBox)} leaves the editor ${JSON.stringify(editor)}`);
    await page.screenshot({ path: join(OUT, 'tooltip-many.png') });
    // And shut again.
    await toggle.click();
    assert.equal(await body.isVisible(), false);

    // A short window: three cards open are taller than the editor; the tooltip scrolls
    // inside the editor instead of growing over the toolbar.
    await page.setViewportSize({ width: 1100, height: 520 });
    await page.mouse.move(5, 5);
    await tip.waitFor({ state: 'detached' });
    await page.hover('.cm-line:nth-child(6) .cm-lintRange');
    await tip.waitFor();
    for (const rule of ['may-run-as-root', 'missing-seccomp-profile', 'unrestricted-capabilities']) {
      await tip.locator(`.tip-toggle[data-rule="${rule}"]`).click();
    }
    tipBox = await settledBox(page, TIP);
    const small = await box(page, '.cm-scroller');
    assert.ok(!intersects(tipBox, await box(page, '.topbar')), `short window: the tooltip ${JSON.stringify(tipBox)} covers the toolbar`);
    assert.ok(inside(tipBox, small), `short window: the tooltip ${JSON.stringify(tipBox)} leaves the editor ${JSON.stringify(small)}`);
    assert.ok(await tip.evaluate((e) => e.scrollHeight > e.clientHeight + 1), 'the tooltip scrolls');
    assert.equal(await tip.getAttribute('tabindex'), '0', 'a scrolling tooltip is reachable with Tab');

    // The gutter's marker of line 6 shows the same list, inside the editor too.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.mouse.move(5, 5);
    await tip.waitFor({ state: 'detached' });
    const markers = page.locator('.cm-gutter-lint .cm-gutterElement');
    await markers.filter({ has: page.locator('.cm-lint-marker-error') }).hover();
    await tip.waitFor();
    assert.equal(await tip.locator('.tip-toggle').count(), 6);
    tipBox = await settledBox(page, TIP);
    assert.ok(!intersects(tipBox, toolbar) && inside(tipBox, editor), `the gutter's tooltip ${JSON.stringify(tipBox)}`);

    // One finding at a spot (the pod's, line 4): its card at once.
    await page.mouse.move(5, 5);
    await tip.waitFor({ state: 'detached' });
    await page.hover('.cm-line:nth-child(4) .cm-lintRange');
    await tip.waitFor();
    assert.equal(await tip.locator('.tip-toggle').count(), 0);
    assert.match(await tip.textContent(), /pod-security-context-missing.*Pod has no securityContext.*Why it matters.*Fix/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a phone (390×844, touch): a tapped finding shows its details on screen', async () => {
    const { page, problems } = await openPage(env, { hash: `yaml=${b64url(NGINX)}`, viewport: { width: 390, height: 844 } });
    const cdp = await env.context.newCDPSession(page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 3, mobile: true });
    await page.waitForFunction(() => innerWidth === 390 && matchMedia('(max-width: 900px)').matches);
    const pointers = [];
    await page.exposeFunction('__pointer', (t) => pointers.push(t));
    await page.evaluate(() => document.addEventListener('click', (e) => window.__pointer(e.pointerType), true));

    // The panel is below the editor: tap the last finding, then one above it.
    for (const rule of ['writable-root-filesystem', 'may-run-as-root']) {
      await tap(page, cdp, `#findings [data-rule="${rule}"]`);
      const entry = `#findings li.open > button[data-rule="${rule}"]`;
      await page.locator(entry).waitFor({ timeout: 10_000 });
      assert.equal(await page.getAttribute(entry, 'aria-expanded'), 'true');
      const details = `#findings li.open:has(> button[data-rule="${rule}"]) > .details`;
      const d = await settledBox(page, details);
      const seen = await page.evaluate((sel) => {
        const el = document.querySelector(sel);
        const r = el.getBoundingClientRect();
        const list = document.getElementById('findings').getBoundingClientRect();
        // What a person sees at the details' corners and middle: the details themselves
        // (not the sticky group head, not the editor, not off screen).
        const points = [[r.left + 4, r.top + 4], [r.right - 4, r.top + 4], [(r.left + r.right) / 2, (r.top + r.bottom) / 2],
          [r.left + 4, r.bottom - 4], [r.right - 4, r.bottom - 4]];
        return {
          viewport: { left: 0, top: 0, right: innerWidth, bottom: innerHeight },
          list: { left: list.left, top: list.top, right: list.right, bottom: list.bottom },
          hits: points.map(([x, y]) => el.contains(document.elementFromPoint(x, y))),
          focusInEditor: !!document.activeElement?.closest('.cm-editor'),
        };
      }, details);
      assert.ok(inside(d, seen.viewport), `${rule}: the details ${JSON.stringify(d)} are not within the viewport ${JSON.stringify(seen.viewport)}`);
      assert.ok(inside(d, seen.list), `${rule}: the details ${JSON.stringify(d)} are outside the findings list ${JSON.stringify(seen.list)}`);
      assert.deepEqual(seen.hits, [true, true, true, true, true], `${rule}: the details are covered`);
      assert.equal(seen.focusInEditor, false, 'a tap does not focus the editor (no on-screen keyboard)');
    }
    assert.deepEqual(pointers, ['touch', 'touch']);
    // The cursor went to the finding, in the editor's own scroller.
    assert.deepEqual(await cursor(page), { line: 18, column: 9 });
    await page.screenshot({ path: join(OUT, 'phone-details.png') });
    await cdp.detach();
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('Fix on may-run-as-root: says it is unsafe and why, one transaction, Ctrl+Z restores the text exactly', async () => {
    const { page, requests, atReady, problems } = await openPage(env);
    assert.equal(await page.inputValue('#example'), 'nginx-deployment');
    assert.equal(await editorText(page), NGINX);

    // The panel: the entry's details carry its Fix button, which says what it does and
    // that it is unsafe, and why.
    await page.click('#findings [data-rule="may-run-as-root"]');
    const fix = page.locator('#findings li.open .fix-btn[data-fix-rule="may-run-as-root"]');
    await fix.waitFor();
    assert.equal(await fix.getAttribute('data-applicability'), 'unsafe');
    assert.equal((await fix.textContent()).replace(/\s+/g, ' '),
      "Fix: set runAsNonRoot: true in the pod's securityContext Unsafe: the kubelet refuses an image whose user is root");
    assert.equal(await page.getByRole('button', { name: /^Fix: set runAsNonRoot: true .* Unsafe: the kubelet refuses/ }).count(), 1,
      'its accessible name is its label');

    let n = await checks(page);
    await fix.click();
    await waitForCheckAfter(page, n);
    // The finding is gone (and the pod's missing securityContext with it: the fix added one).
    const after = await panelEntries(page);
    assert.deepEqual(after, NGINX_FINDINGS.filter((f) => f.rule !== 'may-run-as-root' && f.rule !== 'pod-security-context-missing'));
    // runAsNonRoot: true in the pod's securityContext, after the container, at the pod
    // spec's indentation; nothing else changed.
    const fixed = await editorText(page);
    const lines = NGINX.split('\n');
    assert.equal(fixed, [...lines.slice(0, 21), '      securityContext:', '        runAsNonRoot: true', ...lines.slice(21)].join('\n'));
    assert.deepEqual(fixed.split('\n').slice(15, 24), [
      '    spec:',
      '      containers:',
      '      - name: nginx',
      '        image: nginx:1.14.2',
      '        ports:',
      '        - containerPort: 80',
      '      securityContext:',
      '        runAsNonRoot: true',
      '',
    ]);
    // The cursor at what the fix wrote; the focus in the editor after a mouse click.
    assert.deepEqual(await cursor(page), { line: 23, column: 27 });
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('.cm-editor')), true);
    assert.match(await page.textContent('#toast'), /Fixed may-run-as-root.*unsafe.*Ctrl\+Z/);

    // One step of the editor's history: Ctrl+Z brings the original text back, byte for byte.
    n = await checks(page);
    await page.keyboard.press('Control+z');
    await waitForCheckAfter(page, n);
    assert.equal(await editorText(page), NGINX);
    assert.deepEqual(await panelEntries(page), NGINX_FINDINGS);
    await page.keyboard.press('Control+y');
    assert.equal(await editorText(page), fixed, 'and redo');
    // The share link follows the fixed text.
    await page.click('#share');
    assert.equal(new URL(page.url()).hash, `#yaml=${b64url(fixed)}`);
    await page.focus('.cm-content');
    await page.keyboard.press('Control+z');
    assert.equal(await editorText(page), NGINX);

    // The hover's lines: a compact Fix button each, named by what it does; a safe one here.
    await page.locator('#findings [data-rule="may-run-as-root"]').waitFor();
    await page.hover('.cm-line:nth-child(18) .cm-lintRange');
    const tip = page.locator('.cm-tooltip-lint');
    await tip.waitFor();
    assert.equal(await tip.locator('.tip-row > .actions .fix-btn').count(), 6, 'each of the six has a fix');
    const unsafeBtn = tip.locator('.tip-row > .actions .fix-btn[data-fix-rule="may-run-as-root"]');
    assert.equal(await unsafeBtn.textContent(), 'Fix (unsafe)');
    assert.equal(await unsafeBtn.getAttribute('aria-label'),
      "Fix (unsafe): set runAsNonRoot: true in the pod's securityContext — the kubelet refuses an image whose user is root");
    const safeBtn = tip.getByRole('button', { name: 'Fix: set allowPrivilegeEscalation: false (safe)' });
    assert.equal(await safeBtn.textContent(), 'Fix');
    n = await checks(page);
    await safeBtn.click();
    await waitForCheckAfter(page, n);
    await tip.waitFor({ state: 'detached' });
    const rules = (await panelEntries(page)).map((e) => e.rule);
    assert.ok(!rules.includes('privilege-escalation-allowed') && rules.includes('may-run-as-root'), rules.join(' '));
    assert.match(await editorText(page), /\n {8}securityContext:\n {10}allowPrivilegeEscalation: false\n/);
    n = await checks(page);
    await page.keyboard.press('Control+z');
    await waitForCheckAfter(page, n);
    assert.equal(await editorText(page), NGINX);

    // By keyboard in the panel: Enter on Fix; the focus stays in the list, and Ctrl+Z
    // there undoes in the editor.
    await page.focus('#findings [data-rule="writable-root-filesystem"]');
    await page.keyboard.press('Enter');
    const ro = page.locator('#findings li.open .fix-btn[data-fix-rule="writable-root-filesystem"]');
    await ro.waitFor();
    assert.match(await ro.textContent(), /Fix: set readOnlyRootFilesystem: true\s*Unsafe: a process that writes outside its volumes fails/);
    await ro.focus();
    n = await checks(page);
    await page.keyboard.press('Enter');
    await waitForCheckAfter(page, n);
    assert.ok(!(await panelEntries(page)).some((e) => e.rule === 'writable-root-filesystem'));
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('finding')), true, 'the focus stays in the list');
    n = await checks(page);
    await page.keyboard.press('Control+z');
    await waitForCheckAfter(page, n);
    assert.equal(await editorText(page), NGINX);

    // A finding without an automatic fix says why instead.
    await page.selectOption('#example', 'privileged-daemonset');
    await page.locator('#findings [data-rule="forbidden-volume-type"]').first().waitFor();
    await page.locator('#findings [data-rule="forbidden-volume-type"]').first().click();
    const why = page.locator('#findings li.open .actions .nofix');
    await why.waitFor();
    assert.equal((await why.textContent()).replace(/\s+/g, ' '), 'No automatic fix: which volume type replaces this one needs a person');
    assert.equal(await page.locator('#findings li.open .fix-btn').count(), 0);

    assert.deepEqual(requests.slice(atReady), [], 'fixing makes no request');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('Fix all: a diff first in a modal dialog, Apply (undoable); including unsafe leaves no finding; the share link follows', async () => {
    const { page, requests, atReady, problems } = await openPage(env, { hash: `yaml=${b64url(NGINX)}` });
    const dialog = page.getByRole('dialog', { name: 'Fix all: the safe fixes' });

    // The diff: the four safe fixes of the README, insertions only.
    await page.click('#fix-all');
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.getElementById('fix-dialog').matches(':modal')), true);
    assert.equal(await page.isVisible('#fix-dialog-warning'), false, 'no unsafe warning for safe fixes');
    const diffLines = () => page.$$eval('#fix-diff .diff-line', (ls) => ls.map((l) =>
      `${l.querySelector('.diff-mark').textContent}${l.querySelector('.diff-text').textContent}`));
    assert.deepEqual(await diffLines(), [
      '         image: nginx:1.14.2',
      '         ports:',
      '         - containerPort: 80',
      '+        securityContext:',
      '+          allowPrivilegeEscalation: false',
      '+      securityContext:',
      '+        seccompProfile:',
      '+          type: RuntimeDefault',
    ].map((l) => (l.startsWith('+') ? l : ` ${l.slice(1)}`)));
    assert.equal(await page.textContent('#fix-diff .diff-hunk'), '@@ -19,3 +19,8 @@');
    assert.match(await page.textContent('#fix-dialog-desc'), /^4 fixes would change the manifest as below\. 3 findings would remain: may-run-as-root, unrestricted-capabilities, writable-root-filesystem\.$/);
    assert.deepEqual(await page.$$eval('#fix-dialog-list li', (ls) => ls.map((l) => l.dataset.rule)),
      ['pod-security-context-missing', 'container-security-context-missing', 'missing-seccomp-profile', 'privilege-escalation-allowed']);
    assert.equal(await page.textContent('#fix-apply'), 'Apply 4 fixes');

    // A proper modal: the focus inside, Tab goes round inside it, Escape closes it and
    // the focus goes back to the button; nothing changed.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'fix-diff');
    const seen = new Set();
    for (let i = 0; i < 9; i += 1) {
      await page.keyboard.press(i % 4 === 3 ? 'Shift+Tab' : 'Tab');
      seen.add(await page.evaluate(() => (document.getElementById('fix-dialog').contains(document.activeElement)
        ? document.activeElement.id : `outside: ${document.activeElement.tagName}.${document.activeElement.className}`)));
    }
    assert.deepEqual([...seen].sort(), ['fix-apply', 'fix-cancel', 'fix-dialog-list', 'fix-diff']);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'fix-all');
    assert.equal(await editorText(page), NGINX);
    // Cancel too.
    await page.click('#fix-all');
    await dialog.waitFor();
    await page.click('#fix-cancel');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await editorText(page), NGINX);

    // Apply: the safe fixes, in one step of the history.
    await page.click('#fix-all');
    await dialog.waitFor();
    let n = await checks(page);
    await page.click('#fix-apply');
    await waitForCheckAfter(page, n);
    await dialog.waitFor({ state: 'hidden' });
    const lines = NGINX.split('\n');
    const safe = [...lines.slice(0, 21), '        securityContext:', '          allowPrivilegeEscalation: false',
      '      securityContext:', '        seccompProfile:', '          type: RuntimeDefault', ...lines.slice(21)].join('\n');
    assert.equal(await editorText(page), safe);
    assert.deepEqual((await panelEntries(page)).map((e) => e.rule), ['may-run-as-root', 'unrestricted-capabilities', 'writable-root-filesystem']);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'fix-all', 'the focus back on the button');
    assert.match(await page.textContent('#toast'), /Applied 4 fixes; 3 findings left\. Ctrl\+Z undoes them\./);
    // Ctrl+Z (the focus on the button, in the findings pane) undoes all four at once.
    n = await checks(page);
    await page.keyboard.press('Control+z');
    await waitForCheckAfter(page, n);
    assert.equal(await editorText(page), NGINX);
    assert.deepEqual(await panelEntries(page), NGINX_FINDINGS);

    // Including unsafe: labelled so, with its warning; then no finding is left.
    const unsafe = page.getByRole('dialog', { name: 'Fix all, including unsafe fixes' });
    await page.click('#fix-all-unsafe');
    await unsafe.waitFor();
    assert.match(await page.textContent('#fix-dialog-warning'), /^Unsafe fixes included: they can stop a workload from starting/);
    assert.match(await page.textContent('#fix-dialog-desc'), /^7 fixes would change the manifest as below\. No finding would remain\.$/);
    assert.deepEqual(await page.$$eval('#fix-dialog-list li[data-applicability="unsafe"]', (ls) => ls.map((l) => l.dataset.rule)),
      ['may-run-as-root', 'unrestricted-capabilities', 'writable-root-filesystem']);
    assert.ok((await diffLines()).includes('+        runAsNonRoot: true'));
    await page.screenshot({ path: join(OUT, 'fix-all-unsafe.png') });
    n = await checks(page);
    await page.click('#fix-apply');
    await waitForCheckAfter(page, n);
    assert.deepEqual(await panelEntries(page), []);
    assert.match(await page.textContent('#findings'), /No problems found/);
    assert.equal(await page.isDisabled('#fix-all'), true, 'nothing left to fix');
    const fixed = await editorText(page);
    assert.deepEqual(fixed.split('\n').slice(20, 32), [
      '        - containerPort: 80',
      '        securityContext:',
      '          allowPrivilegeEscalation: false',
      '          capabilities:',
      '            drop:',
      '            - ALL',
      '          readOnlyRootFilesystem: true',
      '      securityContext:',
      '        runAsNonRoot: true',
      '        seccompProfile:',
      '          type: RuntimeDefault',
      '',
    ]);
    // The fixed text passes PSS restricted too, and the share link carries it.
    n = await checks(page);
    await page.selectOption('#level', 'restricted');
    await waitForCheckAfter(page, n);
    assert.deepEqual(await panelEntries(page), []);
    await page.selectOption('#level', '');
    await page.click('#share');
    const url = new URL(page.url());
    assert.equal(url.hash, `#yaml=${b64url(fixed)}`);
    // Opened elsewhere, the link shows the fixed manifest, with no finding.
    const other = await openPage(env, { hash: url.hash.slice(1) });
    assert.equal(await editorText(other.page), fixed);
    assert.deepEqual(await panelEntries(other.page), []);
    await other.page.close();

    assert.deepEqual(requests.slice(atReady), [], 'Fix all makes no request');
    assert.deepEqual(problems, []);
    await page.close();
  });

  for (const colorScheme of ['light', 'dark']) {
    test(`axe-core: no violations (${colorScheme}): findings, details open with Fix, a hover list with a card open, a single card, the Fix all dialog`, async () => {
      const { page, problems } = await openPage(env, { hash: `yaml=${b64url(NGINX)}`, colorScheme });
      // Findings shown, the details of one open in the panel.
      await page.click('#findings [data-rule="may-run-as-root"]');
      await page.locator('#findings li.open .details .fix-btn').waitFor();
      // The hover on line 18: the list of six, one card open.
      await page.hover('.cm-line:nth-child(18) .cm-lintRange');
      await page.locator('.cm-tooltip-lint .tip-toggle').first().waitFor();
      await page.click('.cm-tooltip-lint .tip-toggle[data-rule="container-security-context-missing"]');
      await page.locator('.cm-tooltip-lint .tip-body:not([hidden]) .details').waitFor();
      await settledBox(page, TIP);
      assert.deepEqual(await axeViolations(page), [], `${colorScheme}, hover list`);
      assert.equal(await page.locator('.cm-tooltip-lint .tip-body:not([hidden])').count(), 1, 'checked with the card open');
      // The card of a finding alone at its spot (line 16).
      await page.mouse.move(5, 5);
      await page.locator('.cm-tooltip-lint').waitFor({ state: 'detached' });
      await page.hover('.cm-line:nth-child(16) .cm-lintRange');
      await page.locator('.cm-tooltip-lint .tip-card').waitFor();
      await settledBox(page, TIP);
      assert.deepEqual(await axeViolations(page), [], `${colorScheme}, single card`);
      assert.equal(await page.locator('.cm-tooltip-lint .tip-card .fix-btn').count(), 1, 'checked with its Fix button');
      // The Fix all dialog, open (the unsafe one: its warning too).
      await page.mouse.move(5, 5);
      await page.locator('.cm-tooltip-lint').waitFor({ state: 'detached' });
      await page.click('#fix-all-unsafe');
      await page.locator('#fix-dialog[open] .diff-line').first().waitFor();
      assert.deepEqual(await axeViolations(page), [], `${colorScheme}, Fix all dialog`);
      await page.screenshot({ path: join(OUT, `fix-all-${colorScheme}.png`) });
      await page.keyboard.press('Escape');
      await page.locator('#fix-dialog').waitFor({ state: 'hidden' });
      // A document that cannot be checked: its entry and error details.
      await page.evaluate(() => {
        const { view } = window.kubeSecctx;
        view.dispatch({ changes: { from: view.state.doc.line(19).to, insert: ': x' } });
        window.kubeSecctx.recheck();
      });
      await page.click('#findings [data-rule="error"]');
      await page.locator('#findings li.open .details').waitFor();
      assert.deepEqual(await axeViolations(page), [], `${colorScheme}, invalid YAML`);
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
});
