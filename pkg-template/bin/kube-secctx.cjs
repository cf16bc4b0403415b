#!/usr/bin/env node
'use strict';
// `npx kube-secctx check FILE...`: the kube-secctx command line on the WebAssembly module,
// for users who have Node.js but no Rust toolchain.
//
// It prints what the native CLI (src/bin/kube-secctx.rs) prints, with the same exit
// codes: the checking and every renderer (text with code frames, JSON, SARIF) run in
// the module (../cli/kube_secctx_cli.cjs, the crate's `js-cli` build), from the same
// Rust code as the native CLI. This file only does what the native CLI does around
// them: parse the arguments (as clap does), walk directories (as walkdir does), read
// files and standard input, and pick the exit code. The tests compare both CLIs' output
// byte for byte, help texts included.

const fs = require('node:fs');
const os = require('node:os');

const cli = require('../cli/kube_secctx_cli.cjs');

const VERSION = '@VERSION@';
const EXIT_USAGE = 2;

// --- Help texts (as clap prints them for the native CLI; the tests compare) ----------

const ABOUT =
  'Find insecure Kubernetes securityContext settings and Pod Security Standards ' +
  'violations in manifests, each pinned to its line and column';

const MAIN_HELP = `${ABOUT}

Usage: kube-secctx <COMMAND>

Commands:
  check    Check manifests (files, directories, or \`-\` for standard input)
  rules    List the rules
  explain  Print a rule's documentation (markdown)
  help     Print this message or the help of the given subcommand(s)

Options:
  -h, --help     Print help
  -V, --version  Print version
`;

const CHECK_AFTER_HELP = `Directories are searched recursively for *.yaml and *.yml files (hidden entries below the given directory are skipped; files are checked in sorted order). Standard input is read only for \`-\`.

Exit codes:
  0  nothing found
  1  findings, or input errors (a document that is not valid YAML, goes past a parser limit or has no kind; a file that is not UTF-8)
  2  usage error (bad option, unknown rule, no PATH) or a file that could not be read

Suppress rules for one resource with the annotation kube-secctx.io/ignore: "rule-id,...".
`;

const CHECK_HELP_SHORT = `Check manifests (files, directories, or \`-\` for standard input)

Usage: kube-secctx check [OPTIONS] [PATH]...

Arguments:
  [PATH]...  Files, directories, or \`-\` for standard input

Options:
      --level <LEVEL>          Run the Pod Security Standards alone, at this level. Without it, the default profile runs everything: PSS restricted, the hardening rules and the input diagnostics [possible values: baseline, restricted]
      --pss-version <VERSION>  The Pod Security Standards policy version: \`latest\` or \`v1.N\` [default: latest]
      --select <RULE,...>      Only these rules (comma-separated IDs; see \`kube-secctx rules\`)
      --ignore <RULE,...>      Never these rules (comma-separated IDs)
      --format <FORMAT>        Output format: text (with code frames), the JSON report, or SARIF 2.1.0 [default: text] [possible values: text, json, sarif]
      --exit-zero              Exit 0 even when findings or input errors are reported (unreadable files still exit 2)
      --color <WHEN>           When to color text output [default: auto] [possible values: auto, always, never]
      --no-color               Never color (same as \`--color never\`)
      --stdin-filename <PATH>  The file name to report for standard input [default: <stdin>]
  -h, --help                   Print help (see more with '--help')
  -V, --version                Print version
`;

const CHECK_HELP_LONG = `Check manifests (files, directories, or \`-\` for standard input)

Usage: kube-secctx check [OPTIONS] [PATH]...

Arguments:
  [PATH]...
          Files, directories, or \`-\` for standard input

Options:
      --level <LEVEL>
          Run the Pod Security Standards alone, at this level. Without it, the default profile runs everything: PSS restricted, the hardening rules and the input diagnostics

          Possible values:
          - baseline:   PSS baseline: known privilege escalations
          - restricted: PSS restricted: current pod hardening best practice (includes baseline)

      --pss-version <VERSION>
          The Pod Security Standards policy version: \`latest\` or \`v1.N\`
          
          [default: latest]

      --select <RULE,...>
          Only these rules (comma-separated IDs; see \`kube-secctx rules\`)

      --ignore <RULE,...>
          Never these rules (comma-separated IDs)

      --format <FORMAT>
          Output format: text (with code frames), the JSON report, or SARIF 2.1.0

          Possible values:
          - text:  Findings with code frames, and a summary line
          - json:  The JSON report (documented in the README)
          - sarif: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
          
          [default: text]

      --exit-zero
          Exit 0 even when findings or input errors are reported (unreadable files still exit 2)

      --color <WHEN>
          When to color text output

          Possible values:
          - auto:   Color when stdout is a terminal and \`NO_COLOR\` is not set
          - always: Always color
          - never:  Never color
          
          [default: auto]

      --no-color
          Never color (same as \`--color never\`)

      --stdin-filename <PATH>
          The file name to report for standard input
          
          [default: <stdin>]

  -h, --help
          Print help (see a summary with '-h')

  -V, --version
          Print version

${CHECK_AFTER_HELP}`;

