// Reads the instruction table's operand kinds (SDM Appendix A letters) the way the generator needs
// them: which operand is the ModRM r/m, how many bytes a memory operand touches, which are immediates.

/** True for the r/m operand kinds: E.., M, M.., R.. (not register names such as ES or DX). */
export function isRmKind(kind: string): boolean { return /^[EMR]([a-z]|$)/.test(kind); }

/** True for a ModRM.reg operand: G.., S.. (segment register), C.., D.. (control/debug register). */
export function isRegFieldKind(kind: string): boolean { return /^[GSCD][a-z]$/.test(kind); }

/** Bytes a memory operand of this kind touches, for operand size opSize (2 or 4). */
export function memorySize(kind: string, opSize: number): number {
  switch (kind.slice(1)) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'v': case 'z': return opSize;
    case 'p': return opSize + 2;
    case 'a': return 2 * opSize;
    case 'q': return 8;
    case 's': return 6;
    default: return 1; // plain M: the address only (LEA, INVLPG, NOP)
  }
}

/** Operand size of an operand kind in bytes (1, 2 or 4), or undefined for kinds without one. */
export function operandSize(kind: string, opSize: number): 1 | 2 | 4 | undefined {
  if (kind === 'AL' || kind === 'CL') return 1;
  if (kind === 'eAX') return opSize as 2 | 4;
  if (kind === 'DX') return 2;
  const s = kind.slice(1);
  if (s === 'b' || s === 'bs') return 1;
  if (s === 'w') return 2;
  if (s === 'd') return 4;
  if (s === 'v' || s === 'z') return opSize as 2 | 4;
  return undefined;
}
