// Traces as lines, and the lines two traces differ by: what the differential tests
// (differential.mjs, react-hooks.test.mjs) show when Roster's trace is not ably-js's.

/**
 * A trace (arrays of entries by stream name) as one line per entry, "stream: entry",
 * streams in name order: an assertion diff then shows the entries that differ, each whole.
 */
export const lines = (trace) => Object.keys(trace).sort()
  .flatMap((stream) => trace[stream].map((entry) => `${stream}: ${JSON.stringify(entry)}`));

/**
 * Every line of `ours` and `theirs`, the ones only in ours marked +, only in theirs -
 * (a longest common subsequence): assert's own diff leaves lines out of long traces.
 */
export function difference(ours, theirs) {
  const common = ours.map(() => new Array(theirs.length + 1).fill(0));
  common.push(new Array(theirs.length + 1).fill(0));
  for (let i = ours.length - 1; i >= 0; i -= 1) {
    for (let j = theirs.length - 1; j >= 0; j -= 1) {
      common[i][j] = ours[i] === theirs[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const out = [];
  let [i, j] = [0, 0];
  while (i < ours.length || j < theirs.length) {
    if (i < ours.length && j < theirs.length && ours[i] === theirs[j]) {
      out.push(`  ${ours[i]}`);
      i += 1;
      j += 1;
    } else if (j < theirs.length && (i === ours.length || common[i][j + 1] >= common[i + 1][j])) out.push(`- ${theirs[j++]}`);
    else out.push(`+ ${ours[i++]}`);
  }
  return out;
}

