// Runs a VM in slices until it stops, enforcing the wall-clock timeout and the exact instruction
// limit between slices and yielding to Node's event loop so output drains and signals arrive.
import type { StopReason } from '../../engine/hv/stop-reason.js';

/** The CLI ended the run on the user's behalf (Ctrl-C, kill, or stdout closed). */
export interface Interruption { kind: 'interrupted'; cause: 'SIGINT' | 'SIGTERM' | 'stdout closed' }

/** Why a CLI run ended. */
export type RunStop = StopReason | Interruption;

/** What the loop needs from a VM (a Vm satisfies it; tests pass fakes). */
export interface SliceableVm {
  /** Runs up to budget instructions; a reason when the guest stopped, undefined when the budget ran out. */
  run(budget: number): StopReason | undefined;
  /** Retired instructions so far. */
  readonly instructions: number;
  /** The vCPU; halted means it waits for an interrupt. */
  readonly cpu: { readonly halted: boolean };
}

export interface RunLimits {
  maxInstructions?: number; // stop after exactly this many retired instructions
  timeoutSeconds?: number;  // stop once this much wall time has passed (checked between slices)
}

export interface RunHooks {
  /** Called after every slice (the CLI flushes guest output here). */
  afterSlice?(): void;
  /** Returns an interruption once the user asked the run to end. */
  interruption?(): Interruption | undefined;
  /** Milliseconds on a monotonic clock; performance.now by default. */
  now?(): number;
  /** Lets the host run (default: setImmediate, or a short sleep while the vCPU is halted with nothing to do). */
  pause?(idle: boolean): Promise<void>;
}

/** Slices aim at this much wall time, so limits, Ctrl-C and output stay responsive at any guest speed. */
const TARGET_SLICE_MS = 50;
const MIN_SLICE = 10_000, MAX_SLICE = 4_000_000, FIRST_SLICE = 1_000_000;
const IDLE_SLEEP_MS = 5;

/** Runs vm until it stops or a limit is reached. */
export async function runInSlices(vm: SliceableVm, limits: RunLimits, hooks: RunHooks = {}): Promise<RunStop> {
  const now = hooks.now ?? (() => performance.now());
  const pause = hooks.pause ?? defaultPause;
  const started = now();
  let slice = FIRST_SLICE;
  for (;;) {
    let budget = slice;
    if (limits.maxInstructions !== undefined) {
      const remaining = limits.maxInstructions - vm.instructions;
      if (remaining <= 0) return { kind: 'instruction-limit', limit: limits.maxInstructions };
      budget = Math.min(budget, remaining);
    }
    const before = vm.instructions, sliceStart = now();
    const stop = vm.run(budget);
    hooks.afterSlice?.();
    if (stop) return stop;
    const interruption = hooks.interruption?.();
    if (interruption) return interruption;
    const end = now();
    if (limits.timeoutSeconds !== undefined && (end - started) / 1000 >= limits.timeoutSeconds) {
      return { kind: 'timeout', seconds: limits.timeoutSeconds };
    }
    const retired = vm.instructions - before;
    if (retired === budget) slice = nextSlice(retired, end - sliceStart);
    await pause(retired === 0 && vm.cpu.halted);
  }
}

function nextSlice(retired: number, elapsedMs: number): number {
  const estimate = elapsedMs > 0 ? Math.round(retired * TARGET_SLICE_MS / elapsedMs) : MAX_SLICE;
  return Math.max(MIN_SLICE, Math.min(MAX_SLICE, estimate));
}

function defaultPause(idle: boolean): Promise<void> {
  return new Promise((resolve) => (idle ? setTimeout(resolve, IDLE_SLEEP_MS) : setImmediate(resolve)));
}
