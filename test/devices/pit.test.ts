// 8254 PIT on virtual time: IRQ0 edges of modes 2 and 3 at the right virtual times, mode 0/4 one-shots,
// counter latch and read-back, BCD, byte access modes, channel 2 through port 0x61, and save/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../engine/devices/io-bus.js';
import { VirtualClock } from '../../engine/platform/clock.js';
import { Pit8254, nsOfPitTick, pitTicksAt, PIT_HZ } from '../../engine/devices/pit8254.js';
import { SystemControlPortB } from '../../engine/devices/port61.js';

/** A PIT on a bus with a controllable instruction counter (1 ns each) and a recorded IRQ0 line. */
function setup() {
  const machine = { instructions: 0 };
  const clock = new VirtualClock(() => machine.instructions);
  const io = new IoBus();
  const rises: number[] = [];          // virtual ns of each 0→1 of IRQ0
  let level = false;
  const line = {
    raise() { if (!level) rises.push(clock.nowNs()); level = true; },
    lower() { level = false; },
  };
  const pit = new Pit8254(clock, line);
  assert.equal(level, true, 'an unprogrammed counter idles with OUT high');
  rises.length = 0;
  io.register(0x40, 4, 'PIT', pit);
  const port61 = new SystemControlPortB(pit, clock);
  io.register(0x61, 1, 'port 61', port61);
  const out = (port: number, v: number) => io.write(port, 1, v);
  const inb = (port: number) => io.read(port, 1);
  /** Runs the machine to virtual time ns the way the Vm does: to each timer deadline, then fires it. */
  const runTo = (ns: number) => {
    for (;;) {
      const gap = clock.instructionsUntilNextTimer();
      if (machine.instructions + gap > ns) break;
      machine.instructions += gap;
      clock.fireDue();
    }
    machine.instructions = ns;
    clock.fireDue();
  };
  const tickNs = (tick: number) => nsOfPitTick(tick);
  return { machine, clock, io, pit, out, inb, runTo, rises, level: () => level, tickNs };
}

test('tick arithmetic: 1.193182 MHz from virtual ns, exact over long runs', () => {
  assert.equal(pitTicksAt(1_000_000_000), PIT_HZ);
  assert.equal(pitTicksAt(3600e9 * 24), PIT_HZ * 3600 * 24);
  for (const tick of [0, 1, 2, 11931, 11932, PIT_HZ - 1, PIT_HZ, 5 * PIT_HZ + 77, 86_400 * PIT_HZ + 3]) {
    const ns = nsOfPitTick(tick);
    assert.equal(pitTicksAt(ns), tick, `tick ${tick} reached at ${ns}`);
    if (ns > 0) assert.equal(pitTicksAt(ns - 1), tick - 1);
  }
});

test('mode 2 at 100 Hz: IRQ0 rises every 11932 clocks, the first one N clocks after loading', () => {
  const p = setup();
  p.out(0x43, 0x34);                                  // channel 0, lobyte/hibyte, mode 2, binary
  p.out(0x40, 11932 & 0xFF); p.out(0x40, 11932 >> 8);
  p.runTo(55_000_000);
  const expected = [1, 2, 3, 4, 5].map((k) => p.tickNs(1 + k * 11932));
  assert.deepEqual(p.rises, expected);
  assert.ok(Math.abs(p.rises[1] - p.rises[0] - 10_000_000) < 1000, 'a 10 ms period');
});

test('mode 3 square wave: rising edges every N clocks, OUT high for the first half', () => {
  const p = setup();
  p.out(0x43, 0x36);                                  // channel 0, lobyte/hibyte, mode 3
  p.out(0x40, 1193 & 0xFF); p.out(0x40, 1193 >> 8);   // odd count: high 597, low 596
  p.runTo(4_500_000);
  assert.deepEqual(p.rises, [1, 2, 3, 4].map((k) => p.tickNs(1 + k * 1193)));
  p.runTo(p.tickNs(1 + 4 * 1193 + 596));
  assert.equal(p.level(), true, 'still in the high half');
  p.runTo(p.tickNs(1 + 4 * 1193 + 597));
  assert.equal(p.level(), false, 'low half');
});

