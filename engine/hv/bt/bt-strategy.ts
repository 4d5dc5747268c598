// The `bt` strategy (VMware-style binary translation): the translator scans guest code before it runs
// and replaces each sensitive instruction by a callout into the monitor, which reports it and emulates
// it against the virtual CPU, so the guest sees bare-hardware results; innocuous code runs directly.
import type { Cpu } from '../../cpu/cpu.js';
import { BareMetalInterception } from '../../cpu/environment.js';
import type { Instr } from '../../cpu/instr.js';
import { cpuidLeaf } from '../../cpu/cpuid.js';
import { EAX, FLAG_IF } from '../../cpu/registers.js';
import type { IoBus } from '../../devices/io-bus.js';
import { Emitter } from '../../util/event.js';
import { eventSite } from '../event-site.js';
import type { VmEvent } from '../vm-event.js';
import type { InterruptSource, StrategyDeps, VmStrategy } from '../strategy.js';
import { BtTranslator } from './bt-translator.js';
import { translationCacheSection, type CalloutSite, type TranslationCacheFigures } from './translation-cache-figures.js';

/** KVM's hypercall answers (the ABI the hw strategy's VMCALL exits follow): unknown call, CPL > 0, kvm_vapic_poll_irq. */
const KVM_ENOSYS = 1000, KVM_EPERM = 1, KVM_HC_VAPIC_POLL_IRQ = 1;

export class BtStrategy extends BareMetalInterception implements VmStrategy {
  readonly name = 'bt';
  /** Fires a CalloutEvent for every callout that runs (built only while someone listens). */
  readonly onEvent = new Emitter<VmEvent>();
  /** bt models no VM exits: sensitive instructions reach the monitor as callouts. */
  readonly exitCounts = new Map<number, number>();
  interrupts: InterruptSource = { pending: () => false, acknowledge: () => -1 };
  tripleFaultDescription?: string;
  /** The translator installed as the CPU's TranslationPolicy. */
  readonly translator = new BtTranslator((cpu, i, site) => this.callout(cpu, i, site));
  private cpu!: Cpu;
  private readonly io: IoBus;
  private readonly vcpu: number;

  constructor(deps: Pick<StrategyDeps, 'io' | 'vcpu'>) {
    super();
    this.io = deps.io;
    this.vcpu = deps.vcpu;
  }

  attach(cpu: Cpu): void {
    this.cpu = cpu;
    cpu.translationPolicy = this.translator;
  }

  /** Translation-cache figures (instructions scanned, callouts per site, invalidations). */
  translationCache(): TranslationCacheFigures { return this.translator.figures(); }

  /** The debugger's Virtualization view (engine/debug/inspect/virtualization.ts, DescribesState). */
  debugSections(): Array<{ title: string; summary: string; fields: Array<[string, string]> }> {
    return [translationCacheSection(this.translator.figures())];
  }

  /**
   * The monitor's entry from translated code: report the callout, then emulate the instruction. The
   * CPU's state is the virtual CPU's, so the instruction's own semantics at the guest's CPL are the
   * bare-hardware result the monitor owes the guest.
   */
  private callout(cpu: Cpu, i: Instr, site: CalloutSite): void {
    if (this.onEvent.hasListeners) {
      this.onEvent.fire({ kind: 'callout', ...eventSite(cpu, this.vcpu, i), mnemonic: site.mnemonic, sensitivity: site.sensitivity, why: site.why });
    }
    i.direct(cpu, i);
  }

  // ---- the monitor's emulation of the operations the callouts reach ----

  ioIn(port: number, size: 1 | 2 | 4, _i: Instr): number { return this.io.read(port, size); }

  ioOut(port: number, size: 1 | 2 | 4, value: number, _i: Instr): void {
    this.io.write(port, size, size === 4 ? value >>> 0 : value & (size === 2 ? 0xFFFF : 0xFF));
  }

  cpuid(leaf: number, subleaf: number, _i: Instr): readonly [number, number, number, number] {
    const r = cpuidLeaf(leaf, subleaf);
    // Leaf 1 EBX[31:24] is the initial APIC ID, which is the vCPU's index.
    return leaf === 1 ? [r[0], ((r[1] & 0x00FFFFFF) | (this.vcpu << 24)) >>> 0, r[2], r[3]] : r;
  }

  hlt(_i: Instr): void {
    // Halted with interrupts off, nothing can wake the vCPU: the run is over.
    if (!(this.cpu.flags & FLAG_IF)) this.cpu.stopRequested = true;
  }

  /**
   * VMCALL: the translator saw it like any sensitive instruction, so the monitor answers it with the
   * same KVM hypercall ABI as the hw strategy (a guest sees the same EAX under both): -KVM_EPERM
   * outside ring 0, 0 for KVM_HC_VAPIC_POLL_IRQ, -KVM_ENOSYS for anything else.
   */
  override vmcall(_i: Instr): void {
    const cpu = this.cpu;
    cpu.reg32[EAX] = cpu.cpl !== 0 ? -KVM_EPERM : (cpu.reg32[EAX] >>> 0) === KVM_HC_VAPIC_POLL_IRQ ? 0 : -KVM_ENOSYS;
  }

  tripleFault(description: string): void {
    this.tripleFaultDescription = description;
    this.cpu.stopRequested = true;
  }

  interruptPending(): boolean { return this.interrupts.pending(); }
  acknowledgeInterrupt(): number { return this.interrupts.acknowledge(); }
}
