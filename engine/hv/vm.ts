// The virtual machine: guest memory, the port bus with the PC's devices, one or more vCPUs (each
// with its own hypervisor strategy and local APIC), plus the run loop that interleaves the running
// vCPUs and turns CPU and device events into stop reasons.
import { GuestMemory } from '../memory/guest-memory.js';
import { IoBus } from '../devices/io-bus.js';
import { Cpu } from '../cpu/cpu.js';
import { CS } from '../cpu/registers.js';
import { Emitter } from '../util/event.js';
import { createStrategy } from './strategies.js';
import type { StrategyName, VmStrategy } from './strategy.js';
import type { VmEvent } from './vm-event.js';
import { VirtualClock } from '../platform/clock.js';
import { buildPc, type OutputSource, type Platform } from '../platform/pc.js';
import type { Uart16550 } from '../devices/uart16550.js';
import type { StopReason } from './stop-reason.js';
import type { BlockDevice } from '../storage/block-device.js';
import type { IpiEvent } from '../devices/apic/index.js';
import { RoundRobin, canWake, isRunnable, checkCpuCount, initCpu, startCpu, type SchedulableVcpu, type VcpuRunState } from './smp/vcpu.js';

export { MAX_CPUS, SMP_QUANTUM } from './smp/vcpu.js';

export type { OutputSource } from '../platform/pc.js';
export { COM1_PORT, DEBUGCON_PORT, DEBUG_EXIT_PORT } from '../platform/pc.js';

/** Guest output bytes, as the devices produced them. */
export interface GuestOutput { source: OutputSource; bytes: Uint8Array }

export interface VmConfig {
  /** Guest RAM in bytes (multiple of 4 KiB). */
  memoryBytes: number;
  /** Virtualization strategy (default 'hw'). */
  strategy?: StrategyName;
  /** Disks on the primary IDE channel: [master, slave]; writes go straight to these devices. */
  disks?: readonly (BlockDevice | undefined)[];
  /** Number of vCPUs, 1–8 (default 1). vCPU 0 is the BSP; the others wait for INIT + START-UP. */
  cpus?: number;
  /** Realtime clock mode: the host's monotonic clock in ms; timers then follow wall time (absent: virtual time). */
  hostNowMs?: () => number;
  /** Run hot guest code as translated blocks (default true); false keeps every vCPU in the interpreter. */
  translation?: boolean;
}

/** One virtual CPU of the machine, its strategy (its VM exits) and its run state. */
export interface Vcpu extends SchedulableVcpu {
  readonly index: number;
  readonly cpu: Cpu;
  readonly strategy: VmStrategy;
  state: VcpuRunState;
}

export class Vm {
  readonly memory: GuestMemory;
  readonly io = new IoBus();
  /** The BSP's strategy (vCPU 0); `vcpus[k].strategy` for the others. */
  readonly strategy: VmStrategy;
  /** The bootstrap processor (vCPU 0): what the CLI, the debugger and single-CPU tests look at. */
  readonly cpu: Cpu;
  /** Every vCPU, the BSP first. */
  readonly vcpus: readonly Vcpu[];
  /** The CPUs of every vCPU, the BSP first. */
  readonly cpus: readonly Cpu[];
  /** The PC devices (engine/platform/pc.ts). */
  readonly platform: Platform;
  /** Virtual time (from retired instructions); devices schedule their timers on it. */
  readonly clock: VirtualClock;
  /** Guest output (serial and debugcon), in the order the guest wrote it. */
  readonly onOutput = new Emitter<GuestOutput>();
  /**
   * Every VM event of every vCPU (exits, callouts, hypercalls, traps, injected interrupts, audit
   * findings). Strategies build event payloads only while this has listeners, so an unobserved VM
   * pays a counter increment per exit.
   */
  readonly onEvent = new Emitter<VmEvent>({
    onFirstListener: () => { this.stopRelaying = this.vcpus.map((v) => v.strategy.onEvent.event((e) => this.onEvent.fire(e))); },
    onLastListenerRemoved: () => { for (const off of this.stopRelaying) off(); this.stopRelaying = []; },
  });
  private stopRelaying: (() => void)[] = [];   // unsubscribes from the strategies while relaying
  /** Set when the guest ended the run (halt, debug exit, shutdown, triple fault). */
  finalStop?: StopReason;
  private pendingStop?: StopReason;
  private readonly scheduler = new RoundRobin();

