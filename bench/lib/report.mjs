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

/**
 * Prints every ratio of median wall MIPS (the verdict) and median CPU MIPS, and the trace overhead;
 * returns them for results.json. rows: summarizeEngine() results, each naming its pair and ITERS.
 */
export function reportRatios(rows, { quick }) {
  const byId = Object.fromEntries(rows.map((e) => [e.engine, e]));
  const ratios = {};
  const caveat = quick ? ' (quick mode: not a measurement)' : '';
  for (const [label, a, b, goal] of COMPARISONS) {
    if (!byId[a] || !byId[b]) { console.log(`ratio ${label}: — (${!byId[a] ? a : b} not run)`); continue; }
    const wall = ratio(byId[a].medianMips, byId[b].medianMips);
    const cpu = ratio(byId[a].medianCpuMips, byId[b].medianCpuMips);
    const acrossPairs = byId[a].pair !== byId[b].pair;
    ratios[`${a}/${b}`] = { wall, cpu, iters: acrossPairs ? [byId[a].iters, byId[b].iters] : byId[a].iters };
    const verdict = goal === null || wall === null ? '' : `; goal ≥ ${goal.toFixed(1)} (wall): ${wall >= goal ? 'met' : 'not met'}`;
    const where = acrossPairs ? ` (across pairs: ITERS ${byId[a].iters} vs ${byId[b].iters})` : '';
    console.log(`ratio ${label}: ${fmt(wall)} wall, ${fmt(cpu)} cpu${verdict}${where}${caveat}`);
  }
  if (byId['hvdbg-trace'] && byId.hvdbg) {
    const traced = ratio(byId['hvdbg-trace'].medianMips, byId.hvdbg.medianMips);
    const overhead = traced === null ? null : (1 / traced - 1) * 100;
    const tracedCpu = ratio(byId['hvdbg-trace'].medianCpuMips, byId.hvdbg.medianCpuMips);
    const overheadCpu = tracedCpu === null ? null : (1 / tracedCpu - 1) * 100;
    ratios.traceOverheadPercent = { wall: overhead, cpu: overheadCpu };
    console.log(`full event trace (--trace) with the translator: ratio traced / untraced ${fmt(traced)} wall, ${fmt(tracedCpu)} cpu; ` +
      `costs ${fmt(overhead, 1)} % wall, ${fmt(overheadCpu, 1)} % cpu (goal ≤ 10 %: ${overhead !== null && overhead <= 10 ? 'met' : 'not met'}; ` +
      `${byId['hvdbg-trace'].traceEvents ?? '?'} events a run: this guest makes few, so this is the cost of tracing being on)${caveat}`);
  }
  return ratios;
}
