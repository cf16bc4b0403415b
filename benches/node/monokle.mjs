// The peer of the Node benchmark: Monokle's `@monokle/validation` (pinned in
// benches/node/package.json, installed by `scripts/setup-wasm.sh bench`) with only its
// Pod Security Standards plugin, every rule on (the restricted ones are off by default),
// driven as Monokle's own CLI drives it: the YAML stream split into resources with the
// `yaml` package Monokle depends on (one resource per document that parses and looks like
// a Kubernetes object: `apiVersion` and `kind` strings), then `validator.validate`.
//
//   const monokle = await createMonokle();
//   monokle.check(text, 'file.yaml')  // -> Promise<number>: the PSS results (findings)
//
// A module so that bench.mjs can use it in-process and spawn it as a whole process:
//
//   node benches/node/monokle.mjs FILE   prints {"findings": N} after one check of FILE
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Pod Security Standards rules of Monokle's plugin, baseline (1xx) and restricted (2xx). */
const PSS_RULES = [
  101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 201, 202, 203, 204, 205, 206,
].map((n) => `PSS${n}`);

/** A validator with the Pod Security Standards plugin alone, every rule an error. */
export async function createMonokle() {
  const {
    MonokleValidator, ResourceParser, DefaultPluginLoader, DisabledFixer,
  } = await import('@monokle/validation');
  // The same `yaml` as Monokle's (a dependency of @monokle/validation, hoisted).
  const { parseAllDocuments, LineCounter } = await import('yaml');
  const validator = new MonokleValidator({
    loader: new DefaultPluginLoader(),
    parser: new ResourceParser(),
    suppressors: [],
    fixer: new DisabledFixer(),
  });
  const config = {
    plugins: { 'pod-security-standards': true },
    rules: Object.fromEntries(PSS_RULES.map((id) => [id, 'err'])),
  };
  await validator.preload(config);

  /** The resources of one file, as Monokle's CLI extracts them. */
  function resources(text, path) {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, strict: false });
    const out = [];
    // parseAllDocuments returns an EmptyStream (no documents) for an empty text.
    for (const [i, doc] of Array.from(docs).entries()) {
      if (doc.errors.length) continue;
      const content = doc.toJS();
      if (!content || typeof content.apiVersion !== 'string' || typeof content.kind !== 'string') {
        continue;
      }
      const namespace = content.metadata?.namespace;
      out.push({
        id: `${path}#${i}`,
        fileId: path,
        filePath: path,
        fileOffset: lineCounter.linePos(doc.range[0]).line - 1,
        name: typeof content.metadata?.name === 'string' ? content.metadata.name : `${i}`,
        apiVersion: content.apiVersion,
        kind: content.kind,
        namespace: typeof namespace === 'string' ? namespace : undefined,
        content,
        text: doc.toString({ directives: false }),
      });
    }
    return out;
  }

  return {
    /** Checks one file; resolves to the number of findings (SARIF results). */
    async check(text, path) {
      // Monokle caches parsed resources by id: clear, so every run does the whole work.
      await validator.clear();
      const response = await validator.validate({ resources: resources(text, path) });
      let n = 0;
      for (const run of response.runs) n += run.results.length;
      return n;
    },
  };
}

// As a whole process: one check of the file named on the command line.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  const text = readFileSync(file, 'utf8');
  const monokle = await createMonokle();
  const findings = await monokle.check(text, file);
  process.stdout.write(JSON.stringify({ findings }) + '\n');
}
