// Runs a Vm for the debug adapter: executes the guest in short slices with a turn of the event loop
// between them (so pause and disconnect are served at once), single-steps, and reports typed events.
import type { OutputSource, Vm } from '../../engine/hv/vm.js';
import { describeStop, exitStatusFor, isFinal, type StopReason } from '../../engine/hv/stop-reason.js';
import { Emitter } from '../../engine/util/event.js';
import { TextDecoder } from 'node:util';
import type { Debugger, StopDetail, StopKind } from '../../engine/debug/debugger.js';
import type { Step } from '../../engine/debug/stepping.js';

/** Guest output decoded to text, in the order the guest wrote it. */
export interface GuestText { source: OutputSource; text: string }

/** Why the vCPU stopped while the guest can still go on (DAP stopped-event reasons). */
export type StopCause = StopKind;

/** The vCPU stopped; the guest can be resumed or stepped. */
export interface RunnerStopped {
  cause: StopCause;
  description: string;
  /** The vCPU that stopped (the others stopped with it). */
  vcpu: number;
  /** The debug core's account of the stop (breakpoint ids, the event), when it has one. */
  detail?: StopDetail;
}

/** The guest ended for good. */
export interface RunnerExited {
  /** The engine's stop reason (undefined when the engine itself failed). */
  stop?: StopReason;
  /** One line a person reads, e.g. "guest halted with interrupts disabled at EIP 0x100123". */
  description: string;
  /** Process-style exit status, as `hvdbg run` documents it. */
  exitCode: number;
}

/** Where the runner is: stopped (can resume or step), running, or exited (the guest is over). */
export type RunnerState = 'stopped' | 'running' | 'exited';

/** Exit status reported when the engine throws (a bug in hvdbg, not in the guest): EX_SOFTWARE. */
export const ENGINE_ERROR_EXIT_CODE = 70;

export interface RunnerOptions {
  /** Stop the guest after this many retired instructions. */
  maxInstructions?: number;
  /** Wall-clock time one slice aims for, in milliseconds (bounds the latency of pause). */
  sliceMilliseconds?: number;
  /** The debug core: describes breakpoint stops and lets a resumed vCPU pass the breakpoint it stopped on. */
  debuggerCore?: Debugger;
}

const FIRST_SLICE = 50_000, MIN_SLICE = 5_000, MAX_SLICE = 2_000_000;

export class VmRunner {
  /** Guest output, flushed after each slice and before every stop or exit event. */
  readonly onOutput = new Emitter<GuestText>();
  /** The vCPU stopped (pause, step, breakpoint). */
  readonly onStopped = new Emitter<RunnerStopped>();
  /** The guest ended (halt, exit port, shutdown, triple fault, instruction limit, engine error). */
  readonly onExited = new Emitter<RunnerExited>();
  private runState: RunnerState = 'stopped';
  private pending: GuestText[] = [];                 // decoded output not yet delivered
  private readonly decoders = new Map<OutputSource, TextDecoder>(); // one streaming UTF-8 decoder per source
  private scheduled?: NodeJS.Immediate;              // the next slice, while running
  private sliceBudget = FIRST_SLICE;                 // instructions per slice, adapted to sliceMilliseconds
  private readonly sliceMilliseconds: number;
  private readonly unsubscribe: () => void;
  private activeStep?: Step;                             // the step in progress, while running one
  private lastVcpu = 0;                              // the vCPU of the last stop

  constructor(readonly vm: Vm, private readonly options: RunnerOptions = {}) {
    this.sliceMilliseconds = options.sliceMilliseconds ?? 8; // a pause waits for at most one slice
    this.unsubscribe = vm.onOutput.event(({ source, bytes }) => this.collect(source, bytes));
  }

  get state(): RunnerState { return this.runState; }

  /** Runs the guest until it stops or ends; no effect unless stopped. */
  resume(): void {
    if (this.runState !== 'stopped') return;
    this.options.debuggerCore?.prepareResume(this.lastVcpu);
    this.runState = 'running';
    this.schedule();
  }

  /** Runs a step (line, instruction, out, to a cursor) in slices; no effect unless stopped. */
  runStep(step: Step): boolean {
    if (this.runState !== 'stopped') return false;
    this.activeStep = step;
    this.runState = 'running';
    this.stepSlice(step, performance.now()); // most steps finish in their first slice: no turn of the event loop
    return true;
  }

  /** The vCPU of the last stop. */
  get stoppedVcpu(): number { return this.lastVcpu; }

  /** Stops a running guest at the next slice boundary; returns false when it was not running. */
  pause(): boolean {
    if (this.runState !== 'running') return false;
    this.cancelSlice();
    this.activeStep = undefined;
    this.options.debuggerCore?.setStepTargets(new Map());
    this.runState = 'stopped';
    this.flushOutput();
    const vcpu = this.vm.currentVcpu;
    const where = this.options.debuggerCore?.where(this.options.debuggerCore.pc(vcpu)) ?? `EIP 0x${hex32(this.vm.cpus[vcpu].eip)}`;
    this.lastVcpu = vcpu;
    this.onStopped.fire({ cause: 'pause', description: `paused at ${where}`, vcpu });
    return true;
  }

