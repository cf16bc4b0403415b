// The manifest of the bench: 2,000 lines of examples/, as one multi-document stream.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../test/browser.mjs';

export const LINES = 2000;

/** A 2,000-line multi-document manifest built from examples/. */
export function manifest2000() {
  const names = ['nginx-deployment', 'privileged-daemonset', 'cronjob', 'restricted-deployment'];
  const texts = names.map((n) => readFileSync(join(ROOT, 'examples', `${n}.yaml`), 'utf8').trimEnd());
  const lines = [];
  for (let i = 0; ; i += 1) {
    const k = i % texts.length;
    // Each copy gets its own name, so each is its own resource.
    const doc = texts[k].replace(/^( {2}name: )(\S+)$/m, `$1$2-${Math.floor(i / texts.length) + 1}`).split('\n');
    if (lines.length + doc.length + 1 > LINES) break;
    lines.push('---', ...doc);
  }
  while (lines.length < LINES) lines.push('# padding');
  return `${lines.join('\n')}\n`;
}

