// The `hw` strategy (VT-x style): the guest runs unmodified; the vCPU's VMCS-like control block
// (engine/hv/hw/vmcs.ts, KVM's defaults) decides which operations exit, each exit records the control
// that caused it, and the pure exit handler (engine/hv/hw/exit-handler.ts) says what happens next.
import type { Cpu } from '../cpu/cpu.js';
import { BareMetalInterception } from '../cpu/environment.js';
import type { Instr } from '../cpu/instr.js';
import { cpuidLeaf } from '../cpu/cpuid.js';
import { EAX, FLAG_IF } from '../cpu/registers.js';
import type { IoBus } from '../devices/io-bus.js';
import type { GuestMemory } from '../memory/guest-memory.js';
import { Emitter } from '../util/event.js';
import { ExitReason } from './exit-reasons.js';
import { eventSite, type EventSite } from './event-site.js';
import type { CrAccessQualification, ExceptionQualification, TaskSwitchQualification, VmExit } from './vm-exit.js';
import type { TaskSwitchSource } from '../cpu/task-switch.js';
import type { VmEvent } from './vm-event.js';
import type { InterruptSource, StrategyDeps, VmStrategy } from './strategy.js';
import { handleExit, type ExitOutcome } from './hw/exit-handler.js';
import { kvmDefaultVmcs } from './hw/kvm-defaults.js';
import { buildPcEpt, type Ept } from './hw/ept.js';
import type { Vmcs } from './hw/vmcs.js';
import { ProcControl, Proc2Control, UNCONDITIONAL } from './hw/vmx-controls.js';

export type { ExitOutcome } from './hw/exit-handler.js';

/** The cause of an interrupt-window exit: KVM turns the control on only while an interrupt waits. */
export const INTERRUPT_WINDOW_CAUSE = 'interrupt-window exiting (KVM requests it while an interrupt waits)';

/** The qualification field of an exit, by name (see vm-exit.ts). */
type QualificationKey = 'io' | 'cpuid' | 'description' | 'crAccess' | 'drAccess' | 'msr' | 'exception' | 'vector' | 'linear' | 'ept' | 'taskSwitch' | 'counter';

/** What the hw strategies of one VM share: the EPT and the vCPUs that MMIO accesses are charged to. */
interface SharedHw { ept?: Ept; strategies: HwStrategy[] }
const sharedByMemory = new WeakMap<GuestMemory, SharedHw>();

export class HwStrategy extends BareMetalInterception implements VmStrategy {
  readonly name = 'hw';
  /** Every VM exit (after it is counted) and every injected interrupt. */
  readonly onEvent = new Emitter<VmEvent>();
  /** Exit counts by basic exit reason. */
  readonly exitCounts = new Map<number, number>();
  /** The vCPU's control block (KVM's defaults); tests and the inspector may change its controls. */
  readonly vmcs: Vmcs;
  /** The last exit's outcome (for the debugger's "last VM exit" view and tests). */
  lastOutcome?: ExitOutcome;
  tripleFaultDescription?: string;
  interrupts: InterruptSource = { pending: () => false, acknowledge: () => -1 };
  private cpu!: Cpu;
  private readonly io: IoBus;
  private readonly vcpu: number;
  private movDrPassedThrough = false;  // KVM's lazy debug registers: MOV-DR exiting off until the next exit
  private lastStringIo = -1;           // retired count of the last REP string I/O that exited (one exit per run)
  private interruptWaiting = false;    // an interrupt became pending with the window closed: KVM asked for interrupt-window exiting

  constructor(deps: Pick<StrategyDeps, 'io' | 'vcpu'> & Partial<Pick<StrategyDeps, 'memory'>>) {
    super();
    this.io = deps.io;
    this.vcpu = deps.vcpu;
    const memory = deps.memory;
    let shared = memory && sharedByMemory.get(memory);
    if (!shared) {
      shared = { strategies: [] };
      if (memory) {
        sharedByMemory.set(memory, shared);
        const s = shared;
        memory.slowAccessObserver = (gpa, size, write, value) => s.strategies[memory.accessingVcpu()]?.onSlowAccess(gpa, size, write, value);
      }
    }
    shared.strategies[deps.vcpu] = this;
    const vm = shared;
    this.vmcs = kvmDefaultVmcs(() => {
      if (!memory) throw new Error('an hw strategy built without guest memory has no EPT');
      return (vm.ept ??= buildPcEpt(memory));   // built on first use: the platform maps its MMIO after the vCPUs
    });
  }

  attach(cpu: Cpu): void { this.cpu = cpu; }

  // ---- recording and handling ----

