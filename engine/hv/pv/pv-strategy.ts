// The `pv` strategy (Xen-style paravirtualization): the enlightened guest kernel runs at ring 1 and
// calls the hypervisor with int $0x82 or vmcall (hypercall page); exceptions are reported as trap
// events and bounced to the guest's trap table, event channels arrive as upcalls (docs/hypercalls.md).
import type { Cpu } from '../../cpu/cpu.js';
import { BareMetalInterception } from '../../cpu/environment.js';
import type { Instr } from '../../cpu/instr.js';
import { cpuidLeaf } from '../../cpu/cpuid.js';
import { Vector, VECTOR_NAMES } from '../../cpu/fault.js';
import { EAX, EBX, ECX, EDI, EDX, ESI } from '../../cpu/registers.js';
import type { IoBus } from '../../devices/io-bus.js';
import type { GuestMemory } from '../../memory/guest-memory.js';
import { Emitter } from '../../util/event.js';
import { eventSite, type EventSite } from '../event-site.js';
import type { VmEvent } from '../vm-event.js';
import type { InterruptSource, StrategyDeps, StrategyMachine, VmStrategy } from '../strategy.js';
import { Errno, HYPERCALL_VECTOR, UPCALL_VECTOR } from './abi.js';
import { dispatchHypercall, hypercallName } from './hypercall-table.js';
import { PvDomain } from './pv-domain.js';
import { TI_CLEAR_EVENT_MASK } from './hc-traps.js';

export class PvStrategy extends BareMetalInterception implements VmStrategy {
  readonly name = 'pv';
  readonly onEvent = new Emitter<VmEvent>();
  /** pv has no VM exits; the map stays empty (hypercalls are counted in hypercallCounts). */
  readonly exitCounts = new Map<number, number>();
  /** Hypercalls by number. */
  readonly hypercallCounts = new Map<number, number>();
  /** Traps (exceptions the hypervisor saw) by vector. */
  readonly trapCounts = new Map<number, number>();
  interrupts: InterruptSource = { pending: () => false, acknowledge: () => -1 };
  tripleFaultDescription?: string;
  private cpu!: Cpu;
  private domainState?: PvDomain;
  private readonly io: IoBus;
  private readonly memory: GuestMemory;
  private readonly vcpu: number;
  private machine?: StrategyMachine;

  constructor(deps: StrategyDeps) {
    super();
    this.io = deps.io;
    this.memory = deps.memory;
    this.vcpu = deps.vcpu;
  }

  attach(cpu: Cpu): void {
    this.cpu = cpu;
    this.domainState = new PvDomain(cpu, this.memory, this.io);
    if (this.machine) this.domainState.machine = this.machine;
  }

  connectMachine(machine: StrategyMachine): void {
    this.machine = machine;
    if (this.domainState) this.domainState.machine = machine;
  }

  /** The domain (hypervisor-side state); the pv loader starts it. */
  get domain(): PvDomain {
    if (!this.domainState) throw new Error('PvStrategy used before attach(cpu)');
    return this.domainState;
  }

  private site(i?: Instr): EventSite { return eventSite(this.cpu, this.vcpu, i); }

  // ---- hypercalls ----

  override softwareInterrupt(vector: number, i: Instr): boolean {
    // int $0x82 from ring 3 goes to the IDT, whose DPL-1 gate turns it into #GP, as under Xen.
    if (vector !== HYPERCALL_VECTOR || this.cpu.cpl > 1 || !this.domain.started) return false;
    this.hypercall(i, 'int82');
    return true;
  }

  override vmcall(i: Instr): void {
    if (!this.domain.started) { super.vmcall(i); return; }
    if (this.cpu.cpl > 1) { this.cpu.reg32[EAX] = -Errno.EPERM; return; }  // as Xen answers a user-mode VMCALL
    this.hypercall(i, 'vmcall');
  }

  private hypercall(i: Instr, via: 'int82' | 'vmcall'): void {
    const r = this.cpu.reg32;
    const number = r[EAX] >>> 0;
    const args = [r[EBX], r[ECX], r[EDX], r[ESI], r[EDI]].map((a) => a >>> 0);
    const site = this.onEvent.hasListeners ? this.site(i) : undefined;
    this.hypercallCounts.set(number, (this.hypercallCounts.get(number) ?? 0) + 1);
    const { result, decoded } = dispatchHypercall(this.domain, number, args);
    r[EAX] = result;
    if (this.domain.cpu.shutdown) this.tripleFaultDescription = `pv domain crashed: ${this.domain.shutdownDetail}`;
    if (site) this.onEvent.fire({ kind: 'hypercall', ...site, number, name: hypercallName(number), args, result, via, decoded });
  }

  // ---- traps ----

  override exception(vector: number, errorCode: number | undefined, detail: string): boolean {
    const d = this.domain;
    if (!d.started) return false;
    this.trapCounts.set(vector, (this.trapCounts.get(vector) ?? 0) + 1);
    const handler = d.traps.get(vector);
    const outcome = handler ? 'reflected' : 'fatal';
    if (this.onEvent.hasListeners) {
      this.onEvent.fire({ kind: 'trap', ...this.site(), vector, ...(errorCode !== undefined ? { errorCode } : {}), detail, outcome });
    }
    if (handler) {
      // Bounced by the CPU through the hypervisor's IDT onto the guest's ring-1 stack.
      if (handler.flags & TI_CLEAR_EVENT_MASK) d.shared.upcallMask = true;
      if (vector === Vector.PF) d.shared.cr2 = this.cpu.cr2;
      return false;
    }
    const name = VECTOR_NAMES[vector] ?? `vector ${vector}`;
    const code = errorCode !== undefined ? ` (error code 0x${errorCode.toString(16)})` : '';
    d.shutdown(`${name}${code} at ring ${this.cpu.cpl}: ${detail}; the guest registered no handler for vector ${vector} (set_trap_table)`, true);
    this.tripleFaultDescription = `pv domain crashed: ${d.shutdownDetail}`;
    return true;
  }

  // ---- event upcalls ----

  interruptPending(): boolean {
    const d = this.domainState;
    return d !== undefined && (d.upcallDue() || d.pollSatisfied());
  }

  acknowledgeInterrupt(): number {
    const d = this.domain;
    if (d.pollSatisfied()) { d.endPoll(); if (!d.upcallDue()) return -1; }
    if (!d.upcallDue()) return -1;
    d.shared.upcallMask = true;     // Xen masks events while the guest's callback runs
    d.publishTime();
    if (this.onEvent.hasListeners) {
      this.onEvent.fire({ kind: 'interrupt', ...this.site(), vector: UPCALL_VECTOR, source: d.lastRaise });
    }
    d.lastRaise = 'event-channel';
    return UPCALL_VECTOR;
  }

  // ---- the rest of the environment ----

  ioIn(port: number, size: 1 | 2 | 4, _i: Instr): number { return this.io.read(port, size); }
  ioOut(port: number, size: 1 | 2 | 4, value: number, _i: Instr): void { this.io.write(port, size, value); }
  cpuid(leaf: number, subleaf: number, _i: Instr): readonly [number, number, number, number] { return cpuidLeaf(leaf, subleaf); }
  hlt(_i: Instr): void {}
  tripleFault(description: string): void {
    this.tripleFaultDescription = description;
    this.cpu.stopRequested = true;
  }
}