test('mode 0: OUT rises once, N+1 clocks after the count is written, and stays high', () => {
  const p = setup();
  p.runTo(1000);
  p.out(0x43, 0x30);                                  // mode 0
  assert.equal(p.level(), false);
  const t0 = pitTicksAt(1000);
  p.out(0x40, 100); p.out(0x40, 0);
  p.runTo(10_000_000);
  assert.deepEqual(p.rises, [p.tickNs(t0 + 1 + 100)]);
  assert.equal(p.level(), true);
  assert.equal(p.clock.instructionsUntilNextTimer(), Infinity, 'nothing left scheduled');
});

test('mode 0: writing the LSB of a new two-byte count stops the counter and drives OUT low', () => {
  const p = setup();
  p.out(0x43, 0x30);
  p.out(0x40, 10); p.out(0x40, 0);
  p.runTo(p.tickNs(20));
  assert.equal(p.level(), true);
  p.out(0x40, 50);
  assert.equal(p.level(), false);
  const t = pitTicksAt(p.machine.instructions);
  p.out(0x40, 0);
  p.runTo(p.tickNs(t + 200));
  assert.deepEqual(p.rises, [p.tickNs(11), p.tickNs(t + 51)]);
});

test('mode 4 strobe: OUT low for one clock at terminal count, a single IRQ0 edge', () => {
  const p = setup();
  p.out(0x43, 0x38);
  p.out(0x40, 50); p.out(0x40, 0);
  assert.equal(p.level(), true);
  p.runTo(p.tickNs(51));
  assert.equal(p.level(), false);
  p.runTo(p.tickNs(1000));
  assert.equal(p.level(), true);
  assert.deepEqual(p.rises, [p.tickNs(52)]);
});

test('counter latch: the value is frozen at latch time until read, then reads are live again', () => {
  const p = setup();
  p.out(0x43, 0x34);
  p.out(0x40, 0x00); p.out(0x40, 0x10);              // 4096
  p.runTo(p.tickNs(1 + 100));
  p.out(0x43, 0x00);                                  // latch channel 0
  p.runTo(p.tickNs(1 + 300));
  p.out(0x43, 0x00);                                  // ignored: the first latch is unread
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 4096 - 100);
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 4096 - 300);
});

test('read-back: status (OUT, null count, access, mode, BCD) then the count', () => {
  const p = setup();
  p.out(0x43, 0x34);
  assert.equal(p.io.read(0x43, 1), 0xFF, 'control register is write-only');
  p.out(0x43, 0xE2);                                  // read-back status only, channel 0
  assert.equal(p.inb(0x40), 0xF4, 'OUT high, null count, lobyte/hibyte, mode 2');
  p.out(0x40, 0x00); p.out(0x40, 0x10);
  p.runTo(p.tickNs(1 + 4095));                        // counter at 1: OUT low
  p.out(0x43, 0xC2);                                  // latch count and status
  assert.equal(p.inb(0x40), 0x34, 'OUT low, count loaded');
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 1);
  p.out(0x43, 0xD2);                                  // latch count only
  p.runTo(p.tickNs(1 + 4096 + 6));
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 1);
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 4096 - 6);
});

test('BCD counting: count 1000 written as 0x1000 reads back in BCD digits', () => {
  const p = setup();
  p.out(0x43, 0x31);                                  // mode 0, BCD
  p.out(0x40, 0x00); p.out(0x40, 0x10);
  p.runTo(p.tickNs(1 + 10));
  p.out(0x43, 0x00);
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 0x0990);
  p.runTo(10_000_000);
  assert.deepEqual(p.rises, [p.tickNs(1 + 1000)]);
});

test('lobyte-only and hibyte-only access', () => {
  const p = setup();
  p.out(0x43, 0x14);                                  // channel 0, lobyte only, mode 2
  p.out(0x40, 200);
  p.runTo(p.tickNs(1 + 50));
  assert.equal(p.inb(0x40), 150);
  p.out(0x43, 0x24);                                  // hibyte only
  p.out(0x40, 0x02);                                  // count 0x200
  const t = pitTicksAt(p.machine.instructions);
  p.runTo(p.tickNs(t + 1 + 0x100));
  assert.equal(p.inb(0x40), 0x01);
});

