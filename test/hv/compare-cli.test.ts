// The CLI side of the strategies: `hvdbg run --strategy … --stats` and `hvdbg compare`, run as a user
// runs them (dist/cli.js), including the errors for a bad strategy name and a kernel a strategy refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/cli-process.js';

const TOUR = 'guests/exits-tour/kernel.elf';

test('run --strategy hw --stats prints the VM-event table with modeled cost', async () => {
  const r = await runCli(['run', TOUR, '--strategy', 'hw', '--stats']);
  assert.equal(r.status, 33);
  assert.match(r.stdout.toString(), /exits-tour OK/);
  assert.match(r.stderr, /^VM events under hw: 635, modeled cost [\d,]+ cycles/m);
  assert.match(r.stderr, /^ {4}exit 30 I\/O instruction +616 /m);
  assert.match(r.stderr, /^ {4}exit 48 EPT violation +2 +28\.0K /m);
  assert.match(r.stderr, /^ {4}injected interrupt \(external\) +1 +300 /m);
});

test('run --strategy: an unknown name is a usage error naming the choices', async () => {
  const r = await runCli(['run', TOUR, '--strategy', 'vtx']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "hvdbg run: --strategy: 'vtx' is not a strategy (use hw, bt or pv)\n");
});

test('compare runs exits-tour under hw and bt: same output, exits against callouts', async () => {
  const r = await runCli(['compare', TOUR, '--strategies', 'hw,bt']);
  const out = r.stdout.toString();
  assert.equal(r.status, 0, r.stderr);
  assert.match(out, /^ {2}hw: guest wrote 0x10 to isa-debug-exit \(exit status 33\)$/m);
  assert.match(out, /^ {2}bt: guest wrote 0x10 to isa-debug-exit \(exit status 33\)$/m);
  assert.match(out, /^ {2}guest output: identical under hw, bt \(\d+ bytes\)$/m);
  assert.match(out, /^ {2}guest instructions +10,753 +10,753$/m);
  assert.match(out, /^ {2}exits +634 +0$/m);
  assert.match(out, /^ {4}exit 18 VMCALL +1 \/ 1200 +-$/m);
  assert.match(out, /^ {4}callout vmcall \(sensitive-unprivileged\) +- +1 \/ 400$/m);
});

test('compare reports a strategy that refuses the kernel and still runs the others', async () => {
  const r = await runCli(['compare', TOUR, '--strategies', 'hw,pv']);
  const out = r.stdout.toString();
  assert.equal(r.status, 1);
  assert.match(out, /^ {2}hw: guest wrote 0x10/m);
  assert.match(out, /^ {2}pv: not run — .*not a paravirtual kernel/m);
});

test('compare: bad arguments are usage errors', async () => {
  const twice = await runCli(['compare', TOUR, '--strategies', 'hw,hw']);
  assert.equal(twice.status, 2);
  assert.equal(twice.stderr, "hvdbg compare: --strategies: 'hw,hw' names a strategy twice\n");
  const small = await runCli(['compare', TOUR, '--mem', '3']);
  assert.equal(small.status, 2);
  assert.match(small.stderr, /^hvdbg compare: --mem: 3 is not a multiple of 4 KiB\n$/);
  const none = await runCli(['compare']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^hvdbg compare: one kernel file expected, got none/);
  const help = await runCli(['help', 'compare']);
  assert.match(help.stdout.toString(), /^Usage: hvdbg compare <kernel>/);
});

test('compare on the shared benchmark at ITERS=1000: hw and bt print the same checksum', async () => {
  const guest = '../shared/bench/guest';
  assert.ok(existsSync(join(guest, 'build.sh')), `${guest}/build.sh is missing: the shared directory must sit beside the repository`);
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-compare-'));
  cpSync(guest, join(dir, 'src'), { recursive: true });   // build.sh writes its objects next to itself
  const b = spawnSync('sh', [join(dir, 'src', 'build.sh'), '1000', join(dir, 'out')], { encoding: 'utf8' });
  assert.equal(b.status, 0, `building the bench guest failed:\n${b.stdout}\n${b.stderr}`);
  const r = await runCli(['compare', join(dir, 'out', 'kernel.elf'), '--strategies', 'hw,bt'], 120_000);
  const out = r.stdout.toString();
  assert.equal(r.status, 0, r.stderr);
  assert.match(out, /^ {2}hw: guest halted with interrupts disabled/m);
  assert.match(out, /^ {2}bt: guest halted with interrupts disabled/m);
  assert.match(out, /^ {2}guest output: identical under hw, bt \(57 bytes\)$/m);
  assert.match(out, /^ {4}exit 30 I\/O instruction +121 \/ 1\.45M +-$/m);
  assert.match(out, /^ {4}exit 12 HLT +1 \/ 1800 +-$/m);
});
