// The shape every virtualization strategy (hw, bt, pv) has: the CPU's environment for one vCPU, plus
// the VM events it reports. The Vm builds one strategy object per vCPU with createStrategy.
import type { Cpu } from '../cpu/cpu.js';
import type { CpuEnvironment } from '../cpu/environment.js';
import type { GuestMemory } from '../memory/guest-memory.js';
import type { IoBus } from '../devices/io-bus.js';
import type { Emitter } from '../util/event.js';
import type { VmEvent } from './vm-event.js';
import type { VirtualClock } from '../platform/clock.js';
import type { StopReason } from './stop-reason.js';

/** The strategies, as launch.json and `--strategy` name them. */
export type StrategyName = 'hw' | 'bt' | 'pv';
export const STRATEGY_NAMES: readonly StrategyName[] = ['hw', 'bt', 'pv'];

export function isStrategyName(s: unknown): s is StrategyName {
  return typeof s === 'string' && (STRATEGY_NAMES as readonly string[]).includes(s);
}

/** Where the vCPU's maskable interrupts come from (its local APIC / the PIC). */
export interface InterruptSource {
  /** True when a maskable interrupt is pending. */
  pending(): boolean;
  /** Acknowledges and returns the pending vector, or -1. */
  acknowledge(): number;
}

/** What a strategy needs from the machine to be built. */
export interface StrategyDeps {
  io: IoBus;            // the port bus (devices)
  memory: GuestMemory;  // guest memory (EPT, page-table validation, shared pages)
  vcpu: number;         // index of the vCPU this strategy object serves
}

/** Machine services a strategy may use once the Vm has built them (pv: guest timers, shutdown). */
export interface StrategyMachine {
  clock: VirtualClock;                      // virtual time; strategies schedule their timers on it
  requestStop(reason: StopReason): void;    // ends the run (e.g. the guest asked to shut down)
}

export interface VmStrategy extends CpuEnvironment {
  readonly name: StrategyName;
  /** Every VM event of this vCPU; payloads are built only while this has listeners. */
  readonly onEvent: Emitter<VmEvent>;
  /** VM exits by VT-x basic exit reason (hw; other strategies count the exits they model, if any). */
  readonly exitCounts: Map<number, number>;
  /** Where the vCPU's maskable interrupts come from; the Vm wires it after building the platform. */
  interrupts: InterruptSource;
  /** Set when the CPU triple-faulted, for the Vm's stop reason. */
  tripleFaultDescription?: string;
  /** Connects the strategy to the CPU it serves (called once, right after the CPU is built). */
  attach(cpu: Cpu): void;
  /** Optional: receives the machine services; the Vm calls it once, after building the platform. */
  connectMachine?(machine: StrategyMachine): void;
  /** Optional: an INIT or START-UP IPI (with its vector) the Vm is about to act on for this vCPU. */
  signal?(kind: 'init' | 'sipi', vector: number): void;
  /** Optional: device timers fired, so an interrupt may have become pending (hw: interrupt-window exiting). */
  noteInterruptWindow?(): void;
}
