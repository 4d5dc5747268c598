// CMOS RTC on virtual time: calendar reads in BCD/binary and 12/24 h, periodic/update/alarm
// interrupts on IRQ8 with register C, SET and divider reset, NMI mask, configuration bytes, save/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../engine/devices/io-bus.js';
import { VirtualClock } from '../../engine/platform/clock.js';
import { CmosRtc, type RtcOptions } from '../../engine/devices/cmos-rtc.js';

const S = 1_000_000_000;

/**
 * An RTC on a bus with a controllable instruction counter (1 ns each). `runTo` advances like the Vm
 * and, as an interrupt handler would, reads register C whenever IRQ8 is up; it counts the rises.
 */
function setup(options: Partial<RtcOptions> = {}) {
  const machine = { instructions: 0 };
  const clock = new VirtualClock(() => machine.instructions);
  const io = new IoBus();
  const irq = { level: false, rises: [] as number[], flags: [] as number[] };
  const rtc = new CmosRtc(clock, { ramBytes: 64 * 1024 * 1024, ...options }, {
    raise() { irq.level = true; irq.rises.push(clock.nowNs()); },
    lower() { irq.level = false; },
  });
  io.register(0x70, 2, 'RTC', rtc);
  const read = (reg: number) => { io.write(0x70, 1, reg); return io.read(0x71, 1); };
  const write = (reg: number, v: number) => { io.write(0x70, 1, reg); io.write(0x71, 1, v); };
  const runTo = (ns: number, service = true) => {
    for (;;) {
      const gap = clock.instructionsUntilNextTimer();
      if (machine.instructions + gap > ns) break;
      machine.instructions += gap;
      clock.fireDue();
      if (service && irq.level) irq.flags.push(read(0x0C));
    }
    machine.instructions = ns;
    clock.fireDue();
  };
  const time = () => [0, 2, 4, 6, 7, 8, 9, 0x32].map(read);
  return { machine, clock, io, rtc, read, write, runTo, irq, time };
}

test('power-on: 2026-01-01 00:00:00 (a Thursday) in BCD, 24-hour; A=0x26, B=0x02, D=0x80', () => {
  const r = setup();
  assert.deepEqual(r.time(), [0x00, 0x00, 0x00, 0x05, 0x01, 0x01, 0x26, 0x20]);
  assert.equal(r.read(0x0A), 0x26);
  assert.equal(r.read(0x0B), 0x02);
  assert.equal(r.read(0x0D), 0x80);
  assert.equal(r.read(0x0C), 0x00);
});

test('time follows virtual time; binary mode and 12-hour mode change the encoding', () => {
  const r = setup();
  r.runTo(13 * 3600 * S + 62 * S + S / 2);            // 13:01:02.5
  assert.deepEqual(r.time().slice(0, 3), [0x02, 0x01, 0x13]);
  r.write(0x0B, 0x06);                                // binary, 24 h
  assert.deepEqual(r.time(), [2, 1, 13, 5, 1, 1, 26, 20]);
  r.write(0x0B, 0x04);                                // binary, 12 h
  assert.equal(r.read(0x04), 0x80 | 1, '1 PM');
  r.write(0x0B, 0x00);                                // BCD, 12 h
  assert.equal(r.read(0x04), 0x81);
});

test('configurable start time; the calendar rolls over month, year, century and day of week', () => {
  const r = setup({ startTimeMs: Date.UTC(2099, 11, 31, 23, 59, 58) });
  assert.deepEqual(r.time(), [0x58, 0x59, 0x23, 0x05, 0x31, 0x12, 0x99, 0x20]);
  r.runTo(2 * S);
  assert.deepEqual(r.time(), [0x00, 0x00, 0x00, 0x06, 0x01, 0x01, 0x00, 0x21]);
});

