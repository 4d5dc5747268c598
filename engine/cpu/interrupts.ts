// Interrupt and exception delivery: the real-mode IVT, protected-mode interrupt/trap gates with the
// stack switch through the TSS, V86 exits to ring 0, and the double-/triple-fault escalation.
import type { Cpu } from './cpu.js';
import { CpuFault, fault, hasErrorCode, Vector, VECTOR_NAMES } from './fault.js';
import { readDescriptor, loadCodeSegment, setSegmentCache, parseDescriptor, systemRead16, systemRead32 } from './descriptors.js';
import { switchThroughTaskGate } from './task-switch.js';
import { CS, DS, ES, FS, GS, SS, FLAG_IF, FLAG_NT, FLAG_RF, FLAG_TF, FLAG_VM } from './registers.js';

const CONTRIBUTORY = new Set([0, 10, 11, 12, 13]);

/** Delivers a CPU exception; escalates to #DF and to a triple fault as the SDM's table 6-5 says. */
export function deliverException(cpu: Cpu, f: CpuFault): void {
  const first = cpu.deliveringVector;
  if (first === Vector.DF) { tripleFault(cpu, f); return; }
  let vector = f.vector, code = f.errorCode;
  if (first >= 0) {
    const bothContributory = CONTRIBUTORY.has(first) && CONTRIBUTORY.has(vector);
    const pfThen = first === Vector.PF && (vector === Vector.PF || CONTRIBUTORY.has(vector));
    if (bothContributory || pfThen) { vector = Vector.DF; code = 0; }
  }
  cpu.deliveringVector = vector;
  try {
    const detail = f.detail ?? VECTOR_NAMES[vector] ?? `vector ${vector}`;
    cpu.lastException = { vector, errorCode: code, eip: cpu.instrStart, detail };
    if (cpu.env.exception(vector, hasErrorCode(vector) ? (code ?? 0) : undefined, detail)) return;
    // Faults push RF = 1 (SDM Vol. 3 17.3.1.1); #DB pushes the current RF (its instruction-breakpoint
    // fault has set it already) and #DF is an abort.
    deliverInterrupt(cpu, vector, false, hasErrorCode(vector) ? (code ?? 0) : undefined, vector !== Vector.DB && vector !== Vector.DF);
  } catch (e) {
    if (!(e instanceof CpuFault)) throw e;
    deliverException(cpu, e);
  } finally {
    cpu.deliveringVector = first;
  }
}

function tripleFault(cpu: Cpu, f: CpuFault): void {
  cpu.shutdown = true;
  const why = `triple fault: ${f.detail ?? VECTOR_NAMES[f.vector] ?? 'vector ' + f.vector} while delivering #DF`;
  cpu.env.tripleFault(why);
}

/**
 * Transfers control to the handler of vector. software = INT n/INT3/INTO (privilege-checked against
 * the gate DPL); errorCode is pushed when defined (protected mode only); faultClass = a fault-class
 * exception, whose pushed EFLAGS image has RF set.
 */
