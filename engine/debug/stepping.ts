// Stepping a vCPU: by instruction (into calls, or over them), by source line (over, into — skipping
// the prologue of the function entered — and out of the current function), and running to a cursor.
// A step advances in budgets so the runner can serve pause between them; calls stepped over run at
// full speed to a temporary stop at the return address.
import type { Cpu } from '../cpu/cpu.js';
import { CS, ESP, SS } from '../cpu/registers.js';
import type { StopReason } from '../hv/stop-reason.js';
import type { Debugger } from './debugger.js';
import { readLinear32 } from './machine/guest-memory-view.js';

export type StepKind = 'over' | 'into' | 'out';
export type StepGranularity = 'line' | 'instruction';

/** Where a step stands after a budget: finished (stopped where a step ends), still going, or ended by another stop. */
export type StepProgress =
  | { state: 'done'; description: string }
  | { state: 'running' }
  | { state: 'stopped'; stop: StopReason };

interface LineAt { file: string; line: number }

export class Step {
  private readonly cpu: Cpu;
  private line?: LineAt;             // the line being stepped off
  private functionStart?: number;    // the function being stepped in
  private stackPointer: number;      // ESP of the stepping frame
  private runningToReturn = false;   // a call is being stepped over (running at full speed)
  private finished = false;

  constructor(
    private readonly debuggerCore: Debugger,
    private readonly vcpu: number,
    private readonly kind: StepKind,
    private readonly granularity: StepGranularity,
    /** Run to this linear address instead (goto / run to cursor). */
    private readonly target?: number,
  ) {
    this.cpu = debuggerCore.vm.cpus[vcpu];
    const pc = this.pc();
    const loc = debuggerCore.symbols.addressToLine(pc);
    this.line = loc && { file: loc.file, line: loc.line };
    this.functionStart = debuggerCore.symbols.functionAt(pc)?.address;
    this.stackPointer = this.esp();
    debuggerCore.prepareResume(vcpu);
    if (target !== undefined) this.runTo(target, () => true);
    else if (kind === 'out') this.startStepOut();
  }

  private pc(): number { return (this.cpu.segBase[CS] + this.cpu.eip) >>> 0; }
  private esp(): number { return this.cpu.stackSize32 ? this.cpu.reg32[ESP] >>> 0 : this.cpu.reg32[ESP] & 0xFFFF; }

  /** Runs the step for at most budget instructions. */
  advance(budget: number): StepProgress {
    const vm = this.debuggerCore.vm;
    const startInstructions = vm.instructions;
    while (vm.instructions - startInstructions < budget) {
      if (this.runningToReturn) {
        const stop = vm.run(budget - (vm.instructions - startInstructions));
        if (!stop) return { state: 'running' };
        const detail = this.debuggerCore.takeStop();
        if (stop.kind !== 'breakpoint' || !detail || detail.kind !== 'step') {
          if (detail) this.debuggerCore.noteStop(detail);
          this.end();
          return { state: 'stopped', stop };
        }
        this.runningToReturn = false;
        this.debuggerCore.setStepTargets(new Map());
        if (this.target !== undefined || this.kind === 'out' || this.finished) return this.done();
        if (this.granularity === 'instruction') return this.done();
        if (this.atNewLine()) return this.done();
        continue;
      }
      const before = this.pc(), espBefore = this.esp();
      const stop = vm.run(1);
      if (stop) {
        this.end();
        return { state: 'stopped', stop };
      }
      if (this.pc() === before && this.esp() === espBefore) continue; // halted or an interrupt was taken and returned
      const called = this.calledFrom(before, espBefore);
      if (called !== undefined) {
        if (this.kind === 'over') {
          this.runTo(called, () => this.esp() >= espBefore);
          continue;
        }
        if (this.kind === 'into' && this.granularity === 'line') {
          const entered = this.debuggerCore.symbols.addressToLine(this.pc());
          if (!entered) { this.runTo(called, () => this.esp() >= espBefore); continue; } // no source: step over it
          const prologueEnd = entered.endAddress;
          const fn = this.debuggerCore.symbols.functionAt(this.pc());
          if (fn && fn.size !== undefined && prologueEnd < fn.address + fn.size && prologueEnd !== this.pc()) {
            this.finished = true;
            const depth = this.esp();
            this.runTo(prologueEnd, () => this.esp() <= depth);
            continue;
          }
          return this.done();
        }
      }
      if (this.granularity === 'instruction') return this.done();
      if (this.atNewLine()) return this.done();
    }
    return { state: 'running' };
  }

  /** The return address when the last instruction was a near CALL (it pushed the address after itself), else undefined. */
  private calledFrom(before: number, espBefore: number): number | undefined {
    const size = this.cpu.stackSize32 ? 4 : 2;
    if (this.esp() !== ((espBefore - size) & (size === 4 ? 0xFFFFFFFF : 0xFFFF)) >>> 0) return undefined;
    const pushed = readLinear32(this.cpu, (this.cpu.segBase[SS] + this.esp()) >>> 0);
    if (pushed === undefined) return undefined;
    const ret = (this.cpu.segBase[CS] + (size === 4 ? pushed : pushed & 0xFFFF)) >>> 0;
    // A CALL pushes the address right after itself (2 to 7 bytes on); a PUSH of data almost never does.
    return ret > before && ret <= before + 7 && ret !== this.pc() ? ret : undefined;
  }

  /** True when the pc starts a statement of another line (or another function) than the step began on. */
  private atNewLine(): boolean {
    const pc = this.pc();
    const fn = this.debuggerCore.symbols.functionAt(pc)?.address;
    const esp = this.esp();
    if (esp > this.stackPointer && fn !== this.functionStart) {
      // Returned into the caller, mid-statement: finish that statement (the caller's line becomes the one to leave).
      const here = this.debuggerCore.symbols.addressToLine(pc);
      this.functionStart = fn;
      this.stackPointer = esp;
      this.line = here && { file: here.file, line: here.line };
      return false;
    }
    const loc = this.debuggerCore.symbols.addressToLine(pc);
    if (!loc || !loc.isStmt || loc.address !== pc) return false;
    return !this.line || loc.line !== this.line.line || loc.file !== this.line.file || fn !== this.functionStart;
  }

  private startStepOut(): void {
    const frames = this.debuggerCore.stack(this.vcpu);
    const caller = frames.find((f) => f.unwoundBy !== 'cpu');
    if (!caller) { this.runningToReturn = false; return; }
    const esp = this.esp();
    this.runTo(caller.pc, () => this.esp() > esp);
  }

  private runTo(address: number, wanted: () => boolean): void {
    this.runningToReturn = true;
    this.debuggerCore.setStepTargets(new Map([[address >>> 0, wanted]]));
  }

  private done(): StepProgress {
    this.end();
    return { state: 'done', description: `${this.granularity === 'instruction' ? 'stepped to' : 'step ended at'} ${this.debuggerCore.where(this.pc())}` };
  }

  private end(): void {
    this.runningToReturn = false;
    this.debuggerCore.setStepTargets(new Map());
  }
}
