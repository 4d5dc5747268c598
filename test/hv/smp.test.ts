// SMP: application processors stay parked until their local APIC receives INIT then START-UP, start
// in real mode at (vector × 0x100):0000, INIT parks them again; the run loop interleaves the running
// vCPUs in fixed quanta of retired instructions, identically however the host slices the run;
// instructions and exits are summed over the vCPUs; halted vCPUs sleep until an interrupt for them;
// fw_cfg and CPUID report the count and APIC IDs; and the guests/smp kernel brings up 1–3 application
// processors from the CLI (--cpus 9 is refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm, SMP_QUANTUM, MAX_CPUS } from '../../engine/hv/vm.js';
import { CS } from '../../engine/cpu/registers.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import { runCli } from '../cli/cli-process.js';

const ICR_LO = 0x300, ICR_HI = 0x310;
const INIT = 5 << 8, STARTUP = 6 << 8, ASSERT = 1 << 14, ALL_BUT_SELF = 3 << 18;

/** Real-mode code: mov al, ch; then forever out 0xE9, al (one debugcon byte every two instructions). */
const printLoop = (ch: string) => Uint8Array.of(0xB0, ch.charCodeAt(0), 0xE6, 0xE9, 0xEB, 0xFC);

/**
 * A machine of `cpus` vCPUs whose BSP runs printLoop('0') at 0000:7000 in real mode, and whose
 * memory holds printLoop('1') at 0x8000, printLoop('2') at 0x9000 and printLoop('3') at 0xA000.
 */
function machine(cpus: number) {
  const vm = new Vm({ memoryBytes: 4 << 20, cpus });
  vm.memory.writeBytes(0x7000, printLoop('0'));
  vm.memory.writeBytes(0x8000, printLoop('1'));
  vm.memory.writeBytes(0x9000, printLoop('2'));
  vm.memory.writeBytes(0xA000, printLoop('3'));
  vm.cpu.loadRealSegment(CS, 0);
  vm.cpu.eip = 0x7000;
  let out = '';
  vm.onOutput.event((o) => { out += String.fromCharCode(...o.bytes); });
  // The BSP's local APIC sends the IPIs the way a guest's ICR write would.
  const ipi = (low: number, dest = 0) => { vm.platform.lapic.write(ICR_HI, 4, dest << 24); vm.platform.lapic.write(ICR_LO, 4, low); };
  return { vm, ipi, get out() { return out; } };
}

test('one local APIC per vCPU on the APIC bus, APIC ID = vCPU index; fw_cfg reports the count', () => {
  const { vm } = machine(4);
  assert.equal(vm.cpus.length, 4);
  assert.equal(vm.cpu, vm.cpus[0]);
  assert.deepEqual(vm.platform.lapics.map((a) => a.id), [0, 1, 2, 3]);
  assert.equal(vm.platform.apicBus.apics.length, 4);
  assert.equal(vm.platform.lapic, vm.platform.lapics[0]);
  assert.equal(vm.platform.lapics[0].readApicBase() & 0x100n, 0x100n, 'BSP flag on vCPU 0');
  assert.equal(vm.platform.lapics[1].readApicBase() & 0x100n, 0n, 'no BSP flag on an AP');
  vm.io.write(0x510, 2, 0x05);   // FW_CFG_NB_CPUS
  assert.equal(vm.io.read(0x511, 1) | (vm.io.read(0x511, 1) << 8), 4);
  assert.deepEqual(vm.vcpus.map((v) => v.state), ['running', 'wait-for-sipi', 'wait-for-sipi', 'wait-for-sipi']);
});

test('CPU counts outside 1–8 are refused', () => {
  assert.equal(MAX_CPUS, 8);
  assert.throws(() => new Vm({ memoryBytes: 4 << 20, cpus: 9 }), /at most 8 CPUs are supported/);
  assert.throws(() => new Vm({ memoryBytes: 4 << 20, cpus: 0 }), RangeError);
  assert.equal(new Vm({ memoryBytes: 4 << 20, cpus: 8 }).cpus.length, 8);
});

