// Reads the parts of a wasm binary that js/size.mjs, js/minify-names.mjs and
// js/prune-table.mjs need: the imports, the size of each function body and the function
// names (`name` section).
// Usage: const { imports, bodies, names } = readModule(readFileSync(file));

/** The unsigned LEB128 number at `bytes[pos]`, and the position after it. */
export const readLeb = (bytes, pos) => {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return { value, next: pos };
  }
};

/** Imports as { module, name, kind }, body sizes in code order, function names by index. */
export const readModule = (bytes) => {
  let pos = 8;
  const leb = () => { const { value, next } = readLeb(bytes, pos); pos = next; return value; };
  const text = () => { const length = leb(); return bytes.toString('utf8', pos, (pos += length)); };
  const limits = () => { if (bytes[pos++] & 1) { leb(); leb(); } else leb(); };
  const imports = [];
  const bodies = [];
  const names = new Map();
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const end = leb() + pos;
    if (id === 2) {
      for (let count = leb(); count > 0; count--) {
        const module = text();
        const name = text();
        const kind = bytes[pos++];
        if (kind === 1) { pos++; limits(); }     // table: element type, limits
        else if (kind === 2) limits();            // memory
        else if (kind === 3) pos += 2;            // global: value type, mutability
        else leb();                               // function or tag: type index
        imports.push({ module, name, kind });
      }
    } else if (id === 10) {
      for (let count = leb(); count > 0; count--) {
        const size = leb();
        bodies.push(size);
        pos += size;
      }
    } else if (id === 0 && text() === 'name') {
      while (pos < end) {
        const sub = bytes[pos++];
        const subEnd = leb() + pos;
        if (sub === 1) for (let count = leb(); count > 0; count--) names.set(leb(), text());
        pos = subEnd;
      }
    }
    pos = end;
  }
  return { imports, bodies, names };
};
