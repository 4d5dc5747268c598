// Differential CPU test: random instruction sequences run in QEMU (qemu-system-i386, TCG) and in
// hvdbg's engine from the same state; every disagreement must have a documented explanation.
// Reproduce or widen with `npm run differential -- --count N --seed S`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qemuVersion } from '../../scripts/differential/qemu.js';
import { describe, summaryLine } from '../../scripts/differential/report.js';
import { runDifferential } from '../../scripts/differential/run.js';
import { AGREEMENT_THRESHOLD, TEST_COUNT, TEST_SEED } from '../../scripts/differential/thresholds.js';

const installed = qemuVersion() !== undefined;

test(`hvdbg agrees with QEMU on ${TEST_COUNT} random instructions (seed ${TEST_SEED})`, {
  timeout: 180_000,
  skip: installed ? false : 'qemu-system-i386 is not installed: apt-get install qemu-system-x86 (.ci/run installs it)',
}, async () => {
  const result = await runDifferential({ count: TEST_COUNT, seed: TEST_SEED, batch: 2500 });
  const rate = result.agree / result.count;
  const unexplained = result.disagreements.filter((d) => d.explanations.length === 0);
  const shown = unexplained.slice(0, 5).map((d) => describe(d, '  ')).join('\n');
  assert.equal(unexplained.length, 0,
    `${summaryLine(result)}; ${unexplained.length} disagreement(s) without a documented explanation ` +
    `(npm run differential -- --count ${TEST_COUNT} --seed ${TEST_SEED} --batch 2500):\n${shown}`);
  assert.ok(rate >= AGREEMENT_THRESHOLD,
    `${summaryLine(result)}: below the documented threshold of ${(AGREEMENT_THRESHOLD * 100).toFixed(0)} %`);
});

test('the generator is deterministic: the same seed gives the same instructions', async () => {
  const { generateCases } = await import('../../scripts/differential/generator.js');
  const { Rng } = await import('../../scripts/differential/rng.js');
  const a = generateCases(new Rng(7), 0, 200), b = generateCases(new Rng(7), 0, 200);
  assert.deepEqual(a.map((c) => c.bytes), b.map((c) => c.bytes));
  assert.deepEqual(a.map((c) => c.regs), b.map((c) => c.regs));
});
