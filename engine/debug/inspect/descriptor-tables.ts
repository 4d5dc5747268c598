// GDT, LDT and IDT as the debugger shows them: every entry read (without side effects) from the
// table's linear base and decoded — segments with base/limit/rights, LDT/TSS descriptors, call, task,
// interrupt and trap gates with their targets — and the real-mode interrupt vector table.
import type { Cpu } from '../../cpu/cpu.js';
import { parseDescriptor } from '../../cpu/descriptors.js';
import { VECTOR_NAMES } from '../../cpu/fault.js';
import { peekLinearBytes } from './memory-access.js';
import { hex, shortHex } from './format.js';
import { describeBaseLimit, describeRights, SYSTEM_TYPE_NAMES } from './segments.js';

/** Names the code at a linear address ("isr14+0x3"), when symbols know it. */
export type DescribeAddress = (linear: number) => string | undefined;

/** One decoded table entry. */
export interface TableEntry {
  index: number;          // entry number (selector >> 3, or vector)
  label: string;          // "0x08" for a selector, "14 #PF" for a vector
  text: string;           // the decoded entry
  raw: number[];          // the entry's dwords (two, or one for an IVT entry)
  present: boolean;       // P bit (IVT entries: nonzero)
  target?: number;        // linear address of a gate's handler, or a segment/system descriptor's base
}

/** A table's register, where it is, and its entries (or why they cannot be read). */
export interface DescriptorTable {
  name: 'GDT' | 'LDT' | 'IDT' | 'IVT';
  base: number;
  limit: number;
  entries: TableEntry[];
  problem?: string;       // e.g. "the GDT at 0x… is not mapped", "LDTR is null"
}

/** Most entries a table view reads (the GDT's architectural maximum). */
const MAX_ENTRIES = 8192;

function readDwords(cpu: Cpu, base: number, limit: number, entrySize: number): { dwords?: Uint32Array; count: number; problem?: string } {
  const count = Math.min(MAX_ENTRIES, Math.floor((limit + 1) / entrySize));
  if (count === 0) return { count: 0 };
  const bytes = peekLinearBytes(cpu, base, count * entrySize);
  if (!bytes) return { count, problem: `the table at linear ${hex(base)} (${count * entrySize} bytes) is not all mapped` };
  const dwords = new Uint32Array(bytes.length / 4);
  for (let k = 0; k < dwords.length; k++) {
    dwords[k] = (bytes[k * 4] | (bytes[k * 4 + 1] << 8) | (bytes[k * 4 + 2] << 16) | (bytes[k * 4 + 3] << 24)) >>> 0;
  }
  return { dwords, count };
}

/** Text for a gate's target selector:offset, with the handler's symbol when known. */
function gateTarget(selector: number, offset: number, linear: number | undefined, describe?: DescribeAddress): string {
  const symbol = linear !== undefined ? describe?.(linear) : undefined;
  return `${hex(selector, 4)}:${hex(offset)}${symbol ? ` <${symbol}>` : ''}`;
}

/** The linear base of a code selector per the current GDT/LDT (for gate targets), or undefined. */
function selectorBase(cpu: Cpu, selector: number): number | undefined {
  const inLdt = (selector & 4) !== 0;
  const base = inLdt ? cpu.ldtrBase : cpu.gdtrBase;
  const limit = inLdt ? cpu.ldtrLimit : cpu.gdtrLimit;
  if ((selector & ~7) + 7 > limit) return undefined;
  const bytes = peekLinearBytes(cpu, (base + (selector & ~7)) >>> 0, 8);
  if (!bytes) return undefined;
  const lo = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
  const hi = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  return parseDescriptor(lo, hi).base;
}

