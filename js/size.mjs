// Prints raw/gzip/brotli sizes of one package entry's files, and the total gzip size of
// an app (the files after `--`), then "minimal app gzip N B NOTE".
// Usage: node js/size.mjs ENTRY NOTE FILE... -- APP_FILE...
// With --functions FILE, sums a wasm module's code by crate and lists its biggest
// functions, named from its `name` section (kept before wasm-opt).
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { readModule } from './wasm-module.mjs';

const sizes = (file) => {
  const raw = readFileSync(file);
  const brotli = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length, brotli: brotli.length };
};
const row = (name, s) =>
  console.log(`${name.padEnd(28)} ${String(s.raw).padStart(8)} ${String(s.gzip).padStart(8)} ${String(s.brotli).padStart(8)}`);

const args = process.argv.slice(2);
if (args[0] === '--functions') {
  // Body sizes from the code section, names from the `name` section: read directly, as
  // `wasm-opt --func-metrics` takes minutes on this module.
  const { imports, bodies, names } = readModule(readFileSync(args[1]));
  const imported = imports.filter((i) => i.kind === 0).length;
  const funcs = bodies.map((size, i) => [size, names.get(imported + i) ?? `func ${imported + i}`]);
  funcs.sort((a, b) => b[0] - a[0]);
  const total = funcs.reduce((n, [s]) => n + s, 0);
  const groups = ['serde_json', 'serde', 'roster::wasm', 'roster::json', 'roster::protocol', 'roster::rest', 'roster::auth',
    'roster::realtime', 'roster::connection', 'roster::channel', 'roster::presence', 'flt2dec', 'fmt',
    'wasm_bindgen', 'js_sys', 'web_sys', 'talc', 'base64', 'sha2', 'hmac', 'btree', 'hashbrown'];
  const byGroup = new Map();
  for (const [size, name] of funcs) {
    // wasm-bindgen's exports (`realtime_new`): each method's shim, with what LTO inlined.
    const exported = !name.includes('::') && /^[a-z]+_\w+$/.test(name);
    const group = exported ? 'exported methods' : groups.find((g) => name.includes(g)) ?? 'other (core/alloc generics)';
    byGroup.set(group, (byGroup.get(group) ?? 0) + size);
  }
  console.log(`code by origin (before wasm-opt, ${total} bytes in ${funcs.length} functions):`);
  for (const [group, size] of [...byGroup].sort((a, b) => b[1] - a[1])) {
    console.log(`${String(size).padStart(7)}  ${group}`);
  }
  console.log('biggest functions:');
  for (const [size, name] of funcs.slice(0, 15)) console.log(`${String(size).padStart(7)}  ${name.slice(0, 110)}`);
  process.exit(0);
}
const [entry, note] = args;
const split = args.indexOf('--');
const pkgFiles = args.slice(2, split);
const appFiles = args.slice(split + 1);
console.log(entry);
console.log(`${'file'.padEnd(28)} ${'raw'.padStart(8)} ${'gzip'.padStart(8)} ${'brotli'.padStart(8)}`);
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const file of pkgFiles) {
  const s = sizes(file);
  row(file.split('/').pop(), s);
  for (const k in total) total[k] += s[k];
}
row('package total (wasm + JS)', total);
const app = { raw: 0, gzip: 0, brotli: 0 };
for (const file of appFiles) {
  const s = sizes(file);
  for (const k in app) app[k] += s[k];
}
row('minimal app (esbuild+wasm)', app);
console.log(`minimal app gzip ${app.gzip} B ${note}`);
