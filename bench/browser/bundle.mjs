// Bundle size: the same minimal app bundled with esbuild (minified, browser ESM) for
// Roster (JS + its wasm file) and for ably-js (modular entry and default build); gzip -9
// and brotli q11 of each file as served. Prints result rows (JSON lines) on stdout.
// Usage: node bench/browser/bundle.mjs PKG_DIR OUT_DIR
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const [pkgDir, outDir] = process.argv.slice(2);

async function bundle(name, alias) {
  const outfile = join(outDir, `${name}.js`);
  const result = await build({
    entryPoints: [join(here, 'apps', `${name}.js`)], bundle: true, minify: true, format: 'esm',
    platform: 'browser', target: 'es2022', outfile, alias, logLevel: 'warning', nodePaths: [join(here, 'node_modules')],
  });
  // A package whose wasm lacks the classes its wrapper imports would measure too small.
  const missing = result.warnings.filter((w) => w.id === 'import-is-undefined');
  if (missing.length) throw new Error(`${name}: incomplete package (${missing[0].text})`);
  return outfile;
}

function sizes(files) {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const file of files) {
    const raw = readFileSync(file);
    total.raw += raw.length;
    total.gzip += gzipSync(raw, { level: 9 }).length;
    total.brotli += brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return total;
}

// Like for like: Roster's realtime-only entry against ably-js's modular build, and its full
// entry (Realtime + Rest) against ably-js's default build.
const rosterRealtime = sizes([
  await bundle('roster', { 'roster-presence': join(pkgDir, 'realtime.js') }),
  join(pkgDir, 'roster_realtime_bg.wasm'),
]);
const roster = sizes([await bundle('roster', { 'roster-presence': join(pkgDir, 'index.js') }), join(pkgDir, 'roster_wasm_bg.wasm')]);
const modular = sizes([await bundle('ably-modular', {})]);
const modularRest = sizes([await bundle('ably-modular-rest', {})]);
const full = sizes([await bundle('ably-default', {})]);
const section = 'Bundle size (minimal app)';
const pairs = [
  ['realtime entry', rosterRealtime, 'ably-js modular', modular],
  ['realtime entry', rosterRealtime, 'ably-js modular + Rest (presence.history)', modularRest],
  ['full entry', roster, 'ably-js default', full],
];
for (const [entry, ours, anchorName, anchor] of pairs) {
  for (const kind of ['gzip', 'brotli']) {
    console.log(JSON.stringify({
      section, figure: `${kind} (Roster ${entry}, JS + wasm)`, unit: 'B', roster: ours[kind],
      anchor_name: anchorName, anchor: anchor[kind], better: 'lower',
    }));
  }
}
console.error(`bundle raw bytes: roster realtime ${rosterRealtime.raw}, full ${roster.raw}, ably modular ${modular.raw}, with Rest ${modularRest.raw}, ably default ${full.raw}`);
