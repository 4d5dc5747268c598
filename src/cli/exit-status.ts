// Process exit statuses of `hvdbg run`, one place for the CLI, its help text and its tests.
import { exitStatusFor } from '../../engine/hv/stop-reason.js';
import type { RunStop } from './run-loop.js';

export const EXIT_OK = 0;            // the guest halted (cli; hlt) or shut down
export const EXIT_TRIPLE_FAULT = 1;  // the vCPU triple-faulted
export const EXIT_BAD_INPUT = 2;     // bad command line, unreadable or unloadable kernel
export const EXIT_LIMIT = 3;         // --timeout or --max-instructions reached
export const EXIT_INTERNAL = 70;     // a bug in hvdbg (EX_SOFTWARE); the stack trace is printed

/** 128 + signal number, as shells report a process killed by that signal. */
const INTERRUPTED: Readonly<Record<string, number>> = { SIGINT: 130, 'stdout closed': 141, SIGTERM: 143 };

/** The exit status for how a run ended (isa-debug-exit gives QEMU's (value << 1) | 1). */
export function exitStatusForRun(stop: RunStop): number {
  if (stop.kind === 'interrupted') return INTERRUPTED[stop.cause];
  return exitStatusFor(stop);
}
