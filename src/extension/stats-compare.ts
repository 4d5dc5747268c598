// Runs `hvdbg compare <kernel> --json` as a child Node process (never on the extension host's event
// loop) and returns its comparison model, or an error naming what went wrong.
import { execFile } from 'node:child_process';
import { isStrategyComparison, type StrategyComparison } from '../../engine/hv/stats/compare.js';

export interface CompareRequest {
  cli: string;               // path of dist/cli.js
  kernel: string;
  strategies?: string[];     // default: the CLI's (hw,bt)
  maxInstructions: number;   // each run's bound
  timeoutSeconds: number;    // each run's wall-time limit (the child is killed after all of them plus a margin)
  node?: string;             // the Node to run it with (default: this process, as plain Node)
}

/** The arguments after `node`, as the command line a user could type. */
export function compareArguments(r: CompareRequest): string[] {
  return [r.cli, 'compare', r.kernel, '--json', '--max-instructions', String(r.maxInstructions), '--timeout', String(r.timeoutSeconds),
    ...(r.strategies ? ['--strategies', r.strategies.join(',')] : [])];
}

/** Runs the comparison; rejects with the CLI's own message when it refused (bad kernel, bad option). */
export function runComparison(r: CompareRequest): Promise<StrategyComparison> {
  const runs = r.strategies?.length ?? 3;
  const limitMs = (runs * r.timeoutSeconds + 30) * 1000;
  return new Promise((resolve, reject) => {
    execFile(r.node ?? process.execPath, compareArguments(r), { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: limitMs, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const text = String(stdout).trim();
        let parsed: unknown;
        try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
        // Status 1 still prints the model: one strategy refused the kernel, the others ran.
        if (isStrategyComparison(parsed)) { resolve(parsed); return; }
        const why = String(stderr).trim() || (error ? error.message : `no comparison in its output: ${text.slice(0, 200)}`);
        reject(new Error(`hvdbg compare ${r.kernel}: ${why}`));
      });
  });
}
