// One paravirtual domain's hypervisor-side state: guest memory access, the hypervisor region, the
// shared-info page, event channels, page-table bookkeeping, the trap table (gates in the hypervisor's
// IDT), the event callback, timers and the console; hypercall handlers work on this.
import type { Cpu } from '../../cpu/cpu.js';
import type { GuestMemory } from '../../memory/guest-memory.js';
import type { IoBus } from '../../devices/io-bus.js';
import type { VirtualClock, TimerHandle } from '../../platform/clock.js';
import type { StopReason } from '../stop-reason.js';
import { HYPERCALL_VECTOR, UPCALL_VECTOR } from './abi.js';
import { EventChannels, Virq } from './event-channels.js';
import { GuestAccess } from './guest-access.js';
import { hypervisorRegion, type HypervisorRegion } from './hypervisor-region.js';
import { PageTables } from './page-tables.js';
import { SharedInfo } from './shared-info.js';

/** One set_trap_table entry as the hypervisor keeps it. */
export interface TrapHandler { vector: number; flags: number; cs: number; address: number }

/** Machine services the domain uses once the Vm provides them. */
export interface DomainMachine {
  clock: VirtualClock;
  requestStop(reason: StopReason): void;
}

const COM1 = 0x3F8, COM1_LSR = 0x3FD;

export class PvDomain {
  readonly region: HypervisorRegion;
  readonly guest: GuestAccess;
  readonly shared: SharedInfo;
  readonly events: EventChannels;
  readonly tables: PageTables;
  /** Registered trap handlers by vector (also written as gates into the IDT). */
  readonly traps = new Map<number, TrapHandler>();
  /** set_callbacks: the event upcall and failsafe entry points (selector, address), once registered. */
  eventCallback?: { cs: number; address: number };
  failsafeCallback?: { cs: number; address: number };
  /** True once the loader started the domain (a pv kernel was loaded). */
  started = false;
  /** Frames of guest RAM the domain owns (start_info.nr_pages). */
  nrPages = 0;
  /** SCHEDOP_poll: the ports the blocked vCPU waits on. */
  pollPorts?: number[];
  /** Why the guest ended the domain, once it did (sched_op shutdown or a crash). */
  shutdownDetail?: string;
  /** Which source raised the last event (for the interrupt event's `source`). */
  lastRaise: 'timer' | 'event-channel' = 'event-channel';
  machine?: DomainMachine;
  private singleShot?: TimerHandle;     // set_timer_op / VCPUOP_set_singleshot_timer
  private periodic?: TimerHandle;       // VCPUOP_set_periodic_timer
  private pollTimeout?: TimerHandle;    // SCHEDOP_poll's timeout

  constructor(readonly cpu: Cpu, readonly memory: GuestMemory, private readonly io: IoBus) {
    this.region = hypervisorRegion(memory.ramSize);
    this.guest = new GuestAccess(memory, () => cpu.cr3);
    this.shared = new SharedInfo(memory, this.region.sharedInfo);
    this.events = new EventChannels(this.shared);
    this.tables = new PageTables(memory, this.region, () => cpu.cr3);
  }

  /** Guest time in nanoseconds (0 before the machine is connected). */
  nowNs(): number { return this.machine ? this.machine.clock.nowNs() : this.cpu.instructions; }

  /** Publishes the current time into shared_info. */
  publishTime(): void { this.shared.updateTime(this.nowNs(), BigInt(this.cpu.instructions) + this.cpu.tsc); }

  /** Writes an IDT gate: a 32-bit trap gate to cs:address with the given DPL (present). */
  writeGate(vector: number, cs: number, address: number, dpl: number): void {
    const at = this.region.idt + vector * 8;
    this.memory.write32(at, ((cs & 0xFFFF) << 16) | (address & 0xFFFF));
    this.memory.write32(at + 4, ((address & 0xFFFF0000) | 0x8F00 | (dpl << 13)) >>> 0);
  }

  /** Clears an IDT gate (not present). */
  clearGate(vector: number): void {
    this.memory.write32(this.region.idt + vector * 8, 0);
    this.memory.write32(this.region.idt + vector * 8 + 4, 0);
  }

  /** True when vector is one the hypervisor owns (hypercall trap, upcall). */
  static reservedVector(vector: number): boolean { return vector === HYPERCALL_VECTOR || vector === UPCALL_VECTOR; }

  /** An upcall is due: the guest registered a callback, something is pending and events are enabled. */
  upcallDue(): boolean { return this.eventCallback !== undefined && this.shared.upcallDue; }

  /** A SCHEDOP_poll waiter has one of its ports pending. */
  pollSatisfied(): boolean { return this.pollPorts !== undefined && this.pollPorts.some((p) => this.shared.isPending(p)); }

  /** Ends a poll (its port became pending or its timeout passed): the vCPU runs on. */
  endPoll(): void {
    this.pollPorts = undefined;
    this.machine?.clock.cancel(this.pollTimeout);
    this.pollTimeout = undefined;
    this.cpu.halted = false;
  }

  /** Starts a poll on ports with an absolute timeout (0 = none). */
  startPoll(ports: number[], timeoutNs: bigint): void {
    this.pollPorts = ports;
    this.cpu.halted = true;
    if (timeoutNs !== 0n && this.machine) this.pollTimeout = this.machine.clock.schedule(Number(timeoutNs), () => this.endPoll());
  }

  /** The one-shot timer at absolute time deadlineNs (0 = cancel); on expiry VIRQ_TIMER is raised. */
  setSingleShot(deadlineNs: number): void {
    this.machine?.clock.cancel(this.singleShot);
    this.singleShot = undefined;
    if (deadlineNs === 0 || !this.machine) return;
    this.singleShot = this.machine.clock.schedule(deadlineNs, () => { this.singleShot = undefined; this.raiseTimer(); });
  }

  /** A periodic timer every periodNs (0 = stop). */
  setPeriodic(periodNs: number): void {
    this.machine?.clock.cancel(this.periodic);
    this.periodic = undefined;
    if (periodNs === 0 || !this.machine) return;
    const clock = this.machine.clock;
    const tick = (deadline: number) => {
      this.periodic = clock.schedule(deadline, () => { this.raiseTimer(); tick(deadline + periodNs); });
    };
    tick(clock.nowNs() + periodNs);
  }

  private raiseTimer(): void {
    if (this.events.raiseVirq(Virq.Timer) >= 0) this.lastRaise = 'timer';
  }

  /** Timers the domain has armed (for tests and the debugger). */
  get timersArmed(): { singleShot: boolean; periodic: boolean } {
    return { singleShot: this.singleShot !== undefined, periodic: this.periodic !== undefined };
  }

  /** The hypervisor console (Xen's serial console): bytes go out on COM1. */
  consoleWrite(bytes: Uint8Array): void { for (const b of bytes) this.io.write(COM1, 1, b); }

  /** Up to max bytes the host typed on COM1. */
  consoleRead(max: number): Uint8Array {
    const out: number[] = [];
    while (out.length < max && (this.io.read(COM1_LSR, 1) & 1)) out.push(this.io.read(COM1, 1));
    return Uint8Array.from(out);
  }

  /** Ends the domain: sched_op shutdown (an orderly stop) or a crash (the CPU stops as if shut down). */
  shutdown(detail: string, crash: boolean): void {
    this.shutdownDetail = detail;
    this.setSingleShot(0);
    this.setPeriodic(0);
    if (crash) {
      this.cpu.shutdown = true;
    } else if (this.machine) {
      this.machine.requestStop({ kind: 'shutdown', detail });
    }
    this.cpu.stopRequested = true;
  }
}
