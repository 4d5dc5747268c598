// x87 memory operands: IEEE single/double, 80-bit extended, 16/32/64-bit integers and 18-digit
// packed BCD, read into X80 values and written back; multi-part writes probe first so a fault
// leaves memory untouched.
import type { Cpu } from '../cpu.js';
import { Access } from '../mmu.js';
import { setDoubleBits, setFromBig, setImage, setSingleBits, X80 } from './float80.js';

/** Raises any #GP/#SS/#PF a write of size bytes at seg:off would raise, before anything is written. */
export function probeWrite(cpu: Cpu, seg: number, off: number, size: number): void {
  const lin = cpu.linear(seg, off, size, true);
  cpu.translate(lin, Access.Write);
  cpu.translate((lin + size - 1) | 0, Access.Write);
}

export function readSingle(cpu: Cpu, seg: number, off: number, x: X80): void {
  setSingleBits(x, cpu.read32(seg, off));
}
export function readDouble(cpu: Cpu, seg: number, off: number, x: X80): void {
  const lo = cpu.read32(seg, off), hi = cpu.read32(seg, (off + 4) | 0);
  setDoubleBits(x, hi, lo);
}
export function readExtended(cpu: Cpu, seg: number, off: number, x: X80): void {
  const lo = cpu.read32(seg, off), hi = cpu.read32(seg, (off + 4) | 0), sx = cpu.read16(seg, (off + 8) | 0);
  setImage(x, sx, hi, lo);
}
/** Signed integer of 2, 4 or 8 bytes; every one converts to extended exactly. */
export function readInteger(cpu: Cpu, seg: number, off: number, size: 2 | 4 | 8, x: X80): void {
  if (size === 2) { const v = (cpu.read16(seg, off) << 16) >> 16; setFromBig(x, v < 0, BigInt(Math.abs(v))); return; }
  if (size === 4) { const v = cpu.read32(seg, off) | 0; setFromBig(x, v < 0, BigInt(Math.abs(v))); return; }
  const lo = cpu.read32(seg, off), hi = cpu.read32(seg, (off + 4) | 0);
  const v = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  setFromBig(x, v < 0n, v < 0n ? -v : v);
}
/** 18 BCD digits and a sign byte; digits A–F are taken at face value (the SDM leaves them undefined). */
export function readBcd(cpu: Cpu, seg: number, off: number, x: X80): void {
  let v = 0n;
  for (let k = 8; k >= 0; k--) {
    const b = cpu.read8(seg, (off + k) | 0);
    v = v * 100n + BigInt((b >> 4) * 10 + (b & 15));
  }
  const neg = (cpu.read8(seg, (off + 9) | 0) & 0x80) !== 0;
  setFromBig(x, neg, v);
}

export function writeDoubleBits(cpu: Cpu, seg: number, off: number, hi: number, lo: number): void {
  probeWrite(cpu, seg, off, 8);
  cpu.write32(seg, off, lo); cpu.write32(seg, (off + 4) | 0, hi);
}
export function writeExtended(cpu: Cpu, seg: number, off: number, sx: number, hi: number, lo: number): void {
  probeWrite(cpu, seg, off, 10);
  cpu.write32(seg, off, lo); cpu.write32(seg, (off + 4) | 0, hi); cpu.write16(seg, (off + 8) | 0, sx);
}
/** Writes an integer (already range-checked) of 2, 4 or 8 bytes. */
export function writeInteger(cpu: Cpu, seg: number, off: number, size: 2 | 4 | 8, v: number | bigint): void {
  if (size === 2) { cpu.write16(seg, off, Number(v) & 0xFFFF); return; }
  if (size === 4) { cpu.write32(seg, off, Number(v) | 0); return; }
  const u = BigInt.asUintN(64, BigInt(v));
  writeDoubleBits(cpu, seg, off, Number(u >> 32n), Number(u & 0xFFFFFFFFn));
}
/** Writes |v| < 10^18 as packed BCD with the sign byte. */
export function writeBcd(cpu: Cpu, seg: number, off: number, neg: boolean, magnitude: bigint): void {
  probeWrite(cpu, seg, off, 10);
  const digits = magnitude.toString().padStart(18, '0');
  for (let k = 0; k < 9; k++) {
    const pos = 16 - 2 * k;
    cpu.write8(seg, (off + k) | 0, (Number(digits[pos]) << 4) | Number(digits[pos + 1]));
  }
  cpu.write8(seg, (off + 9) | 0, neg ? 0x80 : 0);
}
/** Packed BCD indefinite: FFFF C000 0000 0000 0000. */
export function writeBcdIndefinite(cpu: Cpu, seg: number, off: number): void {
  writeExtended(cpu, seg, off, 0xFFFF, 0xC0000000, 0);
}