const RULES_HELP_SHORT = `List the rules

Usage: kube-secctx rules [OPTIONS]

Options:
      --format <FORMAT>  Output format [default: table] [possible values: table, markdown, json]
  -h, --help             Print help (see more with '--help')
  -V, --version          Print version
`;

const RULES_HELP_LONG = `List the rules

Usage: kube-secctx rules [OPTIONS]

Options:
      --format <FORMAT>
          Output format

          Possible values:
          - table:    An aligned table
          - markdown: The markdown table of the README
          - json:     Every rule's metadata and docs as JSON
          
          [default: table]

  -h, --help
          Print help (see a summary with '-h')

  -V, --version
          Print version
`;

const EXPLAIN_HELP = `Print a rule's documentation (markdown)

Usage: kube-secctx explain <RULE>

Arguments:
  <RULE>  The rule ID, e.g. \`privileged-container\`

Options:
  -h, --help     Print help
  -V, --version  Print version
`;

// --- Argument parsing (the subset of clap's behaviour the native CLI uses) ----------

class UsageError extends Error {
  constructor(message, usage) {
    super(message);
    this.usage = usage;
  }
}

const USAGE = {
  main: 'kube-secctx <COMMAND>',
  check: 'kube-secctx check [OPTIONS] [PATH]...',
  rules: 'kube-secctx rules [OPTIONS]',
  explain: 'kube-secctx explain <RULE>',
};

/**
 * Options of a subcommand: name -> { value: '<NAME>', possible?: [...], multiple?, flag? }.
 */
const CHECK_OPTIONS = {
  '--level': { value: '<LEVEL>', possible: ['baseline', 'restricted'] },
  '--pss-version': { value: '<VERSION>', validate: pssVersionError },
  '--select': { value: '<RULE,...>', multiple: true },
  '--ignore': { value: '<RULE,...>', multiple: true },
  '--format': { value: '<FORMAT>', possible: ['text', 'json', 'sarif'] },
  '--exit-zero': { flag: true },
  '--color': { value: '<WHEN>', possible: ['auto', 'always', 'never'] },
  '--no-color': { flag: true },
  '--stdin-filename': { value: '<PATH>' },
};
const RULES_OPTIONS = {
  '--format': { value: '<FORMAT>', possible: ['table', 'markdown', 'json'] },
};

function pssVersionError(value) {
  return cli.cliPssVersionError(value);
}

/**
 * Parses a subcommand's arguments. Returns { help: 'short'|'long' } or { version: true }
 * or { opts, positional }.
 */
function parseArgs(args, spec, usage) {
  const opts = {};
  const positional = [];
  let rest = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (rest || arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      rest = true;
      continue;
    }
    if (arg === '-h') return { help: 'short' };
    if (arg === '--help') return { help: 'long' };
    if (arg === '-V' || arg === '--version') return { version: true };
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const o = spec[name];
    if (o === undefined) {
      throw new UsageError(
        `unexpected argument '${arg}' found\n\n  tip: to pass '${arg}' as a value, use '-- ${arg}'`,
        usage);
    }
    if (o.flag) {
      if (eq > 0) {
        throw new UsageError(
          `unexpected value '${arg.slice(eq + 1)}' for '${name}' found; no more were expected`,
          usage);
      }
      if (opts[name]) {
        throw new UsageError(`the argument '${name}' cannot be used multiple times`, usage);
      }
      opts[name] = true;
      continue;
    }
    let value;
    if (eq > 0) {
      value = arg.slice(eq + 1);
    } else if (i + 1 < args.length && (args[i + 1] === '-' || !args[i + 1].startsWith('-'))) {
      value = args[++i];
    } else {
      const possible = o.possible ? `\n  [possible values: ${o.possible.join(', ')}]` : '';
      throw new UsageError(
        `a value is required for '${name} ${o.value}' but none was supplied${possible}`);
    }
    if (o.possible && !o.possible.includes(value)) {
      throw new UsageError(
        `invalid value '${value}' for '${name} ${o.value}'\n  [possible values: ${o.possible.join(', ')}]`);
    }
    if (o.validate) {
      const err = o.validate(value);
      if (err !== undefined && err !== null) {
        throw new UsageError(`invalid value '${value}' for '${name} ${o.value}': ${err}`);
      }
    }
    if (o.multiple) {
      opts[name] = (opts[name] || []).concat(value.split(','));
    } else {
      if (opts[name] !== undefined) {
        throw new UsageError(`the argument '${name} ${o.value}' cannot be used multiple times`, usage);
      }
      opts[name] = value;
    }
  }
  return { opts, positional };
}

