// Shared by the end-to-end test and the bench: serve web/dist on 127.0.0.1, start Debian's
// Chromium headless through playwright-core, open the page and wait until it is ready.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { serve } from '../serve.mjs';

export const WEB = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(WEB, 'dist');
export const ROOT = join(WEB, '..');

/** Chromium: Debian's (scripts/setup-web.sh installs it); `npx playwright install` is not used. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
];

/**
 * Starts the server and the browser (a fresh user-data-dir each time).
 * Resolves to { url, browser, newPage(opts), close() }.
 */
export async function startBrowser() {
  const server = await serve({ dir: DIST, port: 0 });
  const profile = mkdtempSync(join(tmpdir(), 'kube-secctx-web-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      colorScheme: 'light',
      timeout: 60_000,
    });
  } catch (e) {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  // The persistent context opens one blank page: close it, every test opens its own.
  for (const p of context.pages()) await p.close();
  return {
    url: server.url,
    origin: new URL(server.url).origin,
    context,
    async close() {
      await context.close().catch(() => {});
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the page at `hash` and waits until it is ready (the engine loaded and the first
 * check shown). Every request the page makes is recorded in `requests` (with the number
 * made by then in `atReady`); console errors and page errors in `problems`.
 */
export async function openPage(env, { hash = '', colorScheme = 'light', viewport } = {}) {
  const page = await env.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme });
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(env.url + (hash ? `#${hash}` : ''), { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.state !== 'loading' &&
    Number(document.getElementById('status').dataset.checks || 0) > 0 || document.body.dataset.state === 'failed');
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') {
    const status = await page.textContent('#status');
    throw new Error(`the page did not start: ${status}; ${problems.join('; ')}`);
  }
  return { page, requests, problems, atReady: requests.length };
}

/** The number of checks the page has shown. */
export function checks(page) {
  return page.evaluate(() => Number(document.getElementById('status').dataset.checks || 0));
}

/** Waits until the page has shown a check after `n` checks. */
export async function waitForCheckAfter(page, n) {
  await page.waitForFunction((k) => Number(document.getElementById('status').dataset.checks || 0) > k, n);
}

/** The findings panel's entries: [{rule, line, column, severity}], in the panel's order. */
export function panelEntries(page) {
  return page.$$eval('#findings [data-rule]', (els) => els.map((e) => ({
    rule: e.dataset.rule,
    line: Number(e.dataset.line),
    column: Number(e.dataset.column),
    severity: e.dataset.severity,
  })));
}
