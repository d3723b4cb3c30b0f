// Reads the output of `cargo bench --bench presence` (criterion) and prints result rows:
// SYNC benches' median time (against the 20 ms target), the others' median elements/s as
// messages/s (against 500,000 msg/s).
// Usage: node bench/criterion-parse.mjs LOG
import { readFileSync } from 'node:fs';

const SECTION = 'Core throughput';
const TIME = { ns: 1e-6, 'µs': 1e-3, us: 1e-3, ms: 1, s: 1e3 };
const RATE = { 'elem/s': 1, 'Kelem/s': 1e3, 'Melem/s': 1e6, 'Gelem/s': 1e9 };
const middle = (text, scale) => {
  const parts = text.trim().split(/\s+/);
  const [value, unit] = [Number(parts[2]), parts[3]];
  return scale[unit] === undefined ? null : value * scale[unit];
};

const benches = new Map();
let pending = null;
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  const same = /^(\S.*?)\s+time:\s+\[(.+)\]/.exec(line);
  const time = /^\s+time:\s+\[(.+)\]/.exec(line);
  const thrpt = /^\s+thrpt:\s+\[(.+)\]/.exec(line);
  // "change:" repeats time/thrpt as percentages against the previous run; not figures.
  if (/^\s+change:/.test(line)) {
    pending = null;
  } else if (same) {
    pending = same[1].trim();
    benches.set(pending, { ms: middle(same[2], TIME) });
  } else if (time && pending) {
    benches.set(pending, { ms: middle(time[1], TIME) });
  } else if (thrpt && pending && benches.has(pending)) {
    benches.get(pending).rate = middle(thrpt[1], RATE);
  } else if (/^[A-Za-z0-9_\-/ ]+$/.test(line) && !/^(Benchmarking|Found|Running|Gnuplot|Warning)/.test(line)) {
    pending = line.trim();
  }
}
if (benches.size === 0) throw new Error('no criterion results in the log');
for (const [id, b] of benches) {
  if (/sync/i.test(id) || !b.rate) {
    console.log(JSON.stringify({ section: SECTION, figure: `criterion ${id}: median time`, unit: 'ms', roster: b.ms,
      anchor_name: /sync/i.test(id) ? 'target' : '—', anchor: /sync/i.test(id) ? 20 : null, better: 'lower' }));
  } else {
    console.log(JSON.stringify({ section: SECTION, figure: `criterion ${id}: median throughput`, unit: 'msg/s', roster: b.rate,
      anchor_name: 'target', anchor: 500_000, better: 'higher' }));
  }
}
