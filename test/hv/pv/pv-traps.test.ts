// Trap reflection: exceptions and software interrupts from ring 3 and ring 1 reach the guest's
// set_trap_table handlers through the hypervisor's IDT, with the bounce frame on the ring-1 stack
// (from ring 3: the stack_switch stack); a #PF also leaves its address in vcpu_info.arch.cr2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESP } from '../../../engine/cpu/registers.js';
import type { TrapEvent } from '../../../engine/hv/vm-event.js';
import { SharedInfoOffset } from '../../../engine/hv/pv/shared-info.js';
import { pvMachine } from './pv-machine.js';

const BASE = 0xC0000000, SCRATCH = 0x300000, DOMID_SELF = 0x7FF0;
const va = (phys: number) => BASE + phys;
const USER_CODE = 0x08048000, USER_STACK_TOP = 0x08051000;
const HANDLER = 0xC0370000, KERNEL_STACK_TOP = 0xC0381000;

/** A guest with user pages at 0x08048000 (code) and 0x08050000 (stack) and a #GP/#PF/int 0x80 handler. */
function userSpace(code: number[]) {
  const m = pvMachine(), mem = m.vm.memory, pd = m.boot.pageDirectory;
  // A new page table for 0x08000000–0x083fffff: made read-only, then hooked into the directory.
  const table = 0x360000;
  for (let k = 0; k < 1024; k++) mem.write32(table + k * 4, 0);
  mem.write32(table + 0x48 * 4, 0x361000 | 7);                    // user code page
  mem.write32(table + 0x50 * 4, 0x362000 | 7);                    // user stack page
  assert.equal(m.hypercall(14, va(table), table | 1, 2), 0);
  mem.write32(SCRATCH, pd + (USER_CODE >>> 22) * 4); mem.write32(SCRATCH + 8, table | 7);
  assert.equal(m.hypercall(1, va(SCRATCH), 1, 0, DOMID_SELF), 0);
  mem.writeBytes(0x361000, Uint8Array.from(code));
  mem.writeBytes(HANDLER - BASE, Uint8Array.of(0xEB, 0xFE));      // the handler spins: the test looks at its frame
  const traps = [[13, 0], [14, 0], [0x80, 3]].map(([vector, dpl], k) => {
    mem.write32(SCRATCH + 0x100 + k * 8, vector | (dpl << 8) | (0xE019 << 16)); mem.write32(SCRATCH + 0x104 + k * 8, HANDLER);
  });
  mem.write32(SCRATCH + 0x100 + traps.length * 8 + 4, 0);
  assert.equal(m.hypercall(0, va(SCRATCH + 0x100)), 0);
  assert.equal(m.hypercall(3, 0xE021, KERNEL_STACK_TOP), 0);
  // iret to ring 3: EAX, EIP, CS, EFLAGS, ESP, SS.
  [0, USER_CODE, 0xE02B, 0x202, USER_STACK_TOP, 0xE033].forEach((w, k) => mem.write32(SCRATCH + 0x200 + k * 4, w));
  m.vm.cpu.reg32[ESP] = va(SCRATCH + 0x200);
  m.hypercall(23);
  assert.equal(m.vm.cpu.cpl, 3);
  return m;
}

/** The ring-1 stack after a bounce from ring 3: [error code?], EIP, CS, EFLAGS, ESP, SS. */
function frame(m: ReturnType<typeof pvMachine>, words: number): number[] {
  const esp = m.vm.cpu.reg32[ESP] >>> 0;
  return Array.from({ length: words }, (_, k) => m.vm.cpu.readLin32(esp + k * 4) >>> 0);
}

test('a privileged instruction at ring 3 bounces to the #GP handler on the stack_switch stack', () => {
  const m = userSpace([0xFA, 0xEB, 0xFE]);                     // cli; jmp $
  m.vm.run(20);
  assert.deepEqual([m.vm.cpu.cpl, m.vm.cpu.eip >>> 0, m.vm.cpu.reg32[ESP] >>> 0], [1, HANDLER, KERNEL_STACK_TOP - 24]);
  assert.deepEqual(frame(m, 6), [0, USER_CODE, 0xE02B, 0x10202, USER_STACK_TOP, 0xE033]);
  const trap = m.events.find((e): e is TrapEvent => e.kind === 'trap')!;
  assert.deepEqual([trap.vector, trap.cpl, trap.outcome, trap.eip >>> 0], [13, 3, 'reflected', USER_CODE]);
});

test('int $0x80 from ring 3 reaches a DPL-3 trap-table entry; int $0x82 from ring 3 is a #GP', () => {
  const m = userSpace([0xCD, 0x80, 0xEB, 0xFE]);               // int $0x80
  m.vm.run(20);
  assert.deepEqual([m.vm.cpu.cpl, m.vm.cpu.eip >>> 0], [1, HANDLER]);
  assert.deepEqual(frame(m, 5), [USER_CODE + 2, 0xE02B, 0x202, USER_STACK_TOP, 0xE033]);
  const n = userSpace([0xCD, 0x82, 0xEB, 0xFE]);               // int $0x82: the hypercall gate is DPL 1
  n.vm.run(20);
  assert.deepEqual(frame(n, 2), [0x82 * 8 + 2, USER_CODE]);
  assert.equal(n.events.filter((e) => e.kind === 'hypercall').length, 5, 'only the setup\'s hypercalls');
});

test('a page fault at ring 1 is reflected with its address in vcpu_info.arch.cr2', () => {
  const m = userSpace([0xEB, 0xFE]);
  const cpu = m.vm.cpu, mem = m.vm.memory;
  // Back to ring 1 (iret hypercall from "ring 1" code), then read an unmapped address.
  // The return to ring 3 nulled DS (DPL 1), as IRET does: reload it, then read an unmapped address.
  mem.writeBytes(0x371000, Uint8Array.of(0x66, 0xB8, 0x21, 0xE0, 0x8E, 0xD8, 0xA1, 0x00, 0x00, 0x00, 0x10)); // mov ax, 0xe021; mov ds, ax; mov eax, [0x10000000]
  [0, 0xC0371000, 0xE019, 0x202].forEach((w, k) => mem.write32(SCRATCH + 0x300 + k * 4, w));
  cpu.cpl = 1;
  cpu.reg32[ESP] = va(SCRATCH + 0x300);
  m.hypercall(23);
  m.vm.run(5);
  assert.equal(cpu.eip >>> 0, HANDLER);
  assert.equal(m.events.filter((e): e is TrapEvent => e.kind === 'trap').map((e) => e.vector).join(), '14');
  assert.equal(mem.read32(m.pv.domain.region.sharedInfo + SharedInfoOffset.cr2) >>> 0, 0x10000000);
  assert.deepEqual(frame(m, 3), [0, 0xC0371006, 0xE019]);
});
