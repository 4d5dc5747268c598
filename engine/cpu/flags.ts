// Lazy arithmetic flags: an ALU operation records its operands, result and kind; CF, PF, AF, ZF,
// SF and OF are derived only when something reads them.
import type { Cpu } from './cpu.js';
import { ARITH_FLAGS, FLAG_AF, FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF } from './registers.js';

/** Kinds of the last flag-setting operation. */
export const enum LazyOp { Add = 0, Adc = 1, Sub = 2, Sbb = 3, Logic = 4, Inc = 5, Dec = 6 }

/** PF for each low byte: 1 when the byte has an even number of set bits. */
export const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let bits = 0;
  for (let b = v; b; b >>= 1) bits += b & 1;
  PARITY[v] = bits % 2 === 0 ? 1 : 0;
}

/** Operand-size masks indexed by size in bytes. */
export const SIZE_MASK = [0, 0xFF, 0xFFFF, 0, 0xFFFFFFFF];

function sizeBits(cpu: Cpu): number { return cpu.lazySize * 8; }

export function computeCF(cpu: Cpu): number {
  return carryOf(cpu.lazyOp, cpu.lazySize, cpu.lazyDst, cpu.lazySrc, cpu.lazyRes, cpu.lazyCarryIn);
}

export function computeOF(cpu: Cpu): number {
  return overflowOf(cpu.lazyOp, cpu.lazySize, cpu.lazyDst, cpu.lazySrc, cpu.lazyRes);
}

/** CF (0 or 1) of a recorded operation, from its lazy fields as values (the translator keeps them in locals). */
export function carryOf(op: number, size: number, d: number, s: number, r: number, carryIn: number): number {
  const mask = SIZE_MASK[size];
  const dst = (d & mask) >>> 0, src = (s & mask) >>> 0, res = (r & mask) >>> 0;
  switch (op) {
    case LazyOp.Add: return res < dst ? 1 : 0;
    case LazyOp.Adc: return (res < dst || (carryIn && res === dst)) ? 1 : 0;
    case LazyOp.Sub: return dst < src ? 1 : 0;
    case LazyOp.Sbb: return dst < src + carryIn ? 1 : 0;
    default: return 0;
  }
}

/** OF (0 or 1) of a recorded operation, from its lazy fields as values. */
export function overflowOf(op: number, size: number, dst: number, src: number, res: number): number {
  const top = size * 8 - 1;
  switch (op) {
    case LazyOp.Add: case LazyOp.Adc: case LazyOp.Inc: return (((dst ^ res) & (src ^ res)) >>> top) & 1;
    case LazyOp.Sub: case LazyOp.Sbb: case LazyOp.Dec: return (((dst ^ src) & (dst ^ res)) >>> top) & 1;
    default: return 0;
  }
}

/** Computes one pending flag bit (returns 0 or the bit's mask). */
export function computeFlag(cpu: Cpu, bit: number): number {
  switch (bit) {
    case FLAG_CF: return computeCF(cpu);
    case FLAG_ZF: return (cpu.lazyRes & SIZE_MASK[cpu.lazySize]) === 0 ? FLAG_ZF : 0;
    case FLAG_SF: return (cpu.lazyRes >>> (sizeBits(cpu) - 1)) & 1 ? FLAG_SF : 0;
    case FLAG_PF: return PARITY[cpu.lazyRes & 0xFF] ? FLAG_PF : 0;
    case FLAG_AF: return cpu.lazyOp === LazyOp.Logic ? 0 : ((cpu.lazyDst ^ cpu.lazySrc ^ cpu.lazyRes) & 0x10);
    case FLAG_OF: return computeOF(cpu) ? FLAG_OF : 0;
    default: return 0;
  }
}