  constructor(readonly config: VmConfig) {
    const count = config.cpus ?? 1;
    checkCpuCount(count);
    this.memory = new GuestMemory(config.memoryBytes);
    const vcpus: Vcpu[] = [];
    for (let k = 0; k < count; k++) {
      const strategy = createStrategy(config.strategy ?? 'hw', { io: this.io, memory: this.memory, vcpu: k });
      const cpu = new Cpu(this.memory, strategy);
      cpu.translation = config.translation ?? true;
      strategy.attach(cpu);
      vcpus.push({ index: k, cpu, strategy, state: k === 0 ? 'running' : 'wait-for-sipi', interruptPending: () => strategy.interruptPending() });
    }
    this.vcpus = vcpus;
    this.cpus = vcpus.map((v) => v.cpu);
    this.cpu = this.cpus[0];
    this.strategy = vcpus[0].strategy;
    if (count > 1) {
      // Each Cpu hooked the memory's code-write and A20 notifications for itself (the last one
      // won): every vCPU's decoded-code cache must hear of them.
      this.memory.onCodeWrite = (page) => { for (const c of this.cpus) c.invalidateCodePage(page); };
      this.memory.onA20Change = () => { for (const c of this.cpus) c.flushCodeCache(); };
      this.memory.accessingVcpu = () => this.scheduler.current;   // who caused an MMIO access (EPT exits)
    }
    // Virtual time derives from the instructions all vCPUs retired (see docs/platform.md, SMP).
    this.clock = new VirtualClock(() => this.instructions, 1, config.hostNowMs);
    this.platform = buildPc({
      memory: this.memory, io: this.io, clock: this.clock, cpu: this.cpu, cpus: this.cpus,
      currentCpu: () => this.scheduler.current,
      ipi: (vcpu, e) => this.onIpi(vcpu, e),
      output: (source, byte) => this.emitOutput(source, byte),
      requestStop: (reason) => this.requestStop(reason),
      disks: config.disks,
    });
    vcpus.forEach((v, k) => { v.strategy.interrupts = this.platform.vcpuInterrupts[k]; });
    for (const v of vcpus) v.strategy.connectMachine?.({ clock: this.clock, requestStop: (reason) => this.requestStop(reason) });
  }

  /**
   * INIT parks an application processor (wait-for-SIPI, power-on state); START-UP starts a parked
   * one in real mode at (vector × 0x100):0000. A START-UP to a running vCPU, and INIT to the BSP,
   * are ignored. The vCPU's strategy hears of each first (hw: INIT and SIPI exits).
   */
  private onIpi(index: number, e: IpiEvent): void {
    const v = this.vcpus[index];
    if (index === 0) return;
    if (e.kind === 'init') {
      v.strategy.signal?.('init', 0);
      initCpu(v.cpu);
      v.state = 'wait-for-sipi';
      v.cpu.stopRequested = true;   // an AP that sent INIT to itself stops after this instruction
    } else if (e.kind === 'startup' && v.state === 'wait-for-sipi') {
      v.strategy.signal?.('sipi', e.vector);
      startCpu(v.cpu, e.vector);
      v.state = 'running';
    }
  }

  /** COM1, the serial port guests print to. */
  get com1(): Uart16550 { return this.platform.com1; }

  private emitOutput(source: OutputSource, byte: number): void {
    this.onOutput.fire({ source, bytes: Uint8Array.of(byte) });
  }

