// `hvdbg run --trace FILE`: the trace file holds exactly the VM exits the summary counts, ends with
// the stop reason, and bad file names give a usage error (exit status 2), not a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/cli-process.js';
import { parseTrace } from '../../engine/trace/trace-format.js';

test('hvdbg run --trace writes every VM exit of the hello guest, matching the --json summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-cli-trace-'));
  try {
    const file = join(dir, 'hello.hvtrace');
    const r = await runCli(['run', 'guests/hello/kernel.elf', '--trace', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stderr.trim().split('\n').pop()!);
    const trace = parseTrace(readFileSync(file, 'utf8'));
    assert.equal(trace.meta.get('kernel'), 'guests/hello/kernel.elf');
    assert.equal(trace.meta.get('strategy'), 'hw');
    assert.equal(trace.meta.get('end'), `halted after ${summary.instructions} instructions; ${trace.records.length} events`);
    const byReason = new Map<string, number>();
    for (const rec of trace.records) byReason.set(rec.reason, (byReason.get(rec.reason) ?? 0) + 1);
    const expected = new Map(Object.entries(summary.exits as Record<string, number>));
    assert.equal(trace.records.length, summary.exitsTotal);
    assert.deepEqual(new Map([...byReason].sort()), new Map([...expected].filter(([, n]) => n > 0).sort()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hvdbg run --trace refuses an empty name and an unwritable path with a usage error', async () => {
  const empty = await runCli(['run', 'guests/hello/kernel.elf', '--trace', '']);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /--trace: the trace file name is empty/);
  const unwritable = await runCli(['run', 'guests/hello/kernel.elf', '--trace', '/nonexistent-dir/x.hvtrace']);
  assert.equal(unwritable.status, 2);
  assert.match(unwritable.stderr, /--trace: cannot write \/nonexistent-dir\/x\.hvtrace: ENOENT/);
});