/** The six arithmetic flags as they stand, merged into EFLAGS bits. */
export function materializeFlags(cpu: Cpu): number {
  const pending = cpu.lazyMask;
  if (pending === 0) return cpu.flags;
  let f = cpu.flags & ~pending;
  if (pending & FLAG_CF) f |= computeCF(cpu);
  if (pending & FLAG_PF) f |= computeFlag(cpu, FLAG_PF);
  if (pending & FLAG_AF) f |= computeFlag(cpu, FLAG_AF);
  if (pending & FLAG_ZF) f |= computeFlag(cpu, FLAG_ZF);
  if (pending & FLAG_SF) f |= computeFlag(cpu, FLAG_SF);
  if (pending & FLAG_OF) f |= computeFlag(cpu, FLAG_OF);
  cpu.flags = f;
  cpu.lazyMask = 0;
  return f;
}

/** Records a flag-setting operation; size in bytes. Every arithmetic flag becomes pending. */
export function setLazy(cpu: Cpu, op: LazyOp, size: number, dst: number, src: number, res: number): void {
  cpu.lazyOp = op; cpu.lazySize = size; cpu.lazyDst = dst; cpu.lazySrc = src; cpu.lazyRes = res;
  cpu.lazyMask = ARITH_FLAGS;
}

/** INC/DEC: like setLazy but CF keeps its current value. */
export function setLazyKeepCF(cpu: Cpu, op: LazyOp, size: number, dst: number, res: number): void {
  const cf = getCF(cpu);
  cpu.flags = (cpu.flags & ~FLAG_CF) | cf;
  cpu.lazyOp = op; cpu.lazySize = size; cpu.lazyDst = dst; cpu.lazySrc = 1; cpu.lazyRes = res;
  cpu.lazyMask = ARITH_FLAGS & ~FLAG_CF;
}

/** Logic ops and shifts: ZF/SF/PF from res; CF/OF/AF given eagerly in eagerBits (a subset of CF|OF|AF). */
export function setResultFlags(cpu: Cpu, size: number, res: number, eagerBits: number): void {
  cpu.lazyOp = LazyOp.Logic; cpu.lazySize = size; cpu.lazyRes = res; cpu.lazyDst = 0; cpu.lazySrc = 0;
  cpu.flags = (cpu.flags & ~(FLAG_CF | FLAG_OF | FLAG_AF)) | eagerBits;
  cpu.lazyMask = FLAG_ZF | FLAG_SF | FLAG_PF;
}

export function getCF(cpu: Cpu): number {
  return (cpu.lazyMask & FLAG_CF) ? computeCF(cpu) : (cpu.flags & FLAG_CF);
}
export function getZF(cpu: Cpu): boolean {
  return (cpu.lazyMask & FLAG_ZF) ? (cpu.lazyRes & SIZE_MASK[cpu.lazySize]) === 0 : (cpu.flags & FLAG_ZF) !== 0;
}
export function getSF(cpu: Cpu): boolean {
  return (cpu.lazyMask & FLAG_SF) ? ((cpu.lazyRes >>> (cpu.lazySize * 8 - 1)) & 1) === 1 : (cpu.flags & FLAG_SF) !== 0;
}
export function getOF(cpu: Cpu): boolean {
  return (cpu.lazyMask & FLAG_OF) ? computeOF(cpu) === 1 : (cpu.flags & FLAG_OF) !== 0;
}
export function getPF(cpu: Cpu): boolean {
  return (cpu.lazyMask & FLAG_PF) ? PARITY[cpu.lazyRes & 0xFF] === 1 : (cpu.flags & FLAG_PF) !== 0;
}
export function getAF(cpu: Cpu): boolean {
  return (cpu.lazyMask & FLAG_AF) ? computeFlag(cpu, FLAG_AF) !== 0 : (cpu.flags & FLAG_AF) !== 0;
}

/** Evaluates condition code cc (0–15, the low nibble of Jcc/SETcc/CMOVcc). */
export function testCondition(cpu: Cpu, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = getOF(cpu); break;
    case 1: r = getCF(cpu) !== 0; break;
    case 2: r = getZF(cpu); break;
    case 3: r = getCF(cpu) !== 0 || getZF(cpu); break;
    case 4: r = getSF(cpu); break;
    case 5: r = getPF(cpu); break;
    case 6: r = getSF(cpu) !== getOF(cpu); break;
    default: r = getZF(cpu) || getSF(cpu) !== getOF(cpu); break;
  }
  return (cc & 1) ? !r : r;
}
