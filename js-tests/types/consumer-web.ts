// A browser/bundler consumer (moduleResolution "bundler", lib "dom"): init() with a URL,
// a Response or bytes, initSync() with bytes or a compiled module.
import { check, init, initSync, type InitInput, type SyncInitInput } from 'kube-secctx';

const url: InitInput = new URL('kube_secctx_bg.wasm', import.meta.url);
await init();
await init(url);
await init('/assets/kube_secctx_bg.wasm');
await init(fetch('/assets/kube_secctx_bg.wasm'));
const bytes: SyncInitInput = new Uint8Array(await (await fetch('/x.wasm')).arrayBuffer());
initSync(bytes);
initSync(new WebAssembly.Module(new Uint8Array(8)));
initSync(new ArrayBuffer(8));
// @ts-expect-error: initSync needs the module
initSync();
// @ts-expect-error: one input
await init(url, url);
const el = document.createElement('pre');
el.textContent = check('kind: Pod\n').findings.map((f) => `${f.range.start.line}:${f.rule}`).join('\n');
