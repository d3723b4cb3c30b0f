// Replaces the wasm-bindgen glue's loader with the one the package needs. The glue's own
// (`init`, `initSync`) takes a module, bytes, a Response or a URL, warns about deprecated
// arguments and about a wrong MIME type, and none of it minifies away; the package's
// entries use one path, `await init()` with the wasm file beside the glue. What is left:
// fetch and instantiate once, compiling from the bytes when the server does not send
// `application/wasm`, and an error naming the URL and status when the fetch fails. The
// `new URL('…_bg.wasm', import.meta.url)` form stays as wasm-bindgen writes it: bundlers
// look for it. Also drops the encodeInto polyfill: every browser with WebAssembly
// reference types (which the wasm needs) has TextEncoder.encodeInto. Measured: 469 B
// less gzip for the minimal app. Two more dead paths go (67 B): passStringToWasm0's for a
// module without `realloc`, and the stand-ins for a missing FinalizationRegistry; and the
// classes' free(), which the wrapper never calls: 66 B, and with the statement that set
// Symbol.dispose gone, a bundler drops the full entry's Rest class from an app that uses
// Realtime only (187 B); and getDataViewMemory0's test for a stale view made one
// comparison (19 B). And puts the crate's `inline_js` snippets (wasm-bindgen
// writes each to a file of its own under snippets/, which the glue imports) into the
// glue itself: the package stays one glue file per entry.
// Usage: node js/loader.mjs GLUE DIR   (DIR: where wasm-bindgen wrote the glue and snippets)
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const [glueFile, outDir] = process.argv.slice(2);
let glue = readFileSync(glueFile, 'utf8');
const fail = (why) => { console.error(`loader: ${why} in ${glueFile}`); process.exit(1); };

// A module imported on several lines (as minify-names.mjs leaves src/wasm/helpers.js) is
// put in once, at its first.
const inlined = new Set();
glue = glue.replace(/^import \{ ([\w$, ]+) \} from '(\.\/snippets\/[\w./-]+)';\n/gm, (_, names, path) => {
  // Whole-line comments go: they are for the source (src/wasm/helpers.js), not the glue.
  const source = readFileSync(join(outDir, path), 'utf8').replace(/^\/\/.*\n/gm, '');
  const snippet = `${source.replace(/^export function /gm, 'function ').trim()}\n`;
  for (const name of names.split(', ')) {
    if (!snippet.includes(`function ${name}(`)) fail(`no function ${name} in ${path}`);
  }
  if (inlined.has(path)) return '';
  inlined.add(path);
  return snippet;
});
if (glue.includes('./snippets/')) fail('a snippet import left');

const start = glue.indexOf('let wasmModule, wasmInstance, wasm;');
if (start < 0) fail('no loader to replace (wasm-bindgen output changed?)');
const url = glue.match(/new URL\('([\w.-]+_bg\.wasm)', import\.meta\.url\)/)?.[1];
if (!url) fail('no wasm URL');
const startFn = glue.slice(start).match(/wasm\.([\w$]+)\(\);\s*return wasm;/)?.[1];
if (!startFn) fail('no start function call');

const polyfill = /if \(!\('encodeInto' in cachedTextEncoder\)\) \{[\s\S]*?\n\}\n/;
if (!polyfill.test(glue)) fail('no encodeInto polyfill');
glue = glue.replace(polyfill, '');

