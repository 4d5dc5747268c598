// Corrections of QEMU's result where QEMU 7.2 is known to deviate from the SDM and the SDM's answer
// can be computed from the case: the corrected value is what hvdbg must produce. Each applied
// correction is named in the report. (Deviations whose right answer cannot be computed this way are
// explanations instead: explanations.ts.)
import type { Snapshot } from './compare.js';
import { NO_FAULT } from './layout.js';
import type { TestCase } from './test-case.js';

export interface Correction {
  id: string;
  text: string;
  /** Returns true if it changed q (a copy of QEMU's snapshot). */
  apply(c: TestCase, q: Snapshot): boolean;
}

const RF = 0x10000;

/** True when vector is the trap the instruction itself raises (INT n, INT3, INTO, INT1); other vectors are faults. */
function isOwnTrap(c: TestCase, vector: number): boolean {
  switch (c.row.handler) {
    case 'int': return vector === c.bytes[c.bytes.length - 1];
    case 'int3': return vector === 3;
    case 'into': return vector === 4;
    case 'int1': return vector === 1;
    default: return false;
  }
}

export const CORRECTIONS: readonly Correction[] = [
  {
    id: 'rf-in-fault-frame',
    text: 'for a fault-class exception the EFLAGS image pushed has RF = 1 (SDM Vol. 3 17.3.1.1); QEMU 7.2 pushes the ' +
      'current RF (0), so its image is corrected to RF = 1 (software interrupts and traps push RF = 0: not corrected)',
    apply: (c, q) => {
      if (q.faultVector === NO_FAULT || isOwnTrap(c, q.faultVector) || (q.faultEflags & RF)) return false;
      q.faultEflags = (q.faultEflags | RF) >>> 0;
      return true;
    },
  },
  {
    id: 'accessed-bit-on-cs-load',
    text: 'a far JMP/CALL/RET/IRET that loads CS sets the code descriptor\'s accessed bit (SDM Vol. 3 3.4.5.1); QEMU 7.2 ' +
      'sets it only in helper_load_seg (data and stack segments), so the bit is set in its GDT copy',
    apply: (c, q) => {
      if (!['jmpf', 'callf', 'retf', 'iret'].includes(c.row.handler) || q.faultVector !== NO_FAULT) return false;
      const high = (q.sregs[1] >> 3) * 2 + 1;
      if (high >= q.gdt.length || (q.gdt[high] & 0x100)) return false;
      q.gdt[high] = (q.gdt[high] | 0x100) >>> 0;
      return true;
    },
  },
  {
    id: 'ret-imm16-zero-extended',
    text: 'RET/RETF imm16 adds the zero-extended immediate to ESP (SDM RET); QEMU 7.2 sign-extends it (x86_ldsw_code), ' +
      'so for imm16 >= 0x8000 its ESP is corrected by +0x10000',
    apply: (c, q) => {
      if ((c.row.handler !== 'ret' && c.row.handler !== 'retf') || c.row.operands[0] !== 'Iw' || q.faultVector !== NO_FAULT) return false;
      if (!(c.bytes[c.bytes.length - 1] & 0x80)) return false;
      q.regs[4] = (q.regs[4] + 0x10000) >>> 0;
      return true;
    },
  },
];

/** QEMU's snapshot with every applicable correction applied, and the ids of those applied. */
export function correctQemu(c: TestCase, q: Snapshot): { corrected: Snapshot; applied: string[] } {
  const corrected: Snapshot = { ...q, regs: q.regs.slice(), sregs: q.sregs.slice(), gdt: q.gdt.slice(), scratch: q.scratch };
  const applied = CORRECTIONS.filter((x) => x.apply(c, corrected)).map((x) => x.id);
  return { corrected, applied };
}
