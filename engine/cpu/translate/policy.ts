// The per-instruction decision a virtualization strategy makes when code is first scanned: run the
// instruction directly or replace it by a callout into the monitor. Both CPU tiers honour it.
import type { Instr } from '../instr.js';
import type { Cpu } from '../cpu.js';

/** A monitor routine that runs in place of an instruction; cpu.eip already holds its fall-through. */
export type Callout = (cpu: Cpu, i: Instr) => void;

/** What a strategy decides, per instruction, when a block is scanned before it first runs. */
export interface TranslationPolicy {
  /** A callout that replaces the direct execution of i (called as callout(cpu, i) in its place),
   *  or undefined to run i directly. Asked once per decoded instruction, never per execution.
   *  The callout may run the instruction's own semantics with i.direct(cpu, i). */
  calloutFor(i: Instr, linearEip: number): Callout | undefined;
}

/** Applies policy to a freshly decoded instruction: keeps its own handler in direct, and makes exec the callout. */
export function applyPolicy(policy: TranslationPolicy | undefined, i: Instr, linearEip: number): void {
  i.direct = i.exec;
  if (policy === undefined) return;
  const callout = policy.calloutFor(i, linearEip);
  if (callout === undefined) return;
  i.exec = callout;
  i.callout = callout;
  // The monitor may change anything (CS, mode, EIP): the next instruction is always fetched afresh.
  i.chainable = false;
}
