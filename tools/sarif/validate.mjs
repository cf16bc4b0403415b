#!/usr/bin/env node
// make test-sarif: runs the release CLI with `--format sarif` for each entry of INVOCATIONS,
// writes what it prints to target/sarif/<name>.sarif, then validates every *.sarif there
// with `Sarif.Multitool validate` (npm @microsoft/sarif-multitool-linux, installed by
// scripts/setup-sarif.sh into tools/sarif/node_modules) and prints one line per file.
//
//   node tools/sarif/validate.mjs [--cli target/release/kube-secctx] [--out target/sarif]
//
// It fails on any error-level result of the validator, on a tool or configuration
// notification of level error, on a validator that does not run or does not finish, and
// on a CLI run that does not exit as expected. Warnings are listed under their file and do
// not fail the run. The errors are the JSON schema of SARIF 2.1.0, the SARIF1xxx rules (what
// the specification says a file must be: consistent indices, regions, URIs, references)
// and GitHub code scanning's rules (what it rejects or cannot show, see validation.xml).
// The warnings are mostly SARIF2xxx rules, the tool authors' advice on what a file should
// carry (an informationUri for the tool, messages ending with a period, paths relative to
// the repository root...): some are a matter of taste, and none makes the file wrong or
// stops GitHub from ingesting it. Once a warning is dealt with, make it fatal from then on:
// set its rule to Value="Error" in validation.xml. Notes are not asked for (the tool's
// default, --level Error;Warning): a hundred per file of "could also provide" (snippets,
// context regions, message arguments).
//
// Last, a self-test: the first file with a result gets three broken copies of that result
// (startLine 0, a ruleIndex past the rules, no region) and must give JSON1008, SARIF1009
// and GH1003 errors, so a validator that stopped checking (a version bump, a configuration
// key it no longer reads) cannot pass unnoticed.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const PACKAGE = '@microsoft/sarif-multitool-linux';
// The executable itself, not the package's bin.js: that one runs it through a shell,
// which would split `Sarif;Ghas` at the semicolon.
const MULTITOOL = join(HERE, 'node_modules', PACKAGE, 'Sarif.Multitool');
const CONFIG = join(HERE, 'validation.xml');
// .NET loads ICU for culture data and aborts when it is missing; validation needs none
// (see scripts/setup-sarif.sh).
const TOOL_ENV = { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' };
// Rules validation.xml turns off on purpose: the tool warns that each was (WRN999), in
// every run; those warnings are expected and not listed.
const DISABLED = [
    ...readFileSync(CONFIG, 'utf8').matchAll(
        /Key="(\w+)\.\w+\.Options">\s*<Property Key="RuleEnabled" Value="Disabled"/g,
    ),
].map((m) => m[1]);

// The validated set: one run of the CLI each, from the repository root (so the artifact
// URIs are relative, as in CI), its standard output saved as target/sarif/<name>.sarif.
//   args    the CLI's arguments
//   status  the exit code it must give (default 0: --exit-zero)
//   needs   a path that must exist (the shared corpus beside the repository)
//   expect  (log) => true, or what is missing: proves that the file holds what the entry
//           is there for, so a CLI that stopped writing it cannot pass by validating less
//
// To add a file, add an entry.
const INVOCATIONS = [
    {
        name: 'examples',
        args: ['check', '--format', 'sarif', '--exit-zero', 'examples/'],
        expect: (log) => results(log).length > 0 || 'no results',
    },
    {
        name: 'real-corpus',
        args: ['check', '--format', 'sarif', '--exit-zero', '../shared/corpus/real'],
        needs: '../shared/corpus/real',
        expect: (log) => results(log).length > 0 || 'no results',
    },
    {
        // Inputs the fuzzers crashed on: results of the `input-error` rule, at odd places.
        name: 'input-errors',
        args: ['check', '--format', 'sarif', '--exit-zero', 'tests/fuzz-regressions/'],
        expect: (log) =>
            results(log).some((r) => r.ruleId === 'input-error') || 'no input-error result',
    },
    {
        // Each finding's fix (§3.55: fixes, artifactChanges, replacements).
        name: 'fixes-examples',
        args: ['check', '--format', 'sarif', '--show-fixes', '--exit-zero', 'examples/'],
        expect: (log) => results(log).some((r) => r.fixes?.length) || 'no result with fixes',
    },
    {
        name: 'fixes-real-corpus',
        args: ['check', '--format', 'sarif', '--show-fixes', '--exit-zero', '../shared/corpus/real'],
        needs: '../shared/corpus/real',
        expect: (log) => results(log).some((r) => r.fixes?.length) || 'no result with fixes',
    },
];

function results(log) {
    return (log?.runs ?? []).flatMap((run) => run.results ?? []);
}

function parseArgs(argv) {
    const opts = { cli: 'target/release/kube-secctx', out: 'target/sarif' };
    for (let i = 0; i < argv.length; i++) {
        const key = argv[i].replace(/^--/, '');
        if (!(key in opts) || i + 1 >= argv.length) {
            console.error(`usage: validate.mjs [--cli PATH] [--out DIR] (bad argument ${argv[i]})`);
            process.exit(2);
        }
        opts[key] = argv[++i];
    }
    return { cli: resolve(ROOT, opts.cli), out: resolve(ROOT, opts.out) };
}

const rel = (p) => relative(ROOT, p) || '.';
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function runMultitool(args) {
    return spawnSync(MULTITOOL, args, {
        cwd: ROOT,
        env: TOOL_ENV,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
}

// A SARIF message as text: its own text, or its rule's message string with the arguments.
function messageText(message, rule) {
    if (message?.text !== undefined) return message.text;
    const template = rule?.messageStrings?.[message?.id]?.text ?? `(${message?.id ?? 'no message'})`;
    return template.replace(/\{(\d+)\}/g, (m, i) => message?.arguments?.[Number(i)] ?? m);
}

// Runs the validator on one file; returns { failures, listed, errorRules, counts }.
function validate(file, outDir) {
    const report = join(outDir, 'validation', relative(outDir, file));
    mkdirSync(dirname(report), { recursive: true });
    // The file comes first: a list option (--rule-kind, --log) takes every word after it
    // up to the next option, a file name included.
    const proc = runMultitool([
        'validate',
        file,
        '--config', CONFIG,
        '--rule-kind', 'Sarif;Ghas',
        '--output', report,
        '--log', 'ForceOverwrite',
    ]);
    const failures = [];
    const listed = [];
    const errorRules = new Set();
    const counts = { error: 0, warning: 0, note: 0 };
    // Its output, without the help screen it prints after a usage error.
    const toolOutput = () =>
        `${proc.stdout ?? ''}${proc.stderr ?? ''}`.trim().split('\n').slice(0, 12).join('\n');
    if (proc.error || proc.status !== 0) {
        failures.push(`Sarif.Multitool validate failed (${proc.error?.message ?? `exit ${proc.status}`}):\n${toolOutput()}`);
        return { failures, listed, errorRules, counts };
    }
    let log;
    try {
        log = JSON.parse(readFileSync(report, 'utf8'));
    } catch (e) {
        failures.push(`no readable validation report ${rel(report)} (${e.message}):\n${toolOutput()}`);
        return { failures, listed, errorRules, counts };
    }
    for (const run of log.runs ?? []) {
        const rules = run.tool?.driver?.rules ?? [];
        const ruleOf = (r) => rules[r.ruleIndex] ?? rules.find((d) => d.id === r.ruleId);
        for (const inv of run.invocations ?? []) {
            if (inv.executionSuccessful !== true) failures.push('the validator did not finish (executionSuccessful is not true)');
            const notes = [...(inv.toolConfigurationNotifications ?? []), ...(inv.toolExecutionNotifications ?? [])];
            for (const n of notes) {
                const expected =
                    n.descriptor?.id === 'WRN999.RuleExplicitlyDisabled' &&
                    DISABLED.some((id) => messageText(n.message).includes(`'${id}'`));
                if (expected) continue;
                const level = n.level ?? 'warning';
                const line = `${level} ${n.descriptor?.id ?? 'notification'}: ${messageText(n.message)}`;
                if (level === 'error') failures.push(line);
                else listed.push(line);
            }
        }
        for (const r of run.results ?? []) {
            const rule = ruleOf(r);
            // SARIF §3.27.10: a result without a level takes its rule's default, else "warning".
            const level = r.kind && r.kind !== 'fail' ? 'none' : (r.level ?? rule?.defaultConfiguration?.level ?? 'warning');
            if (level === 'none') continue;
            counts[level] = (counts[level] ?? 0) + 1;
            const region = r.locations?.[0]?.physicalLocation?.region;
            const at = region?.startLine ? `${region.startLine}:${region.startColumn ?? 1}` : '-';
            const line = `${level} ${r.ruleId} at ${at}: ${messageText(r.message, rule)}`;
            if (level === 'error') {
                errorRules.add(r.ruleId);
                failures.push(line);
            } else {
                listed.push(line);
            }
        }
    }
    return { failures, listed, errorRules, counts };
}

function summary(file, log, v) {
    const size = `${(statSync(file).size / 1024).toFixed(1)} KiB`;
    const what = log
        ? `${plural(results(log).length, 'result')}, ${plural(log.runs?.[0]?.tool?.driver?.rules?.length ?? 0, 'rule')}, ${size}`
        : size;
    const verdict = v.failures.length ? 'INVALID' : 'valid';
    const notes = v.counts.note ? `, ${plural(v.counts.note, 'note')}` : '';
    return `${rel(file)}: ${verdict}: ${plural(v.counts.error, 'error')}, ${plural(v.counts.warning, 'warning')}${notes} (${what})`;
}

function selfTest(source, outDir) {
    const log = JSON.parse(readFileSync(source, 'utf8'));
    const run = log.runs[0];
    const model = run.results.find((r) => r.locations?.[0]?.physicalLocation?.region);
    const copy = () => structuredClone(model);
    const badLine = copy();
    badLine.locations[0].physicalLocation.region.startLine = 0;
    const badIndex = copy();
    badIndex.ruleIndex = (run.tool.driver.rules?.length ?? 0) + 100;
    const noRegion = copy();
    delete noRegion.locations[0].physicalLocation.region;
    run.results.push(badLine, badIndex, noRegion);
    const file = join(outDir, 'selftest', 'planted-errors.sarif');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(log, null, 2));
    const want = ['JSON1008', 'SARIF1009', 'GH1003'];
    const v = validate(file, outDir);
    const missed = want.filter((id) => !v.errorRules.has(id));
    if (missed.length) {
        return `self-test: the validator did not report ${missed.join(', ')} for the errors planted in ${rel(file)} (it reported: ${[...v.errorRules].join(', ') || 'no error'}); is it checking at all?`;
    }
    console.log(`self-test: the errors planted in ${rel(file)} are reported (${want.join(', ')})`);
    return null;
}

function main() {
    const { cli, out } = parseArgs(process.argv.slice(2));
    if (!existsSync(MULTITOOL)) {
        console.error(`test-sarif: ${rel(MULTITOOL)} is missing: run 'make setup-sarif' (scripts/setup-sarif.sh)`);
        process.exit(1);
    }
    if (!existsSync(cli)) {
        console.error(`test-sarif: ${rel(cli)} is missing: run 'make build'`);
        process.exit(1);
    }
    const version = runMultitool(['--version']);
    const pinned = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8')).devDependencies[PACKAGE];
    if (version.status !== 0) {
        console.error(`test-sarif: ${rel(MULTITOOL)} does not run:\n${version.stdout}${version.stderr}`);
        process.exit(1);
    }
    // --version writes to standard error.
    const versionLine = `${version.stdout}${version.stderr}`.trim().split('\n')[0];
    console.log(`${versionLine} (npm ${PACKAGE}@${pinned}): validate, rule kinds Sarif;Ghas, ${rel(CONFIG)}${DISABLED.length ? ` (off: ${DISABLED.join(', ')})` : ''}`);

    // A fresh directory: only what this run wrote is validated. It is removed first, so it
    // must be a directory of its own under target/.
    if (!relative(join(ROOT, 'target'), out) || relative(join(ROOT, 'target'), out).startsWith('..')) {
        console.error(`test-sarif: --out must be a directory under target/, not ${rel(out)}`);
        process.exit(2);
    }
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const problems = [];
    const expectations = new Map();
    for (const inv of INVOCATIONS) {
        if (inv.needs && !existsSync(resolve(ROOT, inv.needs))) {
            problems.push(`${inv.name}: ${inv.needs} is missing (the shared corpus lives beside the repository)`);
            continue;
        }
        const file = join(out, `${inv.name}.sarif`);
        const proc = spawnSync(cli, inv.args, { cwd: ROOT, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
        const status = inv.status ?? 0;
        if (proc.error || proc.status !== status) {
            problems.push(`${inv.name}: ${rel(cli)} ${inv.args.join(' ')} exited with ${proc.error?.message ?? proc.status}, not ${status}:\n${proc.stderr}`);
            continue;
        }
        writeFileSync(file, proc.stdout);
        if (inv.expect) expectations.set(file, inv);
    }

    const files = readdirSync(out).filter((f) => f.endsWith('.sarif')).sort().map((f) => join(out, f));
    let firstWithResults = null;
    const totals = { error: 0, warning: 0, note: 0 };
    for (const file of files) {
        let log = null;
        try {
            log = JSON.parse(readFileSync(file, 'utf8'));
        } catch {
            // Not JSON: the validator says so (JSON0001), as an error.
        }
        const v = validate(file, out);
        const inv = expectations.get(file);
        const expected = inv && log ? inv.expect(log) : true;
        if (expected !== true) v.failures.push(`expected by its entry in INVOCATIONS (tools/sarif/validate.mjs), not there: ${expected}`);
        console.log(summary(file, log, v));
        for (const line of [...v.failures, ...v.listed]) console.log(line.replace(/^/gm, '    '));
        for (const k of Object.keys(totals)) totals[k] += v.counts[k] ?? 0;
        if (v.failures.length) problems.push(`${rel(file)}: ${plural(v.failures.length, 'problem')}, listed above`);
        if (!firstWithResults && log && results(log).some((r) => r.locations?.[0]?.physicalLocation?.region)) firstWithResults = file;
    }
    if (files.length === 0) problems.push(`no *.sarif in ${rel(out)}`);

    if (firstWithResults) {
        const p = selfTest(firstWithResults, out);
        if (p) problems.push(p);
    } else {
        problems.push('self-test: no file with a located result to plant errors in');
    }

    if (problems.length) {
        console.error(`\ntest-sarif: FAILED\n${problems.map((p) => `  ${p}`).join('\n')}`);
        process.exit(1);
    }
    console.log(
        `test-sarif: ${plural(files.length, 'SARIF file')} valid, ${plural(totals.warning, 'warning')}${totals.note ? `, ${plural(totals.note, 'note')}` : ''} (the validator's reports: ${rel(join(out, 'validation'))}/)`,
    );
}

main();