test('periodic interrupt at rate 6: 1024 IRQ8s per virtual second when register C is read each time', () => {
  const r = setup();
  r.write(0x0B, 0x42);                                // PIE
  r.runTo(S);
  assert.equal(r.irq.rises.length, 1024);
  assert.ok(r.irq.flags.every((c) => (c & 0xC0) === 0xC0), 'IRQF|PF each time');
  const spacing = r.irq.rises[1] - r.irq.rises[0];
  assert.ok(Math.abs(spacing - 976_562.5) <= 1, `~976.6 µs apart, got ${spacing}`);
});

test('periodic rates: rate 15 is 2 Hz, rate 3 is 8192 Hz, rate 0 is off', () => {
  for (const [rate, expected] of [[15, 2], [3, 8192], [0, 0]]) {
    const r = setup();
    r.write(0x0A, 0x20 | rate);
    r.write(0x0B, 0x42);
    r.runTo(S);
    assert.equal(r.irq.rises.length, expected, `rate ${rate}`);
  }
});

test('register C: reading clears the flags and lowers IRQ8; unread, IRQ8 stays up and no new edge comes', () => {
  const r = setup();
  r.write(0x0B, 0x42);
  r.runTo(10_000_000, false);                         // 10 ms without servicing
  assert.equal(r.irq.rises.length, 1);
  assert.equal(r.irq.level, true);
  assert.equal(r.clock.instructionsUntilNextTimer(), Infinity, 'nothing scheduled while IRQ8 is up');
  assert.equal(r.read(0x0C), 0xC0);
  assert.equal(r.irq.level, false);
  assert.equal(r.read(0x0C), 0x00, 'read clears');
  r.runTo(11_000_000, false);
  assert.equal(r.irq.rises.length, 2);
});

test('flags are set without their interrupt enabled, and enabling with a flag pending raises IRQ8 at once', () => {
  const r = setup();
  r.runTo(S + 1000);
  assert.equal(r.read(0x0C), 0x50, 'PF and UF, no IRQF');
  r.runTo(2 * S + 1000);
  assert.equal(r.irq.rises.length, 0);
  r.write(0x0B, 0x12);                                // UIE with UF pending
  assert.equal(r.irq.level, true);
  assert.equal(r.read(0x0C), 0xD0);
});

test('update-ended interrupt once a second; UIP is set in the 244 µs before each update', () => {
  const r = setup();
  r.write(0x0B, 0x12);                                // UIE
  r.runTo(3 * S + 10);
  assert.deepEqual(r.irq.rises, [1, 2, 3].map((k) => k * S));
  assert.ok(r.irq.flags.every((c) => (c & 0x90) === 0x90));
  r.runTo(4 * S - 244_001);
  assert.equal(r.read(0x0A) & 0x80, 0);
  r.runTo(4 * S - 244_000);
  assert.equal(r.read(0x0A) & 0x80, 0x80);
  assert.equal(r.read(0x00), 0x03, 'the old second until the update');
  r.runTo(4 * S);
  assert.equal(r.read(0x0A) & 0x80, 0);
  assert.equal(r.read(0x00), 0x04);
});

test('alarm: AIE fires when the time matches; 0xC0..0xFF alarm bytes match anything', () => {
  const r = setup();
  r.write(0x01, 0x05); r.write(0x03, 0x00); r.write(0x05, 0x00);   // 00:00:05
  r.write(0x0B, 0x22);
  r.runTo(20 * S);
  assert.deepEqual(r.irq.rises, [5 * S]);
  assert.equal(r.irq.flags[0] & 0xA0, 0xA0);
  r.write(0x01, 0x30); r.write(0x03, 0xFF); r.write(0x05, 0xFF);   // every minute at :30
  r.runTo(150 * S);
  assert.deepEqual(r.irq.rises, [5, 30, 90, 150].map((s) => s * S));
});