  /** Ends the current run slice with reason (used by devices and the debugger). */
  requestStop(reason: StopReason): void {
    this.pendingStop = reason;
    for (const c of this.cpus) c.stopRequested = true;
  }

  /** Retired-instruction count of all vCPUs together. */
  get instructions(): number {
    const cpus = this.cpus;
    if (cpus.length === 1) return cpus[0].instructions;
    let n = 0;
    for (const c of cpus) n += c.instructions;
    return n;
  }

  /** Index of the vCPU that runs now (or ran last). */
  get currentVcpu(): number { return this.scheduler.current; }

  /** Exit counts by VT-x basic exit reason, summed over the vCPUs. */
  get exitCounts(): ReadonlyMap<number, number> {
    if (this.vcpus.length === 1) return this.strategy.exitCounts;
    const sum = new Map<number, number>();
    for (const v of this.vcpus) for (const [reason, n] of v.strategy.exitCounts) sum.set(reason, (sum.get(reason) ?? 0) + n);
    return sum;
  }

  /** Fires the due device timers; when any fired, tells each strategy an interrupt may now wait. */
  private fireTimers(): void {
    if (this.clock.fireDue() === 0) return;
    for (const v of this.vcpus) v.strategy.noteInterruptWindow?.();
  }

  /**
   * Runs up to budget instructions. Returns the reason the guest stopped, or undefined when the
   * budget ran out with the guest still running. After a final stop, further calls return it again.
   */
  run(budget: number): StopReason | undefined {
    if (this.finalStop) return this.finalStop;
    const vcpus = this.vcpus, sched = this.scheduler, single = vcpus.length === 1;
    // A stop requested between slices (a pause from the debugger) takes effect before running on.
    let remaining = budget;
    while (remaining > 0 && !this.pendingStop && !vcpus.some((v) => v.cpu.shutdown)) {
      // Run up to the next virtual-timer deadline (and, with several vCPUs, to the end of the
      // current vCPU's quantum), then let the due timers fire.
      const slice = Math.min(remaining, this.clock.instructionsUntilNextTimer());
      if (slice === 0) { this.fireTimers(); continue; }
      const k = sched.pick(vcpus);
      if (k >= 0) {
        const v = vcpus[k], cpu = v.cpu;
        const ran = cpu.run(single ? slice : Math.min(slice, sched.left));
        remaining -= ran;
        sched.charge(ran);
        const parked = v.state !== 'running';
        if (cpu.halted || parked) sched.yieldCurrent();
        this.fireTimers();
        if (cpu.stopRequested && !cpu.halted && !parked) break;
        continue;
      }
      // No vCPU can run now: every one is parked, or halted waiting for an interrupt.
      this.fireTimers();
      if (vcpus.some(isRunnable)) continue;              // a timer woke one: the next pick runs it
      if (!vcpus.some(canWake)) break;                   // all halted with interrupts off (or parked): the end
      const skippedNs = this.clock.skipToNextTimer();
      if (skippedNs < 0) break;                          // idle with nothing scheduled: wait for the host
      // Idle time counts against the budget, so a guest idling with its interrupt masked still
      // returns control to the host (timeouts, pause) instead of skipping time forever.
      remaining -= Math.max(1, Math.ceil(skippedNs / this.clock.nsPerInstruction));
    }
    let stop = this.pendingStop;
    this.pendingStop = undefined;
    const dead = vcpus.find((v) => v.cpu.shutdown);
    if (!stop && dead) {
      const description = (dead.strategy.tripleFaultDescription ?? 'triple fault') + (single ? '' : ` (vCPU ${dead.index})`);
      stop = { kind: 'triple-fault', description, eip: dead.cpu.instrStart, cs: dead.cpu.segSel[CS] };
    }
    if (!stop && !vcpus.some(canWake)) stop = { kind: 'halted', eip: this.cpu.instrStart };
    if (stop && stop.kind !== 'paused' && stop.kind !== 'breakpoint') this.finalStop = stop;
    return stop;
  }
}
