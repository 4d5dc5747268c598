// The "Descriptor tables" scope: GDT, LDT and IDT (or the real-mode IVT) with every entry decoded,
// and the TSS that TR selects, as inspection nodes.
import type { Cpu } from '../../cpu/cpu.js';
import { groupChildren, leaf, type InspectNode } from './node.js';
import { hex } from './format.js';
import { describeTableRegister, readGdt, readIdt, readLdt, type DescribeAddress, type DescriptorTable } from './descriptor-tables.js';
import { readTss } from './tss.js';

function tableNode(table: DescriptorTable, value: string): InspectNode {
  return {
    name: table.name, value, type: 'table', memory: { space: 'linear', address: table.base },
    children: () => table.problem && table.entries.length === 0 ? [leaf('problem', table.problem)]
      : groupChildren(table.entries.map((e) => ({
        ...leaf(e.label, e.text, 'descriptor', e.target !== undefined ? { space: 'linear' as const, address: e.target } : undefined),
      }))),
  };
}

/** The Descriptor tables scope. */
export function descriptorTableNodes(cpu: Cpu, describe?: DescribeAddress): InspectNode[] {
  const gdt = readGdt(cpu, describe), idt = readIdt(cpu, describe), ldt = readLdt(cpu, describe);
  const tss = readTss(cpu);
  const withProblem = (table: DescriptorTable, text: string) => table.problem ? `${text}; ${table.problem}` : text;
  return [
    tableNode(gdt, withProblem(gdt, describeTableRegister(gdt))),
    tableNode(ldt, (cpu.ldtrSel & ~3) === 0 ? ldt.problem! : withProblem(ldt, `selector ${hex(cpu.ldtrSel, 4)}, ${describeTableRegister(ldt)}`)),
    tableNode(idt, withProblem(idt, describeTableRegister(idt))),
    {
      name: 'TSS', type: 'tss', memory: { space: 'linear', address: tss.base },
      value: tss.problem ?? `selector ${hex(tss.selector, 4)}, ${tss.type}, base ${hex(tss.base)} limit ${hex(tss.limit)}`,
      children: () => tss.fields.map((f) => leaf(f.name, f.text)),
    },
  ];
}
