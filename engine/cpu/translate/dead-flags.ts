// Dead-flag elimination across a block: an instruction's lazy-flag update is dropped when a later
// instruction of the same block overwrites every arithmetic flag before anything can observe them
// (no flag reader, no partial flag writer, nothing that can fault or call out in between).
import type { Instr } from '../instr.js';
import { mayWriteMemory } from './block.js';

/** Handlers whose generated body sets all six arithmetic flags without reading any. */
const FULL_FLAG_WRITERS = new Set(['add', 'sub', 'cmp', 'and', 'or', 'xor', 'test']);
/** Handlers whose generated flag update is plain statements that can be removed (the victims). */
const REMOVABLE_FLAG_UPDATES = new Set(['add', 'sub', 'cmp', 'and', 'or', 'xor', 'test', 'adc', 'sbb', 'neg', 'imul2', 'imul3', 'shl', 'shr', 'sar', 'inc', 'dec']);
/** Handlers that neither read nor write arithmetic flags (moves, LEA, extensions, NOT, BSWAP, NOP). */
const FLAG_NEUTRAL = new Set(['mov', 'movzx', 'movsx', 'lea', 'not', 'bswap', 'nop', 'xchg', 'cbw', 'cwd']);

/** True when i cannot fault and runs inline (register operands only). */
function quietRegisterOp(i: Instr, inline: boolean): boolean {
  return inline && !mayWriteMemory(i) && i.entry.family !== 'muldiv' && i.entry.family !== 'stack';
}

/**
 * For each instruction: true when its flag update is dead. inline[k] says whether instruction k is
 * emitted from a generated body (anything else is treated as reading the flags).
 */
export function deadFlagUpdates(instrs: readonly Instr[], inline: readonly boolean[]): boolean[] {
  const dead = new Array<boolean>(instrs.length).fill(false);
  // Walk backwards: killed = "the flags are overwritten before anyone could see them".
  let killed = false;
  for (let k = instrs.length - 1; k >= 0; k--) {
    const i = instrs[k], handler = i.entry.handler;
    if (killed && inline[k] && REMOVABLE_FLAG_UPDATES.has(handler)) dead[k] = true;
    if (FULL_FLAG_WRITERS.has(handler) && quietRegisterOp(i, inline[k])) killed = true;
    else if (FLAG_NEUTRAL.has(handler) && quietRegisterOp(i, inline[k])) { /* keeps the state */ }
    else if (dead[k] && quietRegisterOp(i, inline[k]) && i.entry.flagsRead === '-') { /* its update is gone too */ }
    else killed = false;
  }
  return dead;
}

/** body without its lazy-flag statements (only for REMOVABLE_FLAG_UPDATES handlers). */
export function withoutFlagUpdate(body: string): string {
  return body.replace(/if \(c\.lazyMask & 1\) c\.flags = \(c\.flags & ~1\) \| H\.computeCF\(c\);/g, '')   // INC/DEC keeping CF
    .replace(/c\.lazy(Op|Size|Dst|Src|Res|Mask|CarryIn) = [^;]*;/g, '').replace(/c\.flags = \(c\.flags & [^;]*;/g, '');
}
