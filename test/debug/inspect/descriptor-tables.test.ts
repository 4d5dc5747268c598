// GDT, LDT, IDT, IVT and TSS views over tables a test builds byte by byte: every kind of descriptor
// decoded, gate targets with symbols, unmapped tables reported, and the TSS fields.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, IDT, KCODE, KSTACK_TOP, KDATA, LDT, TSS_SEL, FREE_GDT_INDEX } from '../../cpu/helpers/machine.js';
import { gate, sel, systemSegment, TYPE_CALL32, TYPE_LDT, TYPE_TASK, TYPE_TRAP32 } from '../../cpu/helpers/encode.js';
import { readGdt, readIdt, readLdt } from '../../../engine/debug/inspect/descriptor-tables.js';
import { readTss } from '../../../engine/debug/inspect/tss.js';
import { descriptorTableNodes } from '../../../engine/debug/inspect/tables-view.js';
import { findNode } from '../../../engine/debug/inspect/node.js';

describe('descriptor tables', () => {
  it('decodes the GDT: null, code, data, TSS, LDT and call-gate descriptors', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    m.setGdt(FREE_GDT_INDEX, systemSegment(LDT, 0x7F, TYPE_LDT));
    m.setGdt(FREE_GDT_INDEX + 1, gate(KCODE, 0x10040, TYPE_CALL32, 3, 2));
    const gdt = readGdt(cpu, (a) => (a === 0x10040 ? 'gate_target' : undefined));
    assert.equal(gdt.entries.length, 64);
    assert.equal(gdt.entries[0].text, 'null');
    assert.equal(gdt.entries[1].label, '0x0008');
    assert.equal(gdt.entries[1].text, 'base 0x00000000 limit 0xffffffff: code, execute/read, DPL 0, present, 32-bit, 4 KiB granular');
    assert.equal(gdt.entries[4].text, 'base 0x00000000 limit 0xffffffff: data, read/write, DPL 3, present, 32-bit, 4 KiB granular');
    assert.match(gdt.entries[TSS_SEL >> 3].text, /^32-bit TSS \(busy\): base 0x00004000 limit 0x00002068, DPL 0$/);
    assert.equal(gdt.entries[FREE_GDT_INDEX].text, 'LDT: base 0x00003000 limit 0x0000007f, DPL 0');
    assert.equal(gdt.entries[FREE_GDT_INDEX + 1].text, '32-bit call gate → 0x0008:0x00010040 <gate_target>, DPL 3, 2 parameters');
  });

  it('decodes IDT gates with their handlers, task gates and not-present gates', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    m.setIdt(3, gate(KCODE, 0x11030, TYPE_TRAP32, 3));
    m.setIdt(8, gate(TSS_SEL, 0, TYPE_TASK, 0));
    m.setIdt(0x80, gate(KCODE, 0x11800, TYPE_TRAP32, 3, 0, false));
    const idt = readIdt(cpu, (a) => (a === m.handler(14) ? 'isr14' : undefined));
    assert.equal(idt.name, 'IDT');
    assert.equal(idt.entries.length, 256);
    assert.equal(idt.entries[14].label, '14 #PF');
    assert.equal(idt.entries[14].text, '32-bit interrupt gate → 0x0008:0x000110e0 <isr14>, DPL 0');
    assert.equal(idt.entries[14].target, m.handler(14));
    assert.equal(idt.entries[3].text, '32-bit trap gate → 0x0008:0x00011030, DPL 3');
    assert.equal(idt.entries[8].text, 'task gate: TSS selector 0x0028, DPL 0');
    assert.equal(idt.entries[0x80].text, '32-bit trap gate → 0x0008:0x00011800, DPL 3, not present');
  });

  it('reads the real-mode IVT as segment:offset pairs', () => {
    const m = new Machine();
    const cpu = m.enterReal(0, 0x7C00);
    m.buildIvt();
    const ivt = readIdt(cpu);
    assert.equal(ivt.name, 'IVT');
    assert.equal(ivt.entries.length, 256);
    assert.equal(ivt.entries[0x10].text, '0x1100:0x0100 (linear 0x11100)');
  });

  it('reports the LDT, a missing LDT and an unmapped table', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    assert.match(readLdt(cpu).problem ?? '', /null selector/);
    cpu.ldtrSel = sel(FREE_GDT_INDEX); cpu.ldtrBase = LDT; cpu.ldtrLimit = 0xF;
    m.setLdt(1, [0x0000FFFF, 0x00CF9A00]);
    const ldt = readLdt(cpu);
    assert.equal(ldt.entries.length, 2);
    assert.equal(ldt.entries[1].label, '0x000c');
    assert.match(ldt.entries[1].text, /code, execute\/read/);
    cpu.gdtrBase = 0x7FFFF0; cpu.gdtrLimit = 0xFF; // runs past the end of the 8 MiB of RAM
    const gdt = readGdt(cpu);
    assert.equal(gdt.entries.length, 0);
    assert.match(gdt.problem ?? '', /the table at linear 0x007ffff0 \(256 bytes\) is not all mapped/);
  });

  it('decodes the 32-bit TSS fields', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    const tss = readTss(cpu);
    assert.equal(tss.problem, undefined);
    assert.equal(tss.type, '32-bit TSS (busy)');
    const field = (name: string) => tss.fields.find((f) => f.name === name);
    assert.equal(field('esp0')?.value, KSTACK_TOP);
    assert.equal(field('ss0')?.value, KDATA);
    assert.match(field('iomap')?.text ?? '', /^0x0068 \(I\/O bitmap at linear 0x00004068\)$/);
    cpu.trSel = 0;
    assert.match(readTss(cpu).problem ?? '', /no task has been loaded/);
  });

  it('groups a long table into expandable ranges in the scope', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    cpu.gdtrLimit = 0xFFFF; // 8192 entries
    const nodes = descriptorTableNodes(cpu);
    assert.match(findNode(nodes, ['GDT'])!.value, /8192 entries/);
    const groups = findNode(nodes, ['GDT'])!.children!();
    assert.equal(groups.length, 32);
    assert.equal(groups[0].name, '[0–255]');
    assert.equal(findNode(nodes, ['GDT', '[0–255]', '0x0008'])?.value.startsWith('base 0x00000000'), true);
    assert.equal(findNode(nodes, ['IDT'])!.value, `base 0x0000${IDT.toString(16)} limit 0x07ff (256 entries)`);
    assert.match(findNode(nodes, ['TSS'])!.value, /selector 0x0028, 32-bit TSS \(busy\)/);
    assert.equal(findNode(nodes, ['LDT'])!.value, 'LDTR holds the null selector: there is no LDT');
  });
});
