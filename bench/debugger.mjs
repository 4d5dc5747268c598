#!/usr/bin/env node
// The debugger's numbers, over DAP against the real adapter (dist/adapter.js): the shared benchmark's
// MIPS with no breakpoints and with 64 unhit instruction breakpoints plus every event filter armed
// with a false condition (the ratio; goal ≥ 0.95), the latency of pause on a spinning guest (goal
// ≤ 20 ms) and the round trip of an instruction step (goal ≤ 2 ms). Usage: node bench/debugger.mjs
// [--iters N] [--runs N] (npm run build first). bench/run.mjs may call it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { buildGuest, expectedResult } from './lib/guest.mjs';

const require = createRequire(import.meta.url);
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const adapter = path.join(repoDir, 'dist', 'adapter.js');
const cli = path.join(repoDir, 'dist', 'cli.js');
const spin = path.join(repoDir, 'guests', 'spin', 'kernel.elf');
const FILTERS = ['exit', 'hypercall', 'callout', 'trap', 'exception', 'interrupt', 'io', 'msr', 'cr', 'mode'];

const { values } = parseArgs({ options: { iters: { type: 'string' }, runs: { type: 'string' }, shared: { type: 'string' } } });
const iters = Number(values.iters ?? 100000); // ~4 s a run: shorter runs are mostly noise on a shared machine
const runs = Number(values.runs ?? 3);
const shared = values.shared ?? process.env.HVDBG_BENCH_SHARED ?? path.resolve(repoDir, '..', 'shared', 'bench');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function startAdapter() {
  const dc = new DebugClient(process.execPath, adapter, 'hvdbg', { cwd: repoDir });
  dc.defaultTimeout = 600_000;
  await dc.start();
  await dc.initializeRequest();
  return dc;
}

/** 64 linear addresses inside the kernel's executable segments that are not instruction starts the run reaches. */
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

/** Seconds from configurationDone to the guest's end, with or without the breakpoint load armed. */
async function timedRun(kernel, armed) {
  const dc = await startAdapter();
  try {
    await dc.launch({ program: kernel });
    if (armed) {
      const set = await dc.customRequest('setInstructionBreakpoints', { breakpoints: unhitAddresses(kernel).map((instructionReference) => ({ instructionReference })) });
      if (set.body.breakpoints.filter((b) => b.verified).length !== 64) throw new Error('not every instruction breakpoint was verified');
      await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: FILTERS.map((filterId) => ({ filterId, condition: 'vcpu == 99' })) });
    }
    let stopped = false;
    dc.on('stopped', () => { stopped = true; });
    const ended = dc.waitForEvent('terminated', 600_000);
    const started = performance.now();
    await dc.configurationDoneRequest();
    await ended;
    const seconds = (performance.now() - started) / 1000;
    if (stopped) throw new Error('a breakpoint that should never be hit stopped the guest');
    return seconds;
  } finally {
    await dc.stop();
  }
}

async function pauseLatencies(samples) {
  const dc = await startAdapter();
  const out = [];
  try {
    await dc.launch({ program: spin, stopOnEntry: true });
    const entry = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    await entry;
    for (let k = 0; k < samples; k++) {
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

async function stepRoundTrips(samples) {
  const dc = await startAdapter();
  const out = [];
  try {
    await dc.launch({ program: spin, stopOnEntry: true });
    const entry = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    await entry;
    for (let k = 0; k < samples; k++) {
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
expectedResult(iters, native64);
// The CLI's JSON summary (on stderr) gives the instruction count of the whole run.
const cliRun = spawnSync(process.execPath, [cli, 'run', kernel, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
const summary = JSON.parse(cliRun.stderr.split('\n').filter((l) => l.startsWith('{')).pop() ?? 'null');
if (!summary || typeof summary.instructions !== 'number') throw new Error(`hvdbg run printed no JSON summary: ${cliRun.stderr}`);
const instructions = summary.instructions;
const plain = [], armed = [];
for (let r = 0; r < runs; r++) {
  plain.push(await timedRun(kernel, false));
  armed.push(await timedRun(kernel, true));
}
const mips = (s) => instructions / s / 1e6;
const plainMips = mips(median(plain)), armedMips = mips(median(armed));
console.log(`debugger bench: shared benchmark ITERS=${iters} (${instructions} guest instructions, whole run), ${runs} runs each, alternating`);
console.log(`  no breakpoints                                   ${plainMips.toFixed(1)} MIPS (median of ${plain.map((s) => s.toFixed(2)).join(', ')} s)`);
console.log(`  64 unhit instruction bps + ${FILTERS.length} filters (false cond.) ${armedMips.toFixed(1)} MIPS (median of ${armed.map((s) => s.toFixed(2)).join(', ')} s)`);
console.log(`  ratio armed / none                               ${(armedMips / plainMips).toFixed(3)} (goal >= 0.95)`);
const pauses = await pauseLatencies(15);
console.log(`  pause latency (spinning guest, 15 pauses)        median ${median(pauses).toFixed(1)} ms, max ${Math.max(...pauses).toFixed(1)} ms (goal <= 20 ms)`);
const steps = await stepRoundTrips(210);
console.log(`  instruction-step round trip (200 steps)          median ${median(steps).toFixed(2)} ms, max ${Math.max(...steps).toFixed(2)} ms (goal <= 2 ms)`);
