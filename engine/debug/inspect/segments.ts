// Decoding segment descriptors and selectors for the debugger: the access-rights byte and flags as
// words ("code, execute/read, accessed, DPL 0, present, 32-bit, 4 KiB granular"), system types by name.
import { hex } from './format.js';

/** Names of the 16 system-descriptor types (S = 0). */
export const SYSTEM_TYPE_NAMES: readonly string[] = [
  'reserved', '16-bit TSS (available)', 'LDT', '16-bit TSS (busy)', '16-bit call gate', 'task gate',
  '16-bit interrupt gate', '16-bit trap gate', 'reserved', '32-bit TSS (available)', 'reserved',
  '32-bit TSS (busy)', '32-bit call gate', 'reserved', '32-bit interrupt gate', '32-bit trap gate',
];

/**
 * Words for a descriptor's rights (access byte in bits 0–7, flags nibble in 12–15, as the CPU's
 * segment cache and parseDescriptor keep them).
 */
export function describeRights(rights: number): string {
  const type = rights & 0xF;
  const words: string[] = [];
  if (rights & 0x10) {
    if (type & 8) {
      words.push('code', type & 2 ? 'execute/read' : 'execute-only');
      if (type & 4) words.push('conforming');
    } else {
      words.push('data', type & 2 ? 'read/write' : 'read-only');
      if (type & 4) words.push('expand-down');
    }
    if (type & 1) words.push('accessed');
  } else {
    words.push(SYSTEM_TYPE_NAMES[type]);
  }
  words.push(`DPL ${(rights >> 5) & 3}`, rights & 0x80 ? 'present' : 'not present');
  if (rights & 0x10) words.push(rights & 0x4000 ? '32-bit' : '16-bit');
  if (rights & 0x8000) words.push('4 KiB granular');
  if (rights & 0x1000) words.push('AVL');
  return words.join(', ');
}

/** "index 1, GDT, RPL 0" for a selector. */
export function describeSelector(selector: number): string {
  return `index ${selector >> 3}, ${selector & 4 ? 'LDT' : 'GDT'}, RPL ${selector & 3}`;
}

/** "base 0x00000000 limit 0xffffffff" */
export function describeBaseLimit(base: number, limit: number): string {
  return `base ${hex(base)} limit ${hex(limit)}`;
}
