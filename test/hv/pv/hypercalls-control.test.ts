// Trap, stack, callback, FPU, iret, multicall, version and console hypercalls on a freshly loaded
// pv guest — what each changes in the hypervisor's tables or the vCPU, and each error return.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CR0_TS, EAX, ESP, CS, SS } from '../../../engine/cpu/registers.js';
import { decode } from '../../../engine/cpu/decoder.js';
import { pvMachine } from './pv-machine.js';

const BASE = 0xC0000000, SCRATCH = 0x300000;
const va = (phys: number) => BASE + phys;
const EPERM = -1, EFAULT = -14, EINVAL = -22, ENOSYS = -38;
const UNMAPPED = 0x10000000;

test('set_trap_table writes ring-1 trap gates into the hypervisor\'s IDT; reserved vectors, bad pointers, NULL', () => {
  const m = pvMachine(), mem = m.vm.memory, idt = m.pv.domain.region.idt;
  const entry = (k: number, vector: number, flags: number, cs: number, address: number) => {
    mem.write32(SCRATCH + k * 8, vector | (flags << 8) | (cs << 16)); mem.write32(SCRATCH + k * 8 + 4, address);
  };
  entry(0, 14, 0, 0xE018, 0xC0101234);      // RPL 0 selector: moved to ring 1
  entry(1, 0x80, 3, 0xE019, 0xC0105678);    // DPL 3: user space may INT 0x80
  entry(2, 0, 0, 0, 0);
  assert.equal(m.hypercall(0, va(SCRATCH)), 0);
  assert.deepEqual([mem.read32(idt + 14 * 8) >>> 0, mem.read32(idt + 14 * 8 + 4) >>> 0], [0xE0191234, 0xC0108F00]);
  assert.equal(mem.read32(idt + 0x80 * 8 + 4) >>> 0, 0xC010EF00);
  assert.equal(m.pv.domain.traps.get(14)?.cs, 0xE019);
  assert.deepEqual(m.lastHypercall().decoded, { entries: 2 });
  entry(0, 0x82, 0, 0xE019, 0xC0101234);
  assert.equal(m.hypercall(0, va(SCRATCH)), EINVAL);
  assert.equal(m.hypercall(0, UNMAPPED), EFAULT);
  assert.equal(m.hypercall(0, 0), 0);
  assert.equal(m.pv.domain.traps.size, 0);
  assert.equal(mem.read32(idt + 14 * 8 + 4), 0);
});

test('stack_switch sets the TSS ring-1 stack; set_callbacks the upcall gate; fpu_taskswitch CR0.TS', () => {
  const m = pvMachine(), mem = m.vm.memory, d = m.pv.domain;
  assert.equal(m.hypercall(3, 0xE020, 0xC0200000), 0);
  assert.deepEqual([mem.read32(d.region.tss + 0x0C) >>> 0, mem.read32(d.region.tss + 0x10)], [0xC0200000, 0xE021]);
  assert.equal(m.hypercall(4, 0xE019, 0xC0101000, 0xE019, 0xC0102000), 0);
  assert.deepEqual([mem.read32(d.region.idt + 0x83 * 8) >>> 0, mem.read32(d.region.idt + 0x83 * 8 + 4) >>> 0], [0xE0191000, 0xC0108F00]);
  assert.equal(m.hypercall(5, 1), 0);
  assert.ok(m.vm.cpu.cr0 & CR0_TS);
  assert.equal(m.hypercall(5, 0), 0);
  assert.ok(!(m.vm.cpu.cr0 & CR0_TS));
});

test('iret restores EAX, EIP, CS, EFLAGS and the event mask from EFLAGS.IF; returns to ring 3 with ESP, SS', () => {
  const m = pvMachine(), cpu = m.vm.cpu, mem = m.vm.memory, d = m.pv.domain;
  const frame = (...words: number[]) => { words.forEach((w, k) => mem.write32(SCRATCH + k * 4, w)); cpu.reg32[ESP] = va(SCRATCH); };
  frame(0x1234, 0xC0101111, 0xE019, 0x202);
  assert.equal(m.hypercall(23), 0x1234);
  assert.deepEqual([cpu.eip >>> 0, cpu.segSel[CS], cpu.cpl, cpu.reg32[ESP] >>> 0, d.shared.upcallMask], [0xC0101111, 0xE019, 1, va(SCRATCH + 16), false]);
  frame(0x55, 0xC0101111, 0xE019, 0x002);          // IF clear in the frame: events stay masked
  assert.equal(m.hypercall(23), 0x55);
  assert.equal(d.shared.upcallMask, true);
  assert.ok(cpu.getEflags() & 0x200, 'hardware IF stays on');
  frame(0x66, 0x08048000, 0xE02B, 0x3202, 0xBFFF0000, 0xE033);   // to ring 3; IOPL 3 asked for, not given
  assert.equal(m.hypercall(23), 0x66);
  assert.deepEqual([cpu.cpl, cpu.segSel[CS], cpu.segSel[SS], cpu.reg32[ESP] >>> 0, (cpu.getEflags() >>> 12) & 3], [3, 0xE02B, 0xE033, 0xBFFF0000, 0]);
});

