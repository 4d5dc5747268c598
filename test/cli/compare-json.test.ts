// The strategy comparison model (engine/hv/stats/compare.ts) on synthetic runs, compareStrategies with a
// stand-in VM, and `hvdbg compare --json` run as a user runs it: the model, the bound, a refusal, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildComparison, isStrategyComparison, reasonRows, type ComparedRun, type StrategyComparison } from '../../engine/hv/stats/compare.js';
import { VmStatistics } from '../../engine/hv/stats/vm-statistics.js';
import { BT_CALLOUT_CYCLES, HW_EXIT_CYCLES } from '../../engine/hv/stats/cost-table.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import type { VmEvent } from '../../engine/hv/vm-event.js';
import { runCli } from './cli-process.js';
import { compareStrategies, type ComparableVm } from '../../engine/hv/stats/compare-run.js';
import { Emitter } from '../../engine/util/event.js';

const TOUR = 'guests/exits-tour/kernel.elf';
const at = (eip: number) => ({ vcpu: 0, instructions: 0, cs: 8, eip, cpl: 0, mode: 'protected' as const, instructionBytes: [] });
const ioExit = (eip: number): VmEvent => ({ kind: 'exit', ...at(eip), cause: 'c', reason: ExitReason.IoInstruction,
  io: { size: 1, direction: 'out', string: false, rep: false, port: 0x3F8, value: 0x41 } });
const cpuidExit = (eip: number): VmEvent => ({ kind: 'exit', ...at(eip), cause: 'unconditional', reason: ExitReason.Cpuid, cpuid: { leaf: 0, subleaf: 0 } });
const callout = (mnemonic: string): VmEvent => ({ kind: 'callout', ...at(0x2000), mnemonic, sensitivity: 'privileged', why: 'test' });

function statsOf(strategy: string, events: VmEvent[]): VmStatistics {
  const s = new VmStatistics(strategy);
  for (const e of events) s.record(e);
  return s;
}

const ran = (c: StrategyComparison, name: string) => c.strategies.find((s) => s.strategy === name) as ComparedRun;

test('the comparison model: per strategy stop, instructions, output equality and reasons with cycles', () => {
  const hw = statsOf('hw', [ioExit(0x1000), ioExit(0x1004), cpuidExit(0x1008)]);
  const bt = statsOf('bt', [callout('out'), callout('out'), callout('cli')]);
  const c = buildComparison('k.elf', [
    { ok: true, run: { strategy: 'hw', stats: hw, instructions: 1000, stop: 'halted', output: 'hello' } },
    { ok: true, run: { strategy: 'bt', stats: bt, instructions: 1000, stop: 'halted', output: 'hellO' } },
    { ok: false, strategy: 'pv', why: 'not a paravirtual kernel' },
  ], 5000);
  assert.equal(c.kernel, 'k.elf');
  assert.equal(c.maxInstructions, 5000);
  assert.equal(c.outputsIdentical, false);
  assert.deepEqual(c.strategies.map((s) => [s.strategy, s.ran]), [['hw', true], ['bt', true], ['pv', false]]);
  assert.deepEqual(c.strategies[2], { strategy: 'pv', ran: false, why: 'not a paravirtual kernel' });
  const h = ran(c, 'hw'), b = ran(c, 'bt');
  assert.equal(h.outputMatchesFirst, true);
  assert.equal(b.outputMatchesFirst, false);
  assert.equal(h.outputBytes, 5);
  assert.equal(h.events, 3);
  assert.equal(h.cycles, 2 * HW_EXIT_CYCLES[ExitReason.IoInstruction] + HW_EXIT_CYCLES[ExitReason.Cpuid]);
  assert.deepEqual(h.reasons.map((r) => [r.key, r.count]), [['exit:30', 2], ['exit:10', 1]]);
  assert.deepEqual(b.reasons.map((r) => [r.key, r.count, r.cycles]),
    [['callout:out', 2, 2 * BT_CALLOUT_CYCLES.device], ['callout:cli', 1, BT_CALLOUT_CYCLES.inline]]);
  // Side by side: each reason once, a cell per strategy that ran, undefined where it had none.
  const rows = reasonRows(c);
  assert.deepEqual(rows.map((r) => r.key), ['callout:out', 'exit:30', 'exit:10', 'callout:cli']);
  assert.deepEqual(rows[1].cells, [{ strategy: 'hw', count: 2, cycles: 2 * HW_EXIT_CYCLES[ExitReason.IoInstruction] }, undefined]);
  assert.equal(rows[0].cells[0], undefined);
  // Round trip through JSON, as the extension reads it.
  assert.ok(isStrategyComparison(JSON.parse(JSON.stringify(c))));
  assert.equal(isStrategyComparison({ version: 1, kernel: 'k', strategies: [{ strategy: 'hw', ran: true }] }), false);
  assert.equal(isStrategyComparison('text'), false);
});

test('the model with identical output and no bound; no strategy ran', () => {
  const same = buildComparison('k', [
    { ok: true, run: { strategy: 'hw', stats: statsOf('hw', []), instructions: 7, stop: 's', output: 'x' } },
    { ok: true, run: { strategy: 'bt', stats: statsOf('bt', []), instructions: 7, stop: 's', output: 'x' } },
  ]);
  assert.equal(same.outputsIdentical, true);
  assert.equal(same.maxInstructions, null);
  assert.deepEqual(reasonRows(same), []);
  const none = buildComparison('k', [{ ok: false, strategy: 'pv', why: 'no' }]);
  assert.equal(none.outputsIdentical, true);
  assert.deepEqual(reasonRows(none), []);
});

