// Runs bench/debugger.mjs (launch-to-first-stop, DAP instruction-step round trip, pause latency,
// armed-but-unhit breakpoint ratio) at a size long enough to matter, passing its output through.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ITERS_LADDER } from './sizing.mjs';

/** How long each timed debugger run should last at least, so start-up and noise matter little. */
export const DEBUGGER_RUN_SECONDS = 3;
/**
 * The length the size is chosen for: runs through the adapter went up to ~10 % faster than the CLI's
 * (1,217 vs 1,154 MIPS on 2026-11-24, one run then took 2.84 s), so aim a third above the minimum.
 */
const DEBUGGER_AIM_SECONDS = 4;

/**
 * The smallest ladder size whose whole run lasts ≥ DEBUGGER_AIM_SECONDS at the translator's median
 * MIPS from the JIT pair (the debugger runs the translator too), and why.
 */
export function debuggerIters(translatorMips, perIteration) {
  if (!(translatorMips > 0)) return { iters: 100_000, why: 'no translator run to size it from: the default' };
  const seconds = (iters) => iters * perIteration / (translatorMips * 1e6);
  const iters = ITERS_LADDER.find((n) => seconds(n) >= DEBUGGER_AIM_SECONDS) ?? ITERS_LADDER[ITERS_LADDER.length - 1];
  return {
    iters,
    why: `≈ ${seconds(iters).toFixed(1)} s a run at the translator's ${translatorMips.toFixed(0)} MIPS ` +
      `(each run must last ≥ ${DEBUGGER_RUN_SECONDS} s; sized for ${DEBUGGER_AIM_SECONDS} s)`,
  };
}

/** Runs the debugger bench; returns its exit status, output and JSON results, or null when the script is absent. */
export async function runDebuggerBench(repoDir, { iters, why, runs, quick, shared, cli, adapter }) {
  const script = path.join(repoDir, 'bench', 'debugger.mjs');
  if (!existsSync(script)) {
    console.log('debugger latencies: bench/debugger.mjs is missing; not measured');
    return null;
  }
  console.log(`\ndebugger bench (bench/debugger.mjs), ITERS=${iters}: ${why}`);
  const args = [script, '--iters', String(iters), '--runs', String(runs), '--shared', shared, '--cli', cli, '--adapter', adapter, '--json', ...(quick ? ['--quick'] : [])];
  const run = spawnSync(process.execPath, args, { cwd: repoDir, encoding: 'utf8', timeout: 30 * 60 * 1000, maxBuffer: 1 << 26 });
  const lines = (run.stdout ?? '').split('\n');
  const jsonLine = lines.filter((l) => l.startsWith('{')).pop();
  process.stdout.write(lines.filter((l) => !l.startsWith('{')).join('\n'));
  if (run.status !== 0) {
    process.stdout.write(`bench/debugger.mjs failed (exit ${run.status ?? run.signal}${run.error ? `: ${run.error.message}` : ''}):\n${run.stderr ?? ''}\n`);
  }
  let results = null;
  try {
    results = jsonLine ? JSON.parse(jsonLine) : null;
  } catch {
    results = null;
  }
  return { status: run.status, iters, results };
}
