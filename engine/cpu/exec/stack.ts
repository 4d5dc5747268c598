// Stack family: PUSH/POP (registers, memory, immediates, segment registers), PUSHA/POPA, ENTER, LEAVE.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import type { Instr } from '../instr.js';
import { loadSegment } from '../descriptors.js';
import { EBP, ESP, SS } from '../registers.js';
import { reader, writer } from './operands.js';

const SEG_OPERAND: Record<string, number> = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5 };

const push: HandlerFactory = (entry, opSize32, isMem) => {
  const kind = entry.operands[0];
  const seg = SEG_OPERAND[kind];
  if (seg !== undefined) {
    // A 32-bit push of a segment register writes only the low word on P6-class CPUs.
    return opSize32
      ? (cpu) => { const sp = spAfter(cpu, 4); cpu.write16(SS, sp, cpu.segSel[seg]); setSp(cpu, sp); }
      : (cpu) => cpu.push16(cpu.segSel[seg]);
  }
  if (kind === 'Zv' && opSize32) return (cpu, i) => cpu.push32(cpu.reg32[i.reg]);
  if (kind === 'Zv') return (cpu, i) => cpu.push16(cpu.reg16[i.reg << 1]);
  const rd = reader(kind, opSize32, isMem);
  return opSize32 ? (cpu, i) => cpu.push32(rd(cpu, i)) : (cpu, i) => cpu.push16(rd(cpu, i));
};

function spAfter(cpu: Cpu, delta: number): number {
  return cpu.stackSize32 ? (cpu.reg32[ESP] - delta) | 0 : (cpu.reg32[ESP] - delta) & 0xFFFF;
}
function setSp(cpu: Cpu, sp: number): void {
  if (cpu.stackSize32) cpu.reg32[ESP] = sp; else cpu.reg16[ESP << 1] = sp;
}

const pop: HandlerFactory = (entry, opSize32, isMem) => {
  const kind = entry.operands[0];
  const seg = SEG_OPERAND[kind];
  if (seg !== undefined) {
    return (cpu) => {
      const sp = cpu.stackSize32 ? cpu.reg32[ESP] : cpu.reg32[ESP] & 0xFFFF;
      const v = cpu.read16(SS, sp);
      loadSegment(cpu, seg, v);
      setSp(cpu, cpu.stackSize32 ? sp + (opSize32 ? 4 : 2) : (sp + (opSize32 ? 4 : 2)) & 0xFFFF);
      if (seg === SS) cpu.interruptShadow = true;
    };
  }
  if (kind === 'Zv') return opSize32 ? (cpu, i) => { cpu.reg32[i.reg] = cpu.pop32(); } : (cpu, i) => { cpu.reg16[i.reg << 1] = cpu.pop16(); };
  // POP r/m: ESP is incremented before the destination address is computed.
  const wr = writer(kind, opSize32, isMem);
  return (cpu, i) => {
    const oldSp = cpu.reg32[ESP];
    const v = opSize32 ? cpu.pop32() : cpu.pop16();
    try { wr(cpu, i, v); } catch (e) { cpu.reg32[ESP] = oldSp; throw e; }
  };
};

const pusha: HandlerFactory = (_e, opSize32) => (cpu) => {
  const sp = cpu.reg32[ESP];
  for (let r = 0; r < 8; r++) {
    if (opSize32) cpu.push32(r === ESP ? sp : cpu.reg32[r]);
    else cpu.push16(r === ESP ? sp & 0xFFFF : cpu.reg16[r << 1]);
  }
};

const popa: HandlerFactory = (_e, opSize32) => (cpu) => {
  for (let r = 7; r >= 0; r--) {
    const v = opSize32 ? cpu.pop32() : cpu.pop16();
    if (r === ESP) continue;
    if (opSize32) cpu.reg32[r] = v; else cpu.reg16[r << 1] = v;
  }
};

const leave: HandlerFactory = (_e, opSize32) => (cpu) => {
  if (cpu.stackSize32) cpu.reg32[ESP] = cpu.reg32[EBP]; else cpu.reg16[ESP << 1] = cpu.reg16[EBP << 1];
  if (opSize32) cpu.reg32[EBP] = cpu.pop32(); else cpu.reg16[EBP << 1] = cpu.pop16();
};

const enter: HandlerFactory = (_e, opSize32) => (cpu: Cpu, i: Instr) => {
  const size = i.imm & 0xFFFF;
  const level = i.imm2 & 0x1F;
  const push = opSize32 ? (v: number) => cpu.push32(v) : (v: number) => cpu.push16(v);
  push(opSize32 ? cpu.reg32[EBP] : cpu.reg16[EBP << 1]);
  const frameTemp = cpu.stackSize32 ? cpu.reg32[ESP] : cpu.reg16[ESP << 1];
  if (level > 0) {
    let bp = cpu.stackSize32 ? cpu.reg32[EBP] : cpu.reg16[EBP << 1];
    for (let l = 1; l < level; l++) {
      bp = cpu.stackSize32 ? bp - (opSize32 ? 4 : 2) : (bp - (opSize32 ? 4 : 2)) & 0xFFFF;
      push(opSize32 ? cpu.read32(SS, bp) : cpu.read16(SS, bp));
    }
    push(frameTemp);
  }
  if (opSize32) cpu.reg32[EBP] = frameTemp; else cpu.reg16[EBP << 1] = frameTemp;
  const sp = cpu.stackSize32 ? (cpu.reg32[ESP] - size) | 0 : (cpu.reg32[ESP] - size) & 0xFFFF;
  cpu.linear(SS, sp, 1, true); // the new stack top must be inside SS
  setSp(cpu, sp);
};

export const STACK_HANDLERS: Record<string, HandlerFactory> = { push, pop, pusha, popa, leave, enter };
