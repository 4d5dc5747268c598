#!/usr/bin/env node
// The debugger's numbers, over DAP against the real adapter (dist/adapter.js, or run.mjs's copy; translator on, its default):
// launch-to-first-stop, instruction-step round trip, pause latency, and the shared benchmark's speed
// with no breakpoints vs 64 armed-but-unhit instruction breakpoints plus every event filter armed with
// a false condition (the ratio; goal ≥ 0.95). bench/run.mjs calls it; run alone after `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildGuest, expectedResult } from './lib/guest.mjs';
import { launchStoppedOnEntry, startAdapter } from './lib/dap-session.mjs';

const USAGE = 'usage: node bench/debugger.mjs [--iters N] [--runs N] [--shared DIR] [--cli FILE] [--adapter FILE] [--quick] [--json]';
const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const spin = path.join(repoDir, 'guests', 'spin', 'kernel.elf');     // loops forever: pause and step targets
const hello = path.join(repoDir, 'guests', 'hello', 'kernel.elf');   // with DWARF: what a first launch loads
const FILTERS = ['exit', 'hypercall', 'callout', 'trap', 'exception', 'interrupt', 'io', 'msr', 'cr', 'mode'];

function fail(message) {
  console.error(`bench/debugger.mjs: ${message}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({ options: {
    iters: { type: 'string' }, runs: { type: 'string' }, shared: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'boolean' },
    cli: { type: 'string' }, adapter: { type: 'string' },
  } }));
} catch (error) {
  fail(`${error.message}\n${USAGE}`);
}
const wholeNumber = (name, text, fallback) => {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) <= 0 || Number(text) > 0xFFFFFFFF) fail(`--${name} wants a positive whole number, got "${text}"\n${USAGE}`);
  return Number(text);
};
const iters = wholeNumber('iters', values.iters, 100_000);
const runs = wholeNumber('runs', values.runs, 3);
const quick = values.quick ?? false;
const samples = quick ? { launches: 2, pauses: 3, steps: 30 } : { launches: 5, pauses: 15, steps: 200 };
// bench/run.mjs passes its copies of the bundles, so that one bench measures one build.
const cli = path.resolve(values.cli ?? path.join(repoDir, 'dist', 'cli.js'));
const adapter = path.resolve(values.adapter ?? path.join(repoDir, 'dist', 'adapter.js'));
const shared = values.shared ?? process.env.HVDBG_BENCH_SHARED ?? path.resolve(repoDir, '..', 'shared', 'bench');
for (const file of [adapter, cli, spin, hello]) if (!existsSync(file)) fail(`${file} is missing (npm run build; guests/build.sh)`);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/** 64 linear addresses inside the kernel's first executable segment that are not instruction starts the run reaches. */
function unhitAddresses(kernel) {
  const bytes = readFileSync(kernel);
  const phoff = bytes.readUInt32LE(28), phentsize = bytes.readUInt16LE(42), phnum = bytes.readUInt16LE(44);
  const text = [];
  for (let k = 0; k < phnum; k++) {
    const at = phoff + k * phentsize;
    if (bytes.readUInt32LE(at) === 1 && (bytes.readUInt32LE(at + 24) & 1)) text.push({ start: bytes.readUInt32LE(at + 8), size: bytes.readUInt32LE(at + 20) });
  }
  const [seg] = text;
  // Spread over the hot code pages; odd offsets past the end of the code proper are never instruction starts.
  return Array.from({ length: 64 }, (_, k) => seg.start + ((seg.size + 64 + k * 2 + 1) % 0x1000) + 0x1000 * Math.floor(k / 32)).map((a) => `0x${a.toString(16)}`);
}

/** Seconds from configurationDone to the guest's end, with or without the breakpoint load armed; checks the guest's result. */
async function timedRun(kernel, armed, expected) {
  const { dc, output } = await startAdapter(adapter, repoDir);
  try {
    await dc.launchRequest({ program: kernel });
    if (armed) {
      const set = await dc.customRequest('setInstructionBreakpoints', { breakpoints: unhitAddresses(kernel).map((instructionReference) => ({ instructionReference })) });
      if (set.body.breakpoints.filter((b) => b.verified).length !== 64) throw new Error('not every instruction breakpoint was verified');
      await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: FILTERS.map((filterId) => ({ filterId, condition: 'vcpu == 99' })) });
    }
    let stopped = false;
    dc.on('stopped', () => { stopped = true; });
    const ended = dc.waitForEvent('terminated', 30 * 60_000);
    const started = performance.now();
    await dc.configurationDoneRequest();
    await ended;
    const seconds = (performance.now() - started) / 1000;
    if (stopped) throw new Error('a breakpoint that should never be hit stopped the guest');
    const text = output.join('');
    if (!text.includes(`BENCH DONE result=${expected}`)) throw new Error(`the guest did not print BENCH DONE result=${expected} over DAP; it printed:\n${text.slice(-500)}`);
    return seconds;
  } finally {
    await dc.stop();
  }
}

/** Milliseconds from spawning the adapter to the entry stop (what pressing F5 costs), and from the launch request. */
async function launchToFirstStop(count) {
  const total = [], fromLaunch = [];
  for (let k = 0; k < count; k++) {
    const t0 = performance.now();
    const { dc } = await startAdapter(adapter, repoDir);
    try {
      const t1 = performance.now();
      await launchStoppedOnEntry(dc, hello);
      const t2 = performance.now();
      total.push(t2 - t0);
      fromLaunch.push(t2 - t1);
    } finally {
      await dc.stop();
    }
  }
  return { total, fromLaunch };
}

async function pauseLatencies(count) {
  const { dc } = await startAdapter(adapter, repoDir);
  const out = [];
  try {
    await launchStoppedOnEntry(dc, spin);
    for (let k = 0; k < count; k++) {
      await dc.continueRequest({ threadId: 1 });
      await new Promise((r) => setTimeout(r, 150));
      const stopped = dc.waitForEvent('stopped');
      const t0 = performance.now();
      await dc.pauseRequest({ threadId: 1 });
      await stopped;
      out.push(performance.now() - t0);
    }
  } finally {
    await dc.stop();
  }
  return out;
}

async function stepRoundTrips(count) {
  const { dc } = await startAdapter(adapter, repoDir);
  const out = [];
  try {
    await launchStoppedOnEntry(dc, spin);
    for (let k = 0; k < count + 10; k++) {
      const stopped = dc.waitForEvent('stopped');
      const t0 = performance.now();
      await dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
      await stopped;
      out.push(performance.now() - t0);
    }
  } finally {
    await dc.stop();
  }
  return out.slice(10); // the first steps warm the adapter up
}

const { kernel, native64 } = buildGuest(path.join(shared, 'guest'), iters, path.join(repoDir, 'bench', 'out', `iters-${iters}`));
const { result: expected } = expectedResult(iters, native64);
// The CLI's JSON summary (on stderr) gives the instruction count of the whole run.
const cliRun = spawnSync(process.execPath, [cli, 'run', kernel, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
const summary = JSON.parse(cliRun.stderr.split('\n').filter((l) => l.startsWith('{')).pop() ?? 'null');
if (!summary || typeof summary.instructions !== 'number') fail(`hvdbg run printed no JSON summary: ${cliRun.stderr}`);
if (!cliRun.stdout.includes(`BENCH DONE result=${expected}`)) fail(`hvdbg run did not print BENCH DONE result=${expected}:\n${cliRun.stdout.slice(-500)}`);
const instructions = summary.instructions;
const plain = [], armed = [];
for (let r = 0; r < runs; r++) {   // alternating, the order swapped every round
  if (r % 2 === 0) { plain.push(await timedRun(kernel, false, expected)); armed.push(await timedRun(kernel, true, expected)); }
  else { armed.push(await timedRun(kernel, true, expected)); plain.push(await timedRun(kernel, false, expected)); }
}
const mips = (s) => instructions / s / 1e6;
const plainMips = mips(median(plain)), armedMips = mips(median(armed));
const ratio = armedMips / plainMips;
console.log(`debugger bench: shared benchmark ITERS=${iters}, result=${expected} checked over DAP (${instructions} guest instructions, whole run), ${runs} run(s) each, alternating`);
console.log(`  no breakpoints                                   ${plainMips.toFixed(1)} MIPS (runs ${plain.map((s) => s.toFixed(2)).join(', ')} s)`);
console.log(`  64 unhit instruction bps + ${FILTERS.length} filters (false cond.) ${armedMips.toFixed(1)} MIPS (runs ${armed.map((s) => s.toFixed(2)).join(', ')} s)`);
console.log(`  ratio armed / none                               ${ratio.toFixed(3)} (goal ≥ 0.95: ${ratio >= 0.95 ? 'met' : 'not met'})`);
const launches = await launchToFirstStop(samples.launches);
console.log(`  launch-to-first-stop (guests/hello, stopOnEntry) median ${median(launches.total).toFixed(0)} ms from spawning the adapter, ` +
  `${median(launches.fromLaunch).toFixed(0)} ms from the launch request (${samples.launches} launches)`);
const pauses = await pauseLatencies(samples.pauses);
console.log(`  pause latency (spinning guest, ${samples.pauses} pauses)         median ${median(pauses).toFixed(1)} ms, max ${Math.max(...pauses).toFixed(1)} ms (goal ≤ 20 ms)`);
const steps = await stepRoundTrips(samples.steps);
console.log(`  instruction-step round trip (${samples.steps} steps)          median ${median(steps).toFixed(2)} ms, max ${Math.max(...steps).toFixed(2)} ms (goal ≤ 2 ms)`);
if (quick) console.log('  (quick mode: a smoke test; these numbers are not measurements)');
if (values.json) {
  console.log(JSON.stringify({
    iters, runs, instructions, expected, plainSeconds: plain, armedSeconds: armed, plainMips, armedMips, armedRatio: ratio,
    launchToFirstStopMs: median(launches.total), launchRequestToStopMs: median(launches.fromLaunch),
    pauseMedianMs: median(pauses), pauseMaxMs: Math.max(...pauses), stepMedianMs: median(steps), stepMaxMs: Math.max(...steps),
  }));
}
