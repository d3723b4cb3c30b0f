// Turns the result rows of one bench/run.sh run into the table it prints and into
// BENCHMARKS.md (table, date, machine). Everything after the NOTES marker in the existing
// BENCHMARKS.md is kept, so written findings survive a re-run.
// Usage: node bench/report.mjs RESULTS.jsonl BENCHMARKS.md
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const NOTES = '<!-- notes: kept across runs -->';
const [resultsFile, mdFile] = process.argv.slice(2);
const rows = [];
const skipped = [];
for (const line of readFileSync(resultsFile, 'utf8').split('\n')) {
  if (!line.startsWith('{')) continue;
  try {
    const row = JSON.parse(line);
    (row.skipped ? skipped : rows).push(row);
  } catch { /* a step's stray output line is not a row */ }
}

const fmt = (v) => {
  if (v === null || v === undefined) return '—';
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
};
const table = [['Section', 'Figure', 'Roster', 'Anchor', 'Anchor value', 'Ratio R÷A', 'Reading']];
for (const r of rows) {
  const measured = r.roster !== null && r.anchor !== null && r.anchor !== undefined;
  const ratio = measured && r.anchor !== 0 ? r.roster / r.anchor : null;
  let reading = '';
  if (measured) {
    const worse = r.better === 'lower' ? r.roster > r.anchor : r.roster < r.anchor;
    const better = r.better === 'lower' ? r.roster < r.anchor : r.roster > r.anchor;
    const hi = Math.max(r.roster, r.anchor);
    const lo = Math.min(r.roster, r.anchor);
    const factor = lo > 0 ? `${(hi / lo).toFixed(2)}× worse` : 'anchor is 0';
    const gain = lo > 0 ? `${(hi / lo).toFixed(2)}× better` : 'Roster is 0';
    reading = worse ? `behind (${factor})` : better ? `ahead (${gain})` : 'equal';
  }
  table.push([r.section, r.figure, r.roster === null ? 'failed' : `${fmt(r.roster)} ${r.unit}`, r.anchor_name, r.anchor == null ? '—' : `${fmt(r.anchor)} ${r.unit}`,
    ratio === null ? '—' : ratio.toFixed(2), reading]);
}

const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
const line = (row) => row.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(table[0]));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table.slice(1)) console.log(line(row));
for (const s of skipped) console.log(`not measured: ${s.section}: ${s.skipped}`);

const proc = (file, re) => { try { return re.exec(readFileSync(file, 'utf8'))?.[1]?.trim(); } catch { return undefined; } };
const cpu = proc('/proc/cpuinfo', /^model name\s*:(.*)$/m) ?? os.cpus()[0]?.model ?? 'unknown CPU';
const memKiB = Number(proc('/proc/meminfo', /^MemTotal:\s*(\d+)/m) ?? os.totalmem() / 1024);
const memGiB = (memKiB / 2 ** 20).toFixed(1);
const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
let nproc = String(os.availableParallelism?.() ?? os.cpus().length);
try { nproc = execFileSync('nproc', { encoding: 'utf8' }).trim(); } catch { /* keep the node figure */ }
const md = [];
md.push('# Benchmarks', '');
md.push('Written by `bash bench/run.sh` from one run: every figure and its anchor were measured in that run, on this machine, over loopback. Ratio is Roster ÷ anchor; "Reading" says whether Roster is ahead of or behind that anchor, whichever direction is better for the figure.', '');
md.push(`- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`);
md.push(`- Machine: ${nproc} cores (nproc), ${cpu}, ${memGiB} GiB memory, ${os.type()} ${os.release()}`);
md.push(`- Load average at the end of the run (1 / 5 / 15 min): ${load}; other work shares these cores, so figures are noisy`);
md.push(`- Node ${process.version}`, '');
md.push(`| ${table[0].join(' | ')} |`, `|${table[0].map(() => '---').join('|')}|`);
for (const row of table.slice(1)) md.push(`| ${row.join(' | ')} |`);
md.push('');
if (skipped.length) {
  md.push('Not measured in this run:', '');
  for (const s of skipped) md.push(`- ${s.section}: ${s.skipped}`);
  md.push('');
}
let notes = `${NOTES}\n\n## Findings\n\n(none written yet)\n`;
if (existsSync(mdFile)) {
  const old = readFileSync(mdFile, 'utf8');
  const at = old.indexOf(NOTES);
  if (at >= 0) notes = old.slice(at);
}
writeFileSync(mdFile, `${md.join('\n')}\n${notes}`);
console.log(`\nwrote ${mdFile}`);
