// Disassembly text of the operand kinds only x87 rows use (ST, STi, AX and the sized memory kinds),
// in the disassembler's style (iced Intel "MemDefault"): ready for engine/cpu/disasm to call.
import type { Instr } from '../instr.js';

/** The operand kinds of engine/cpu/isa/x87-table.ts. */
export const X87_OPERAND_KIND = /^(ST|STi|AX|Mfs|Mfd|Mft|Mwi|Mdi|Mqi|Mtb|Mw|Me|Mst|Mfx)$/;

/** Size keyword of each sized x87 memory kind. */
const KEYWORDS: Readonly<Record<string, string>> = {
  Mfs: 'dword', Mdi: 'dword', Mfd: 'qword', Mqi: 'qword', Mft: 'tbyte', Mtb: 'tbyte', Mwi: 'word',
};

/**
 * Size keyword of an x87 memory operand, or undefined when none is shown: control/status words and
 * FXSAVE areas never, environments (fpuenv14/28) and FSAVE images (fpustate94/108) only when a 66
 * prefix gives them the other layout than the code size implies.
 */
export function x87SizeKeyword(i: Instr, kind: string): string | undefined {
  if (KEYWORDS[kind]) return KEYWORDS[kind];
  if ((kind === 'Me' || kind === 'Mst') && i.opSize32 !== i.codeSize32) {
    return kind === 'Me' ? `fpuenv${i.opSize32 ? 28 : 14}` : `fpustate${i.opSize32 ? 108 : 94}`;
  }
  return undefined;
}

/**
 * Text of an x87 operand kind, or undefined for kinds that are not x87's. `memory(keyword)` formats
 * the ModRM memory operand with an optional size keyword ("dword" → "dword ptr [eax]").
 */
export function x87OperandText(i: Instr, kind: string, memory: (keyword: string | undefined) => string): string | undefined {
  if (!X87_OPERAND_KIND.test(kind)) return undefined;
  switch (kind) {
    case 'ST': return 'st';
    case 'STi': return `st(${i.rm})`;
    case 'AX': return 'ax';
    default: return memory(x87SizeKeyword(i, kind));
  }
}
