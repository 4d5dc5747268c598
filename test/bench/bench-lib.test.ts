// The bench's own logic (bench/lib/*.mjs): sizing a pair from a calibration run, the run order of
// a pair, medians, trace event counts, the command-line checks and the /proc readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Dynamic imports of computed URLs (tests run from the repository root): the .mjs modules have no type declarations.
const lib = (name: string) => import(pathToFileURL(resolve(`bench/lib/${name}.mjs`)).href);

test('sizing: the smallest ladder size whose extrapolated window reaches the target', async () => {
  const { chooseIters, estimateSeconds, ITERS_LADDER, nextLadderSize } = await lib('sizing');
  const perIteration = 7000;
  // Calibrated at 200k: 2 s, then 1,000 MIPS steady: each further 100k iterations adds 0.7 s.
  const calibration = { iters: 200_000, seconds: 2, steadyMips: 1000 };
  assert.equal(estimateSeconds(calibration, 200_000, perIteration), 2);
  assert.ok(Math.abs(estimateSeconds(calibration, 500_000, perIteration) - 4.1) < 1e-9);
  assert.equal(chooseIters(calibration, perIteration, 5).iters, 1_000_000);   // 500k: 4.1 s < 5 s
  assert.equal(chooseIters(calibration, perIteration, 4).iters, 500_000);
  assert.equal(chooseIters(calibration, perIteration, 1).iters, 100_000);     // 50k: 0.95 s < 1 s; 100k: 1.3 s
  // A calibration run that already took longer than the target (a loaded machine): its own size.
  assert.equal(chooseIters({ iters: 200_000, seconds: 6, steadyMips: 100 }, perIteration, 5).iters, 200_000);
  // Nothing reaches the target: the top of the ladder.
  assert.equal(chooseIters(calibration, perIteration, 1000).iters, ITERS_LADDER[ITERS_LADDER.length - 1]);
  assert.equal(nextLadderSize(200_000), 500_000);
  assert.equal(nextLadderSize(1_000_000), null);
});

test('debugger bench: sized so a run lasts about 4 s at the translator\'s speed', async () => {
  const { debuggerIters } = await lib('debugger-bench');
  assert.equal(debuggerIters(1154, 7087.674).iters, 1_000_000);   // 500k: 3.07 s, under the 4 s aimed at
  assert.equal(debuggerIters(200, 7087.674).iters, 200_000);      // 100k: 3.5 s; 200k: 7.1 s
  assert.equal(debuggerIters(null, 7087.674).iters, 100_000);     // no translator run: the default
});

test('sizing: instructions per iteration from two run counts', async () => {
  const { instructionsPerIteration } = await lib('sizing');
  const { perIteration, overhead } = instructionsPerIteration([{ iters: 1000, instructions: 7_195_731 }, { iters: 2000, instructions: 14_283_405 }]);
  assert.ok(Math.abs(perIteration - 7087.674) < 1e-9);
  assert.equal(Math.round(overhead), 108_057);
});

test('pairs: v86 sizes each pair, runs first in round 1, and the order rotates', async () => {
  const { definePairs, roundOrder } = await lib('pairs');
  const engines = ['hvdbg', 'hvdbg-interp', 'v86', 'v86-jit', 'qemu-tcg', 'hvdbg-trace'].map((id) => ({ id }));
  const [jit, interp] = definePairs(engines);
  assert.deepEqual(jit.members.map((e: { id: string }) => e.id), ['v86-jit', 'hvdbg', 'qemu-tcg', 'hvdbg-trace']);
  assert.equal(jit.reference.id, 'v86-jit');
  assert.deepEqual(interp.members.map((e: { id: string }) => e.id), ['v86', 'hvdbg-interp']);
  assert.deepEqual(roundOrder(jit, 1).map((e: { id: string }) => e.id), ['hvdbg', 'qemu-tcg', 'hvdbg-trace', 'v86-jit']);
  assert.deepEqual(roundOrder(interp, 1).map((e: { id: string }) => e.id), ['hvdbg-interp', 'v86']);
  // Without v86 JIT the translator sizes the JIT pair.
  const [jitOnly] = definePairs(engines.filter((e) => e.id !== 'v86-jit'));
  assert.equal(jitOnly.reference.id, 'hvdbg');
});

test('summary: medians ignore missing values', async () => {
  const { median } = await lib('summary');
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([null, 5, Number.NaN]), 5);
  assert.equal(median([]), null);
});

test('trace file: the event count from the end line, null without one', async () => {
  const { tracedEvents } = await lib('trace-file');
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-bench-trace-'));
  const finished = join(dir, 'finished.hvtrace'), cut = join(dir, 'cut.hvtrace');
  writeFileSync(finished, '# hvdbg-trace 1\n1 89626 exit io vcpu=0\n# end: halted after 7195731 instructions; 122 events\n');
  writeFileSync(cut, '# hvdbg-trace 1\n1 89626 exit io vcpu=0\n');
  assert.equal(tracedEvents(finished), 122);
  assert.equal(tracedEvents(cut), null);
  assert.equal(tracedEvents(join(dir, 'missing.hvtrace')), null);
});

test('options: bad values are refused with a message naming the option', async () => {
  const { parseOptions, UsageError } = await lib('options');
  assert.throws(() => parseOptions(['--iters', '12x'], '/repo'), (e: Error) => e instanceof UsageError && /--iters/.test(e.message));
  assert.throws(() => parseOptions(['--target-seconds', '-1'], '/repo'), (e: Error) => e instanceof UsageError && /--target-seconds/.test(e.message));
  assert.throws(() => parseOptions(['--bogus'], '/repo'), UsageError);
  const quick = parseOptions(['--quick'], '/repo');
  assert.equal(quick.iters, 1000);
  assert.equal(quick.runs, 1);
  assert.equal(quick.itersPinned, false);
  const pinned = parseOptions(['--iters', '100000', '--runs', '5'], '/repo');
  assert.deepEqual([pinned.iters, pinned.itersPinned, pinned.runs, pinned.targetSeconds], [100000, true, 5, 5]);
});

test('proc: finds a child process by name and reads its CPU time and peak RSS', async (t) => {
  const { findChildProcess, processCpuSeconds, peakRssKb } = await lib('proc');
  if (process.platform !== 'linux') { t.skip('reads Linux /proc'); return; }
  // A shell that starts a busy `sleep`-named child: the shell is the wrapper, sleep the measured process.
  const wrapper = spawn('sh', ['-c', 'sleep 5 & wait'], { stdio: 'ignore' });
  try {
    let found = null;
    for (let k = 0; k < 100 && found === null; k++) {
      found = findChildProcess(wrapper.pid, 'sleep');
      if (found === null) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(typeof found === 'number' && found !== wrapper.pid, 'the sleep child was not found');
    assert.equal(findChildProcess(wrapper.pid, 'no-such-command'), null);
    const cpu = processCpuSeconds(found);
    assert.ok(typeof cpu === 'number' && cpu >= 0);
    assert.ok(peakRssKb(found) > 0);
    assert.equal(processCpuSeconds(2 ** 22 + 12345), null);   // above pid_max's default range: no such process
  } finally {
    wrapper.kill('SIGKILL');
  }
});
