// Points the function table's slots that only wasm-bindgen's closure descriptions used at
// a function that traps, so that wasm-opt can drop the functions that were in them.
// wasm-bindgen describes each closure type with the address of its invoke shim
// (`describe_invoke`), which puts the shim in the table; the CLI reads the descriptions,
// exports a wrapper for the closure types the bindings use (which calls the shim
// directly) and removes the descriptions, but leaves the table as it is. Rust code never
// calls an invoke shim through the table, so those slots are dead (43 in the realtime
// wasm, one per closure type js-sys declares: 195 B gzip of the minimal app). They keep
// their places, as the table's indices are function pointers in code and data; the trap
// is a function added at the end. The same goes for js-sys's JSPI task waker (its vtable's
// four functions, and through them the task's wake and drop): only a JSPI task's poll makes
// one, and the CLI deletes that poll's export in a module without JSPI (117 B gzip).
// Usage: node js/prune-table.mjs WASM   (the module as wasm-bindgen wrote it, names kept)
import { readFileSync, writeFileSync } from 'node:fs';
import { readLeb, readModule } from './wasm-module.mjs';

const file = process.argv[2];
const bytes = readFileSync(file);
const fail = (why) => { console.error(`prune-table: ${why} in ${file}`); process.exit(1); };
const { imports, names } = readModule(bytes);
if (!names.size) fail('no function names');
const imported = imports.filter((i) => i.kind === 0).length;

let pos = 8;
const leb = () => { const { value, next } = readLeb(bytes, pos); pos = next; return value; };
const encode = (value) => {
  const out = [];
  do {
    const byte = value % 128;
    value = Math.floor(value / 128);
    out.push(value ? byte | 0x80 : byte);
  } while (value);
  return out;
};

// Exported functions, and where the element (9) and code (10) sections are.
const exported = new Set();
const sections = {};
while (pos < bytes.length) {
  const start = pos;
  const id = bytes[pos++];
  const end = leb() + pos;
  sections[id] = { start, body: pos, end };
  if (id === 7) {
    for (let count = leb(); count > 0; count--) {
      const nameLength = leb();
      pos += nameLength;
      const kind = bytes[pos++];
      const index = leb();
      if (kind === 0) exported.add(index);
    }
  }
  pos = end;
}
if (!sections[3] || !sections[9] || !sections[10]) fail('no function, element or code section');
const isDead = (index) => !exported.has(index)
  && /^(wasm_bindgen::convert::closures::_::invoke|js_sys::futures::jspi::task_waker::raw_\w+)::h[0-9a-f]{16}$/.test(names.get(index) ?? '');

// The trap: a function of the first type (any will do: a call through a slot of another
// type traps too), no locals, `unreachable`.
pos = sections[3].body;
const defined = leb();
const trap = imported + defined;
const functionBody = Buffer.concat([Buffer.from(encode(defined + 1)), bytes.subarray(pos, sections[3].end), Buffer.from([0])]);
pos = sections[10].body;
if (leb() !== defined) fail('as many bodies as functions expected');
const codeBody = Buffer.concat([Buffer.from(encode(defined + 1)), bytes.subarray(pos, sections[10].end), Buffer.from([3, 0x00, 0x00, 0x0b])]);

// One active segment of function indices (flags 0): the dead ones become the trap's.
pos = sections[9].body;
if (leb() !== 1) fail('not one element segment');
if (bytes[pos++] !== 0) fail('an element segment that is not a plain function list');
while (bytes[pos] !== 0x0b) pos++; // the offset expression (i32.const N)
const head = bytes.subarray(sections[9].body, ++pos);
const slots = [];
for (let count = leb(); count > 0; count--) slots.push(leb());
if (pos !== sections[9].end) fail('bytes after the element segment');
if (!slots.some(isDead)) fail('no invoke shim in the table (wasm-bindgen output changed?)');
const elementBody = [...head, ...encode(slots.length), ...slots.flatMap((i) => encode(isDead(i) ? trap : i))];

const section = (id, body) => Buffer.concat([Buffer.from([id, ...encode(body.length)]), Buffer.from(body)]);
writeFileSync(file, Buffer.concat([
  bytes.subarray(0, sections[3].start), section(3, functionBody),
  bytes.subarray(sections[3].end, sections[9].start), section(9, elementBody),
  bytes.subarray(sections[9].end, sections[10].start), section(10, codeBody),
  bytes.subarray(sections[10].end),
]));