/** Decodes one 8-byte descriptor of a GDT, LDT or IDT. */
export function describeDescriptor(cpu: Cpu, lo: number, hi: number, describe?: DescribeAddress): { text: string; target?: number } {
  if (lo === 0 && hi === 0) return { text: 'null' };
  const d = parseDescriptor(lo, hi);
  const presence = d.present ? '' : ', not present';
  if (d.s) return { text: `${describeBaseLimit(d.base, d.limit)}: ${describeRights(d.rights)}`, target: d.base };
  const typeName = SYSTEM_TYPE_NAMES[d.type];
  switch (d.type) {
    case 0x2: case 0x1: case 0x3: case 0x9: case 0xB:
      return { text: `${typeName}: ${describeBaseLimit(d.base, d.limit)}, DPL ${d.dpl}${presence}`, target: d.base };
    case 0x5:
      return { text: `task gate: TSS selector ${hex(lo >>> 16, 4)}, DPL ${d.dpl}${presence}` };
    case 0x4: case 0xC: case 0x6: case 0x7: case 0xE: case 0xF: {
      const selector = lo >>> 16;
      const offset = d.type & 8 ? ((lo & 0xFFFF) | (hi & 0xFFFF0000)) >>> 0 : lo & 0xFFFF;
      const base = selectorBase(cpu, selector);
      const linear = base === undefined ? undefined : (base + offset) >>> 0;
      const params = d.type === 0x4 || d.type === 0xC ? `, ${hi & 0x1F} parameter${(hi & 0x1F) === 1 ? '' : 's'}` : '';
      return { text: `${typeName} → ${gateTarget(selector, offset, linear, describe)}, DPL ${d.dpl}${params}${presence}`, target: linear };
    }
    default:
      return { text: `${typeName} (type ${d.type}), raw ${hex(hi)}${hex(lo).slice(2)}` };
  }
}

function descriptorTable(cpu: Cpu, name: 'GDT' | 'LDT', base: number, limit: number, describe?: DescribeAddress): DescriptorTable {
  const { dwords, count, problem } = readDwords(cpu, base, limit, 8);
  const table: DescriptorTable = { name, base, limit, entries: [], problem };
  if (!dwords) return table;
  for (let k = 0; k < count; k++) {
    const lo = dwords[k * 2], hi = dwords[k * 2 + 1];
    const { text, target } = describeDescriptor(cpu, lo, hi, describe);
    table.entries.push({
      index: k, label: hex((k << 3) | (name === 'LDT' ? 4 : 0), 4), text, raw: [lo, hi], present: (hi & 0x8000) !== 0, target,
    });
  }
  return table;
}

/** The GDT at GDTR. */
export function readGdt(cpu: Cpu, describe?: DescribeAddress): DescriptorTable {
  return descriptorTable(cpu, 'GDT', cpu.gdtrBase >>> 0, cpu.gdtrLimit >>> 0, describe);
}

/** The LDT that LDTR selects (its cached base and limit). */
export function readLdt(cpu: Cpu, describe?: DescribeAddress): DescriptorTable {
  if ((cpu.ldtrSel & ~3) === 0) return { name: 'LDT', base: 0, limit: 0, entries: [], problem: 'LDTR holds the null selector: there is no LDT' };
  return descriptorTable(cpu, 'LDT', cpu.ldtrBase >>> 0, cpu.ldtrLimit >>> 0, describe);
}

/** "14 #PF" (vector number, and the exception's short name when it has one). */
function vectorLabel(vector: number): string {
  const name = VECTOR_NAMES[vector];
  return name ? `${vector} ${name.split(' ')[0]}` : String(vector);
}

/** The IDT at IDTR (protected mode), or the interrupt vector table (real mode). */
export function readIdt(cpu: Cpu, describe?: DescribeAddress): DescriptorTable {
  const base = cpu.idtrBase >>> 0, limit = cpu.idtrLimit >>> 0;
  const real = !cpu.protectedMode;
  const { dwords, count, problem } = readDwords(cpu, base, limit, real ? 4 : 8);
  const table: DescriptorTable = { name: real ? 'IVT' : 'IDT', base, limit, entries: [], problem };
  if (!dwords) return table;
  for (let vector = 0; vector < Math.min(count, 256); vector++) {
    if (real) {
      const entry = dwords[vector];
      const segment = entry >>> 16, offset = entry & 0xFFFF;
      const linear = ((segment << 4) + offset) >>> 0;
      const symbol = describe?.(linear);
      table.entries.push({
        index: vector, label: vectorLabel(vector), raw: [entry], present: entry !== 0, target: linear,
        text: `${hex(segment, 4)}:${hex(offset, 4)} (linear ${shortHex(linear)}${symbol ? ` <${symbol}>` : ''})`,
      });
      continue;
    }
    const lo = dwords[vector * 2], hi = dwords[vector * 2 + 1];
    const { text, target } = describeDescriptor(cpu, lo, hi, describe);
    table.entries.push({ index: vector, label: vectorLabel(vector), text, raw: [lo, hi], present: (hi & 0x8000) !== 0, target });
  }
  return table;
}

/** "base 0x00101000 limit 0x0017 (3 entries)". */
export function describeTableRegister(table: DescriptorTable): string {
  const size = table.name === 'IVT' ? 4 : 8;
  const count = Math.floor((table.limit + 1) / size);
  return `base ${hex(table.base)} limit ${hex(table.limit, 4)} (${count} entr${count === 1 ? 'y' : 'ies'})`;
}
