// The task-state segment TR selects, decoded field by field (32-bit or 16-bit layout from its type):
// the ring stacks, the saved registers, CR3, the LDT selector and the I/O permission bitmap base.
import type { Cpu } from '../../cpu/cpu.js';
import { peekLinearBytes } from './memory-access.js';
import { hex } from './format.js';
import { SYSTEM_TYPE_NAMES } from './segments.js';

/** One TSS field. */
export interface TssField { name: string; value: number; text: string }

/** The TSS or why there is none to show. */
export interface TssView {
  selector: number;
  base: number;
  limit: number;
  type: string;            // "32-bit TSS (busy)"
  fields: TssField[];
  problem?: string;
}

type Layout = ReadonlyArray<readonly [name: string, offset: number, size: 2 | 4]>;

const TSS32: Layout = [
  ['link', 0x00, 2], ['esp0', 0x04, 4], ['ss0', 0x08, 2], ['esp1', 0x0C, 4], ['ss1', 0x10, 2], ['esp2', 0x14, 4], ['ss2', 0x18, 2],
  ['cr3', 0x1C, 4], ['eip', 0x20, 4], ['eflags', 0x24, 4], ['eax', 0x28, 4], ['ecx', 0x2C, 4], ['edx', 0x30, 4], ['ebx', 0x34, 4],
  ['esp', 0x38, 4], ['ebp', 0x3C, 4], ['esi', 0x40, 4], ['edi', 0x44, 4], ['es', 0x48, 2], ['cs', 0x4C, 2], ['ss', 0x50, 2],
  ['ds', 0x54, 2], ['fs', 0x58, 2], ['gs', 0x5C, 2], ['ldt', 0x60, 2], ['trap', 0x64, 2], ['iomap', 0x66, 2],
];
const TSS16: Layout = [
  ['link', 0x00, 2], ['sp0', 0x02, 2], ['ss0', 0x04, 2], ['sp1', 0x06, 2], ['ss1', 0x08, 2], ['sp2', 0x0A, 2], ['ss2', 0x0C, 2],
  ['ip', 0x0E, 2], ['flags', 0x10, 2], ['ax', 0x12, 2], ['cx', 0x14, 2], ['dx', 0x16, 2], ['bx', 0x18, 2], ['sp', 0x1A, 2],
  ['bp', 0x1C, 2], ['si', 0x1E, 2], ['di', 0x20, 2], ['es', 0x22, 2], ['cs', 0x24, 2], ['ss', 0x26, 2], ['ds', 0x28, 2],
  ['ldt', 0x2A, 2],
];

/** Reads the TSS at TR's cached base (without side effects). */
export function readTss(cpu: Cpu): TssView {
  const selector = cpu.trSel, base = cpu.trBase >>> 0, limit = cpu.trLimit >>> 0;
  const typeCode = cpu.trRights & 0xF;
  const view: TssView = { selector, base, limit, type: SYSTEM_TYPE_NAMES[typeCode], fields: [] };
  if (!cpu.protectedMode) return { ...view, problem: 'the CPU is in real mode: TR is not used' };
  if ((selector & ~3) === 0) return { ...view, problem: 'TR holds the null selector: no task has been loaded (LTR)' };
  const layout = typeCode === 1 || typeCode === 3 ? TSS16 : TSS32;
  const size = layout === TSS16 ? 0x2C : 0x68;
  const bytes = peekLinearBytes(cpu, base, Math.min(size, limit + 1));
  if (!bytes) return { ...view, problem: `the TSS at linear ${hex(base)} is not mapped` };
  for (const [name, offset, width] of layout) {
    if (offset + width > bytes.length) break; // a TSS shorter than its layout (limit too small)
    const value = width === 2 ? bytes[offset] | (bytes[offset + 1] << 8)
      : (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
    const text = name === 'trap' ? `${value & 1} (debug trap on task switch)`
      : name === 'iomap' ? `${hex(value, 4)} (I/O bitmap at linear ${hex(base + value)}${value > limit ? ', beyond the limit: no bitmap' : ''})`
      : hex(value, width * 2);
    view.fields.push({ name, value, text });
  }
  return view;
}