test('APs stay parked until INIT + START-UP; they start in real mode at vector × 0x100 : 0', () => {
  const m = machine(3);
  const { vm, ipi } = m;
  vm.run(5000);
  assert.equal(vm.cpus[1].instructions + vm.cpus[2].instructions, 0, 'parked APs retire nothing');
  assert.match(m.out, /^0+$/);
  ipi(INIT | ASSERT | ALL_BUT_SELF);
  assert.equal(vm.vcpus[1].state, 'wait-for-sipi');
  ipi(STARTUP | ASSERT | 0x08, 1);   // physical destination APIC 1
  ipi(STARTUP | ASSERT | 0x09, 2);   // and APIC 2 at another page
  for (const [k, vector] of [[1, 0x08], [2, 0x09]]) {
    const cpu = vm.cpus[k];
    assert.equal(vm.vcpus[k].state, 'running');
    assert.equal(cpu.mode, 'real');
    assert.equal(cpu.segSel[CS], vector << 8);
    assert.equal(cpu.segBase[CS], vector << 12);
    assert.equal(cpu.eip, 0);
  }
  ipi(STARTUP | ASSERT | 0x0A, 1);
  assert.equal(vm.cpus[1].segSel[CS], 0x0800, 'a second START-UP to a running AP is ignored');
  vm.run(10_000);
  assert.ok(m.out.includes('1') && m.out.includes('2'), 'both APs printed');
  // INIT parks AP 1 again; a new START-UP restarts it at 0xA000.
  ipi(INIT | ASSERT, 1);
  assert.equal(vm.vcpus[1].state, 'wait-for-sipi');
  const before = vm.cpus[1].instructions;
  const len = m.out.length;
  vm.run(10_000);
  assert.equal(vm.cpus[1].instructions, before, 'a parked AP retires nothing');
  assert.ok(!m.out.slice(len).includes('1'));
  ipi(STARTUP | ASSERT | 0x0A, 1);
  vm.run(10_000);
  assert.ok(m.out.slice(len).includes('3'), 'AP 1 runs the code at 0xA000 now');
  ipi(INIT | ASSERT, 0);
  assert.equal(vm.vcpus[0].state, 'running', 'INIT to the BSP is ignored');
});

test('running vCPUs take turns in fixed quanta; instructions and exits are summed', () => {
  const m = machine(3);
  const { vm, ipi } = m;
  ipi(INIT | ASSERT | ALL_BUT_SELF);
  ipi(STARTUP | ASSERT | 0x08, 1);
  ipi(STARTUP | ASSERT | 0x09, 2);
  vm.run(6 * SMP_QUANTUM);
  // Each quantum: (mov +) out/jmp pairs → SMP_QUANTUM / 2 bytes from one vCPU, in index order.
  const half = SMP_QUANTUM / 2;
  const expected = ['0', '1', '2', '0', '1', '2'].map((c) => c.repeat(half)).join('');
  assert.equal(m.out, expected);
  assert.equal(vm.instructions, 6 * SMP_QUANTUM);
  assert.deepEqual(vm.cpus.map((c) => c.instructions), [2 * SMP_QUANTUM, 2 * SMP_QUANTUM, 2 * SMP_QUANTUM]);
  assert.equal(vm.exitCounts.get(ExitReason.IoInstruction), 6 * half, 'I/O exits of all vCPUs');
  assert.deepEqual(vm.vcpus.map((v) => v.strategy.exitCounts.get(ExitReason.IoInstruction)), [2 * half, 2 * half, 2 * half]);
});

test('interleaving is deterministic: identical output however the run is sliced', () => {
  const outputs: string[] = [];
  for (const slices of [[50_000], [1, 999, 7, 12_345, 36_648], [333, 333, 333, 49_001]]) {
    const m = machine(4);
    m.ipi(INIT | ASSERT | ALL_BUT_SELF);
    for (const k of [1, 2, 3]) m.ipi(STARTUP | ASSERT | (0x07 + k), k);
    for (const s of slices) m.vm.run(s);
    assert.equal(m.vm.instructions, 50_000);
    outputs.push(m.out);
  }
  assert.equal(outputs[1], outputs[0]);
  assert.equal(outputs[2], outputs[0]);
  for (const c of '0123') assert.ok(outputs[0].includes(c));
});

