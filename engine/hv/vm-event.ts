// Every crossing between guest and hypervisor, under any strategy, as one discriminated union: the
// debugger's event breakpoints, the trace, the statistics and the views all consume these and nothing
// else. Events are built only while someone listens (strategies check `onEvent.hasListeners`).
import type { EventSite } from './event-site.js';
import type { VmExit } from './vm-exit.js';

export type { EventSite } from './event-site.js';
export type { VmExit } from './vm-exit.js';

/** Why the bt translator does not let an instruction run directly (the table's virtualization class). */
export type Sensitivity = 'privileged' | 'sensitive-unprivileged';

/** bt: the translator replaced a sensitive instruction with a call into the monitor. */
export interface CalloutEvent extends EventSite {
  kind: 'callout';
  mnemonic: string;          // e.g. 'popf', 'sgdt', 'out'
  sensitivity: Sensitivity;
  why: string;               // one line: what makes it sensitive
}

/** pv: the guest called the hypervisor (int 0x82 or vmcall through the hypercall page). */
export interface HypercallEvent extends EventSite {
  kind: 'hypercall';
  number: number;            // EAX
  name: string;              // Xen's name ('sched_op', 'console_io' …) or 'unknown'
  args: number[];            // EBX, ECX, EDX, ESI, EDI
  result: number;            // EAX after the call (negative errno on failure)
  via: 'int82' | 'vmcall';
  /** Decoded arguments where the call defines them (e.g. { cmd: 'shutdown', reason: 0 }). */
  decoded?: Record<string, number | string>;
}

/** A CPU exception the hypervisor saw (pv: a privileged instruction at ring 1; any trap it reflected). */
export interface TrapEvent extends EventSite {
  kind: 'trap';
  vector: number;
  errorCode?: number;
  detail: string;            // what faulted, in words
  /** What the hypervisor did: reflected it to the guest's handler, emulated it, or stopped the guest. */
  outcome: 'reflected' | 'emulated' | 'fatal';
}

/** An interrupt injected into the guest (external interrupt, event-channel upcall, timer). */
export interface InterruptEvent extends EventSite {
  kind: 'interrupt';
  vector: number;            // IDT vector (or the callback's pseudo-vector under pv)
  source: 'external' | 'event-channel' | 'timer';
}

/** A sensitive-but-unprivileged instruction that plain trap-and-emulate would get wrong. */
export interface AuditEvent extends EventSite {
  kind: 'audit';
  mnemonic: string;
  problem: string;           // e.g. 'POPF: IF change silently ignored at CPL 1'
}

export type VmEvent = VmExit | CalloutEvent | HypercallEvent | TrapEvent | InterruptEvent | AuditEvent;

/** The kinds, for filters and views. */
export type VmEventKind = VmEvent['kind'];
