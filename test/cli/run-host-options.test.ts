// `hvdbg run --serial-in` feeds the host's stdin to COM1 (guests/echo reads a line and prints it
// back); `--screen` prints the VGA text screen at exit (the MBR guest writes it through INT 10h);
// `--clock realtime` makes the guest's timers follow the wall clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI } from './cli-process.js';

test('--serial-in: a line typed on stdin reaches the guest through COM1', () => {
  const r = spawnSync(process.execPath, [CLI, 'run', 'guests/echo/kernel.elf', '--serial-in', '--timeout', '20'],
    { input: 'hello hvdbg\n', encoding: 'utf8', timeout: 60_000 });
  assert.match(r.stdout, /echo: got "hello hvdbg" \(11 bytes\)/);
  assert.equal(r.status, 33, r.stderr);
});

test('without --serial-in the guest sees no input (it waits until the timeout)', () => {
  const r = spawnSync(process.execPath, [CLI, 'run', 'guests/echo/kernel.elf', '--timeout', '1'],
    { input: 'hello hvdbg\n', encoding: 'utf8', timeout: 60_000 });
  assert.doesNotMatch(r.stdout, /echo: got/);
  assert.equal(r.status, 3, r.stderr);
});

test('--screen prints the 80×25 text screen between rules before the summary', () => {
  const r = spawnSync(process.execPath, [CLI, 'run', '--disk', 'guests/mbr-int13/disk.img', '--screen', '--timeout', '20'],
    { encoding: 'utf8', timeout: 60_000 });
  const rule = '-'.repeat(80);
  const start = r.stderr.indexOf('hvdbg: VGA text screen at exit\n' + rule + '\n');
  assert.ok(start >= 0, r.stderr);
  const screen = r.stderr.slice(start).split('\n').slice(2);
  const end = screen.indexOf(rule);
  assert.ok(end > 0, 'the screen is closed by a rule');
  assert.match(screen.slice(0, end).join('\n'), /hvdbg mbr-int13: loading the kernel with INT 13h/);
  assert.equal(r.status, 33);
});

test('--clock realtime: the PIT ticks follow the wall clock (10 ticks at 100 Hz take ≥ 0.1 s, mostly idle)', () => {
  const r = spawnSync(process.execPath, [CLI, 'run', 'guests/pic-pit/kernel.elf', '--clock', 'realtime', '--json', '--timeout', '20'],
    { encoding: 'utf8', timeout: 60_000 });
  assert.match(r.stdout, /PIC\+PIT OK/);
  assert.equal(r.status, 33, r.stderr);
  const summary = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}');
  assert.ok(summary.wallSeconds >= 0.09, `wall ${summary.wallSeconds} s`);
  assert.ok(summary.instructions < 5_000_000, `a realtime guest idles in HLT instead of retiring ${summary.instructions} instructions`);
});