test('a new mode 2 count takes effect when the current period ends', () => {
  const p = setup();
  p.out(0x43, 0x34);
  p.out(0x40, 0xE8); p.out(0x40, 0x03);              // 1000
  p.runTo(p.tickNs(1 + 500));
  p.out(0x40, 0xF4); p.out(0x40, 0x01);              // 500
  p.runTo(p.tickNs(1 + 2999));
  assert.deepEqual(p.rises, [1000, 1500, 2000, 2500].map((d) => p.tickNs(1 + d)));
});

test('channel 2 through port 0x61: GATE starts mode 0, OUT2 shows in bit 5; speaker bits read back', () => {
  const p = setup();
  p.out(0x61, 0x00);
  p.out(0x43, 0xB0);                                  // channel 2, lobyte/hibyte, mode 0
  p.out(0x42, 100); p.out(0x42, 0);
  p.runTo(p.tickNs(500));
  assert.equal(p.inb(0x61) & 0x20, 0, 'GATE low: counting held, OUT2 low');
  const t = pitTicksAt(p.machine.instructions);
  p.out(0x61, 0x01);
  p.runTo(p.tickNs(t + 99));
  assert.equal(p.inb(0x61) & 0x20, 0);
  p.runTo(p.tickNs(t + 100));
  assert.equal(p.inb(0x61) & 0x23, 0x21, 'OUT2 high after N clocks of GATE high; gate bit reads back');
  assert.deepEqual(p.rises, [], 'channel 2 does not touch IRQ0');
  p.out(0x61, 0x03);
  assert.equal(p.inb(0x61) & 0x03, 0x03);
});

test('channel 2 mode 3 for the speaker: square wave while GATE is high, OUT2 forced high while low', () => {
  const p = setup();
  p.out(0x43, 0xB6);
  p.out(0x42, 100); p.out(0x42, 0);
  p.out(0x61, 0x03);
  assert.equal(p.pit.speakerFrequency(), PIT_HZ / 100);
  const t = pitTicksAt(p.machine.instructions);
  const samples: number[] = [];
  for (let d = 1; d <= 200; d += 25) { p.runTo(p.tickNs(t + 1 + d)); samples.push((p.inb(0x61) >> 5) & 1); }
  assert.deepEqual(samples, [1, 1, 0, 0, 1, 1, 0, 0]);
  p.out(0x61, 0x00);
  assert.equal(p.inb(0x61) & 0x20, 0x20);
});

test('channel 2 mode 1: a GATE rising edge triggers the one-shot (OUT low for N clocks)', () => {
  const p = setup();
  p.out(0x43, 0xB2);                                  // channel 2, mode 1
  p.out(0x42, 50); p.out(0x42, 0);
  p.runTo(p.tickNs(100));
  assert.equal(p.inb(0x61) & 0x20, 0x20, 'high until triggered');
  const t = pitTicksAt(p.machine.instructions);
  p.out(0x61, 0x01);
  p.runTo(p.tickNs(t + 2));
  assert.equal(p.inb(0x61) & 0x20, 0);
  p.runTo(p.tickNs(t + 1 + 50));
  assert.equal(p.inb(0x61) & 0x20, 0x20);
});

test('refresh toggle: port 0x61 bit 4 flips every 15.085 µs of virtual time', () => {
  const p = setup();
  const seen = [0, 15_085, 30_170].map((ns) => { p.runTo(ns); return p.inb(0x61) & 0x10; });
  assert.deepEqual(seen, [0, 0x10, 0]);
});

test('an unprogrammed PIT schedules nothing (an idle guest is not woken)', () => {
  const p = setup();
  assert.equal(p.clock.instructionsUntilNextTimer(), Infinity);
});

test('saveState/loadState: a restored PIT continues the same IRQ0 edge times', () => {
  const a = setup();
  a.out(0x43, 0x34);
  a.out(0x40, 0x9C); a.out(0x40, 0x2E);              // 11932
  a.runTo(15_000_000);
  const saved = JSON.parse(JSON.stringify(a.pit.saveState()));
  const b = setup();
  b.machine.instructions = 15_000_000;
  b.pit.loadState(saved);
  b.runTo(45_000_000);
  assert.deepEqual(b.rises, [2, 3, 4].map((k) => b.tickNs(1 + k * 11932)));
});