  /**
   * The exit of reason with its site, cause and (under key) its qualification. Built by adding
   * properties to the site object rather than by object spread, which costs far more on this path.
   */
  private make(i: Instr | undefined, cause: string, reason: ExitReason, key?: QualificationKey, qualification?: unknown): VmExit {
    const e = eventSite(this.cpu, this.vcpu, i) as EventSite & Record<string, unknown>;
    e.kind = 'exit';
    e.cause = cause;
    e.reason = reason;
    if (key !== undefined) e[key] = qualification;
    return e as unknown as VmExit;
  }

  /** Counts exit, reports it, and applies the exit handler's outcome; returns the outcome. */
  private exit(exit: VmExit): ExitOutcome {
    this.exitCounts.set(exit.reason, (this.exitCounts.get(exit.reason) ?? 0) + 1);
    if (this.movDrPassedThrough && exit.reason !== ExitReason.DrAccess) {
      this.vmcs.procBased |= ProcControl.MovDrExiting;   // KVM re-arms MOV-DR exiting on the next exit
      this.movDrPassedThrough = false;
    }
    if (this.onEvent.hasListeners) this.onEvent.fire(exit);
    const cpu = this.cpu;
    const outcome = handleExit({ interruptsEnabled: (cpu.flags & FLAG_IF) !== 0, cpl: cpu.cpl, eax: cpu.reg32[EAX] }, exit);
    this.lastOutcome = outcome;
    switch (outcome.action) {
      case 'stop': case 'shutdown': cpu.stopRequested = true; break;
      case 'complete-hypercall': cpu.reg32[EAX] = outcome.eax; break;
      case 'pass-debug-registers': this.vmcs.procBased &= ~ProcControl.MovDrExiting; this.movDrPassedThrough = true; break;
      case 'inject':
        if (this.onEvent.hasListeners) this.fireInterrupt(outcome.vector);
        break;
      default: break;   // resume, block (the CPU halts by itself), reflect (the caller delivers it)
    }
    return outcome;
  }

  /** Reports an interrupt injected at entry. */
  private fireInterrupt(vector: number): void {
    const e = this.interruptSite() as EventSite & Record<string, unknown>;
    e.kind = 'interrupt';
    e.vector = vector;
    e.source = 'external';
    this.onEvent.fire(e as unknown as VmEvent);
  }

  private interruptSite(): EventSite {
    const site = eventSite(this.cpu, this.vcpu);
    site.eip = this.cpu.eip >>> 0;
    return site;
  }

  // ---- I/O, CPUID, HLT, triple fault ----

  ioIn(port: number, size: 1 | 2 | 4, i: Instr): number {
    const value = this.io.read(port, size);
    const cause = this.ioCause(port, size, i);
    if (cause) this.exit(this.make(i, cause, ExitReason.IoInstruction, 'io', { size, direction: 'in', string: i.entry.handler === 'ins', rep: i.rep !== 0, port, value }));
    return value;
  }

  ioOut(port: number, size: 1 | 2 | 4, value: number, i: Instr): void {
    const masked = size === 4 ? value >>> 0 : value & (size === 2 ? 0xFFFF : 0xFF);
    const cause = this.ioCause(port, size, i);
    if (cause) this.exit(this.make(i, cause, ExitReason.IoInstruction, 'io', { size, direction: 'out', string: i.entry.handler === 'outs', rep: i.rep !== 0, port, value: masked }));
    this.io.write(port, size, masked);
    if (!(this.cpu.flags & FLAG_IF)) this.noteInterruptWindow();   // the write may have raised or unmasked an interrupt
  }

  /** The I/O exit's cause; a REP string instruction exits once per run (KVM emulates the whole string). */
  private ioCause(port: number, size: number, i: Instr): string | undefined {
    if (i.rep !== 0 && (i.entry.handler === 'ins' || i.entry.handler === 'outs')) {
      if (this.lastStringIo === this.cpu.instructionsNow) return undefined;
      this.lastStringIo = this.cpu.instructionsNow;
    }
    return this.vmcs.ioExitCause(port, size);
  }

  cpuid(leaf: number, subleaf: number, i: Instr): readonly [number, number, number, number] {
    this.exit(this.make(i, UNCONDITIONAL, ExitReason.Cpuid, 'cpuid', { leaf, subleaf }));
    const r = cpuidLeaf(leaf, subleaf);
    // Leaf 1 EBX[31:24] is the initial APIC ID: each vCPU reports its own (= its index).
    if (leaf === 1 && this.vcpu !== 0) return [r[0], ((r[1] & 0x00FFFFFF) | (this.vcpu << 24)) >>> 0, r[2], r[3]];
    return r;
  }

