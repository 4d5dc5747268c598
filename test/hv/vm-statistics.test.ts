// VM statistics on synthetic events: grouping by kind and reason, counts, first/last and top sites,
// the modeled cost from the cost table, and the text tables of `run --stats` and `compare`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VmStatistics, topSites } from '../../engine/hv/stats/vm-statistics.js';
import { HW_EXIT_CYCLES, BT_CALLOUT_CYCLES, PV_HYPERCALL_CYCLES, PV_CONSOLE_IO_CYCLES, TRAP_CYCLES, modeledCycles } from '../../engine/hv/stats/cost-table.js';
import { formatComparison, formatStatistics, shortCycles } from '../../engine/hv/stats/format.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import type { VmEvent } from '../../engine/hv/vm-event.js';
import { Emitter } from '../../engine/util/event.js';

const at = (eip: number, instructions = 0) => ({ vcpu: 0, instructions, cs: 8, eip, cpl: 0, mode: 'protected' as const, instructionBytes: [] });
const out = (eip: number, instructions: number): VmEvent => ({ kind: 'exit', ...at(eip, instructions), cause: 'c', reason: ExitReason.IoInstruction,
  io: { size: 1, direction: 'out', string: false, rep: false, port: 0x3F8, value: 0x41 } });
const cpuid = (eip: number): VmEvent => ({ kind: 'exit', ...at(eip), cause: 'unconditional', reason: ExitReason.Cpuid, cpuid: { leaf: 0, subleaf: 0 } });

test('groups by kind and reason with count, first and last site, top sites and modeled cycles', () => {
  const stats = new VmStatistics('hw');
  for (const [eip, n] of [[0x1000, 1], [0x2000, 2], [0x1000, 3], [0x1000, 4], [0x3000, 5]] as const) stats.record(out(eip, n));
  stats.record(cpuid(0x4000));
  assert.equal(stats.events, 6);
  const io = stats.groups.get('exit:30')!;
  assert.equal(io.label, 'exit 30 I/O instruction');
  assert.equal(io.count, 5);
  assert.deepEqual(io.first, { vcpu: 0, cs: 8, eip: 0x1000, instructions: 1 });
  assert.deepEqual(io.last, { vcpu: 0, cs: 8, eip: 0x3000, instructions: 5 });
  assert.deepEqual(topSites(io, 2), [{ cs: 8, eip: 0x1000, count: 3 }, { cs: 8, eip: 0x2000, count: 1 }]);
  assert.equal(io.cycles, 5 * HW_EXIT_CYCLES[ExitReason.IoInstruction]);
  assert.equal(stats.cycles, io.cycles + HW_EXIT_CYCLES[ExitReason.Cpuid]);
  assert.deepEqual(stats.byCost().map((g) => g.key), ['exit:30', 'exit:10']);
  assert.equal(stats.countOf('exit'), 6);
  assert.equal(stats.countOf('callout'), 0);
});

test('the cost table prices callouts by how the monitor handles them, hypercalls, traps, and audits at zero', () => {
  const site = at(0x5000);
  assert.equal(modeledCycles({ kind: 'callout', ...site, mnemonic: 'popf', sensitivity: 'sensitive-unprivileged', why: 'IF' }), BT_CALLOUT_CYCLES.inline);
  assert.equal(modeledCycles({ kind: 'callout', ...site, mnemonic: 'lgdt', sensitivity: 'privileged', why: 'GDTR' }), BT_CALLOUT_CYCLES.monitor);
  assert.equal(modeledCycles({ kind: 'callout', ...site, mnemonic: 'out', sensitivity: 'privileged', why: 'I/O' }), BT_CALLOUT_CYCLES.device);
  assert.equal(modeledCycles({ kind: 'hypercall', ...site, number: 29, name: 'sched_op', args: [], result: 0, via: 'int82' }), PV_HYPERCALL_CYCLES);
  assert.equal(modeledCycles({ kind: 'hypercall', ...site, number: 18, name: 'console_io', args: [], result: 0, via: 'int82' }), PV_CONSOLE_IO_CYCLES);
  assert.equal(modeledCycles({ kind: 'trap', ...site, vector: 13, detail: 'cli at ring 1', outcome: 'emulated' }), TRAP_CYCLES);
  assert.equal(modeledCycles({ kind: 'audit', ...site, mnemonic: 'popf', problem: 'IF ignored' }), 0);
  assert.equal(modeledCycles({ kind: 'exit', ...site, cause: 'x', reason: ExitReason.Init }), 1_500, 'reasons without a row use the default');
});

test('observe() follows an event source until it is stopped', () => {
  const source = { onEvent: new Emitter<VmEvent>() };
  const stats = new VmStatistics('hw');
  const stop = stats.observe(source);
  source.onEvent.fire(cpuid(0x10));
  stop();
  source.onEvent.fire(cpuid(0x20));
  assert.equal(stats.events, 1);
});

test('the --stats table and the side-by-side comparison', () => {
  const hw = new VmStatistics('hw');
  hw.record(out(0x1000, 1)); hw.record(out(0x1000, 2)); hw.record(cpuid(0x2000));
  const table = formatStatistics(hw, 1000);
  assert.equal(table[0], 'VM events under hw: 3, modeled cost 25,300 cycles (25300.0 per 1,000 guest instructions; cost table in docs/hypervisor.md)');
  assert.match(table[2], /^ {4}exit 30 I\/O instruction +2 +24\.0K +94\.9% +0008:00001000 0008:00001000 0008:00001000 ×2$/);
  assert.match(table[3], /^ {4}exit 10 CPUID +1 +1300 +5\.1% /);
  const bt = new VmStatistics('bt');
  bt.record({ kind: 'callout', ...at(0x1000), mnemonic: 'out', sensitivity: 'privileged', why: 'I/O' });
  const lines = formatComparison([
    { strategy: 'hw', stats: hw, instructions: 1000, stop: 'halted', output: 'hi\n' },
    { strategy: 'bt', stats: bt, instructions: 1000, stop: 'halted', output: 'hi\n' },
  ], 'k.elf');
  assert.equal(lines[0], 'hvdbg compare k.elf');
  assert.deepEqual(lines.slice(1, 4), ['  hw: halted', '  bt: halted', '  guest output: identical under hw, bt (3 bytes)']);
  assert.match(lines.find((l) => l.includes('modeled cycles'))!, /25,300 +12,000$/);
  assert.match(lines.find((l) => l.includes('exit 30'))!, /2 \/ 24\.0K +-$/);
  assert.match(lines.find((l) => l.includes('callout out'))!, /- +1 \/ 12\.0K$/);
  const differ = formatComparison([
    { strategy: 'hw', stats: hw, instructions: 1, stop: 'halted', output: 'a' },
    { strategy: 'bt', stats: bt, instructions: 1, stop: 'halted', output: 'b' },
  ], 'k.elf');
  assert.ok(differ.includes('  guest output: DIFFERS: bt printed something other than hw'));
  assert.deepEqual([shortCycles(950), shortCycles(12_300), shortCycles(4_560_000), shortCycles(1.2e9)], ['950', '12.3K', '4.56M', '1.20G']);
});
