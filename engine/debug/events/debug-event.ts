// What event breakpoints see: the VM events every strategy reports (exits, hypercalls, callouts,
// traps, injected interrupts, audit findings) plus what the debugger's CPU probe observes under any
// strategy (port I/O, MSR accesses, control-register writes, mode switches, CPU exceptions and
// interrupt deliveries).
import type { EventSite, VmEvent } from '../../hv/vm-event.js';

/** An IN or OUT (each element of a string instruction). */
export interface PortIoEvent extends EventSite { kind: 'port-io'; port: number; size: number; direction: 'in' | 'out'; value: number }
/** RDMSR or WRMSR. */
export interface MsrEvent extends EventSite { kind: 'msr'; index: number; write: boolean; value?: bigint }
/** A write of CR0, CR2, CR3 or CR4 (MOV, CLTS, LMSW): the value before and the value written. */
export interface CrWriteEvent extends EventSite { kind: 'cr-write'; cr: number; old: number; new: number }
/** CR0.PE, CR0.PG or EFLAGS.VM changed: the CPU enters another mode (real, protected, paging, v86). */
export interface ModeSwitchEvent extends EventSite { kind: 'mode-switch'; from: CpuModeName; to: CpuModeName }
/** A CPU exception about to be delivered. */
export interface CpuExceptionEvent extends EventSite { kind: 'cpu-exception'; vector: number; errorCode?: number; detail: string; cr2: number }
/** An interrupt about to be delivered: external (from the APIC/PIC) or a software INT n. */
export interface CpuInterruptEvent extends EventSite { kind: 'cpu-interrupt'; vector: number; source: 'external' | 'software' }

export type CpuModeName = 'real' | 'protected' | 'paging' | 'v86';

export type ProbeEvent = PortIoEvent | MsrEvent | CrWriteEvent | ModeSwitchEvent | CpuExceptionEvent | CpuInterruptEvent;

/** Everything an event breakpoint can match. */
export type DebugEvent = VmEvent | ProbeEvent;