  hlt(i: Instr): void {
    const cause = this.vmcs.procExitCause(ProcControl.HltExiting);
    if (cause) this.exit(this.make(i, cause, ExitReason.Hlt));
    else if (!(this.cpu.flags & FLAG_IF)) this.cpu.stopRequested = true;   // halted for good without an exit
  }

  tripleFault(description: string): void {
    this.tripleFaultDescription = description;
    this.exit(this.make(undefined, UNCONDITIONAL, ExitReason.TripleFault, 'description', description));
  }

  interruptPending(): boolean { return this.interrupts.pending(); }
  acknowledgeInterrupt(): number { return this.interrupts.acknowledge(); }

  // ---- control and debug registers, MSRs, the other instructions ----

  override crWrite(n: number, value: number, i: Instr): number {
    const old = this.crValue(n);
    this.syncReadShadows();
    const handler = i.entry.handler;
    const cause = handler === 'clts' ? this.vmcs.cltsExitCause() : handler === 'lmsw' ? this.vmcs.lmswExitCause(value & 0xF) : this.vmcs.crWriteExitCause(n, value);
    if (cause) {
      const accessType: CrAccessQualification['accessType'] = handler === 'clts' ? 'clts' : handler === 'lmsw' ? 'lmsw' : 'mov-to-cr';
      const crAccess: CrAccessQualification = { cr: n, accessType, oldValue: old >>> 0, newValue: value >>> 0 };
      if (handler === 'movcr') crAccess.register = i.rm;
      this.exit(this.make(i, cause, ExitReason.CrAccess, 'crAccess', crAccess));
    }
    return value;
  }

  override crRead(n: number, value: number, i: Instr): number {
    this.syncReadShadows();
    const cause = i.entry.handler === 'movcr' ? this.vmcs.crReadExitCause(n) : undefined;
    if (cause) this.exit(this.make(i, cause, ExitReason.CrAccess, 'crAccess', { cr: n, accessType: 'mov-from-cr', register: i.rm, oldValue: value >>> 0 }));
    return this.vmcs.crReadValue(n, value);
  }

  /** The read shadows hold the guest's view of CR0/CR4, which loaders and the debugger may set directly. */
  private syncReadShadows(): void {
    this.vmcs.cr0ReadShadow = this.cpu.cr0;
    this.vmcs.cr4ReadShadow = this.cpu.cr4;
  }

  private crValue(n: number): number {
    const cpu = this.cpu;
    return n === 0 ? cpu.cr0 : n === 2 ? cpu.cr2 : n === 3 ? cpu.cr3 : n === 4 ? cpu.cr4 : 0;
  }

  override drAccess(n: number, write: boolean, i: Instr): void {
    const cause = this.vmcs.procExitCause(ProcControl.MovDrExiting);
    if (cause) this.exit(this.make(i, cause, ExitReason.DrAccess, 'drAccess', { dr: n, direction: write ? 'to-dr' : 'from-dr', register: i.rm }));
  }

  override msrAccess(index: number, write: boolean, value: bigint | undefined, i: Instr): void {
    const cause = this.vmcs.msrExitCause(index, write);
    if (!cause) return;
    this.exit(this.make(i, cause, write ? ExitReason.Wrmsr : ExitReason.Rdmsr, 'msr', value === undefined ? { index: index >>> 0 } : { index: index >>> 0, value }));
  }

  override rdtsc(i: Instr): void { this.simpleExit(ExitReason.Rdtsc, this.vmcs.procExitCause(ProcControl.RdtscExiting), i); }
  override pause(i: Instr): void { this.simpleExit(ExitReason.Pause, this.vmcs.procExitCause(ProcControl.PauseExiting), i); }

  override invlpg(linear: number, i: Instr): void {
    const cause = this.vmcs.procExitCause(ProcControl.InvlpgExiting);
    if (cause) this.exit(this.make(i, cause, ExitReason.Invlpg, 'linear', linear >>> 0));
  }

  override cacheFlush(kind: 'invd' | 'wbinvd', i: Instr): void {
    if (kind === 'invd') this.simpleExit(ExitReason.Invd, UNCONDITIONAL, i);
    else this.simpleExit(ExitReason.Wbinvd, this.vmcs.proc2ExitCause(Proc2Control.WbinvdExiting), i);
  }

  override vmcall(i: Instr): void { this.simpleExit(ExitReason.Vmcall, UNCONDITIONAL, i); }