test('halted vCPUs are skipped; the run ends halted once every vCPU is halted with interrupts off or parked', () => {
  const vm = new Vm({ memoryBytes: 4 << 20, cpus: 3 });
  vm.memory.writeBytes(0x7000, Uint8Array.of(0xFA, 0xF4));                 // BSP: cli; hlt
  vm.memory.writeBytes(0x8000, Uint8Array.of(0xFA, 0xB9, 0x00, 0x10, 0xE2, 0xFE, 0xF4));   // AP: cli; mov cx, 0x1000; loop $; hlt
  vm.cpu.loadRealSegment(CS, 0);
  vm.cpu.eip = 0x7000;
  vm.platform.lapic.write(ICR_HI, 4, 1 << 24);
  vm.platform.lapic.write(ICR_LO, 4, INIT | ASSERT);
  vm.platform.lapic.write(ICR_LO, 4, STARTUP | ASSERT | 0x08);
  const stop = vm.run(1_000_000);
  assert.equal(stop?.kind, 'halted');
  assert.equal(vm.cpus[0].instructions, 2);
  assert.equal(vm.cpus[1].instructions, 2 + 0x1000 + 1);
  assert.equal(vm.cpus[2].instructions, 0);
  assert.equal(vm.instructions, 2 + 2 + 0x1000 + 1);
});

test('guests/smp: --cpus 2 brings up APIC ID 1 → "SMP OK 2 CPUs", exit status 33', async () => {
  const r = await runCli(['run', 'guests/smp/kernel.elf', '--cpus', '2', '--append', 'cpus=2', '--timeout', '30']);
  const out = r.stdout.toString('latin1');
  assert.equal(out, 'SMP: BSP APIC ID 0, 2 CPUs (cmdline)\nCPU 1 up\nSMP OK 2 CPUs\n', r.stderr);
  assert.equal(r.status, 33, r.stderr);
});

test('guests/smp: --cpus 4 brings up APIC IDs 1–3, each printing from its own CPU; the CPU count also comes from fw_cfg', async () => {
  const r = await runCli(['run', 'guests/smp/kernel.elf', '--cpus', '4', '--append', 'cpus=4', '--timeout', '30', '--json']);
  const out = r.stdout.toString('latin1');
  for (const id of [1, 2, 3]) assert.ok(out.includes(`CPU ${id} up\n`), `line for APIC ID ${id}: ${out}`);
  assert.ok(out.endsWith('SMP OK 4 CPUs\n'), out);
  assert.equal(r.status, 33, r.stderr);
  const again = await runCli(['run', 'guests/smp/kernel.elf', '--cpus', '4', '--append', 'cpus=4', '--timeout', '30', '--json']);
  assert.equal(again.stdout.toString('latin1'), out, 'the same output order on a second run');
  const summary = (x: typeof r) => JSON.parse(x.stderr.trimEnd().split('\n').pop()!);
  assert.equal(summary(again).instructions, summary(r).instructions, 'the same instruction count on a second run');
  const fw = await runCli(['run', 'guests/smp/kernel.elf', '--cpus', '3', '--timeout', '30']);
  assert.ok(fw.stdout.toString('latin1').startsWith('SMP: BSP APIC ID 0, 3 CPUs (fw_cfg)\n'), fw.stdout.toString('latin1'));
  assert.ok(fw.stdout.toString('latin1').endsWith('SMP OK 3 CPUs\n'));
  assert.equal(fw.status, 33, fw.stderr);
});

test('--cpus 9 is refused before the guest starts: exit status 2', async () => {
  const r = await runCli(['run', 'guests/smp/kernel.elf', '--cpus', '9']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /at most 8 CPUs are supported/);
  assert.equal(r.stdout.length, 0);
  const zero = await runCli(['run', 'guests/smp/kernel.elf', '--cpus', '0']);
  assert.equal(zero.status, 2);
});

test('CPUID leaf 1 reports each vCPU\'s initial APIC ID in EBX[31:24]', () => {
  const vm = new Vm({ memoryBytes: 4 << 20, cpus: 3 });
  const cpuid = (k: number) => vm.vcpus[k].strategy.cpuid(1, 0, { bytes: [0x0F, 0xA2], entry: { handler: 'cpuid' } } as never);
  assert.deepEqual([0, 1, 2].map((k) => cpuid(k)[1] >>> 24), [0, 1, 2]);
  assert.equal(cpuid(2)[3], cpuid(0)[3], 'the same features');
});

