// `hvdbg run --audit`: the virtualization-hole audit's tally printed before the summary, under the
// default strategy; a guest without sensitive-unprivileged instructions says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAuditSummary } from '../../../src/cli/audit-summary.js';
import { parseRunOptions } from '../../../src/cli/run-options.js';
import { runCli } from '../../cli/cli-process.js';

test('--audit is a flag of hvdbg run (absent by default)', () => {
  assert.equal((parseRunOptions(['k.elf', '--audit']) as { audit?: boolean }).audit, true);
  assert.equal((parseRunOptions(['k.elf']) as { audit?: boolean }).audit, undefined);
  assert.throws(() => parseRunOptions(['k.elf', '--audit=yes']), /--audit/);
});

test('the tally: one line per mnemonic with counts and the first finding', () => {
  assert.deepEqual(formatAuditSummary([
    { mnemonic: 'popfd', executions: 10, findings: 5, firstProblem: 'POPFD: IF change (0→1) silently ignored at CPL 1', firstEip: 0x1021b4 },
    { mnemonic: 'verr', executions: 2, findings: 0 },
  ]), [
    'audit: sensitive-unprivileged instructions and what trap-and-emulate (kernel at ring 1) would get wrong',
    '  popfd        10 run         5 wrong  first at 0x1021b4: POPFD: IF change (0→1) silently ignored at CPL 1',
    '  verr          2 run         0 wrong',
  ]);
  assert.deepEqual(formatAuditSummary([]).slice(1), ['  (the guest ran no sensitive-unprivileged instruction)']);
});

test('hvdbg run guests/bt-holes/kernel.elf --audit prints the findings before the summary', async () => {
  const r = await runCli(['run', 'guests/bt-holes/kernel.elf', '--audit']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.toString('latin1'), /bt-holes: 84 passed, 0 failed\n/);
  assert.match(r.stderr, /^audit: sensitive-unprivileged instructions and what trap-and-emulate \(kernel at ring 1\) would get wrong$/m);
  assert.match(r.stderr, /^ {2}popfd +10 run +5 wrong {2}first at 0x[0-9a-f]+: POPFD: IF change \(0→1\) silently ignored at CPL 1$/m);
  assert.match(r.stderr, /^ {2}sgdt +2 run +2 wrong {2}first at 0x[0-9a-f]+: SGDT returns the monitor's GDTR/m);
  assert.match(r.stderr, /^ {2}verr +2 run +0 wrong$/m);
  assert.ok(r.stderr.indexOf('audit:') < r.stderr.indexOf('exit status'), 'the audit comes before the summary');
});