export function deliverInterrupt(cpu: Cpu, vector: number, software: boolean, errorCode: number | undefined, faultClass = false): void {
  if (!cpu.protectedMode) { deliverReal(cpu, vector); return; }
  const idtOffset = vector * 8;
  const extBit = software ? 0 : 1;
  if (idtOffset + 7 > cpu.idtrLimit) fault(Vector.GP, idtOffset + 2 + extBit, `vector ${vector} beyond IDT limit 0x${cpu.idtrLimit.toString(16)}`);
  const lo = systemRead32(cpu, (cpu.idtrBase + idtOffset) | 0);
  const hi = systemRead32(cpu, (cpu.idtrBase + idtOffset + 4) | 0);
  const type = (hi >>> 8) & 0x1F;
  const dpl = (hi >>> 13) & 3;
  if (type !== 0x0E && type !== 0x0F && type !== 0x06 && type !== 0x07 && type !== 0x05) {
    fault(Vector.GP, idtOffset + 2 + extBit, `IDT entry ${vector} is not a gate (type ${type})`);
  }
  if (software && dpl < cpu.cpl) fault(Vector.GP, idtOffset + 2, `INT ${vector}: gate DPL ${dpl} < CPL ${cpu.cpl}`);
  if (!(hi & 0x8000)) fault(Vector.NP, idtOffset + 2 + extBit, `IDT entry ${vector} not present`);
  if (type === 0x05) { switchThroughTaskGate(cpu, parseDescriptor(lo, hi), 'int', errorCode); return; }
  const gate32 = (type & 8) !== 0;
  const selector = lo >>> 16;
  const offset = gate32 ? ((lo & 0xFFFF) | (hi & 0xFFFF0000)) >>> 0 : lo & 0xFFFF;
  if ((selector & ~3) === 0) fault(Vector.GP, extBit, `IDT entry ${vector} has a null code selector`);
  const d = readDescriptor(cpu, selector);
  if (!d.s || !(d.type & 8) || d.dpl > cpu.cpl) fault(Vector.GP, (selector & 0xFFFC) + extBit, `IDT entry ${vector}: bad code segment 0x${selector.toString(16)}`);
  if (!d.present) fault(Vector.NP, (selector & 0xFFFC) + extBit, `IDT entry ${vector}: code segment not present`);
  if (offset > d.limit) fault(Vector.GP, extBit, `IDT entry ${vector}: offset 0x${offset.toString(16)} beyond the code segment limit`);
  const oldFlags = cpu.getEflags();
  const oldCs = cpu.segSel[CS], oldEip = cpu.eip, oldSs = cpu.segSel[SS], oldEsp = cpu.reg32[4];
  const conforming = (d.type & 4) !== 0;
  const fromV86 = (oldFlags & FLAG_VM) !== 0;
  const newCpl = conforming ? cpu.cpl : d.dpl;
  const push = gate32 ? (v: number) => cpu.push32(v) : (v: number) => cpu.push16(v);
  if (newCpl < cpu.cpl || fromV86) {
    if (fromV86 && newCpl !== 0) fault(Vector.GP, (selector & 0xFFFC) + extBit, 'V86 interrupt to a non-ring-0 handler');
    const { ss, esp } = stackFromTss(cpu, newCpl);
    const ssDesc = readDescriptor(cpu, ss, Vector.TS);
    if ((ss & 3) !== newCpl || ssDesc.dpl !== newCpl || !ssDesc.s || (ssDesc.type & 0xA) !== 2) fault(Vector.TS, ss & 0xFFFC, `TSS stack segment 0x${ss.toString(16)} invalid for ring ${newCpl}`);
    if (!ssDesc.present) fault(Vector.SS, ss & 0xFFFC, 'TSS stack segment not present');
    cpu.setEflags(oldFlags & ~FLAG_VM);
    setSegmentCache(cpu, SS, ss, ssDesc);
    cpu.reg32[4] = esp;
    cpu.cpl = newCpl;
    if (fromV86) {
      push(cpu.segSel[GS]); push(cpu.segSel[FS]); push(cpu.segSel[DS]); push(cpu.segSel[ES]);
      for (const s of [GS, FS, DS, ES]) setSegmentCache(cpu, s, 0, parseDescriptor(0, 0));
    }
    push(oldSs); push(oldEsp);
  }
  push(faultClass ? oldFlags | FLAG_RF : oldFlags); push(oldCs); push(oldEip);
  if (errorCode !== undefined) push(errorCode);
  loadCodeSegment(cpu, selector, d, newCpl);
  cpu.eip = offset;
  let f = cpu.getEflags() & ~(FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM);
  if (!(type & 1)) f &= ~FLAG_IF; // interrupt gate
  cpu.setEflags(f);
}

/** SS:ESP for ring cpl from the current 32-bit (or 16-bit) TSS. */
export function stackFromTss(cpu: Cpu, cpl: number): { ss: number; esp: number } {
  const tss32 = (cpu.trRights & 0x8) !== 0;
  const off = tss32 ? 4 + cpl * 8 : 2 + cpl * 4;
  const need = tss32 ? off + 7 : off + 3;
  if (cpu.trSel === 0 || need > cpu.trLimit) fault(Vector.TS, cpu.trSel & 0xFFFC, `TSS too small for the ring ${cpl} stack`);
  if (tss32) return { esp: systemRead32(cpu, (cpu.trBase + off) | 0), ss: systemRead16(cpu, (cpu.trBase + off + 4) | 0) };
  return { esp: systemRead16(cpu, (cpu.trBase + off) | 0), ss: systemRead16(cpu, (cpu.trBase + off + 2) | 0) };
}

function deliverReal(cpu: Cpu, vector: number): void {
  const off = vector * 4;
  if (off + 3 > cpu.idtrLimit) fault(Vector.GP, 0, `vector ${vector} beyond the real-mode IVT limit`);
  const ip = cpu.readLin16((cpu.idtrBase + off) | 0);
  const cs = cpu.readLin16((cpu.idtrBase + off + 2) | 0);
  cpu.push16(cpu.getEflags());
  cpu.push16(cpu.segSel[CS]);
  cpu.push16(cpu.eip);
  cpu.setEflags(cpu.getEflags() & ~(FLAG_IF | FLAG_TF | 0x40000));
  cpu.loadRealSegment(CS, cs);
  cpu.eip = ip;
}
