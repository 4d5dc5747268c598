// The bench's verdicts: the ratios of median MIPS the goals refer to (translator / v86 JIT,
// interpreter / v86 interpreter, translator / QEMU TCG) and the cost of a full event trace.
const fmt = (value, digits = 3) => (value === null || value === undefined ? '—' : value.toFixed(digits));

/** Ratio of two medians, or null when either is missing. */
function ratio(a, b) {
  return a !== null && a !== undefined && b !== null && b !== undefined && b > 0 ? a / b : null;
}

/** The goal lines: [label, numerator engine, denominator engine, goal or null]. */
const COMPARISONS = [
  ['hvdbg translator / v86 JIT', 'hvdbg', 'v86-jit', 1.0],
  ['hvdbg interpreter / v86 interpreter', 'hvdbg-interp', 'v86', 1.0],
  ['hvdbg translator / QEMU TCG', 'hvdbg', 'qemu-tcg', 1.0],
  ['hvdbg translator / hvdbg interpreter', 'hvdbg', 'hvdbg-interp', null],
];

/** Prints every ratio (wall and cpu MIPS medians) and the trace overhead; returns them for results.json. */
export function reportRatios(perEngine, { quick }) {
  const byId = Object.fromEntries(perEngine.map((e) => [e.engine, e]));
  const ratios = {};
  for (const [label, a, b, goal] of COMPARISONS) {
    if (!byId[a] || !byId[b]) { console.log(`ratio ${label}: — (${!byId[a] ? a : b} not run)`); continue; }
    const wall = ratio(byId[a].medianMips, byId[b].medianMips);
    const cpu = ratio(byId[a].medianCpuMips, byId[b].medianCpuMips);
    ratios[`${a}/${b}`] = { wall, cpu };
    const verdict = goal === null || wall === null ? '' : `; goal ≥ ${goal.toFixed(1)}: ${wall >= goal ? 'met' : 'not met'}`;
    console.log(`ratio ${label}: ${fmt(wall)} wall, ${fmt(cpu)} cpu${verdict}${quick ? ' (quick mode: not a measurement)' : ''}`);
  }
  if (byId['hvdbg-trace'] && byId.hvdbg) {
    const traced = ratio(byId['hvdbg-trace'].medianMips, byId.hvdbg.medianMips);
    const overhead = traced === null ? null : (1 / traced - 1) * 100;
    ratios.traceOverheadPercent = overhead;
    console.log(`full event trace (--trace) costs ${fmt(overhead, 1)} % with the translator (goal ≤ 10 %: ${overhead !== null && overhead <= 10 ? 'met' : 'not met'})`);
  }
  const rss = perEngine.filter((e) => e.medianPeakRssMiB !== null).map((e) => `${e.label} ${e.medianPeakRssMiB.toFixed(0)}`);
  if (rss.length) console.log(`peak RSS (MiB, median): ${rss.join(', ')}`);
  return ratios;
}
