// What the CPU needs from the machine around it: I/O ports, CPUID answers, HLT, interrupts and the
// triple-fault shutdown. The hypervisor strategy implements it and turns each call into a VM event.
import type { Instr } from './instr.js';

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
}
