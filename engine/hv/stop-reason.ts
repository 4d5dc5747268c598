// Why a VM run ended (or paused): the CLI's summary, the adapter's exited/stopped events and the
// tests all read this one union.

export type StopReason =
  | { kind: 'halted'; eip: number }                         // HLT with interrupts disabled: nothing can wake it
  | { kind: 'debug-exit'; value: number; status: number }   // isa-debug-exit port written
  | { kind: 'shutdown'; detail: string }                    // orderly power-off requested by the guest
  | { kind: 'triple-fault'; description: string; eip: number; cs: number } // the CPU shut down
  | { kind: 'instruction-limit'; limit: number }            // --max-instructions reached
  | { kind: 'timeout'; seconds: number }                    // wall-clock limit reached
  | { kind: 'breakpoint'; eip: number }                     // a debugger breakpoint was hit
  | { kind: 'paused' };                                     // the debugger asked it to stop

/** True for reasons that end the guest for good (as opposed to a pause or a breakpoint). */
export function isFinal(r: StopReason): boolean {
  return r.kind === 'halted' || r.kind === 'debug-exit' || r.kind === 'shutdown' || r.kind === 'triple-fault'
    || r.kind === 'instruction-limit' || r.kind === 'timeout';
}

/** One line a person reads. */
export function describeStop(r: StopReason): string {
  switch (r.kind) {
    case 'halted': return `guest halted with interrupts disabled at EIP 0x${(r.eip >>> 0).toString(16)}`;
    case 'debug-exit': return `guest wrote 0x${r.value.toString(16)} to isa-debug-exit (exit status ${r.status})`;
    case 'shutdown': return `guest shut down: ${r.detail}`;
    case 'triple-fault': return `guest crashed: ${r.description} at ${r.cs.toString(16).padStart(4, '0')}:${(r.eip >>> 0).toString(16).padStart(8, '0')}`;
    case 'instruction-limit': return `instruction limit of ${r.limit} reached`;
    case 'timeout': return `timeout after ${r.seconds} s`;
    case 'breakpoint': return `breakpoint at 0x${(r.eip >>> 0).toString(16)}`;
    case 'paused': return 'paused';
  }
}

/** Process exit status for a final stop, as `hvdbg run` documents it. */
export function exitStatusFor(r: StopReason): number {
  switch (r.kind) {
    case 'halted': case 'shutdown': return 0;
    case 'debug-exit': return r.status;
    case 'triple-fault': return 1;
    default: return 3;
  }
}
