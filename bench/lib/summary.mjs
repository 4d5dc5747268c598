// Turns the runs of one engine into medians and prints each pair's table (wall MIPS, CPU MIPS,
// seconds, stdout-window cross-check, peak RSS).

export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const fmt = (value, digits = 1) => (value === null || value === undefined ? '—' : value.toFixed(digits));
export const group = (n) => Math.round(n).toLocaleString('en-US');

const numbers = (runs, key) => runs.map((r) => r[key]).filter((v) => typeof v === 'number' && Number.isFinite(v));

/** Medians (and the MIPS range) of one engine's runs in a pair. */
export function summarizeEngine(engine, pair, runs) {
  const mips = numbers(runs, 'mips');
  return {
    engine: engine.id, label: engine.label, pair: pair.id, iters: pair.iters, runs: runs.length, span: runs[0]?.span.what,
    medianMips: median(mips), minMips: mips.length ? Math.min(...mips) : null, maxMips: mips.length ? Math.max(...mips) : null,
    medianCpuMips: median(numbers(runs, 'cpuMips')),
    medianStdoutWindowMips: median(numbers(runs, 'stdoutWindowMips')),
    medianSeconds: median(runs.map((r) => r.span.wallSeconds)),
    medianPeakRssMiB: median(numbers(runs, 'peakRssMiB')),
    ...(engine.traceFile ? { traceEvents: median(numbers(runs, 'traceEvents')) } : {}),
  };
}

/** Prints one pair's table of medians. */
export function printPairTable(pair, rows, runsPerEngine) {
  console.log(`${pair.label}: ITERS=${pair.iters} (${group(pair.windowInstructions)} instructions in the bench window), ` +
    `${runsPerEngine} run(s) per engine; medians:`);
  console.log(`  ${'engine'.padEnd(27)} ${'wall MIPS (min–max)'.padStart(24)} ${'cpu MIPS'.padStart(9)} ${'seconds'.padStart(8)} ` +
    `${'stdout-window MIPS'.padStart(19)} ${'peak RSS'.padStart(9)}`);
  for (const e of rows) {
    const range = `${fmt(e.medianMips)} (${fmt(e.minMips)}–${fmt(e.maxMips)})`;
    const rss = e.medianPeakRssMiB === null ? '—' : `${e.medianPeakRssMiB.toFixed(0)} MiB`;
    console.log(`  ${e.label.padEnd(27)} ${range.padStart(24)} ${fmt(e.medianCpuMips).padStart(9)} ${fmt(e.medianSeconds, 2).padStart(8)} ` +
      `${fmt(e.medianStdoutWindowMips).padStart(19)} ${rss.padStart(9)}`);
  }
}

/** The notes under the tables: what each column measures. */
export function printColumnNotes() {
  console.log('  wall MIPS (the headline: what a user waits for): hvdbg over its run loop (its --json summary), v86 over');
  console.log('    its bench window (its own count and clock), QEMU over BENCH START→DONE on its serial (calibrated count).');
  console.log('  cpu MIPS: the same spans in the measured process\'s CPU time, all threads (/proc): V8\'s background');
  console.log('    compilers count, which penalises v86 JIT most (its wasm is compiled there); QEMU: qemu-system-i386\'s own.');
  console.log('  stdout-window: BENCH START→DONE arrival on stdout, a cross-check that flatters hvdbg (its output is');
  console.log('    flushed once per run slice). Peak RSS: VmHWM of the process (QEMU: qemu-system-i386, not its wrapper).');
}
