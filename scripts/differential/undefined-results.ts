// Which results of a case the SDM leaves undefined, so neither CPU's choice is compared: the table
// row's undefined flags, refined by the operand facts the SDM's rules depend on (shift counts, a zero
// BSF/BSR source, SHLD/SHRD counts beyond the operand size).
import type { TestCase } from './test-case.js';
import { SCRATCH } from './layout.js';

export const FLAG_BITS: Readonly<Record<string, number>> = { c: 0x1, p: 0x4, a: 0x10, z: 0x40, s: 0x80, o: 0x800, d: 0x400, i: 0x200 };

/** Results not to compare. */
export interface UndefinedResults {
  flags: number;                  // EFLAGS bits
  regs: Map<number, number>;      // register index → undefined bits
  memory: Set<number>;            // scratch offsets
  rules: string[];                // which rules applied, for the report
}

export function flagMask(letters: string): number {
  let m = 0;
  for (const ch of letters) m |= FLAG_BITS[ch] ?? 0;
  return m;
}

const ROTATES = new Set(['rol', 'ror', 'rcl', 'rcr']);
const SHIFTS = new Set(['shl', 'shr', 'sar']);
const DOUBLE_SHIFTS = new Set(['shld', 'shrd']);

export function undefinedResults(c: TestCase): UndefinedResults {
  const h = c.row.handler, f = c.facts;
  const u: UndefinedResults = { flags: flagMask(c.row.flagsUndefined), regs: new Map(), memory: new Set(), rules: [] };
  if (c.row.flagsUndefined) u.rules.push(`table: ${c.row.flagsUndefined} undefined`);
  const width = f.opSize * 8;
  if (ROTATES.has(h) || SHIFTS.has(h) || DOUBLE_SHIFTS.has(h)) {
    const count = f.count ?? 0;
    if (count === 0) { u.flags = 0; u.rules.push('count 0: flags unchanged'); return u; }
    if (count === 1) { u.flags &= ~FLAG_BITS.o; u.rules.push('count 1: OF defined'); }
    if (SHIFTS.has(h) && h !== 'sar' && count >= width) { u.flags |= FLAG_BITS.c; u.rules.push('SHL/SHR count >= width: CF undefined'); }
    if (DOUBLE_SHIFTS.has(h) && count > width) {
      u.flags |= flagMask('oszapc');
      u.rules.push('SHLD/SHRD count > operand size: result and flags undefined');
      if (f.destReg !== undefined) u.regs.set(f.destReg, width === 16 ? 0xFFFF : 0xFFFFFFFF);
      if (f.destMem !== undefined) for (let k = 0; k < f.opSize; k++) u.memory.add(f.destMem + k);
    }
  }
  if (h === 'push' && /^[ECSDFG]S$/.test(c.row.operands[0]) && f.opSize === 4) {
    const slot = c.regs[4] - 4 - SCRATCH;
    u.memory.add(slot + 2); u.memory.add(slot + 3);
    u.rules.push('PUSH Sreg, 32-bit: the upper half of the slot is zero or left unchanged (SDM PUSH: implementation-specific)');
  }
  if ((h === 'bsf' || h === 'bsr') && f.sourceZero && f.destReg !== undefined) {
    u.regs.set(f.destReg, f.opSize === 2 ? 0xFFFF : 0xFFFFFFFF);
    u.rules.push('BSF/BSR source 0: destination undefined');
  }
  return u;
}