// --- Output ---------------------------------------------------------------------------

let stdoutClosed = false;
process.stdout.on('error', (e) => {
  // A closed pipe (`| head`) is not an error, as in the native CLI.
  if (e.code === 'EPIPE') {
    stdoutClosed = true;
    return;
  }
  process.stderr.write(`error: cannot write to standard output: ${e.message}\n`);
  process.exitCode = EXIT_USAGE;
});

function out(s) {
  if (!stdoutClosed && s.length > 0) process.stdout.write(s);
}

function err(s) {
  process.stderr.write(s);
}

function usageError(e) {
  let msg = `error: ${e.message}\n`;
  if (e.usage) msg += `\nUsage: ${e.usage}\n`;
  msg += "\nFor more information, try '--help'.\n";
  err(msg);
  return EXIT_USAGE;
}

// --- Commands -------------------------------------------------------------------------

function main(argv) {
  if (argv.length === 0) {
    err(MAIN_HELP);
    return EXIT_USAGE;
  }
  const [first, ...rest] = argv;
  switch (first) {
    case '-h':
    case '--help':
      out(MAIN_HELP);
      return 0;
    case '-V':
    case '--version':
      out(`kube-secctx ${VERSION}\n`);
      return 0;
    case 'help':
      return help(rest);
    case 'check':
      return runCheck(rest);
    case 'rules':
      return runRules(rest);
    case 'explain':
      return runExplain(rest);
    default:
      if (first.startsWith('-') && first !== '-') {
        return usageError(new UsageError(`unexpected argument '${first}' found`, USAGE.main));
      }
      return usageError(new UsageError(`unrecognized subcommand '${first}'`, USAGE.main));
  }
}

function help(args) {
  const which = args[0];
  const texts = { check: CHECK_HELP_LONG, rules: RULES_HELP_LONG, explain: EXPLAIN_HELP };
  if (which === undefined || which === 'help') {
    out(MAIN_HELP);
    return 0;
  }
  if (texts[which] === undefined) {
    return usageError(new UsageError(`unrecognized subcommand '${which}'`, USAGE.main));
  }
  out(texts[which]);
  return 0;
}

function parseOr(args, spec, usage, short, long, command) {
  let parsed;
  try {
    parsed = parseArgs(args, spec, usage);
  } catch (e) {
    if (e instanceof UsageError) return { code: usageError(e) };
    throw e;
  }
  if (parsed.help) {
    out(parsed.help === 'short' ? short : long);
    return { code: 0 };
  }
  if (parsed.version) {
    // clap's propagated version names the subcommand: `kube-secctx-check 0.1.0`.
    out(`kube-secctx-${command} ${VERSION}\n`);
    return { code: 0 };
  }
  return parsed;
}

function runRules(args) {
  const p = parseOr(args, RULES_OPTIONS, USAGE.rules, RULES_HELP_SHORT, RULES_HELP_LONG, 'rules');
  if (p.code !== undefined) return p.code;
  if (p.positional.length > 0) {
    return usageError(new UsageError(`unexpected argument '${p.positional[0]}' found`, USAGE.rules));
  }
  out(cli.cliRules(p.opts['--format'] ?? 'table'));
  return 0;
}