// passStringToWasm0's path for a module without a realloc export: this one has one, and
// every call passes it.
const withoutRealloc = /(function passStringToWasm0\(arg, malloc, realloc\) \{\n)    if \(realloc === undefined\) \{\n[\s\S]*?\n    \}\n\n/;
if (!withoutRealloc.test(glue)) fail('no passStringToWasm0 path without realloc');
if (/passStringToWasm0\([^,()]+, [^,()]+\)/.test(glue)) fail('a passStringToWasm0 call without realloc');
glue = glue.replace(withoutRealloc, '$1');

// passStringToWasm0 copies a string's ASCII start into the wasm a character at a time in
// JS, then hands the rest to encodeInto: encodeInto from the start does the same in less
// code (33 B gzip; the 100,000 presence updates, a received frame of tens of KB each,
// took the same main-thread time either way: 259 vs 262 ms, medians of 6 pairs).
const asciiLoop = /\n    const mem = getUint8ArrayMemory0\(\);\n\n    let offset = 0;\n\n    for \(; offset < len; offset\+\+\) \{\n[\s\S]*?\n    \}\n    if \(offset !== len\) \{\n        if \(offset !== 0\) \{\n            arg = arg\.slice\(offset\);\n        \}\n/;
if (!asciiLoop.test(glue)) fail('no ASCII loop in passStringToWasm0');
glue = glue.replace(asciiLoop, `
    let { read, written: offset } = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(ptr, ptr + len));
    if (read !== len) {
        arg = arg.slice(read);
`);

// The fallbacks for engines without FinalizationRegistry: the wrapper needs WeakRef, which
// came with it everywhere.
const noRegistry = /\(typeof FinalizationRegistry === 'undefined'\)\n    \? \{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\n    : (new FinalizationRegistry\()/g;
if (!noRegistry.test(glue)) fail('no FinalizationRegistry fallback');
glue = glue.replace(noRegistry, '$1');

// getDataViewMemory0's test of whether its view is over the memory's current buffer: one
// comparison does (a buffer the memory grew out of is detached and no longer the
// memory's); its test of ArrayBuffer.detached first only spares reading memory.buffer.
const viewTest = /cachedDataViewMemory0 === null \|\| cachedDataViewMemory0\.buffer\.detached === true \|\| \(cachedDataViewMemory0\.buffer\.detached === undefined && cachedDataViewMemory0(\.buffer !== wasm\.[\w$]+\.buffer)\)/;
if (!viewTest.test(glue)) fail('no DataView test');
glue = glue.replace(viewTest, 'cachedDataViewMemory0?$1');

// The classes' free() (with __destroy_into_raw and Symbol.dispose): the wrapper never
// frees one by hand; the FinalizationRegistry frees each once it is collected.
const manualFree = /    __destroy_into_raw\(\) \{\n[\s\S]*?\n    \}\n    free\(\) \{\n[\s\S]*?\n    \}\n/g;
const dispose = /^if \(Symbol\.dispose\) (\w+)\.prototype\[Symbol\.dispose\] = \1\.prototype\.free;\n/gm;
const classes = (glue.match(/^export class /gm) ?? []).length;
if ((glue.match(manualFree) ?? []).length !== classes || (glue.match(dispose) ?? []).length !== classes) {
  fail('not one free() per class');
}
glue = glue.replace(manualFree, '').replace(dispose, '');

const head = glue.slice(0, glue.indexOf('let wasmModule, wasmInstance, wasm;'));
glue = `${head}let wasm, loading;

/** Instantiates the wasm module once; resolves with its exports. */
export default function init() {
    return loading ??= (async () => {
        const url = new URL('${url}', import.meta.url);
        const imports = __wbg_get_imports();
        let result;
        try {
            result = await WebAssembly.instantiateStreaming(fetch(url), imports);
        } catch {
            // Not served as application/wasm (or not at all): from the bytes, or the
            // fetch's own error.
            const response = await fetch(url);
            if (!response.ok) throw new Error(\`failed to fetch \${url}: \${response.status}\`);
            result = await WebAssembly.instantiate(await response.arrayBuffer(), imports);
        }
        wasm = result.instance.exports;
        wasm.${startFn}();
        return wasm;
    })();
}
`;
writeFileSync(glueFile, glue);

// The same glue for Node (the package's `node` export condition: index.node.js and
// realtime.node.js import it), in a file of its own so that the browser glue carries none
// of it and no bundler for the browser meets node:fs. Three differences:
// - Node's fetch takes no file: URL, so the wasm file beside the glue is read from disk.
//   The URL keeps wasm-bindgen's form: a bundler building for Node (an SSR build) emits
//   the file and points it there.
// - Where Node has no WebSocket (Node 20 without --experimental-websocket; Node 22 has
//   one), the socket opened is a stand-in that answers as a server refusing the
//   connection would: a connection ERROR (80000) naming what is missing, so the
//   connection goes to failed with that reason (as for any fatal error: no retries that
//   keep the process alive and never succeed). Without it `new WebSocket` threw, which
//   the client took for a refused connection: disconnected, retrying every 15 s, with a
//   reason that said nothing of why. The global is looked up at each connection: an app
//   may set one (the ws package's) before it connects.
// - TextDecoder and TextEncoder are imported from node:util (the classes of Node's
//   globals): Jest's jsdom environment, whose globals are jsdom's, has neither.
const socketCall = 'new WebSocket(getStringFromWasm0(';
if (head.split(socketCall).length !== 2) fail('not one WebSocket constructor call');
const noWebSocket = JSON.stringify({ action: 9, error: {
  message: 'no WebSocket in this Node.js: Node 22 or later has one; run Node 20 with --experimental-websocket, or set globalThis.WebSocket (from the ws package) before connecting',
  code: 80000, statusCode: 400,
} });
const nodeHead = (imports) => `${imports}
import { TextDecoder, TextEncoder } from 'node:util';
${head.replace(socketCall, `new (globalThis.WebSocket ?? NoWebSocket)(getStringFromWasm0(`)}
/** Where Node has no WebSocket: a socket that opens, sends a connection ERROR and closes. */
class NoWebSocket {
    constructor() {
        this.readyState = 0;
        setTimeout(() => {
            this.onopen?.();
            this.onmessage?.({ data: ${JSON.stringify(noWebSocket)} });
            this.onclose?.();
        });
    }
    send() {}
    close() {}
}

`;
writeFileSync(glueFile.replace(/\.js$/, '.node.js'), `${nodeHead("import { readFileSync } from 'node:fs';")}let wasm, loading;

/** Instantiates the wasm module once, from the file beside this one; resolves with its exports. */
export default function init() {
    return loading ??= (async () => {
        const bytes = readFileSync(new URL('${url}', import.meta.url));
        wasm = (await WebAssembly.instantiate(bytes, __wbg_get_imports())).instance.exports;
        wasm.${startFn}();
        return wasm;
    })();
}
`);

// And for the package's `require` condition (CommonJS, as scripts and Jest load it), the
// same Node glue with an init() that instantiates synchronously, so that the entries need
// no top-level await (Node compiles a module of any size synchronously). build.sh turns it into
// CommonJS with esbuild, where __dirname is the package's directory; an ES module has
// none, so this file goes to DIR, not beside the glue.
writeFileSync(join(outDir, basename(glueFile).replace(/\.js$/, '.node-sync.js')), `${nodeHead("import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';")}
let wasm;

/** Instantiates the wasm module once, from the file beside this one; returns its exports. */
export default function init() {
    if (!wasm) {
        const bytes = readFileSync(join(__dirname, '${url}'));
        wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), __wbg_get_imports()).exports;
        wasm.${startFn}();
    }
    return wasm;
}
`);