test('a vCPU halted with interrupts on sleeps until an interrupt for it arrives (a fixed IPI to its local APIC)', () => {
  const vm = new Vm({ memoryBytes: 4 << 20, cpus: 2 });
  let out = '';
  vm.onOutput.event((o) => { out += String.fromCharCode(...o.bytes); });
  vm.memory.writeBytes(0x7000, Uint8Array.of(0xFA, 0xF4));                                   // BSP: cli; hlt
  vm.memory.writeBytes(0x8000, Uint8Array.of(0xFB, 0xF4, 0xB0, 0x57, 0xE6, 0xE9, 0xFA, 0xF4)); // AP: sti; hlt; 'W'; cli; hlt
  vm.memory.writeBytes(0x8100, Uint8Array.of(0xB0, 0x49, 0xE6, 0xE9, 0xCF));                 // vector 0x40: 'I'; iret
  vm.memory.writeBytes(0x40 * 4, Uint8Array.of(0x00, 0x81, 0x00, 0x00));                      // IVT[0x40] = 0000:8100
  vm.cpu.loadRealSegment(CS, 0);
  vm.cpu.eip = 0x7000;
  vm.platform.lapics[1].write(0xF0, 4, 0x1FF);   // the AP's local APIC software-enabled
  const bsp = vm.platform.lapic;
  bsp.write(ICR_HI, 4, 1 << 24);
  bsp.write(ICR_LO, 4, INIT | ASSERT);
  bsp.write(ICR_LO, 4, STARTUP | ASSERT | 0x08);
  assert.equal(vm.run(100_000), undefined, 'idle with nothing scheduled: back to the host');
  assert.equal(vm.cpus[1].instructions, 2);
  assert.equal(out, '');
  bsp.write(ICR_LO, 4, ASSERT | 0x40);           // fixed vector 0x40 to APIC 1
  const stop = vm.run(100_000);
  assert.equal(out, 'IW');
  assert.equal(stop?.kind, 'halted');
});

test('an AP that sends INIT to itself parks right after that instruction; the BSP runs on', () => {
  const vm = new Vm({ memoryBytes: 4 << 20, cpus: 2 });
  vm.memory.writeBytes(0x7000, printLoop('0'));
  // AP: print '1' ten times, then OUT to port 0xF0, which (in this test) makes its local APIC send
  // INIT to itself; real mode cannot reach the APIC page, so the port stands in for the ICR write.
  vm.memory.writeBytes(0x8000, Uint8Array.of(0xB9, 0x0A, 0x00, 0xB0, 0x31, 0xE6, 0xE9, 0xE2, 0xFA, 0xE6, 0xF0, 0xEB, 0xFE));
  vm.io.register(0xF0, 1, 'test: self-INIT', {
    read: () => 0xFF,
    write: () => vm.platform.lapics[1].write(ICR_LO, 4, INIT | ASSERT | (1 << 18)),   // shorthand: self
  });
  vm.cpu.loadRealSegment(CS, 0);
  vm.cpu.eip = 0x7000;
  let out = '';
  vm.onOutput.event((o) => { out += String.fromCharCode(...o.bytes); });
  const bsp = vm.platform.lapic;
  bsp.write(ICR_HI, 4, 1 << 24);
  bsp.write(ICR_LO, 4, INIT | ASSERT);
  bsp.write(ICR_LO, 4, STARTUP | ASSERT | 0x08);
  assert.equal(vm.run(4 * SMP_QUANTUM), undefined, 'the self-INIT does not end the run slice');
  assert.equal(vm.vcpus[1].state, 'wait-for-sipi');
  assert.equal(vm.cpus[1].instructions, 1 + 3 * 10 + 1, 'mov cx; 10 × (mov al, out, loop); out — then nothing');
  assert.equal(vm.instructions, 4 * SMP_QUANTUM, 'the rest of the budget ran on the BSP');
  assert.equal(out.replace(/0/g, ''), '1'.repeat(10));
});