test('SET stops the calendar for writing; clearing it resumes from the written time', () => {
  const r = setup();
  r.runTo(10 * S);
  r.write(0x0B, 0x82);                                // SET
  r.write(0x00, 0x30); r.write(0x02, 0x45); r.write(0x04, 0x12);
  r.write(0x07, 0x29); r.write(0x08, 0x02); r.write(0x09, 0x28);   // 2028-02-29 (leap day) 12:45:30
  r.write(0x06, 0x03);
  r.runTo(15 * S);
  assert.deepEqual(r.time(), [0x30, 0x45, 0x12, 0x03, 0x29, 0x02, 0x28, 0x20], 'frozen while SET');
  assert.equal(r.read(0x0A) & 0x80, 0, 'no UIP while SET');
  r.write(0x0B, 0x02);
  r.runTo(17 * S);
  assert.deepEqual(r.time(), [0x32, 0x45, 0x12, 0x03, 0x29, 0x02, 0x28, 0x20]);
});

test('SET clears UIE; writing a time register while running moves the calendar', () => {
  const r = setup();
  r.write(0x0B, 0x92);
  assert.equal(r.read(0x0B), 0x82);
  r.write(0x0B, 0x02);
  r.write(0x04, 0x22);
  r.runTo(S);
  assert.deepEqual(r.time().slice(0, 3), [0x01, 0x00, 0x22]);
});

test('divider reset (DV=110) holds time; restarting the divider gives the first update 500 ms later', () => {
  const r = setup();
  r.write(0x0A, 0x66);
  r.runTo(5 * S);
  assert.equal(r.read(0x00), 0x00);
  r.write(0x0A, 0x26);
  r.runTo(5 * S + S / 2 - 1);
  assert.equal(r.read(0x00), 0x00);
  r.runTo(5 * S + S / 2);
  assert.equal(r.read(0x00), 0x01);
});

test('port 0x70 bit 7 masks NMI and still selects the register; 0x70 reads as 0xFF', () => {
  const r = setup();
  r.io.write(0x70, 1, 0x80 | 0x09);
  assert.equal(r.rtc.nmiMasked, true);
  assert.equal(r.io.read(0x71, 1), 0x26);
  r.io.write(0x70, 1, 0x0A);
  assert.equal(r.rtc.nmiMasked, false);
  assert.equal(r.io.read(0x70, 1), 0xFF);
});

test('configuration bytes: memory sizes from RAM size, equipment, checksum; the rest is NVRAM', () => {
  const r = setup();
  assert.equal(r.read(0x15) | (r.read(0x16) << 8), 640);
  assert.equal(r.read(0x17) | (r.read(0x18) << 8), 63 * 1024);
  assert.equal(r.read(0x30) | (r.read(0x31) << 8), 63 * 1024);
  assert.equal(r.read(0x34) | (r.read(0x35) << 8), (48 * 1024 * 1024) / 65536);
  assert.equal(r.read(0x14), 0x02);
  let sum = 0;
  for (let i = 0x10; i <= 0x2D; i++) sum += r.read(i);
  assert.equal((r.read(0x2E) << 8) | r.read(0x2F), sum);
  r.write(0x50, 0xA5); r.write(0x7F, 0x5A);
  assert.equal(r.read(0x50), 0xA5);
  assert.equal(r.read(0x7F), 0x5A);
  const big = setup({ ramBytes: 3 * 1024 * 1024 * 1024 });
  assert.equal(big.read(0x17) | (big.read(0x18) << 8), 0xFFFF, 'capped at 65535 KiB');
  assert.equal(big.read(0x34) | (big.read(0x35) << 8), 0xBF00);
});

test('saveState/loadState: the restored RTC keeps time and its periodic interrupt', () => {
  const a = setup();
  a.write(0x0B, 0x42);
  a.runTo(S / 2);
  const saved = JSON.parse(JSON.stringify(a.rtc.saveState()));
  const b = setup();
  b.machine.instructions = S / 2;
  b.rtc.loadState(saved);
  b.runTo(S + 100);
  assert.equal(b.irq.rises.length, 512);
  assert.equal(b.read(0x00), 0x01);
});
