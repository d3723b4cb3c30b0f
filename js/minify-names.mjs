// Shortens the wasm's import, export and module names and rewrites the wasm-bindgen glue
// to match. wasm-bindgen names each import after its JS function plus a 16-hex-digit hash
// (`__wbg_setTimeout_a60d83bec06b4345`): text that does not compress, once in the wasm and
// again in the glue. binaryen renames them (`a`, `b`, …) and prints the mapping.
// Usage: node js/minify-names.mjs WASM_OPT WASM GLUE [wasm-opt feature flags...]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readModule } from './wasm-module.mjs';

const [wasmOpt, wasmFile, glueFile, ...features] = process.argv.slice(2);
const mapping = JSON.parse(execFileSync(wasmOpt, [
  '--minify-imports-and-exports-and-modules', ...features, wasmFile, '-o', wasmFile,
], { encoding: 'utf8' }));

// The new module name is not in the mapping: read it from the import section.
const moduleNames = () => [...new Set(readModule(readFileSync(wasmFile)).imports.map((i) => i.module))];

let glue = readFileSync(glueFile, 'utf8');
const fail = (why) => { console.error(`minify-names: ${why}`); process.exit(1); };
const escape = (text) => text.replace(/[.$]/g, '\\$&');
// Replaces `from` as a whole word (followed by `after`); `expect` checks how often it occurs.
const rename = (from, to, after, expect) => {
  const pattern = new RegExp(`(?<![\\w$])${escape(from)}(?![\\w$])(?=${after})`, 'g');
  const count = glue.match(pattern)?.length ?? 0;
  if (!expect(count)) fail(`${from} occurs ${count} times in the glue`);
  glue = glue.replace(pattern, () => to);
};

// wasm-bindgen imports a snippet function that needs no glue (no arguments to convert)
// straight from its snippet module, which binaryen merges into the one module: such a
// function becomes an entry of the glue's import object, named as binaryen renamed it,
// and the glue imports it by name, as js/loader.mjs inlines snippets.
const glueModule = glue.match(/^ {8}"([^"]+)": import0,$/m)?.[1];
if (!glueModule) fail('no import object of the glue');
for (const [module, from, to] of mapping.imports.filter(([module]) => module !== glueModule)) {
  const [line, local] = glue.match(new RegExp(`^import \\* as (import\\d+) from "${escape(module)}"\n`, 'm')) ?? [];
  if (!line) fail(`no import of ${module}`);
  glue = glue.replace(line, `import { ${from} } from '${module}';\n`)
    .replace(`        "${module}": ${local},\n`, '')
    .replace('    const import0 = {\n        __proto__: null,\n', (head) => `${head}        ${JSON.stringify(to)}: ${from},\n`);
}
const newModules = moduleNames();
if (newModules.length !== 1) fail(`expected one import module, got ${newModules}`);
rename(JSON.stringify(glueModule), JSON.stringify(newModules[0]), ':', (n) => n === 1);
for (const [module, from, to] of mapping.imports) {
  if (module === glueModule) rename(from, JSON.stringify(to), ':', (n) => n === 1);
}
// An export the glue never calls (e.g. `__abort_handler`) needs no rewrite.
for (const [from, to] of mapping.exports) rename(`wasm.${from}`, `wasm.${to}`, '', () => true);
const exported = new Set(mapping.exports.map(([, to]) => to));
for (const [, name] of glue.matchAll(/(?<![\w$])wasm\.([\w$]+)/g)) {
  if (!exported.has(name)) fail(`the glue uses an export binaryen did not rename: ${name}`);
}
writeFileSync(glueFile, glue);
