// The pv loader: a kernel with Xen ELF notes starts at ring 1 with paging on, ESI = start_info,
// page tables it may not write, the hypercall page filled and the hypervisor hole mapped; a kernel
// without notes is refused with a clear message; a privileged instruction without a handler ends
// the domain with a trap event and a stop reason that says what happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Vm } from '../../../engine/hv/vm.js';
import { loadPvKernel } from '../../../engine/boot/pv-boot.js';
import { BootError } from '../../../engine/boot/boot-error.js';
import { describeStop } from '../../../engine/hv/stop-reason.js';
import { CS, SS, ESI, ESP } from '../../../engine/cpu/registers.js';
import { Access } from '../../../engine/cpu/mmu.js';
import { CpuFault } from '../../../engine/cpu/fault.js';
import type { TrapEvent } from '../../../engine/hv/vm-event.js';
import { pvMachine, PV_HELLO } from './pv-machine.js';

const HELLO = 'guests/hello/kernel.elf';

test('the pv kernel enters at ring 1, paging on, ESI = start_info with Xen\'s fields', () => {
  const m = pvMachine(), cpu = m.vm.cpu, mem = m.vm.memory, d = m.pv.domain;
  assert.equal(m.boot.notes.guestOs, 'hvdbg-pv-hello');
  assert.equal(m.boot.notes.virtBase, 0xC0000000);
  assert.deepEqual([cpu.cpl, cpu.segSel[CS], cpu.segSel[SS], cpu.eip >>> 0, cpu.paging], [1, 0xE019, 0xE021, m.boot.entry, true]);
  assert.equal(cpu.segLimit[CS], 0xFBFFFFFF, 'flat ring-1 segments end below the hypervisor hole');
  const si = cpu.reg32[ESI] >>> 0;
  assert.equal(si, m.boot.startInfo);
  const text = (lin: number) => { let s = ''; for (let c; (c = cpu.readLin8(lin++)) !== 0;) s += String.fromCharCode(c); return s; };
  assert.equal(text(si), 'xen-3.0-x86_32');
  assert.equal(cpu.readLin32(si + 32), d.nrPages);
  assert.equal(d.nrPages, (32 << 20) / 4096 - 64, 'all RAM but the hypervisor\'s 256 KiB');
  assert.equal(cpu.readLin32(si + 36), d.region.sharedInfo);
  assert.equal(cpu.readLin32(si + 60) >>> 0, 0xC0000000 + m.boot.pageDirectory);
  assert.equal(cpu.readLin32(si + 64), 2);
  const p2m = cpu.readLin32(si + 68) >>> 0;
  assert.deepEqual([cpu.readLin32(p2m), cpu.readLin32(p2m + 4 * 0x123)], [0, 0x123], 'identity P2M list');
  assert.ok((cpu.reg32[ESP] >>> 0) > si && (cpu.reg32[ESP] & 0xFFF) === 0);
  assert.equal(mem.read32(m.boot.pageDirectory + 1008 * 4) & ~0xFFF, d.region.holeTable);
  // shared_info: events masked, time published, wall clock = the RTC's start (2026-01-01 00:00:00 UTC).
  const shared = d.region.sharedInfo;
  assert.deepEqual([mem.read8(shared), mem.read8(shared + 1)], [0, 1]);
  assert.equal(mem.read32(shared + 32) % 2, 0, 'time version even: not being updated');
  assert.deepEqual([mem.read32(shared + 2304), mem.read32(shared + 2308), mem.read32(shared + 2312)], [2, Date.UTC(2026, 0, 1) / 1000, 0]);
});

test('the initial page tables are read-only to the guest kernel (CR0.WP), the hole unreachable by its segments', () => {
  const m = pvMachine(), cpu = m.vm.cpu;
  const pdVirt = 0xC0000000 + m.boot.pageDirectory;
  assert.throws(() => cpu.translate(pdVirt, Access.Write), (e: unknown) => e instanceof CpuFault && e.vector === 14);
  assert.throws(() => cpu.linear(SS, 0xFC000000, 4, false), (e: unknown) => e instanceof CpuFault && e.vector === 12 || e instanceof CpuFault && e.vector === 13);
});

test('the hypercall page holds 32-byte vmcall stubs; iret\'s pushes EAX first', () => {
  const m = pvMachine(), cpu = m.vm.cpu;
  const page = m.boot.notes.hypercallPage!;
  const bytes = (n: number, len: number) => Array.from({ length: len }, (_, k) => cpu.readLin8(page + n * 32 + k));
  assert.deepEqual(bytes(18, 9), [0xB8, 18, 0, 0, 0, 0x0F, 0x01, 0xC1, 0xC3]);
  assert.deepEqual(bytes(23, 10), [0x50, 0xB8, 23, 0, 0, 0, 0x0F, 0x01, 0xC1, 0xCC]);
});

test('an unmodified (multiboot) kernel is refused by the pv loader with a message that says why', () => {
  const vm = new Vm({ memoryBytes: 32 << 20, strategy: 'pv' });
  assert.throws(() => loadPvKernel(vm, readFileSync(HELLO), 'guests/hello/kernel.elf'), (e: unknown) => e instanceof BootError &&
    e.message === 'guests/hello/kernel.elf: not a paravirtual kernel: it carries no "Xen" ELF notes, so it would run its privileged ' +
    'instructions at ring 1 and crash; the pv strategy runs enlightened kernels only (docs/hypercalls.md) — run this one with --strategy hw or bt');
  const bz = new Vm({ memoryBytes: 32 << 20, strategy: 'pv' });
  assert.throws(() => loadPvKernel(bz, Uint8Array.of(0x4D, 0x5A, 0, 0, 0), 'bzImage'),
    /^BootError: bzImage: not a paravirtual kernel: a pv kernel is a 32-bit ELF with "Xen" notes, and this file is not usable as one \(not an ELF file \(magic at offset 0 is 4d 5a 00 00\)\)$/);
  const hw = new Vm({ memoryBytes: 32 << 20 });
  assert.throws(() => loadPvKernel(hw, readFileSync(PV_HELLO), 'pv-hello'), /needs a VM running the pv strategy \(this one runs hw\)/);
  const smp = new Vm({ memoryBytes: 32 << 20, strategy: 'pv', cpus: 2 });
  assert.throws(() => loadPvKernel(smp, readFileSync(PV_HELLO), 'pv-hello'), /a pv domain has one vCPU here \(asked for 2\)/);
  const small = new Vm({ memoryBytes: 4 << 20, strategy: 'pv' });
  assert.throws(() => loadPvKernel(small, readFileSync(PV_HELLO), 'pv-hello'), /needs at least 8 MiB of RAM \(this VM has 4 MiB\)/);
});

test('a privileged instruction with no trap handler is a fatal trap event and a clear stop, not a crash', () => {
  const m = pvMachine(), cpu = m.vm.cpu;
  m.vm.memory.write8(0x300000, 0xF4);                    // hlt, at ring 1
  cpu.eip = 0xC0300000;
  const stop = m.vm.run(100);
  assert.ok(stop);
  assert.equal(describeStop(stop), 'guest crashed: pv domain crashed: #GP general protection (error code 0x0) at ring 1: HLT at CPL 1; the guest ' +
    'registered no handler for vector 13 (set_trap_table) at e019:c0300000');
  const trap = m.events.find((e): e is TrapEvent => e.kind === 'trap')!;
  assert.deepEqual([trap.vector, trap.errorCode, trap.outcome, trap.cpl, trap.eip >>> 0], [13, 0, 'fatal', 1, 0xC0300000]);
});
