// The Registers, Control and FPU views: values as a person reads them (EFLAGS bits, segment hidden
// parts, CR0/CR3/CR4 decoded, DR7 breakpoints), memoryReferences, and setVariable on registers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, PageTables, KDATA, DATA } from '../../cpu/helpers/machine.js';
import { PTE_P, PTE_W } from '../../cpu/helpers/encode.js';
import { findNode, type InspectNode } from '../../../engine/debug/inspect/node.js';
import { registerNodes } from '../../../engine/debug/inspect/registers.js';
import { controlNodes, describeDr7 } from '../../../engine/debug/inspect/control.js';
import { fpuNodes } from '../../../engine/debug/inspect/fpu.js';
import { setRegister } from '../../../engine/debug/inspect/register-edit.js';

const value = (nodes: InspectNode[], ...path: string[]): string | undefined => findNode(nodes, path)?.value;

describe('Registers view', () => {
  it('shows general registers, EIP, EFLAGS bits and segment caches in protected mode', () => {
    const m = new Machine();
    const cpu = m.enterProtected({ eflags: 0x246 });
    cpu.reg32[0] = 0x2BADB002;
    const nodes = registerNodes(cpu);
    assert.equal(value(nodes, 'EAX'), '0x2badb002');
    assert.equal(value(nodes, 'EIP'), '0x00010000');
    assert.equal(value(nodes, 'EFLAGS'), '0x00000246 [PF ZF IF]');
    assert.equal(value(nodes, 'EFLAGS', 'ZF'), '1');
    assert.equal(value(nodes, 'EFLAGS', 'CF'), '0');
    assert.equal(value(nodes, 'CS'), '0x0008');
    assert.equal(value(nodes, 'CS', 'base'), '0x00000000');
    assert.equal(value(nodes, 'CS', 'limit'), '0xffffffff');
    assert.equal(value(nodes, 'CS', 'selector'), '0x0008 (index 1, GDT, RPL 0)');
    assert.equal(value(nodes, 'CS', 'rights'), '0xc09a (code, execute/read, DPL 0, present, 32-bit, 4 KiB granular)');
    assert.equal(value(nodes, 'SS', 'rights'), '0xc092 (data, read/write, DPL 0, present, 32-bit, 4 KiB granular)');
    assert.equal(value(nodes, 'mode'), 'protected mode, CPL 0, 32-bit code, paging off');
    assert.deepEqual(findNode(nodes, ['EIP'])?.memory, { space: 'linear', address: 0x10000 });
    assert.deepEqual(findNode(nodes, ['ESP'])?.memory, { space: 'linear', address: 0x30000 });
  });

  it('shows real-mode segments as selector × 16 with 16-bit code', () => {
    const m = new Machine();
    const cpu = m.enterReal(0x07C0, 0x0010);
    const nodes = registerNodes(cpu);
    assert.equal(value(nodes, 'CS'), '0x07c0');
    assert.equal(value(nodes, 'CS', 'base'), '0x00007c00');
    assert.equal(value(nodes, 'CS', 'limit'), '0x0000ffff');
    assert.equal(value(nodes, 'mode'), 'real mode, CPL 0, 16-bit code, paging off');
    assert.deepEqual(findNode(nodes, ['EIP'])?.memory, { space: 'linear', address: 0x7C10 });
  });
});

describe('Control view', () => {
  it('decodes CR0, CR3, CR4 and the debug registers', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    cpu.cr0 = 0x80010011 | 0; cpu.cr3 = 0x00123018; cpu.cr4 = 0x90;
    cpu.dr[0] = 0x1000; cpu.dr[7] = 0x000D0001 | 0x0000_0002 << 2; // DR0 local write 4 bytes; DR1 global execute
    const nodes = controlNodes(cpu);
    assert.equal(value(nodes, 'CR0'), '0x80010011 [PE ET WP PG]');
    assert.equal(value(nodes, 'CR0', 'PG'), '1 (paging)');
    assert.equal(value(nodes, 'CR3'), '0x00123018 (page directory at physical 0x00123000, PWT PCD)');
    assert.deepEqual(findNode(nodes, ['CR3'])?.memory, { space: 'physical', address: 0x123000 });
    assert.equal(value(nodes, 'CR4'), '0x00000090 [PSE PGE]');
    assert.equal(value(nodes, 'DR0'), '0x00001000');
    assert.deepEqual(describeDr7(cpu.dr[7]), ['DR0: local, write, 4 bytes', 'DR1: global, execute, 1 byte']);
    assert.match(value(nodes, 'DR7') ?? '', /2 enabled/);
    cpu.msr.set(0x174, 0x8n);
    cpu.instructions = 1000; cpu.tsc = 5n;
    assert.equal(value(nodes, 'MSRs', '0x00000174 IA32_SYSENTER_CS'), '0x0000000000000008');
    assert.equal(value(nodes, 'MSRs', '0x00000010 IA32_TIME_STAMP_COUNTER'), '0x00000000000003ed');
  });
});

