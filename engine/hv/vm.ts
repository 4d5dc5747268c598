// The virtual machine: guest memory, the port bus with the PC's debug and serial devices, one vCPU
// and the hypervisor strategy, plus the run loop that turns CPU and device events into stop reasons.
import { GuestMemory } from '../memory/guest-memory.js';
import { IoBus } from '../devices/io-bus.js';
import { Cpu } from '../cpu/cpu.js';
import { CS } from '../cpu/registers.js';
import { Emitter } from '../util/event.js';
import { HwStrategy } from './hw-strategy.js';
import { VirtualClock } from '../platform/clock.js';
import { buildPc, type OutputSource, type Platform } from '../platform/pc.js';
import type { Uart16550 } from '../devices/uart16550.js';
import type { StopReason } from './stop-reason.js';
import type { BlockDevice } from '../storage/block-device.js';

export type { OutputSource } from '../platform/pc.js';
export { COM1_PORT, DEBUGCON_PORT, DEBUG_EXIT_PORT } from '../platform/pc.js';

/** Guest output bytes, as the devices produced them. */
export interface GuestOutput { source: OutputSource; bytes: Uint8Array }

export interface VmConfig {
  /** Guest RAM in bytes (multiple of 4 KiB). */
  memoryBytes: number;
  /** Virtualization strategy; only 'hw' exists so far. */
  strategy?: 'hw';
  /** Disks on the primary IDE channel: [master, slave]; writes go straight to these devices. */
  disks?: readonly (BlockDevice | undefined)[];
}

export class Vm {
  readonly memory: GuestMemory;
  readonly io = new IoBus();
  readonly strategy: HwStrategy;
  readonly cpu: Cpu;
  /** The PC devices (engine/platform/pc.ts). */
  readonly platform: Platform;
  /** Virtual time (from retired instructions); devices schedule their timers on it. */
  readonly clock: VirtualClock;
  /** Guest output (serial and debugcon), in the order the guest wrote it. */
  readonly onOutput = new Emitter<GuestOutput>();
  /** Set when the guest ended the run (halt, debug exit, shutdown, triple fault). */
  finalStop?: StopReason;
  private pendingStop?: StopReason;

  constructor(readonly config: VmConfig) {
    this.memory = new GuestMemory(config.memoryBytes);
    this.strategy = new HwStrategy(this.io);
    this.cpu = new Cpu(this.memory, this.strategy);
    this.strategy.attach(this.cpu);
    this.clock = new VirtualClock(() => this.cpu.instructions);
    this.platform = buildPc({
      memory: this.memory, io: this.io, clock: this.clock, cpu: this.cpu,
      output: (source, byte) => this.emitOutput(source, byte),
      requestStop: (reason) => this.requestStop(reason),
      disks: config.disks,
    });
    this.strategy.interrupts = this.platform.interrupts;
  }

  /** COM1, the serial port guests print to. */
  get com1(): Uart16550 { return this.platform.com1; }

  private emitOutput(source: OutputSource, byte: number): void {
    this.onOutput.fire({ source, bytes: Uint8Array.of(byte) });
  }

  /** Ends the current run slice with reason (used by devices and the debugger). */
  requestStop(reason: StopReason): void {
    this.pendingStop = reason;
    this.cpu.stopRequested = true;
  }

  /** Retired-instruction count of the vCPU. */
  get instructions(): number { return this.cpu.instructions; }

  /** Exit counts by VT-x basic exit reason. */
  get exitCounts(): ReadonlyMap<number, number> { return this.strategy.exitCounts; }

  /**
   * Runs up to budget instructions. Returns the reason the guest stopped, or undefined when the
   * budget ran out with the guest still running. After a final stop, further calls return it again.
   */
  run(budget: number): StopReason | undefined {
    if (this.finalStop) return this.finalStop;
    const cpu = this.cpu;
    // A stop requested between slices (a pause from the debugger) takes effect before running on.
    let remaining = budget;
    while (remaining > 0 && !this.pendingStop && !cpu.shutdown) {
      // Run up to the next virtual-timer deadline, then let the due timers fire.
      const slice = Math.min(remaining, this.clock.instructionsUntilNextTimer());
      if (slice > 0) remaining -= cpu.run(slice);
      this.clock.fireDue();
      if (cpu.stopRequested && !cpu.halted) break;
      if (cpu.halted) {
        if (!(cpu.flags & 0x200)) break;                 // HLT with interrupts off: the end
        if (this.strategy.interruptPending()) continue;  // the next cpu.run delivers it
        const skippedNs = this.clock.skipToNextTimer();
        if (skippedNs < 0) break;                        // idle with nothing scheduled: wait for the host
        // Idle time counts against the budget, so a guest idling with its interrupt masked still
        // returns control to the host (timeouts, pause) instead of skipping time forever.
        remaining -= Math.max(1, Math.ceil(skippedNs / this.clock.nsPerInstruction));
      }
    }
    let stop = this.pendingStop;
    this.pendingStop = undefined;
    if (!stop && cpu.shutdown) {
      stop = { kind: 'triple-fault', description: this.strategy.tripleFaultDescription ?? 'triple fault', eip: cpu.instrStart, cs: cpu.segSel[CS] };
    }
    if (!stop && cpu.halted && !(cpu.flags & 0x200)) stop = { kind: 'halted', eip: cpu.instrStart };
    if (stop && stop.kind !== 'paused' && stop.kind !== 'breakpoint') this.finalStop = stop;
    return stop;
  }
}
