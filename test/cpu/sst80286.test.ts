// Conformance gate: every SingleStepTests 80286 real-mode vector passes, except the documented
// 286-vs-P6 differences (src/cli/conformance/known-differences.ts, docs/cpu.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

test('sst80286: all vectors pass outside the documented 286/P6 differences', () => {
  assert.ok(existsSync('../shared/testdata/sst80286'), 'the shared test vectors must be present at ../shared/testdata/sst80286');
  const r = spawnSync(process.execPath, ['dist/conformance.js'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const total = /sst80286: (\d+) passed, (\d+) failed/.exec(r.stdout);
  assert.ok(total, `no total line in conformance output:\n${r.stdout}\n${r.stderr}`);
  const [passed, failed] = [Number(total[1]), Number(total[2])];
  assert.equal(failed, 0, `failing forms:\n${r.stdout.split('\n').filter((l) => l.startsWith('FAIL') || l.startsWith('  #')).join('\n')}`);
  assert.ok(passed > 60000, `only ${passed} vectors passed`);
  assert.equal(r.status, 0);
});