test('iret to ring 0 or from an unreadable stack crashes the domain, as under Xen', () => {
  const m = pvMachine(), cpu = m.vm.cpu, mem = m.vm.memory;
  [0x77, 0xC0101111, 0xE018, 0x202].forEach((w, k) => mem.write32(SCRATCH + k * 4, w));
  cpu.reg32[ESP] = va(SCRATCH);
  m.hypercall(23);
  assert.ok(cpu.shutdown);
  assert.equal(m.pv.tripleFaultDescription, 'pv domain crashed: iret to ring 0 refused');
  const n = pvMachine();
  n.vm.cpu.reg32[ESP] = UNMAPPED;
  n.hypercall(23);
  assert.equal(n.pv.tripleFaultDescription, 'pv domain crashed: iret: unreadable frame at 0x10000000');
});

test('multicall runs each entry and stores its result; nested multicall and iret are refused', () => {
  const m = pvMachine(), mem = m.vm.memory;
  const entry = (k: number, op: number, ...args: number[]) => {
    mem.write32(SCRATCH + k * 32, op); mem.write32(SCRATCH + k * 32 + 4, 0xDEAD);
    for (let a = 0; a < 6; a++) mem.write32(SCRATCH + k * 32 + 8 + a * 4, args[a] ?? 0);
  };
  mem.writeBytes(SCRATCH + 0x800, new TextEncoder().encode('batched\n'));
  entry(0, 17, 0);                            // xen_version(version)
  entry(1, 18, 0, 8, va(SCRATCH + 0x800));    // console_io(write)
  entry(2, 13, 0, 0);                         // multicall inside multicall
  entry(3, 77);                               // unknown
  assert.equal(m.hypercall(13, va(SCRATCH), 4), 0);
  assert.deepEqual([0, 1, 2, 3].map((k) => mem.read32(SCRATCH + k * 32 + 4)), [0x30000, 0, EINVAL, ENOSYS]);
  assert.equal(m.output, 'batched\n');
  assert.deepEqual(m.lastHypercall().decoded, { count: 4, calls: 'xen_version,console_io,multicall,unknown' });
  assert.equal(m.hypercall(13, UNMAPPED, 1), EFAULT);
  assert.equal(m.hypercall(13, va(SCRATCH), 5000), EINVAL, 'more than 1024 calls');
});

test('xen_version: version, extraversion, capabilities, platform parameters, page size; -ENOSYS, -EFAULT', () => {
  const m = pvMachine(), mem = m.vm.memory;
  const text = (phys: number) => new TextDecoder().decode(mem.readBytes(phys, 32)).replace(/\0.*$/s, '');
  assert.equal(m.hypercall(17, 0, 0), 0x30000);
  assert.equal(m.hypercall(17, 1, va(SCRATCH)), 0);
  assert.equal(text(SCRATCH), '-hvdbg');
  assert.equal(m.hypercall(17, 3, va(SCRATCH)), 0);
  assert.equal(text(SCRATCH), 'xen-3.0-x86_32');
  assert.equal(m.hypercall(17, 5, va(SCRATCH)), 0);
  assert.equal(mem.read32(SCRATCH) >>> 0, 0xFC000000);
  assert.equal(m.hypercall(17, 7, 0), 4096);
  assert.equal(m.hypercall(17, 42, 0), ENOSYS);
  assert.equal(m.hypercall(17, 1, UNMAPPED), EFAULT);
  assert.equal(m.hypercall(17, 1, 0xFC000000), EFAULT);
  assert.match(String(m.lastHypercall().decoded?.fault), /hypervisor hole/);
  // Read-only memory (the initial page directory) is not writable for the hypervisor either.
  assert.equal(m.hypercall(17, 5, va(m.boot.pageDirectory)), EFAULT);
});

test('console_io writes to the serial console and reads what the host typed; errors', () => {
  const m = pvMachine(), mem = m.vm.memory;
  mem.writeBytes(SCRATCH, new TextEncoder().encode('hi there'));
  assert.equal(m.hypercall(18, 0, 8, va(SCRATCH)), 0);
  assert.equal(m.output, 'hi there');
  assert.equal(m.lastHypercall().decoded?.text, 'hi there');
  assert.equal(m.hypercall(18, 0, 8, UNMAPPED), EFAULT);
  assert.equal(m.output, 'hi there');
  m.vm.com1.receive(Buffer.from('ok'));
  assert.equal(m.hypercall(18, 1, 16, va(SCRATCH + 0x100)), 2);
  assert.equal(new TextDecoder().decode(mem.readBytes(SCRATCH + 0x100, 2)), 'ok');
  assert.equal(m.hypercall(18, 1, 16, va(SCRATCH + 0x100)), 0);
  assert.equal(m.hypercall(18, 7, 0, 0), ENOSYS);
});

test('unknown hypercall numbers return -ENOSYS; ring 3 cannot call (int $0x82 faults, vmcall gets -EPERM)', () => {
  const m = pvMachine(), cpu = m.vm.cpu;
  for (const n of [6, 7, 30, 40, 1000]) assert.equal(m.hypercall(n), ENOSYS, `hypercall ${n}`);
  assert.equal(m.lastHypercall().name, 'unknown');
  cpu.cpl = 3;
  const int82Bytes = [0xCD, 0x82], vmcallBytes = [0x0F, 0x01, 0xC1];
  assert.equal(m.pv.softwareInterrupt(0x82, decode((o) => int82Bytes[o], true, () => () => undefined)), false, 'left to the IDT: its DPL-1 gate raises #GP');
  cpu.reg32[EAX] = 17;
  m.pv.vmcall(decode((o) => vmcallBytes[o], true, () => () => undefined));
  assert.equal(cpu.reg32[EAX], EPERM);
});
