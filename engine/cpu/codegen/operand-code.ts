// JavaScript source fragments for reading and writing operands, derived from the table's operand
// kinds. Fragments contain only identifiers and numbers the generator chose, never guest bytes.
import { operandSize } from '../exec/operands.js';

/** Source for one operand: how to read it, how to write a value, and any setup it needs first. */
export interface OperandCode {
  prologue: string;               // statements to run before read/write (e.g. the linear address)
  read: string;                   // expression yielding the operand (sized, int32 for 32-bit)
  write: (value: string) => string; // statement storing value (already truncated)
}

/** Truncates an expression to size bytes (32-bit stays a signed int32). */
export function trunc(expr: string, size: number): string {
  return size === 4 ? `((${expr}) | 0)` : size === 2 ? `((${expr}) & 0xFFFF)` : `((${expr}) & 0xFF)`;
}

function register(field: 'i.rm' | 'i.reg', size: number): OperandCode {
  const ref = size === 4 ? `c.reg32[${field}]` : size === 2 ? `c.reg16[${field} << 1]` : `c.reg8[((${field} & 3) << 2) | (${field} >> 2)]`;
  return { prologue: '', read: ref, write: (v) => `${ref} = ${v};` };
}

function fixed(index: number, size: number): OperandCode {
  const ref = size === 4 ? `c.reg32[${index}]` : size === 2 ? `c.reg16[${index << 1}]` : `c.reg8[${((index & 3) << 2) | (index >> 2)}]`;
  return { prologue: '', read: ref, write: (v) => `${ref} = ${v};` };
}

const SUFFIX = { 1: '8', 2: '16', 4: '32' } as const;

/**
 * Memory operand: the linear address is resolved once (into `lin`) for both the read and the
 * write of a read-modify-write; `write` says whether the access writes (for the segment checks).
 */
function memory(size: 1 | 2 | 4, write: boolean): OperandCode {
  const s = SUFFIX[size];
  return {
    prologue: `const lin = c.linear(i.seg, c.ea(i), ${size}, ${write});`,
    read: `c.readLin${s}(lin)`,
    write: (v) => `c.writeLin${s}(lin, ${v});`,
  };
}

/** Operand code for kind, or undefined when the generator does not handle that kind. */
export function operandCode(kind: string, opSize32: boolean, isMem: boolean, writes: boolean): OperandCode | undefined {
  const size = operandSize(kind, opSize32);
  switch (kind[0]) {
    case 'E': case 'M': return isMem ? memory(size, writes) : register('i.rm', size);
    case 'G': case 'Z': return register('i.reg', size);
    case 'O': return memory(size, writes);
    case 'I': return { prologue: '', read: 'i.imm', write: () => '' };
    case '1': return { prologue: '', read: '1', write: () => '' };
    default: break;
  }
  if (kind === 'AL') return fixed(0, 1);
  if (kind === 'CL') return fixed(1, 1);
  if (kind === 'DX') return fixed(2, 2);
  if (kind === 'eAX') return fixed(0, size);
  return undefined;
}