function runExplain(args) {
  const p = parseOr(args, {}, USAGE.explain, EXPLAIN_HELP, EXPLAIN_HELP, 'explain');
  if (p.code !== undefined) return p.code;
  if (p.positional.length === 0) {
    return usageError(new UsageError(
      'the following required arguments were not provided:\n  <RULE>', USAGE.explain));
  }
  if (p.positional.length > 1) {
    return usageError(new UsageError(`unexpected argument '${p.positional[1]}' found`, USAGE.explain));
  }
  const id = p.positional[0];
  const md = cli.cliExplain(id);
  if (md === undefined) {
    err(`error: unknown rule ${rustDebugString(id)}${didYouMean(id)}\n  run \`kube-secctx rules\` for the list\n`);
    return EXIT_USAGE;
  }
  out(md);
  return 0;
}

/** ` (did you mean ...)` as the native CLI words it, or nothing. */
function didYouMean(id) {
  const close = cli.cliSuggestRules(id);
  if (close.length === 0) return '';
  return `\n  did you mean ${close.map((c) => `\`${c}\``).join(' or ')}?`;
}

/** A string as Rust's `{:?}` writes it (for the messages the native CLI formats itself). */
function rustDebugString(s) {
  let o = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') o += '\\"';
    else if (ch === '\\') o += '\\\\';
    else if (ch === '\n') o += '\\n';
    else if (ch === '\r') o += '\\r';
    else if (ch === '\t') o += '\\t';
    else if (ch === '\0') o += '\\0';
    else if (c < 0x20 || c === 0x7f) o += `\\u{${c.toString(16)}}`;
    else o += ch;
  }
  return o + '"';
}

function cleanIds(ids) {
  return (ids ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
}

function runCheck(args) {
  const p = parseOr(args, CHECK_OPTIONS, USAGE.check, CHECK_HELP_SHORT, CHECK_HELP_LONG, 'check');
  if (p.code !== undefined) return p.code;
  const o = p.opts;
  const level = o['--level'];
  const select = cleanIds(o['--select']);
  const ignore = cleanIds(o['--ignore']);
  let run;
  try {
    run = new cli.CliRun(level, o['--pss-version'] ?? 'latest', select, ignore);
  } catch (e) {
    const bad = select.concat(ignore).find((id) => cli.cliExplain(id) === undefined);
    err(`error: ${e.message}${bad === undefined ? '' : didYouMean(bad)}\n`);
    return EXIT_USAGE;
  }
  try {
    return checkWith(run, p);
  } finally {
    run.free();
  }
}

function checkWith(run, p) {
  const o = p.opts;
  for (const why of run.warnings) err(`warning: ${why}\n`);
  if (p.positional.length === 0) {
    err('error: no PATH given: name files or directories to check, or `-` for standard ' +
      "input\n\nUsage: kube-secctx check [OPTIONS] [PATH]...\n\nFor more information, " +
      "try '--help'.\n");
    return EXIT_USAGE;
  }

  const stdinName = o['--stdin-filename'] ?? '<stdin>';
  let unreadable = false;
  const inputs = [];
  const seen = new Set();
  for (const path of p.positional) {
    if (path === '-') {
      if (!seen.has('-')) {
        seen.add('-');
        inputs.push({ stdin: true });
      }
    } else if (isDir(path)) {
      const before = inputs.length;
      unreadable = walk(path, inputs, seen) || unreadable;
      if (inputs.length === before) {
        err(`warning: ${path}: no *.yaml or *.yml files found\n`);
      }
    } else if (!seen.has(canonical(path))) {
      seen.add(canonical(path));
      inputs.push({ path });
    }
  }

  let unread = 0;
  for (const input of inputs) {
    const name = input.stdin ? stdinName : displayPath(input.path);
    let bytes;
    try {
      bytes = readCapped(input.stdin ? 0 : input.path, cli.cliMaxInputBytes());
    } catch (e) {
      err(`error: ${name}: ${ioMessage(e)}\n`);
      unreadable = true;
      unread += 1;
      continue;
    }
    if (!run.add(name, bytes)) {
      // Only `--stdin-filename` can give two inputs one name: findings could not be
      // told apart, nor shown with the right code frames.
      err(`error: ${name}: two inputs have this name (see --stdin-filename); the second was not checked\n`);
      unreadable = true;
      unread += 1;
    }
  }

  const format = o['--format'] ?? 'text';
  let text;
  if (format === 'text') {
    const when = o['--color'] ?? 'auto';
    const color = !o['--no-color'] && when !== 'never' && (when === 'always' || autoColor());
    // Nothing was read: a "no problems found" summary would mislead.
    text = run.files === 0 && unread > 0 ? '' : run.render('text', color, undefined);
    if (unread > 0) {
      const [files, were] = unread === 1 ? ['file', 'was'] : ['files', 'were'];
      text += `${unread} ${files} could not be read and ${were} not checked (see the errors above).\n`;
    }
  } else {
    let cwd;
    try {
      cwd = process.cwd();
    } catch {
      cwd = undefined;
    }
    text = run.render(format, false, cwd);
  }
  out(text);

  if (unreadable) return EXIT_USAGE;
  if (run.hasProblems() && !o['--exit-zero']) return 1;
  return 0;
}

/**
 * Reads at most `limit + 1` bytes (a path, or 0 for standard input): enough for the engine
 * to report an input over the size limit as an error entry, without holding an unbounded
 * input (`/dev/zero`, an endless pipe) in memory.
 */
function readCapped(file, limit) {
  const cap = limit + 1;
  const fd = file === 0 ? 0 : fs.openSync(file, 'r');
  try {
    const chunks = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, cap - total));
      if (buf.length === 0) break;
      let n;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if (e.code === 'EAGAIN') continue; // a non-blocking standard input: wait for more
        if (e.code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (fd !== 0) fs.closeSync(fd);
  }
}

function autoColor() {
  const noColor = (process.env.NO_COLOR ?? '') !== '';
  const dumb = process.env.TERM === 'dumb';
  return Boolean(process.stdout.isTTY) && !noColor && !dumb;
}

function isDir(path) {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A path as the report shows it: as given, with `/` separators on every platform. */
function displayPath(path) {
  return process.platform === 'win32' ? path.replace(/\\/g, '/') : path;
}

/** Joins as Rust's `Path::join` does for a relative name. */
function join(dir, name) {
  return dir.endsWith('/') || (process.platform === 'win32' && dir.endsWith('\\'))
    ? dir + name
    : `${dir}/${name}`;
}

/** Byte-wise order of names, as walkdir's `sort_by_file_name` compares them. */
function byName(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Adds the *.yaml/*.yml files under `dir` to `inputs`, sorted, following symbolic links and
 * skipping hidden entries below `dir` (as walkdir does for the native CLI); returns whether
 * an entry could not be read (reported on stderr).
 */
function walk(dir, inputs, seen) {
  let failed = false;
  const visit = (path, ancestors) => {
    let names;
    try {
      names = fs.readdirSync(path);
    } catch (e) {
      err(`error: ${displayPath(path)}: ${ioMessage(e)}\n`);
      failed = true;
      return;
    }
    names.sort(byName);
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const child = join(path, name);
      let st;
      try {
        st = fs.statSync(child);
      } catch (e) {
        err(`error: ${displayPath(child)}: ${ioMessage(e)}\n`);
        failed = true;
        continue;
      }
      if (st.isDirectory()) {
        const real = realpath(child);
        const loop = ancestors.find((a) => a.real === real);
        if (loop !== undefined) {
          err(`error: ${displayPath(child)}: File system loop found: ${child} points to an ancestor ${loop.path}\n`);
          failed = true;
          continue;
        }
        visit(child, ancestors.concat([{ real, path: child }]));
      } else if (st.isFile() && /\.ya?ml$/i.test(name) && !seen.has(canonical(child))) {
        seen.add(canonical(child));
        inputs.push({ path: child });
      }
    }
  };
  visit(dir, [{ real: realpath(dir), path: dir }]);
  return failed;
}

/** The path used to check each file once (`./a.yaml` and `a.yaml` are one file). */
function canonical(path) {
  return realpath(path);
}

function realpath(path) {
  try {
    return fs.realpathSync(path);
  } catch {
    return path;
  }
}

/** glibc's strerror for the errors a read can meet, as Rust's io::Error displays them. */
const STRERROR = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  ETXTBSY: 'Text file busy',
  EFBIG: 'File too large',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
};

/** An I/O error as Rust's `io::Error` displays it: `No such file or directory (os error 2)`. */
function ioMessage(e) {
  const errno = e && typeof e.code === 'string' ? os.constants.errno[e.code] : undefined;
  if (errno === undefined) return String(e && e.message ? e.message : e);
  let text = STRERROR[e.code];
  if (text === undefined) {
    // libuv's wording, e.g. "EXDEV: cross-device link not permitted, open 'x'".
    const m = /^[A-Z0-9]+: ([^,]*)/.exec(e.message ?? '');
    text = m ? m[1].charAt(0).toUpperCase() + m[1].slice(1) : e.code;
  }
  return `${text} (os error ${errno})`;
}

process.exitCode = main(process.argv.slice(2));
