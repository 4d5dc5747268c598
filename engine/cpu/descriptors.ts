// Segment descriptors: reading GDT/LDT entries and loading segment registers in protected mode with
// the SDM's type, privilege and presence checks (real and V86 modes load base = selector × 16).
import type { Cpu } from './cpu.js';
import { fault, Vector } from './fault.js';
import { CS, SS } from './registers.js';

/** A decoded 8-byte descriptor. */
export interface Descriptor {
  base: number;       // segment base
  limit: number;      // byte-granular limit (G applied)
  rights: number;     // access byte (bits 0–7) | flags nibble << 12 (bit 14 = D/B, 15 = G)
  type: number;       // type field (4 bits)
  s: boolean;         // code/data (true) vs system (false)
  dpl: number;        // descriptor privilege level
  present: boolean;   // P
  raw: [number, number]; // the two dwords
}

export function parseDescriptor(lo: number, hi: number): Descriptor {
  const base = ((lo >>> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000)) >>> 0;
  let limit = (lo & 0xFFFF) | (hi & 0xF0000);
  if (hi & 0x800000) limit = ((limit << 12) | 0xFFF) >>> 0;
  const rights = (hi >>> 8) & 0xF0FF;
  return {
    base, limit, rights, type: (hi >>> 8) & 0xF, s: (hi & 0x1000) !== 0, dpl: (hi >>> 13) & 3,
    present: (hi & 0x8000) !== 0, raw: [lo, hi],
  };
}

/**
 * Accesses to the GDT, LDT, IDT and TSS are supervisor-mode accesses whatever the CPL (SDM Vol. 3
 * 4.6, "implicit supervisor-mode accesses"): paging checks them as CPL 0 even when CPL = 3.
 */
export function systemRead32(cpu: Cpu, lin: number): number {
  if (cpu.cpl !== 3) return cpu.readLin32(lin);
  cpu.cpl = 0;
  try { return cpu.readLin32(lin); } finally { cpu.cpl = 3; }
}
export function systemRead16(cpu: Cpu, lin: number): number {
  if (cpu.cpl !== 3) return cpu.readLin16(lin);
  cpu.cpl = 0;
  try { return cpu.readLin16(lin); } finally { cpu.cpl = 3; }
}
export function systemWrite32(cpu: Cpu, lin: number, value: number): void {
  if (cpu.cpl !== 3) { cpu.writeLin32(lin, value); return; }
  cpu.cpl = 0;
  try { cpu.writeLin32(lin, value); } finally { cpu.cpl = 3; }
}
export function systemWrite16(cpu: Cpu, lin: number, value: number): void {
  if (cpu.cpl !== 3) { cpu.writeLin16(lin, value); return; }
  cpu.cpl = 0;
  try { cpu.writeLin16(lin, value); } finally { cpu.cpl = 3; }
}

/** Reads the descriptor a selector names; raises #GP(selector) if it lies beyond the table limit. */
export function readDescriptor(cpu: Cpu, selector: number, vector: number = Vector.GP): Descriptor {
  const ldt = (selector & 4) !== 0;
  const base = ldt ? cpu.ldtrBase : cpu.gdtrBase;
  const limit = ldt ? cpu.ldtrLimit : cpu.gdtrLimit;
  const index = selector & ~7;
  if (ldt && (cpu.ldtrSel & ~3) === 0) fault(vector, selector & 0xFFFC, `selector 0x${selector.toString(16)} uses an LDT but none is loaded`);
  if (index + 7 > limit) fault(vector, selector & 0xFFFC, `selector 0x${selector.toString(16)} beyond ${ldt ? 'LDT' : 'GDT'} limit 0x${limit.toString(16)}`);
  const lin = (base + index) | 0;
  return parseDescriptor(systemRead32(cpu, lin), systemRead32(cpu, lin + 4));
}

/** Sets the accessed bit of a code/data descriptor in memory (as the CPU does on load). */
export function markAccessed(cpu: Cpu, selector: number, d: Descriptor): void {
  if (!d.s || (d.type & 1)) return;
  const base = (selector & 4) ? cpu.ldtrBase : cpu.gdtrBase;
  systemWrite32(cpu, (base + (selector & ~7) + 4) | 0, d.raw[1] | 0x100);
}

/** Fills a segment register's cache from a descriptor. */
export function setSegmentCache(cpu: Cpu, seg: number, selector: number, d: Descriptor): void {
  cpu.segSel[seg] = selector;
  cpu.segBase[seg] = d.base | 0;
  cpu.segLimit[seg] = d.limit >>> 0;
  cpu.segRights[seg] = d.rights;
  cpu.updateSegHints(seg);
}

/** MOV/POP/LxS to a data or stack segment register (not CS), with all protected-mode checks. */
export function loadSegment(cpu: Cpu, seg: number, selector: number): void {
  selector &= 0xFFFF;
  if (!cpu.protectedMode || cpu.v86) {
    cpu.segSel[seg] = selector;
    cpu.segBase[seg] = selector << 4;
    if (cpu.v86) { cpu.segLimit[seg] = 0xFFFF; cpu.segRights[seg] = seg === CS ? 0xFB : 0xF3; }
    cpu.updateSegHints(seg);
    return;
  }
  const rpl = selector & 3;
  if ((selector & ~3) === 0) {
    if (seg === SS) fault(Vector.GP, 0, 'null selector loaded into SS');
    cpu.segSel[seg] = selector;
    cpu.segRights[seg] = 0; // not present: any access faults
    cpu.segBase[seg] = 0; cpu.segLimit[seg] = 0;
    cpu.updateSegHints(seg);
    return;
  }
  const d = readDescriptor(cpu, selector);
  const err = selector & 0xFFFC;
  const code = d.s && (d.type & 8) !== 0;
  const readable = !code || (d.type & 2) !== 0;
  const conforming = code && (d.type & 4) !== 0;
  if (seg === SS) {
    if (rpl !== cpu.cpl || d.dpl !== cpu.cpl || !d.s || code || !(d.type & 2)) {
      fault(Vector.GP, err, `selector 0x${selector.toString(16)} is not a writable data segment at CPL ${cpu.cpl}`);
    }
    if (!d.present) fault(Vector.SS, err, `stack segment 0x${selector.toString(16)} not present`);
  } else {
    if (!d.s || !readable) fault(Vector.GP, err, `selector 0x${selector.toString(16)} is not a readable segment`);
    if (!conforming && (rpl > d.dpl || cpu.cpl > d.dpl)) {
      fault(Vector.GP, err, `selector 0x${selector.toString(16)}: DPL ${d.dpl} below CPL ${cpu.cpl}/RPL ${rpl}`);
    }
    if (!d.present) fault(Vector.NP, err, `segment 0x${selector.toString(16)} not present`);
  }
  markAccessed(cpu, selector, d);
  setSegmentCache(cpu, seg, selector, d);
}

/** Loads CS for a far transfer to a code segment at the given privilege level. */
export function loadCodeSegment(cpu: Cpu, selector: number, d: Descriptor, cpl: number): void {
  markAccessed(cpu, selector, d);
  setSegmentCache(cpu, CS, (selector & ~3) | cpl, d);
  cpu.cpl = cpl;
}
