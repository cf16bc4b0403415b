'use strict';
// One whole `node` process of the Node benchmark (benches/node/bench.mjs): read the file,
// require the package, check, touch every finding; prints {"findings": N}.
//
//   node benches/node/whole.cjs PKG FILE [OPTIONS_JSON]
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { touch } = require('./touch.cjs');

const [pkg, file, options] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const { check } = require(join(resolve(pkg), 'node', 'index.cjs'));
const report = check(text, options ? JSON.parse(options) : undefined);
touch(report);
process.stdout.write(JSON.stringify({ findings: report.findings.length }) + '\n');
