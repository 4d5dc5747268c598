#!/usr/bin/env node
// Prints the last bench's results (bench/out/results.json, or the file given) as the Markdown tables
// of docs/performance.md, so published numbers are copied by a program rather than by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'out', 'results.json');
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`bench/results-table.mjs: cannot read ${file}: ${error.message}`);
  process.exit(2);
}
if (!Array.isArray(results.pairs) || !Array.isArray(results.engines)) {
  console.error(`bench/results-table.mjs: ${file} is not a results.json of bench/run.mjs (no pairs/engines)`);
  process.exit(2);
}

const f = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const group = (n) => Math.round(n).toLocaleString('en-US');

console.log(`${results.date}, hvdbg ${results.hvdbgSource}, v86 ${results.v86Version}, ${results.host}; load average at the end ` +
  `${results.loadAverage.map((l) => l.toFixed(2)).join(' ')}; ${results.runsPerEngine} run(s) per engine${results.quick ? ' (QUICK: not a measurement)' : ''}; ` +
  `${f(results.elapsedSeconds / 60)} min.\n`);
for (const pair of results.pairs) {
  console.log(`**${pair.id === 'jit' ? 'JIT pair' : 'Interpreter pair'}**: ITERS=${pair.iters} (${group(pair.windowInstructions)} instructions in the window; ${pair.why}).\n`);
  console.log('| engine | wall MIPS (min–max) | cpu MIPS | window s | peak RSS |');
  console.log('|---|---|---|---|---|');
  for (const e of results.engines.filter((row) => row.pair === pair.id)) {
    console.log(`| ${e.label} | ${f(e.medianMips)} (${f(e.minMips)}–${f(e.maxMips)}) | ${f(e.medianCpuMips)} | ${f(e.medianSeconds, 2)} | ` +
      `${e.medianPeakRssMiB === null ? '—' : `${f(e.medianPeakRssMiB, 0)} MiB`} |`);
  }
  console.log('');
}
const labels = { 'hvdbg/v86-jit': 'hvdbg translator / v86 JIT', 'hvdbg-interp/v86': 'hvdbg interpreter / v86 interpreter',
  'hvdbg/qemu-tcg': 'hvdbg translator / QEMU TCG', 'hvdbg/hvdbg-interp': 'hvdbg translator / hvdbg interpreter (across pairs)' };
console.log('| ratio of medians | wall | cpu | goal |');
console.log('|---|---|---|---|');
for (const [key, label] of Object.entries(labels)) {
  const r = results.ratios[key];
  if (!r) continue;
  const goal = key === 'hvdbg/hvdbg-interp' ? '' : `≥ 1.0 (wall): ${r.wall >= 1 ? 'met' : '**not met**'}`;
  console.log(`| ${label} | ${f(r.wall, 3)} | ${f(r.cpu, 3)} | ${goal} |`);
}
const trace = results.ratios.traceOverheadPercent;
if (trace) {
  const events = results.engines.find((e) => e.engine === 'hvdbg-trace')?.traceEvents;
  console.log(`| full event trace, benchmark guest (${events ?? '?'} events a run): cost | ${f(trace.wall)} % | ${f(trace.cpu)} % | ≤ 10 %: ${trace.wall <= 10 ? 'met' : '**not met**'} |`);
}
const d = results.debuggerBench?.results;
if (d) {
  console.log(`\nDebugger (bench/debugger.mjs, ITERS=${d.iters}, ${d.runs} run(s) each): unhit breakpoints ratio ${f(d.armedRatio, 3)} ` +
    `(${f(d.armedMips)} vs ${f(d.plainMips)} MIPS; goal ≥ 0.95: ${d.armedRatio >= 0.95 ? 'met' : '**not met**'}); launch-to-first-stop ${f(d.launchToFirstStopMs, 0)} ms ` +
    `from spawning the adapter (${f(d.launchRequestToStopMs, 0)} ms from the launch request); pause latency median ${f(d.pauseMedianMs)} ms, max ${f(d.pauseMaxMs)} ms ` +
    `(goal ≤ 20 ms); instruction-step round trip median ${f(d.stepMedianMs, 2)} ms, max ${f(d.stepMaxMs, 2)} ms (goal ≤ 2 ms).`);
} else if (results.debuggerBench) {
  console.log(`\nDebugger bench: FAILED (exit ${results.debuggerBench.status})`);
}
if (Array.isArray(results.linuxBoot)) {
  console.log('\nLinux boot to the initramfs sentinel (one run each): ' + results.linuxBoot.map((r) => `${r.label} ${r.seconds === null ? `failed (${r.why})` : `${f(r.seconds)} s` +
    `${r.peakRssMiB ? ` (peak RSS ${f(r.peakRssMiB, 0)} MiB)` : ''}${r.traceEvents ? `, ${group(r.traceEvents)} events traced` : ''}`}`).join('; ') + '.');
}
