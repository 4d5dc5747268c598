// The interrupt-controller and timer guests end to end: `hvdbg run` boots guests/pic-pit and guests/rtc
// (built from source in guests/), and the user sees their self-checks pass and QEMU's exit status 33.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../cli/cli-process.js';

test('pic-pit: 10 IRQ0 ticks at 100 Hz through the remapped PIC, latch/read-back, channel 2 via port 0x61', async () => {
  const r = await runCli(['run', 'guests/pic-pit/kernel.elf', '--timeout', '20']);
  const out = r.stdout.toString('latin1');
  assert.equal(out, [
    'pic-pit guest',
    'PIC remapped to 0x20/0x28, IMR fe/ff',
    'PIT channel 0: mode 2, divisor 11932 (100 Hz)',
    'ticks: 10',
    'latched count in range, status 0x34',
    'masked IRQ0 latched in IRR, delivered after unmask',
    'channel 2 one-shot through port 0x61 done',
    'spurious IRQ7: 0',
    'PIC+PIT OK',
    '',
  ].join('\n'), `stderr: ${r.stderr}`);
  assert.equal(r.status, 33, r.stderr);
  assert.match(r.stderr, /^ +12 +HLT +10$/m, 'the guest idled in HLT between ticks');
});

test('rtc: the fixed start date in BCD and binary, memory bytes, 1024 Hz periodic and update-ended IRQ8', async () => {
  const r = await runCli(['run', 'guests/rtc/kernel.elf', '--timeout', '20']);
  const out = r.stdout.toString('latin1');
  assert.equal(out, [
    'rtc guest',
    'rtc BCD: 2026-01-01 00:00:00',
    'rtc binary: 2026-01-01 00:00:00',
    '12-hour: 12 AM',
    'cmos memory: base=640 KiB extended=64512 KiB above16M=768 x 64 KiB',
    'periodic: 64 interrupts at 1024 Hz, register C 0xc0',
    'register C cleared by reading',
    'update-ended interrupt: UF, seconds 00 -> 01',
    'RTC OK',
    '',
  ].join('\n'), `stderr: ${r.stderr}`);
  assert.equal(r.status, 33, r.stderr);
});

test('rtc with --mem 256M: the CMOS memory-size bytes follow the RAM size', async () => {
  const r = await runCli(['run', 'guests/rtc/kernel.elf', '--timeout', '20', '--mem', '256M']);
  assert.match(r.stdout.toString('latin1'), /^cmos memory: base=640 KiB extended=65535 KiB above16M=3840 x 64 KiB$/m);
  assert.equal(r.status, 33, r.stderr);
});
