// `hvdbg run --strategy pv`: pv-hello runs to its shutdown with exit status 0; an unmodified
// multiboot kernel under pv, and the pv kernel under hw, are refused with a message, not a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../cli/cli-process.js';

test('hvdbg run guests/pv-hello/kernel.elf --strategy pv prints its console output and shuts down', async () => {
  const r = await runCli(['run', 'guests/pv-hello/kernel.elf', '--strategy', 'pv']);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.toString('latin1');
  assert.match(out, /^pv-hello: running at ring 1, start_info "xen-3.0-x86_32", \d+ pages\n/);
  assert.match(out, /pv-hello: tick 3: woke 1001 us after arming\n/);
  assert.match(out, /pv-hello: 3 timer events, 1 IPI events; shutting down\n$/);
  assert.match(r.stderr, /^hvdbg: guest shut down: sched_op shutdown \(poweroff\)$/m);
});

test('an unmodified kernel under --strategy pv stops with a clear message (exit status 2)', async () => {
  const r = await runCli(['run', 'guests/hello/kernel.elf', '--strategy', 'pv']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /^hvdbg: guests\/hello\/kernel.elf: not a paravirtual kernel: it carries no "Xen" ELF notes/);
  assert.match(r.stderr, /run this one with --strategy hw or bt\n$/);
});

test('the pv kernel under the default hw strategy is refused with a pointer to --strategy pv', async () => {
  const r = await runCli(['run', 'guests/pv-hello/kernel.elf']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'hvdbg: guests/pv-hello/kernel.elf is a paravirtual kernel (it carries Xen ELF notes): run it with --strategy pv\n');
});
