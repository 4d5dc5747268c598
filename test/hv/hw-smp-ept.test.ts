// EPT violations under SMP are charged to the vCPU whose instruction made the MMIO access, and each
// vCPU has its own control block (changing one vCPU's controls leaves the others alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm } from '../../engine/hv/vm.js';
import { CS } from '../../engine/cpu/registers.js';
import { HwStrategy } from '../../engine/hv/hw-strategy.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import type { VmEvent } from '../../engine/hv/vm-event.js';

const ICR_LO = 0x300, ICR_HI = 0x310, STARTUP = 6 << 8, INIT = 5 << 8, ASSERT = 1 << 14;

test('an AP writing VGA memory causes an EPT violation on its own vCPU; the BSP does not', () => {
  const vm = new Vm({ memoryBytes: 4 << 20, cpus: 2 });
  // BSP at 0000:7000: jmp $ (no memory access).  AP at 0800:0000: mov ax,0xB800; mov ds,ax;
  // mov byte [2],0x41; cli; hlt.
  vm.memory.writeBytes(0x7000, Uint8Array.of(0xEB, 0xFE));
  vm.memory.writeBytes(0x8000, Uint8Array.of(0xB8, 0x00, 0xB8, 0x8E, 0xD8, 0xC6, 0x06, 0x02, 0x00, 0x41, 0xFA, 0xF4));
  vm.cpu.loadRealSegment(CS, 0);
  vm.cpu.eip = 0x7000;
  const events: VmEvent[] = [];
  vm.onEvent.event((e) => events.push(e));
  const ipi = (low: number, dest: number) => { vm.platform.lapic.write(ICR_HI, 4, dest << 24); vm.platform.lapic.write(ICR_LO, 4, low); };
  ipi(INIT | ASSERT, 1);
  ipi(STARTUP | ASSERT | 0x08, 1);
  vm.run(20_000);
  const ept = events.filter((e) => e.kind === 'exit' && e.reason === ExitReason.EptViolation);
  assert.equal(ept.length, 1);
  const [exit] = ept;
  assert.ok(exit.kind === 'exit' && exit.reason === ExitReason.EptViolation);
  assert.equal(exit.vcpu, 1);
  assert.equal(exit.cs, 0x0800);
  assert.equal(exit.eip, 5, 'the MOV at 0800:0005');
  assert.deepEqual(exit.ept, { read: false, write: true, execute: false, readable: false, writable: false, executable: false, guestPhysical: 0xB8002, size: 1, value: 0x41 });
  assert.equal(vm.vcpus[1].strategy.exitCounts.get(ExitReason.EptViolation), 1);
  assert.equal(vm.vcpus[0].strategy.exitCounts.get(ExitReason.EptViolation), undefined);
});

test('each vCPU has its own control block', () => {
  const vm = new Vm({ memoryBytes: 4 << 20, cpus: 2 });
  const [a, b] = vm.vcpus.map((v) => v.strategy);
  assert.ok(a instanceof HwStrategy && b instanceof HwStrategy);
  assert.notEqual(a.vmcs, b.vmcs);
  a.vmcs.exceptionBitmap |= 1 << 14;
  assert.equal(b.vmcs.exceptionExitCause(14), undefined);
  assert.equal(a.vmcs.ept(), b.vmcs.ept(), 'the EPT is the VM\'s, shared');
});