  /** Executes one instruction; returns false when the guest is not stopped. */
  step(): boolean {
    if (this.runState !== 'stopped') return false;
    this.runState = 'running';
    const stop = this.runSlice(1);
    if (this.runState !== 'running') return true;
    this.runState = 'stopped';
    this.flushOutput();
    if (stop) this.reportNonFinal(stop);
    else this.onStopped.fire({ cause: 'step', description: `stepped to EIP 0x${hex32(this.vm.cpu.eip)}`, vcpu: this.lastVcpu });
    return true;
  }

  /** Stops running and detaches from the Vm; no events after this. */
  dispose(): void {
    this.cancelSlice();
    this.runState = 'exited';
    this.unsubscribe();
  }

  private schedule(): void {
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      if (this.runState !== 'running') return;
      const started = performance.now();
      if (this.activeStep) return this.stepSlice(this.activeStep, started);
      const stop = this.runSlice(this.sliceBudget);
      this.adaptBudget(performance.now() - started);
      if (this.runState !== 'running') return;
      this.flushOutput();
      if (stop) {
        this.runState = 'stopped';
        this.reportNonFinal(stop);
      } else {
        this.schedule();
      }
    });
  }

  /** One slice of a step: it finishes, goes on in the next slice, or ends with another stop. */
  private stepSlice(step: Step, started: number): void {
    let progress: ReturnType<Step['advance']>;
    try {
      progress = step.advance(Math.max(MIN_SLICE, this.sliceBudget >>> 2));
    } catch (error) {
      this.activeStep = undefined;
      this.exit({ description: `hvdbg engine error at EIP 0x${hex32(this.vm.cpu.instrStart)}: ${messageOf(error)}`, exitCode: ENGINE_ERROR_EXIT_CODE });
      return;
    }
    this.adaptBudget(performance.now() - started);
    const limit = this.options.maxInstructions;
    if (progress.state === 'running' && limit !== undefined && this.vm.instructions >= limit) {
      progress = { state: 'stopped', stop: { kind: 'instruction-limit', limit } };
    }
    if (progress.state === 'running') { this.flushOutput(); this.schedule(); return; }
    this.activeStep = undefined;
    if (progress.state === 'stopped' && isFinal(progress.stop)) {
      this.exit({ stop: progress.stop, description: describeStop(progress.stop), exitCode: exitStatusFor(progress.stop) });
      return;
    }
    this.runState = 'stopped';
    this.flushOutput();
    if (progress.state === 'stopped') this.reportNonFinal(progress.stop);
    else {
      const vcpu = this.vm.currentVcpu;
      this.lastVcpu = vcpu;
      this.onStopped.fire({ cause: 'step', description: progress.description, vcpu });
    }
  }

  /** Runs up to budget instructions; ends the guest on a final stop. Returns a non-final stop. */
  private runSlice(budget: number): StopReason | undefined {
    const limit = this.options.maxInstructions;
    let stop: StopReason | undefined;
    try {
      stop = this.vm.run(limit === undefined ? budget : Math.max(0, Math.min(budget, limit - this.vm.instructions)));
    } catch (error) {
      this.exit({ description: `hvdbg engine error at EIP 0x${hex32(this.vm.cpu.instrStart)}: ${messageOf(error)}`, exitCode: ENGINE_ERROR_EXIT_CODE });
      return undefined;
    }
    if (!stop && limit !== undefined && this.vm.instructions >= limit) stop = { kind: 'instruction-limit', limit };
    if (stop && isFinal(stop)) {
      this.exit({ stop, description: describeStop(stop), exitCode: exitStatusFor(stop) });
      return undefined;
    }
    return stop;
  }

  private reportNonFinal(stop: StopReason): void {
    const detail = this.options.debuggerCore?.takeStop();
    const vcpu = detail?.vcpu ?? this.vm.currentVcpu;
    this.lastVcpu = vcpu;
    if (detail) this.onStopped.fire({ cause: detail.kind, description: detail.description, vcpu, detail });
    else this.onStopped.fire({ cause: stop.kind === 'breakpoint' ? 'breakpoint' : 'pause', description: describeStop(stop), vcpu });
  }

  private exit(exited: RunnerExited): void {
    this.cancelSlice();
    this.runState = 'exited';
    this.flushOutput();
    this.onExited.fire(exited);
  }

  private adaptBudget(elapsedMilliseconds: number): void {
    if (elapsedMilliseconds < this.sliceMilliseconds / 2) this.sliceBudget = Math.min(MAX_SLICE, this.sliceBudget * 2);
    else if (elapsedMilliseconds > this.sliceMilliseconds * 2) this.sliceBudget = Math.max(MIN_SLICE, this.sliceBudget >>> 1);
  }

  private cancelSlice(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
  }

  private collect(source: OutputSource, bytes: Uint8Array): void {
    let decoder = this.decoders.get(source);
    if (!decoder) this.decoders.set(source, decoder = new TextDecoder('utf-8'));
    const text = decoder.decode(bytes, { stream: true });
    if (text === '') return;
    const last = this.pending[this.pending.length - 1];
    if (last && last.source === source) last.text += text;
    else this.pending.push({ source, text });
  }

  private flushOutput(): void {
    const chunks = this.pending;
    this.pending = [];
    for (const chunk of chunks) this.onOutput.fire(chunk);
  }
}

/** EIP-style 8-digit hex. */
export function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
