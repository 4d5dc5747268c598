// What the CPU needs from the machine around it: I/O ports, CPUID answers, HLT, interrupts, the
// triple-fault shutdown, and the points where a hypervisor may intercept a sensitive operation (control
// and debug registers, MSRs, RDTSC, INVLPG, cache flushes, PAUSE, VMCALL, software interrupts,
// exceptions, task switches, RDPMC). The hypervisor strategy implements it and turns each call into a VM event.
import type { Instr } from './instr.js';
import type { TaskSwitchSource } from './task-switch.js';
import { fault, Vector } from './fault.js';

export interface CpuEnvironment {
  /** IN/INS: reads size bytes from port. */
  ioIn(port: number, size: 1 | 2 | 4, i: Instr): number;
  /** OUT/OUTS: writes size bytes to port. */
  ioOut(port: number, size: 1 | 2 | 4, value: number, i: Instr): void;
  /** CPUID: returns [eax, ebx, ecx, edx] for leaf/subleaf. */
  cpuid(leaf: number, subleaf: number, i: Instr): readonly [number, number, number, number];
  /** HLT executed (the CPU is now halted until an interrupt). */
  hlt(i: Instr): void;
  /** A triple fault: the CPU has shut down. */
  tripleFault(description: string): void;
  /** The vector of a pending maskable interrupt, acknowledged by this call, or -1 (asked only when IF=1). */
  acknowledgeInterrupt(): number;
  /** True when a maskable interrupt is pending (cheap, asked between instructions when IF=1). */
  interruptPending(): boolean;

  // ---- interception points (each is called after the instruction's own privilege checks, before
  // its architectural effect; a strategy may throw a CpuFault to inject an exception instead) ----

  /**
   * MOV to CRn (n = 0, 2, 3, 4), CLTS and LMSW (n = 0): value is what the instruction would write.
   * Returns the value to write (a strategy may keep bits it owns).
   */
  crWrite(n: number, value: number, i: Instr): number;
  /** MOV from CRn and SMSW (n = 0): value is the register's content; returns what the guest reads (read shadows). */
  crRead(n: number, value: number, i: Instr): number;
  /** MOV to or from DRn (n = 0–7 after the DR4/DR5 aliasing). */
  drAccess(n: number, write: boolean, i: Instr): void;
  /** RDMSR (value undefined) or WRMSR (value = EDX:EAX) of MSR index. */
  msrAccess(index: number, write: boolean, value: bigint | undefined, i: Instr): void;
  /** RDTSC, after its CR4.TSD check. */
  rdtsc(i: Instr): void;
  /** INVLPG of a linear address. */
  invlpg(linear: number, i: Instr): void;
  /** INVD or WBINVD. */
  cacheFlush(kind: 'invd' | 'wbinvd', i: Instr): void;
  /** PAUSE (F3 90). */
  pause(i: Instr): void;
  /** VMCALL (0F 01 C1): a call to the hypervisor; throws #UD where no hypervisor answers it. */
  vmcall(i: Instr): void;
  /**
   * INT n, INT3, INTO (when it traps) and INT1 about to deliver vector. Returns true when the
   * hypervisor took it (and left the guest state as the call's semantics say), false to deliver it
   * through the guest's IDT/IVT.
   */
  softwareInterrupt(vector: number, i: Instr): boolean;
  /**
   * A CPU exception about to be delivered (after double-fault escalation). Returns true when the
   * hypervisor handled it (and set the guest state itself), false to deliver it through the guest's IDT.
   */
  exception(vector: number, errorCode: number | undefined, detail: string): boolean;
  /** An external interrupt (vector) was acknowledged and is about to be delivered. */
  externalInterrupt(vector: number): void;
  /**
   * A task switch to the TSS selector, after the checks of the gate and the TSS descriptor and before
   * any state is saved; source says what started it (CALL, JMP, IRET with NT, a task gate in the IDT).
   * i is the instruction when one is known (undefined for a switch started by an interrupt).
   */
  taskSwitch(source: TaskSwitchSource, selector: number, i?: Instr): void;
  /** RDPMC of counter (ECX), after its CPL/CR4.PCE check and before the counter's range check. */
  rdpmc(counter: number, i: Instr): void;
}

/**
 * The interception points as bare hardware behaves: nothing intercepted, every value passed through.
 * Environments that only care about some of them (tests, the conformance runner) extend this.
 */
export abstract class BareMetalInterception {
  crWrite(_n: number, value: number, _i: Instr): number { return value; }
  crRead(_n: number, value: number, _i: Instr): number { return value; }
  drAccess(_n: number, _write: boolean, _i: Instr): void {}
  msrAccess(_index: number, _write: boolean, _value: bigint | undefined, _i: Instr): void {}
  rdtsc(_i: Instr): void {}
  invlpg(_linear: number, _i: Instr): void {}
  cacheFlush(_kind: 'invd' | 'wbinvd', _i: Instr): void {}
  pause(_i: Instr): void {}
  vmcall(_i: Instr): void { fault(Vector.UD, undefined, 'VMCALL outside VMX non-root operation'); }
  softwareInterrupt(_vector: number, _i: Instr): boolean { return false; }
  exception(_vector: number, _errorCode: number | undefined, _detail: string): boolean { return false; }
  externalInterrupt(_vector: number): void {}
  taskSwitch(_source: TaskSwitchSource, _selector: number, _i?: Instr): void {}
  rdpmc(_counter: number, _i: Instr): void {}
}
