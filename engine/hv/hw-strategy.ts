// The `hw` strategy (VT-x / AMD-V style): the guest runs unmodified; HLT, I/O instructions and CPUID
// cause VM exits (unconditional or by the I/O bitmap, as under KVM's defaults), which the hypervisor
// handles and then resumes the guest.
import type { Cpu } from '../cpu/cpu.js';
import { BareMetalInterception } from '../cpu/environment.js';
import type { Instr } from '../cpu/instr.js';
import { cpuidLeaf } from '../cpu/cpuid.js';
import { FLAG_IF } from '../cpu/registers.js';
import type { IoBus } from '../devices/io-bus.js';
import { Emitter } from '../util/event.js';
import { ExitReason } from './exit-reasons.js';
import { eventSite } from './event-site.js';
import type { VmExit } from './vm-exit.js';
import type { VmEvent } from './vm-event.js';
import type { InterruptSource, StrategyDeps, VmStrategy } from './strategy.js';

/** The hypervisor's reaction to an exit (kept small so exit handling stays testable). */
export type ExitOutcome = { action: 'resume' } | { action: 'stop' };

export class HwStrategy extends BareMetalInterception implements VmStrategy {
  readonly name = 'hw';
  /** Fires for every VM exit, after it is counted. */
  readonly onEvent = new Emitter<VmEvent>();
  /** Exit counts by basic exit reason. */
  readonly exitCounts = new Map<number, number>();
  /** Set by onTripleFault for the VM to read. */
  tripleFaultDescription?: string;
  private cpu!: Cpu;
  interrupts: InterruptSource = { pending: () => false, acknowledge: () => -1 };
  private readonly io: IoBus;
  private readonly vcpu: number;

  constructor(deps: Pick<StrategyDeps, 'io' | 'vcpu'>) {
    super();
    this.io = deps.io;
    this.vcpu = deps.vcpu;
  }

  attach(cpu: Cpu): void { this.cpu = cpu; }

  private base(i: Instr | undefined, cause: string) {
    return { kind: 'exit' as const, ...eventSite(this.cpu, this.vcpu, i), cause };
  }

  /**
   * Counts an exit of reason; the full event (guest state, qualification) is built only when
   * someone listens, so an unobserved exit costs a counter increment.
   */
  private record(reason: ExitReason, build: () => VmExit): void {
    this.exitCounts.set(reason, (this.exitCounts.get(reason) ?? 0) + 1);
    if (this.onEvent.hasListeners) this.onEvent.fire(build());
  }

  ioIn(port: number, size: 1 | 2 | 4, i: Instr): number {
    const value = this.io.read(port, size);
    this.record(ExitReason.IoInstruction, () => ({ ...this.base(i, 'I/O bitmap'), reason: ExitReason.IoInstruction,
      io: { size, direction: 'in', string: i.entry.handler === 'ins', rep: i.rep !== 0, port, value } }));
    return value;
  }

  ioOut(port: number, size: 1 | 2 | 4, value: number, i: Instr): void {
    const masked = size === 4 ? value >>> 0 : value & (size === 2 ? 0xFFFF : 0xFF);
    this.record(ExitReason.IoInstruction, () => ({ ...this.base(i, 'I/O bitmap'), reason: ExitReason.IoInstruction,
      io: { size, direction: 'out', string: i.entry.handler === 'outs', rep: i.rep !== 0, port, value: masked } }));
    this.io.write(port, size, masked);
  }

  cpuid(leaf: number, subleaf: number, i: Instr): readonly [number, number, number, number] {
    this.record(ExitReason.Cpuid, () => ({ ...this.base(i, 'unconditional'), reason: ExitReason.Cpuid, cpuid: { leaf, subleaf } }));
    const r = cpuidLeaf(leaf, subleaf);
    // Leaf 1 EBX[31:24] is the initial APIC ID: each vCPU reports its own (= its index).
    if (leaf === 1 && this.vcpu !== 0) return [r[0], ((r[1] & 0x00FFFFFF) | (this.vcpu << 24)) >>> 0, r[2], r[3]];
    return r;
  }

  hlt(i: Instr): void {
    this.record(ExitReason.Hlt, () => ({ ...this.base(i, 'HLT exiting'), reason: ExitReason.Hlt }));
    // With interrupts off and nothing to wake the CPU, the run is over.
    if (!(this.cpu.flags & FLAG_IF)) this.cpu.stopRequested = true;
  }

  tripleFault(description: string): void {
    this.tripleFaultDescription = description;
    this.record(ExitReason.TripleFault, () => ({ ...this.base(undefined, 'unconditional'), reason: ExitReason.TripleFault, description }));
    this.cpu.stopRequested = true;
  }

  interruptPending(): boolean { return this.interrupts.pending(); }
  acknowledgeInterrupt(): number { return this.interrupts.acknowledge(); }
}
