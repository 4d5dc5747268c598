// `hvdbg dap [args]`: starts the debug adapter (dist/adapter.js, next to this CLI) as a child Node
// process with the same arguments and inherited stdio, and exits with its status.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './usage-error.js';

/** Path of the bundled adapter (dist/adapter.js when run from dist/cli.js). */
export function adapterPath(): string {
  return join(__dirname, 'adapter.js');
}

/** Runs the adapter with argv; resolves to its exit status (128 + signal number if it was killed). */
export function dapCommand(argv: readonly string[]): Promise<number> {
  const adapter = adapterPath();
  if (!existsSync(adapter)) throw new UsageError(`hvdbg dap: cannot find the debug adapter at ${adapter} (run npm run build)`);
  const child = spawn(process.execPath, [adapter, ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => { child.kill(signal); };
  const onInt = forward('SIGINT'), onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? 128 + signalNumber(signal));
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1;
}
