// String family: MOVS CMPS STOS LODS SCAS with REP/REPE/REPNE and both address sizes. A long REP
// runs in slices so interrupts, pauses and instruction budgets stay responsive.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import type { Instr } from '../instr.js';
import { getZF, LazyOp, setLazy } from '../flags.js';
import { ECX, EDI, ESI, ES, FLAG_DF } from '../registers.js';
import { operandSize, truncate } from './operands.js';

/** Iterations one execution of a REP instruction performs before yielding (EIP stays on it). */
const REP_SLICE = 4096;

function index(cpu: Cpu, i: Instr, reg: number): number {
  return i.addrSize32 ? cpu.reg32[reg] : cpu.reg16[reg << 1];
}
function advance(cpu: Cpu, i: Instr, reg: number, size: number): void {
  const delta = (cpu.flags & FLAG_DF) ? -size : size;
  if (i.addrSize32) cpu.reg32[reg] = (cpu.reg32[reg] + delta) | 0; else cpu.reg16[reg << 1] = cpu.reg16[reg << 1] + delta;
}

/**
 * Runs body once, or under REP until the count is exhausted (or, when compares, until the REPE/REPNE
 * condition ends it). body receives the index register's offset ('si' or 'di') and advances nothing.
 */
export function repeatString(cpu: Cpu, i: Instr, size: number, compares: boolean,
  body: (offset: number) => void, which: 'si' | 'di'): void {
  const reg = which === 'si' ? ESI : EDI;
  if (!i.rep) { body(index(cpu, i, reg)); advance(cpu, i, reg, size); return; }
  for (let n = 0; n < REP_SLICE; n++) {
    const count = i.addrSize32 ? cpu.reg32[ECX] : cpu.reg16[ECX << 1];
    if (count === 0) return;
    body(index(cpu, i, reg));
    advance(cpu, i, reg, size);
    if (i.addrSize32) cpu.reg32[ECX] = count - 1; else cpu.reg16[ECX << 1] = count - 1;
    if (compares && (i.rep === 0xF3 ? !getZF(cpu) : getZF(cpu))) return;
  }
  if ((i.addrSize32 ? cpu.reg32[ECX] : cpu.reg16[ECX << 1]) !== 0) cpu.eip = cpu.instrStart;
}

function srcSeg(i: Instr): number { return i.segOverride >= 0 ? i.segOverride : 3; }
function rd(cpu: Cpu, seg: number, off: number, size: number): number {
  return size === 1 ? cpu.read8(seg, off) : size === 2 ? cpu.read16(seg, off) : cpu.read32(seg, off);
}
function wr(cpu: Cpu, seg: number, off: number, size: number, v: number): void {
  if (size === 1) cpu.write8(seg, off, v); else if (size === 2) cpu.write16(seg, off, v); else cpu.write32(seg, off, v);
}
function acc(cpu: Cpu, size: number): number { return size === 1 ? cpu.reg8[0] : size === 2 ? cpu.reg16[0] : cpu.reg32[0]; }

const movs: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[0], opSize32);
  return (cpu, i) => repeatString(cpu, i, size, false, (di) => {
    wr(cpu, ES, di, size, rd(cpu, srcSeg(i), index(cpu, i, ESI), size));
    advance(cpu, i, ESI, size);
  }, 'di');
};

const cmps: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[0], opSize32);
  return (cpu, i) => repeatString(cpu, i, size, true, (si) => {
    const a = rd(cpu, srcSeg(i), si, size), b = rd(cpu, ES, index(cpu, i, EDI), size);
    setLazy(cpu, LazyOp.Sub, size, a, b, truncate(a - b, size));
    advance(cpu, i, EDI, size);
  }, 'si');
};

const stos: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[0], opSize32);
  return (cpu, i) => repeatString(cpu, i, size, false, (di) => wr(cpu, ES, di, size, acc(cpu, size)), 'di');
};

const lods: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[1], opSize32);
  return (cpu, i) => repeatString(cpu, i, size, false, (si) => {
    const v = rd(cpu, srcSeg(i), si, size);
    if (size === 1) cpu.reg8[0] = v; else if (size === 2) cpu.reg16[0] = v; else cpu.reg32[0] = v;
  }, 'si');
};

const scas: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[1], opSize32);
  return (cpu, i) => repeatString(cpu, i, size, true, (di) => {
    const a = acc(cpu, size), b = rd(cpu, ES, di, size);
    setLazy(cpu, LazyOp.Sub, size, a, b, truncate(a - b, size));
  }, 'di');
};

export const STRING_HANDLERS: Record<string, HandlerFactory> = { movs, cmps, stos, lods, scas };
