// Specialises a generated handler body for one decoded instruction: operand fields (i.reg, i.rm,
// i.imm, i.seg) and the effective address become the decoder's numbers, so V8 sees constants.
import type { Instr } from '../instr.js';

/** A number as source text; refuses anything but an integer (a translator bug, never guest data). */
export function num(v: number): string {
  if (!Number.isInteger(v)) throw new Error(`translator: ${v} is not an integer`);
  return String(v);
}

/** The effective-address expression of i's memory operand, with its registers and displacement fixed. */
export function effectiveAddressSource(i: Instr): string {
  const terms: string[] = [];
  if (i.base >= 0) terms.push(`c.reg32[${num(i.base)}]`);
  if (i.index >= 0) terms.push(i.scale ? `(c.reg32[${num(i.index)}] << ${num(i.scale)})` : `c.reg32[${num(i.index)}]`);
  if (i.disp !== 0 || terms.length === 0) terms.push(num(i.disp));
  const sum = terms.join(' + ');
  return i.addrSize32 ? `((${sum}) | 0)` : `((${sum}) & 0xFFFF)`;
}

/** body with i's operand fields replaced by their values. */
export function specializeBody(body: string, i: Instr): string {
  return body
    .replace(/c\.ea\(i\)/g, () => effectiveAddressSource(i))
    .replace(/\bi\.(reg|rm|imm|seg)\b/g, (_m, field: 'reg' | 'rm' | 'imm' | 'seg') => `(${num(i[field])})`);
}