/** A stand-in VM: running it reports the events and output its strategy was given. */
class FakeVm implements ComparableVm {
  readonly onEvent = new Emitter<VmEvent>();
  readonly onOutput = new Emitter<{ bytes: Uint8Array }>();
  instructions = 0;
  constructor(readonly events: VmEvent[], readonly text: string) {}
}

test('compareStrategies runs each strategy on a fresh VM, captures events and output, and records refusals', async () => {
  const made: FakeVm[] = [];
  const { model, results } = await compareStrategies('k.elf', ['hw', 'pv', 'bt'], {
    prepare(strategy) {
      if (strategy === 'pv') return { refused: 'not a paravirtual kernel' };
      const vm = strategy === 'hw' ? new FakeVm([ioExit(0x10), cpuidExit(0x20)], 'hi\xe9') : new FakeVm([callout('cli')], 'hi\xe9');
      made.push(vm);
      return vm;
    },
    async run(vm) {
      for (const e of vm.events) vm.onEvent.fire(e);
      vm.onOutput.fire({ bytes: Uint8Array.from([...vm.text].map((ch) => ch.charCodeAt(0))) });
      vm.instructions = 1234;
      return `${vm.events.length} events`;
    },
  }, 1234);
  assert.equal(made.length, 2);
  assert.deepEqual(model.strategies.map((s) => s.strategy), ['hw', 'pv', 'bt']);
  assert.deepEqual(model.strategies[1], { strategy: 'pv', ran: false, why: 'not a paravirtual kernel' });
  const hw = ran(model, 'hw'), bt = ran(model, 'bt');
  assert.deepEqual([hw.stop, hw.instructions, hw.events, hw.outputBytes], ['2 events', 1234, 2, 3]);
  assert.equal(hw.cycles, HW_EXIT_CYCLES[ExitReason.IoInstruction] + HW_EXIT_CYCLES[ExitReason.Cpuid]);
  assert.deepEqual(bt.reasons.map((r) => [r.key, r.cycles]), [['callout:cli', BT_CALLOUT_CYCLES.inline]]);
  assert.equal(model.outputsIdentical, true);
  assert.equal(model.maxInstructions, 1234);
  // The listeners are gone after the run: later events do not change the statistics.
  assert.equal(made[0].onEvent.hasListeners, false);
  assert.equal(made[0].onOutput.hasListeners, false);
  made[0].onEvent.fire(ioExit(0x30));
  assert.equal(results[0].ok && results[0].run.stats.events, 2);
});

test('compare --json prints the model: exits-tour under hw and bt', async () => {
  const r = await runCli(['compare', TOUR, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const c = JSON.parse(r.stdout.toString()) as StrategyComparison;
  assert.ok(isStrategyComparison(c));
  assert.equal(c.kernel, TOUR);
  assert.equal(c.outputsIdentical, true);
  const hw = ran(c, 'hw'), bt = ran(c, 'bt');
  for (const s of [hw, bt]) {
    assert.equal(s.stop, 'guest wrote 0x10 to isa-debug-exit (exit status 33)');
    assert.equal(s.instructions, 10_753);
    assert.equal(s.cycles, s.reasons.reduce((n, x) => n + x.cycles, 0));
    assert.equal(s.events, s.reasons.reduce((n, x) => n + x.count, 0));
  }
  assert.ok(hw.outputBytes > 0);
  assert.equal(hw.outputBytes, bt.outputBytes);
  assert.deepEqual(hw.reasons.find((x) => x.key === 'exit:30'), { key: 'exit:30', kind: 'exit', label: 'exit 30 I/O instruction', count: 616, cycles: 616 * HW_EXIT_CYCLES[ExitReason.IoInstruction] });
  assert.equal(bt.reasons.filter((x) => x.kind === 'exit').length, 0);
  assert.deepEqual(bt.reasons.find((x) => x.key === 'callout:vmcall'), { key: 'callout:vmcall', kind: 'callout', label: 'callout vmcall (sensitive-unprivileged)', count: 1, cycles: BT_CALLOUT_CYCLES.monitor });
});

test('compare --json --max-instructions bounds every run exactly; a refused strategy is in the model with status 1', async () => {
  const bounded = await runCli(['compare', TOUR, '--json', '--max-instructions', '4000', '--strategies', 'bt,hw']);
  assert.equal(bounded.status, 0, bounded.stderr);
  const c = JSON.parse(bounded.stdout.toString()) as StrategyComparison;
  assert.equal(c.maxInstructions, 4000);
  assert.deepEqual(c.strategies.map((s) => s.strategy), ['bt', 'hw']);
  for (const s of c.strategies as ComparedRun[]) {
    assert.equal(s.instructions, 4000);
    assert.match(s.stop, /4,?000/);
  }
  const refused = await runCli(['compare', TOUR, '--json', '--strategies', 'hw,pv']);
  assert.equal(refused.status, 1);
  const m = JSON.parse(refused.stdout.toString()) as StrategyComparison;
  assert.equal(ran(m, 'hw').ran, true);
  const pv = m.strategies[1];
  assert.equal(pv.ran, false);
  assert.match(pv.ran ? '' : pv.why, /not a paravirtual kernel/);
});

test('compare --json: a missing kernel is a clear error on stderr, nothing on stdout', async () => {
  const r = await runCli(['compare', 'no/such/kernel.elf', '--json']);
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /no\/such\/kernel\.elf/);
});
