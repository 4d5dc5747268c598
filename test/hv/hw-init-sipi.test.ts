// INIT (3) and SIPI (4) exits under the hw strategy: each application processor the Vm parks with
// INIT or starts with START-UP reports the exit on its own vCPU (SIPI with the vector), before the
// Vm acts; a START-UP to a running AP and IPIs to the BSP exit nowhere. Synthetic IPIs and guests/smp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { CS } from '../../engine/cpu/registers.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import { handleExit } from '../../engine/hv/hw/exit-handler.js';
import type { VmEvent } from '../../engine/hv/vm-event.js';

const ICR_LO = 0x300, ICR_HI = 0x310, STARTUP = 6 << 8, INIT = 5 << 8, ASSERT = 1 << 14;

/** vCPU, reason and (SIPI) vector of every INIT/SIPI exit, in order. */
interface Signal { vcpu: number; reason: number; cause: string; vector?: number }
const signals = (events: VmEvent[]): Signal[] => events.flatMap((e): Signal[] => {
  if (e.kind !== 'exit') return [];
  if (e.reason === ExitReason.Sipi) return [{ vcpu: e.vcpu, reason: e.reason, cause: e.cause, vector: e.vector }];
  return e.reason === ExitReason.Init ? [{ vcpu: e.vcpu, reason: e.reason, cause: e.cause }] : [];
});

test('INIT then START-UP to an AP: an INIT exit and a SIPI exit (vector 8) on that vCPU; a second START-UP and an INIT to the BSP do not exit', () => {
  const vm = new Vm({ memoryBytes: 4 << 20, cpus: 2 });
  vm.memory.writeBytes(0x7000, Uint8Array.of(0xEB, 0xFE));          // BSP: jmp $
  vm.memory.writeBytes(0x8000, Uint8Array.of(0x90, 0xEB, 0xFE));    // AP: nop; jmp $
  vm.cpu.loadRealSegment(CS, 0);
  vm.cpu.eip = 0x7000;
  const events: VmEvent[] = [];
  vm.onEvent.event((e) => events.push(e));
  const ipi = (low: number, dest: number) => { vm.platform.lapic.write(ICR_HI, 4, dest << 24); vm.platform.lapic.write(ICR_LO, 4, low); };
  ipi(INIT | ASSERT, 0);                 // to the BSP: ignored
  ipi(INIT | ASSERT, 1);
  ipi(STARTUP | ASSERT | 0x08, 1);
  ipi(STARTUP | ASSERT | 0x09, 1);       // the AP already runs: ignored
  vm.run(2_000);
  assert.deepEqual(signals(events), [
    { vcpu: 1, reason: ExitReason.Init, cause: 'unconditional' },
    { vcpu: 1, reason: ExitReason.Sipi, cause: 'unconditional', vector: 8 },
  ]);
  assert.equal(vm.vcpus[1].strategy.exitCounts.get(ExitReason.Init), 1);
  assert.equal(vm.vcpus[1].strategy.exitCounts.get(ExitReason.Sipi), 1);
  assert.equal(vm.vcpus[0].strategy.exitCounts.get(ExitReason.Init), undefined);
  assert.equal(vm.vcpus[1].cpu.segSel[CS], 0x0800, 'the AP started at the first vector');
  const sipi = events.find((e) => e.kind === 'exit' && e.reason === ExitReason.Sipi);
  assert.ok(sipi?.kind === 'exit');
  assert.deepEqual(handleExit({ interruptsEnabled: false, cpl: 0, eax: 0 }, sipi), { action: 'resume', emulated: 'SIPI: vCPU starts at 0x800:0000' });
});

test('guests/smp with 3 vCPUs: each AP exits once for INIT and once for the first SIPI (vector 8), the BSP never', () => {
  const vm = new Vm({ memoryBytes: 16 << 20, cpus: 3 });
  loadMultiboot(vm, readFileSync(join(__dirname, '../../guests/smp/kernel.elf')), 'smp', { append: 'cpus=3', modules: [] });
  const events: VmEvent[] = [];
  vm.onEvent.event((e) => events.push(e));
  let serial = '';
  vm.onOutput.event((o) => { serial += Buffer.from(o.bytes).toString('latin1'); });
  for (let k = 0; k < 100 && !serial.includes('SMP OK'); k++) vm.run(1_000_000);
  assert.match(serial, /SMP OK 3 CPUs/);
  const seen = signals(events);
  for (const vcpu of [1, 2]) {
    assert.deepEqual(seen.filter((s) => s.vcpu === vcpu), [
      { vcpu, reason: ExitReason.Init, cause: 'unconditional' },
      { vcpu, reason: ExitReason.Sipi, cause: 'unconditional', vector: 8 },
    ]);
  }
  assert.equal(seen.length, 4, 'no INIT/SIPI exit on the BSP, none for the second START-UP');
});
