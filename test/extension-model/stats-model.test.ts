// The Statistics view's rows built without VS Code: the "Strategy comparison" node from a comparison
// model, and the child-process runner the "Compare Strategies…" command uses (real dist/cli.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { buildComparison } from '../../engine/hv/stats/compare.js';
import { VmStatistics } from '../../engine/hv/stats/vm-statistics.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import type { VmEvent } from '../../engine/hv/vm-event.js';
import { COMPARISON_LABEL, comparisonTree, type StatNode } from '../../src/extension/stats-model.js';
import { compareArguments, runComparison } from '../../src/extension/stats-compare.js';
import { CLI } from '../cli/cli-process.js';

const at = { vcpu: 0, instructions: 0, cs: 8, eip: 0x1000, cpl: 0, mode: 'protected' as const, instructionBytes: [] };
const ioExit: VmEvent = { kind: 'exit', ...at, cause: 'c', reason: ExitReason.IoInstruction,
  io: { size: 1, direction: 'out', string: false, rep: false, port: 0x3F8, value: 0x41 } };
const outCallout: VmEvent = { kind: 'callout', ...at, mnemonic: 'out', sensitivity: 'privileged', why: 'I/O' };
const cliCallout: VmEvent = { kind: 'callout', ...at, mnemonic: 'cli', sensitivity: 'sensitive-unprivileged', why: 'IF' };

function stats(strategy: string, events: VmEvent[]): VmStatistics {
  const s = new VmStatistics(strategy);
  for (const e of events) s.record(e);
  return s;
}

const child = (node: StatNode, label: string): StatNode => {
  const found = node.children?.find((c) => c.label === label);
  assert.ok(found, `no row '${label}' under '${node.label}' (has ${node.children?.map((c) => c.label).join(', ')})`);
  return found;
};

test('the comparison node: one child per strategy, then per reason with count / cycles side by side', () => {
  const c = buildComparison('guests/x/kernel.elf', [
    { ok: true, run: { strategy: 'hw', stats: stats('hw', [ioExit, ioExit, ioExit]), instructions: 20_000, stop: 'guest halted', output: 'ok' } },
    { ok: true, run: { strategy: 'bt', stats: stats('bt', [outCallout, cliCallout]), instructions: 20_000, stop: 'guest halted', output: 'ok' } },
    { ok: false, strategy: 'pv', why: 'not a paravirtual kernel' },
  ], 50_000);
  const node = comparisonTree(c);
  assert.equal(node.label, COMPARISON_LABEL);
  assert.equal(node.description, 'kernel.elf · same output · ≤50,000 instructions');
  assert.deepEqual(node.children?.map((n) => n.label), ['hw', 'bt', 'pv', 'per reason']);
  const hw = child(node, 'hw');
  assert.equal(hw.description, '20,000 instructions · 3 events · 36k cycles');
  assert.equal(child(hw, 'stop').description, 'guest halted');
  assert.equal(child(hw, 'guest output').description, '2 bytes');
  assert.equal(child(hw, 'cycles per 1,000 instructions').description, '1800.0');
  assert.equal(child(hw, 'exit 30 I/O instruction').description, '3 · 36k cycles');
  assert.equal(child(node, 'bt').description, '20,000 instructions · 2 events · 12k cycles');
  assert.equal(child(node, 'pv').description, 'not run — not a paravirtual kernel');
  assert.equal(child(node, 'pv').children, undefined);
  const perReason = child(node, 'per reason');
  assert.equal(perReason.description, 'count / cycles: hw · bt');
  assert.deepEqual(perReason.children?.map((r) => [r.label, r.description]), [
    ['exit 30 I/O instruction', 'hw 3 / 36k · bt -'],
    ['callout out (privileged)', 'hw - · bt 1 / 12k'],
    ['callout cli (sensitive-unprivileged)', 'hw - · bt 1 / 30'],
  ]);
});

test('the comparison node says when output differs, and when nothing ran', () => {
  const differs = comparisonTree(buildComparison('k', [
    { ok: true, run: { strategy: 'hw', stats: stats('hw', []), instructions: 1, stop: 's', output: 'a' } },
    { ok: true, run: { strategy: 'bt', stats: stats('bt', []), instructions: 1, stop: 's', output: 'b' } },
  ]));
  assert.equal(differs.description, 'k · OUTPUT DIFFERS');
  assert.equal(child(child(differs, 'bt'), 'guest output').description, '1 bytes — differs from hw');
  const none = comparisonTree(buildComparison('k', [{ ok: false, strategy: 'pv', why: 'no' }]));
  assert.equal(none.description, 'k · no strategy ran');
  assert.deepEqual(none.children?.map((n) => n.label), ['pv']);
});

test('runComparison runs `hvdbg compare --json` in a child process and returns its model; errors name the cause', async () => {
  const request = { cli: CLI, kernel: resolve('guests/exits-tour/kernel.elf'), maxInstructions: 3000, timeoutSeconds: 30 };
  assert.deepEqual(compareArguments(request).slice(1), ['compare', request.kernel, '--json', '--max-instructions', '3000', '--timeout', '30']);
  const c = await runComparison(request);
  assert.deepEqual(c.strategies.map((s) => [s.strategy, s.ran && s.instructions]), [['hw', 3000], ['bt', 3000]]);
  const node = comparisonTree(c);
  assert.ok((child(node, 'per reason').children?.length ?? 0) > 0);
  await assert.rejects(runComparison({ ...request, kernel: resolve('no/such/kernel.elf') }), /^Error: hvdbg compare .*no\/such\/kernel\.elf: .*no\/such\/kernel\.elf/);
  await assert.rejects(runComparison({ ...request, strategies: ['hw', 'vtx'] }), /'vtx' is not a strategy/);
});