describe('FPU view', () => {
  it('shows ST(i) numbers, tags and the control/status words', () => {
    const m = new Machine();
    const fpu = m.cpu.fpu;
    fpu.init();
    fpu.top = 7; fpu.writeDouble(0, 2.5); // as FLD would leave it
    const nodes = fpuNodes(fpu);
    assert.equal(value(nodes, 'ST0'), '2.5 (R7, valid)');
    assert.equal(value(nodes, 'ST1'), 'empty (R0)');
    assert.equal(value(nodes, 'FCW'), '0x037f (masks IM DM ZM OM UM PM, 64-bit (extended), rounding to nearest)');
    assert.equal(value(nodes, 'FSW'), '0x3800 [] TOP=7');
    assert.equal(value(nodes, 'ST0', '80-bit image'), '0x4000:0xa000000000000000');
  });
});

describe('setVariable on registers', () => {
  it('sets general registers, EIP, EFLAGS and single flag bits', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    assert.deepEqual(setRegister(cpu, ['EBX'], '0xdeadbeef'), { ok: true });
    assert.equal(cpu.reg32[3] >>> 0, 0xDEADBEEF);
    assert.deepEqual(setRegister(cpu, ['ECX'], '-1'), { ok: true });
    assert.equal(cpu.reg32[1], -1);
    assert.deepEqual(setRegister(cpu, ['EIP'], '0x10020'), { ok: true });
    assert.equal(cpu.eip, 0x10020);
    assert.deepEqual(setRegister(cpu, ['EFLAGS', 'CF'], '1'), { ok: true });
    assert.equal(cpu.getEflags() & 1, 1);
    assert.deepEqual(setRegister(cpu, ['EFLAGS', 'IOPL'], '3'), { ok: true });
    assert.equal((cpu.getEflags() >> 12) & 3, 3);
  });

  it('loads segment selectors with the CPU\'s checks and refuses bad ones with the reason', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    cpu.segBase[3] = 0x1234;
    assert.deepEqual(setRegister(cpu, ['DS'], String(KDATA)), { ok: true });
    assert.equal(cpu.segBase[3], 0);
    const beyond = setRegister(cpu, ['DS'], '0x208');
    assert.equal(beyond.ok, false);
    assert.match(!beyond.ok ? beyond.error : '', /the CPU refuses DS = 0x208: selector 0x208 beyond GDT limit/);
    const cs = setRegister(cpu, ['CS'], '0x10');
    assert.match(!cs.ok ? cs.error : '', /CS cannot be set in protected mode/);
  });

  it('a selector whose descriptor read page-faults is refused without changing CR2', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    const pt = new PageTables(m);
    pt.identity(0, 0x200000, PTE_P | PTE_W);
    cpu.cr3 = pt.dir; cpu.cr0 |= 0x80000000; cpu.updatePagingMode();
    cpu.gdtrBase = 0x40000000; // not mapped
    cpu.cr2 = 0x1234;
    const result = setRegister(cpu, ['DS'], String(KDATA));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /the CPU refuses DS = 0x10: page fault at 0x40000010/);
    assert.equal(cpu.cr2, 0x1234);
  });

  it('sets CR3 (flushing the TLB) and arms debug registers', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    assert.deepEqual(setRegister(cpu, ['CR3'], String(DATA)), { ok: true });
    assert.equal(cpu.mmu.cr3, DATA);
    assert.deepEqual(setRegister(cpu, ['DR7'], '0x000d0001'), { ok: true });
    assert.equal(cpu.watchData, true, 'DR7 write arms the data-breakpoint path');
  });

  it('refuses text that is not a number, values that do not fit, and read-only names', () => {
    const m = new Machine();
    const cpu = m.enterProtected();
    for (const [path, text, pattern] of [
      [['EAX'], 'banana', /"banana" is not a number/],
      [['EAX'], '0x100000000', /not a number/],
      [['DS'], '0x10000', /does not fit in DS \(16 bits\)/],
      [['EFLAGS', 'ZF'], '2', /does not fit in EFLAGS.ZF/],
      [['EFLAGS', 'XX'], '1', /EFLAGS has no bit named XX/],
      [['CR0'], '1', /CR0 cannot be set/],
    ] as const) {
      const result = setRegister(cpu, path, text);
      assert.equal(result.ok, false, `${path.join('.')} = ${text}`);
      assert.match(!result.ok ? result.error : '', pattern);
    }
    const real = new Machine().enterReal(0, 0x7C00);
    const ip = setRegister(real, ['EIP'], '0x12345');
    assert.match(!ip.ok ? ip.error : '', /does not fit in 16-bit code/);
  });
});
