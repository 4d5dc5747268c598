// Runs bench/debugger.mjs (launch-to-first-stop, DAP step round trip, pause latency, unhit-breakpoint
// overhead; written by the debugger work) when it exists, passing its output through.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Runs the debugger bench; returns its exit status and output, or null when the script is absent. */
export async function runDebuggerBench(repoDir) {
  const script = path.join(repoDir, 'bench', 'debugger.mjs');
  if (!existsSync(script)) {
    console.log('debugger latencies: bench/debugger.mjs is not there yet; not measured');
    return null;
  }
  console.log('\ndebugger latencies (bench/debugger.mjs):');
  const run = spawnSync(process.execPath, [script], { cwd: repoDir, encoding: 'utf8', timeout: 10 * 60 * 1000 });
  process.stdout.write(run.stdout ?? '');
  if (run.status !== 0) process.stdout.write(`bench/debugger.mjs failed (exit ${run.status ?? run.signal}):\n${run.stderr ?? ''}`);
  return { status: run.status, output: run.stdout ?? '' };
}
