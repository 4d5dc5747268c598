// Operand access derived from the table's operand kinds: each kind becomes a small reader/writer
// closure chosen once per (row, operand size, memory form), so handlers never re-parse operands.
import type { Cpu } from '../cpu.js';
import type { Instr } from '../instr.js';
import { EAX, ECX, EDX } from '../registers.js';

export type Reader = (cpu: Cpu, i: Instr) => number;
export type Writer = (cpu: Cpu, i: Instr, v: number) => void;

/** Index into Cpu.reg8 of 8-bit register r (AL CL DL BL AH CH DH BH). */
export function byteReg(r: number): number { return ((r & 3) << 2) | (r >> 2); }

/** Operand size in bytes of an operand kind. */
export function operandSize(kind: string, opSize32: boolean): 1 | 2 | 4 {
  if (kind === 'AL' || kind === 'CL') return 1;
  if (kind === 'DX') return 2;
  if (kind === 'eAX') return opSize32 ? 4 : 2;
  const s = kind.slice(1);
  if (s === 'b' || s === 'bs') return 1;
  if (s === 'w') return 2;
  if (s === 'd') return 4;
  return opSize32 ? 4 : 2;
}

/** Mask for a size in bytes (32-bit values stay signed int32). */
export function truncate(v: number, size: number): number {
  return size === 4 ? v | 0 : size === 2 ? v & 0xFFFF : v & 0xFF;
}

function memReader(size: number): Reader {
  if (size === 1) return (cpu, i) => cpu.read8(i.seg, cpu.ea(i));
  if (size === 2) return (cpu, i) => cpu.read16(i.seg, cpu.ea(i));
  return (cpu, i) => cpu.read32(i.seg, cpu.ea(i));
}
function memWriter(size: number): Writer {
  if (size === 1) return (cpu, i, v) => cpu.write8(i.seg, cpu.ea(i), v);
  if (size === 2) return (cpu, i, v) => cpu.write16(i.seg, cpu.ea(i), v);
  return (cpu, i, v) => cpu.write32(i.seg, cpu.ea(i), v);
}
function regReader(size: number, field: 'rm' | 'reg'): Reader {
  if (size === 1) return field === 'rm' ? (cpu, i) => cpu.reg8[byteReg(i.rm)] : (cpu, i) => cpu.reg8[byteReg(i.reg)];
  if (size === 2) return field === 'rm' ? (cpu, i) => cpu.reg16[i.rm << 1] : (cpu, i) => cpu.reg16[i.reg << 1];
  return field === 'rm' ? (cpu, i) => cpu.reg32[i.rm] : (cpu, i) => cpu.reg32[i.reg];
}
function regWriter(size: number, field: 'rm' | 'reg'): Writer {
  if (size === 1) return field === 'rm' ? (cpu, i, v) => { cpu.reg8[byteReg(i.rm)] = v; } : (cpu, i, v) => { cpu.reg8[byteReg(i.reg)] = v; };
  if (size === 2) return field === 'rm' ? (cpu, i, v) => { cpu.reg16[i.rm << 1] = v; } : (cpu, i, v) => { cpu.reg16[i.reg << 1] = v; };
  return field === 'rm' ? (cpu, i, v) => { cpu.reg32[i.rm] = v; } : (cpu, i, v) => { cpu.reg32[i.reg] = v; };
}
function fixedReg(index: number, size: number): [Reader, Writer] {
  if (size === 1) return [(cpu) => cpu.reg8[byteReg(index)], (cpu, _i, v) => { cpu.reg8[byteReg(index)] = v; }];
  if (size === 2) return [(cpu) => cpu.reg16[index << 1], (cpu, _i, v) => { cpu.reg16[index << 1] = v; }];
  return [(cpu) => cpu.reg32[index], (cpu, _i, v) => { cpu.reg32[index] = v; }];
}

/** Reader for an operand kind. */
export function reader(kind: string, opSize32: boolean, isMem: boolean): Reader {
  const size = operandSize(kind, opSize32);
  switch (kind[0]) {
    case 'E': case 'M': return isMem ? memReader(size) : regReader(size, 'rm');
    case 'R': return regReader(4, 'rm');
    case 'G': return regReader(size, 'reg');
    case 'Z': return regReader(size, 'reg');
    case 'O': return memReader(size);
    case 'I': case 'J': {
      if (kind === 'Ibs') return size === 2 || !opSize32 ? (_c, i) => i.imm & 0xFFFF : (_c, i) => i.imm;
      return (_c, i) => i.imm;
    }
    case '1': return () => 1;
    default: break;
  }
  if (kind === 'AL') return fixedReg(EAX, 1)[0];
  if (kind === 'CL') return fixedReg(ECX, 1)[0];
  if (kind === 'DX') return fixedReg(EDX, 2)[0];
  if (kind === 'eAX') return fixedReg(EAX, size)[0];
  throw new Error(`no reader for operand kind ${kind}`);
}

/** Writer for an operand kind. */
export function writer(kind: string, opSize32: boolean, isMem: boolean): Writer {
  const size = operandSize(kind, opSize32);
  switch (kind[0]) {
    case 'E': case 'M': return isMem ? memWriter(size) : regWriter(size, 'rm');
    case 'R': return regWriter(4, 'rm');
    case 'G': case 'Z': return regWriter(size, 'reg');
    case 'O': return memWriter(size);
    default: break;
  }
  if (kind === 'AL') return fixedReg(EAX, 1)[1];
  if (kind === 'eAX') return fixedReg(EAX, size)[1];
  throw new Error(`no writer for operand kind ${kind}`);
}