  override rdpmc(counter: number, i: Instr): void {
    const cause = this.vmcs.procExitCause(ProcControl.RdpmcExiting);
    if (cause) this.exit(this.make(i, cause, ExitReason.Rdpmc, 'counter', counter >>> 0));
  }

  /** Task switches always exit in VMX non-root operation (SDM 25.4.2); KVM emulates them and resumes. */
  override taskSwitch(source: TaskSwitchSource, selector: number, i?: Instr): void {
    const q: TaskSwitchQualification = { selector: selector & 0xFFFF, source: source === 'int' ? 'task-gate-in-idt' : source };
    this.exit(this.make(i, UNCONDITIONAL, ExitReason.TaskSwitch, 'taskSwitch', q));
  }

  /**
   * INIT and START-UP IPIs the Vm acts on for this vCPU (an application processor): INIT always exits
   * (SDM 25.2), START-UP exits while the vCPU waits for it (activity state wait-for-SIPI), with the
   * SIPI vector as the qualification. Called before the Vm resets or starts the vCPU.
   */
  signal(kind: 'init' | 'sipi', vector: number): void {
    if (kind === 'init') this.exit(this.make(undefined, UNCONDITIONAL, ExitReason.Init));
    else this.exit(this.make(undefined, UNCONDITIONAL, ExitReason.Sipi, 'vector', vector & 0xFF));
  }

  private simpleExit(reason: ExitReason, cause: string | undefined, i: Instr): void {
    if (cause) this.exit(this.make(i, cause, reason));
  }

  // ---- exceptions and interrupts ----

  /** INT3, INTO and INT1 are exceptions the exception bitmap sees; INT n is not (SDM 26.2). */
  override softwareInterrupt(vector: number, i: Instr): boolean {
    const h = i.entry.handler;
    if (h !== 'int3' && h !== 'into' && h !== 'int1') return false;
    const cause = this.vmcs.exceptionExitCause(vector);
    if (cause) this.exit(this.make(i, cause, ExitReason.ExceptionOrNmi, 'exception', { vector, detail: i.entry.mnemonic.toUpperCase() }));
    return false;   // reflected: delivered through the guest's IDT
  }

  override exception(vector: number, errorCode: number | undefined, detail: string): boolean {
    const cause = this.vmcs.exceptionExitCause(vector);
    if (!cause) return false;
    const exception: ExceptionQualification = { vector, detail };
    if (errorCode !== undefined) exception.errorCode = errorCode;
    if (vector === 14) exception.cr2 = this.cpu.cr2 >>> 0;
    this.exit(this.make(undefined, cause, ExitReason.ExceptionOrNmi, 'exception', exception));
    return false;   // reflected
  }

  /**
   * Called when an interrupt may have become pending (device timers fired, an OUT with IF = 0): if one
   * waits while the guest cannot take it (IF = 0 or an STI/MOV SS shadow), KVM sets interrupt-window
   * exiting, and the vCPU exits (reason 7) as soon as the window opens, before the injection.
   */
  noteInterruptWindow(): void {
    const cpu = this.cpu;
    if (!cpu || this.interruptWaiting) return;
    if (((cpu.flags & FLAG_IF) === 0 || cpu.interruptShadow) && this.interrupts.pending()) this.interruptWaiting = true;
  }

  override externalInterrupt(vector: number): void {
    if (this.interruptWaiting) {
      this.interruptWaiting = false;
      const windowExit = this.make(undefined, INTERRUPT_WINDOW_CAUSE, ExitReason.InterruptWindow);
      windowExit.eip = this.cpu.eip >>> 0;   // the window opened before this instruction
      this.exit(windowExit);
    }
    const cause = this.vmcs.externalInterruptExitCause();
    if (cause) {
      const e = this.make(undefined, cause, ExitReason.ExternalInterrupt, 'vector', vector);
      e.eip = this.cpu.eip >>> 0;   // where the guest resumes: the interrupted instruction has not started
      this.exit(e);
    } else if (this.onEvent.hasListeners) {
      this.fireInterrupt(vector);
    }
  }

  // ---- EPT ----

  /** A guest access off the RAM fast path: an EPT violation when the EPT does not allow it. */
  private onSlowAccess(gpa: number, size: 1 | 2 | 4, write: boolean, value: number): void {
    if (!this.vmcs.eptEnabled || !this.cpu) return;
    const ept = this.vmcs.ept().check({ guestPhysical: gpa, size, write, value });
    if (!ept) return;
    const cause = ept.readable || ept.writable || ept.executable ? `EPT entry without ${write ? 'write' : 'read'} right` : 'EPT entry not present';
    this.exit(this.make(undefined, cause, ExitReason.EptViolation, 'ept', ept));
  }
}
