// The prologue every x87 instruction runs before its body: #NM for CR0.EM/TS, the deferred #MF (or
// FERR# when CR0.NE = 0) of an earlier unmasked exception, and the last-instruction pointers.
import type { Cpu } from '../cpu.js';
import type { Handler, Instr } from '../instr.js';
import { fault, Vector } from '../fault.js';
import { CR0_EM, CR0_MP, CR0_NE, CR0_TS, CS } from '../registers.js';
import type { Fpu } from './fpu.js';

/** How an instruction meets the FPU: the three x87 instruction classes that differ in the prologue. */
export const enum Esc {
  Numeric = 0,  // waits for pending exceptions, records FIP/FCS/FOP (and FDP/FDS for memory operands)
  Control = 1,  // waits, but leaves the pointers alone (FLDCW, FLDENV, FRSTOR)
  NoWait = 2,   // neither (FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE, FXSAVE, FXRSTOR)
}

/** An x87 instruction body: runs after the prologue, with the CPU's FPU. */
export type X87Body = (cpu: Cpu, i: Instr, f: Fpu) => void;

const EXCEPTION_NAMES = ['invalid operation', 'denormal operand', 'zero divide', 'overflow', 'underflow', 'precision'];

/** Wraps an x87 body with the prologue of its class. */
export function esc(kind: Esc, body: X87Body): Handler {
  return (cpu, i) => {
    if (cpu.cr0 & (CR0_EM | CR0_TS)) {
      fault(Vector.NM, undefined, `x87 instruction with CR0.${cpu.cr0 & CR0_EM ? 'EM' : 'TS'}=1`);
    }
    const f = cpu.fpu;
    if (kind !== Esc.NoWait && f.pending()) reportPending(cpu, f);
    if (kind === Esc.Numeric) {
      f.fip = cpu.instrStart;
      f.fcs = cpu.segSel[CS];
      f.fop = ((i.opcode & 7) << 8) | (i.mod << 6) | (i.reg << 3) | i.rm;
      if (i.isMem) { f.fdp = cpu.ea(i); f.fds = cpu.segSel[i.seg]; }
    }
    body(cpu, i, f);
  };
}

/** FWAIT: #NM only when CR0.MP and CR0.TS are both set; then the pending-exception check. */
export const fwaitHandler: Handler = (cpu) => {
  if ((cpu.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) fault(Vector.NM, undefined, 'WAIT with CR0.MP=1 and CR0.TS=1');
  if (cpu.fpu.pending()) reportPending(cpu, cpu.fpu);
};

/**
 * A waiting instruction meets an unmasked exception flag: #MF with CR0.NE = 1; with CR0.NE = 0 the
 * FPU asserts FERR# once (the platform turns it into IRQ13) and the instruction goes on, as if IGNNE#
 * were asserted.
 */
function reportPending(cpu: Cpu, f: Fpu): void {
  const bits = f.pending();
  if (cpu.cr0 & CR0_NE) {
    const names = EXCEPTION_NAMES.filter((_n, k) => bits & (1 << k));
    const stack = (bits & 1) && (f.sw & 0x40) ? ((f.sw & 0x200) ? ' (stack overflow)' : ' (stack underflow)') : '';
    fault(Vector.MF, undefined, `x87 FPU error: ${names.join(', ')}${stack}`);
  }
  if (!f.ferrAsserted) { f.ferrAsserted = true; f.onFerr?.(); }
}

/** Call after anything that may clear the pending exceptions: FERR# drops with them. */
export function updateFerr(f: Fpu): void {
  if (!f.pending()) f.ferrAsserted = false;
}
