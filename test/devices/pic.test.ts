// 8259A PIC pair: initialization words, masking, priority and nesting, EOI kinds, rotation, polling,
// special mask mode, level triggering through the ELCR, spurious IRQ7/IRQ15, and save/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../engine/devices/io-bus.js';
import { PicPair } from '../../engine/devices/pic8259.js';

/** A pair on a bus, un-initialized (as without a BIOS), with helpers to drive its ports. */
function setup(options: { biosInitialized?: boolean } = { biosInitialized: false }) {
  const io = new IoBus();
  const pic = new PicPair(options);
  pic.register(io);
  const out = (port: number, v: number) => io.write(port, 1, v);
  const inb = (port: number) => io.read(port, 1);
  /** The usual remap: master 0x20, slave 0x28, cascade on IR2, 8086 mode (plus extra ICW4 bits). */
  const init = (icw4 = 0x01) => {
    out(0x20, 0x11); out(0xA0, 0x11);
    out(0x21, 0x20); out(0xA1, 0x28);
    out(0x21, 0x04); out(0xA1, 0x02);
    out(0x21, icw4); out(0xA1, icw4);
  };
  return { io, pic, out, inb, init };
}

test('ICW1..ICW4 remap the vectors; IMR reads back; a request is delivered and ends with EOI', () => {
  const { pic, out, inb, init } = setup();
  init();
  assert.equal(inb(0x21), 0x00, 'ICW1 clears IMR');
  out(0x21, 0xFE); out(0xA1, 0xFF);
  assert.equal(inb(0x21), 0xFE);
  assert.equal(inb(0xA1), 0xFF);
  pic.setIrq(0, true); pic.setIrq(0, false);       // an edge on IRQ0
  assert.equal(pic.pending(), true);
  assert.equal(pic.acknowledge(), 0x20);
  assert.equal(pic.pending(), false, 'the request moved to ISR');
  out(0x20, 0x0B);                                 // OCW3: read ISR
  assert.equal(inb(0x20), 0x01);
  out(0x20, 0x20);                                 // non-specific EOI
  assert.equal(inb(0x20), 0x00);
});

test('a masked request stays in IRR and is delivered once unmasked', () => {
  const { pic, out, inb, init } = setup();
  init();
  out(0x21, 0xFF);
  pic.setIrq(3, true); pic.setIrq(3, false);
  assert.equal(pic.pending(), false);
  out(0x20, 0x0A);                                 // OCW3: read IRR
  assert.equal(inb(0x20), 0x08);
  out(0x21, 0xF7);
  assert.equal(pic.pending(), true);
  assert.equal(pic.acknowledge(), 0x23);
});

test('fully nested priority: lower IRQs wait for EOI, higher ones nest', () => {
  const { pic, out, init } = setup();
  init();
  pic.setIrq(4, true); pic.setIrq(4, false);
  assert.equal(pic.acknowledge(), 0x24);
  pic.setIrq(6, true); pic.setIrq(6, false);
  assert.equal(pic.pending(), false, 'IRQ6 waits while IRQ4 is in service');
  pic.setIrq(1, true); pic.setIrq(1, false);
  assert.equal(pic.pending(), true, 'IRQ1 nests over IRQ4');
  assert.equal(pic.acknowledge(), 0x21);
  out(0x20, 0x20);                                 // EOI ends IRQ1 (the highest in service)
  assert.equal(pic.pending(), false, 'IRQ4 still in service');
  out(0x20, 0x20);
  assert.equal(pic.acknowledge(), 0x26);
});

test('two simultaneous requests: the lower number wins; specific EOI clears only its level', () => {
  const { pic, out, inb, init } = setup();
  init();
  pic.setIrq(5, true); pic.setIrq(3, true);
  assert.equal(pic.acknowledge(), 0x23);
  out(0x20, 0x63);                                 // specific EOI, level 3
  assert.equal(pic.acknowledge(), 0x25);
  out(0x20, 0x0B);
  assert.equal(inb(0x20), 0x20);
  out(0x20, 0x63);                                 // specific EOI for a level not in service: no effect
  assert.equal(inb(0x20), 0x20);
  out(0x20, 0x65);
  assert.equal(inb(0x20), 0x00);
});

test('slave IRQs arrive through the cascade with the slave vector; both chips need an EOI', () => {
  const { pic, out, inb, init } = setup();
  init();
  pic.setIrq(8, true); pic.setIrq(8, false);
  assert.equal(pic.pending(), true);
  assert.equal(pic.acknowledge(), 0x28);
  out(0x20, 0x0B); out(0xA0, 0x0B);
  assert.equal(inb(0x20), 0x04, 'master IR2 in service');
  assert.equal(inb(0xA0), 0x01, 'slave IR0 in service');
  pic.setIrq(12, true); pic.setIrq(12, false);
  assert.equal(pic.pending(), false, 'IRQ12 waits for the slave EOI');
  out(0xA0, 0x20);
  assert.equal(pic.pending(), false, 'and for the master EOI (IR2 is still in service)');
  out(0x20, 0x20);
  assert.equal(pic.acknowledge(), 0x2C);
});

test('special fully nested mode lets a higher slave IRQ nest while IR2 is in service', () => {
  const { pic, init } = setup();
  init(0x11);                                      // 8086 mode + SFNM
  pic.setIrq(12, true); pic.setIrq(12, false);
  assert.equal(pic.acknowledge(), 0x2C);
  pic.setIrq(8, true); pic.setIrq(8, false);
  assert.equal(pic.pending(), true);
  assert.equal(pic.acknowledge(), 0x28);
});

test('IMR masks slave IRQs on the slave and everything on it through master IR2', () => {
  const { pic, out, init } = setup();
  init();
  out(0xA1, 0x02);                                 // the slave masks IRQ9
  pic.setIrq(9, true); pic.setIrq(9, false);
  assert.equal(pic.pending(), false);
  out(0x21, 0x04);                                 // the master masks the cascade
  out(0xA1, 0x00);
  assert.equal(pic.pending(), false);
  out(0x21, 0x00);
  assert.equal(pic.pending(), true);
  assert.equal(pic.acknowledge(), 0x29);
});

test('spurious interrupts: a request gone before INTA reads as IRQ7 (master) or IRQ15 (slave), ISR untouched', () => {
  const { pic, out, inb, init } = setup();
  init();
  pic.setIrq(3, true); pic.setIrq(3, false);
  out(0x21, 0x08);                                 // masked between INT and INTA
  assert.equal(pic.acknowledge(), 0x27);
  out(0x20, 0x0B);
  assert.equal(inb(0x20), 0x00, 'no ISR bit for a spurious IRQ7');
  out(0x21, 0x00);
  pic.setIrq(10, true); pic.setIrq(10, false);
  out(0xA1, 0x04);                                 // slave request masked after it reached master IR2
  assert.equal(pic.acknowledge(), 0x2F, 'spurious IRQ15');
  out(0xA0, 0x0B);
  assert.equal(inb(0xA0), 0x00, 'no slave ISR bit');
  assert.equal(inb(0x20), 0x04, 'but the master has IR2 in service (needs its EOI)');
});

test('automatic EOI: no ISR bit is left; rotate-in-AEOI moves the lowest priority', () => {
  const { pic, out, inb, init } = setup();
  init(0x03);                                      // 8086 + AEOI
  pic.setIrq(1, true); pic.setIrq(1, false);
  assert.equal(pic.acknowledge(), 0x21);
  out(0x20, 0x0B);
  assert.equal(inb(0x20), 0x00);
  out(0x20, 0x80);                                 // rotate in AEOI mode (set)
  pic.setIrq(1, true); pic.setIrq(1, false);
  assert.equal(pic.acknowledge(), 0x21);
  pic.setIrq(0, true); pic.setIrq(3, true);
  assert.equal(pic.acknowledge(), 0x23, 'IR1 became lowest, so IR2..IR7, IR0 follow in that order');
});

test('rotation: rotate on non-specific EOI and set priority change the order', () => {
  const { pic, out, init } = setup();
  init();
  pic.setIrq(0, true); pic.setIrq(0, false);
  assert.equal(pic.acknowledge(), 0x20);
  out(0x20, 0xA0);                                 // rotate on non-specific EOI: IR0 lowest
  pic.setIrq(0, true); pic.setIrq(0, false);
  pic.setIrq(6, true); pic.setIrq(6, false);
  assert.equal(pic.acknowledge(), 0x26, 'IR6 now ranks above IR0');
  out(0x20, 0x20);
  out(0x20, 0xC5);                                 // set priority: IR5 lowest, IR6 highest
  pic.setIrq(6, true); pic.setIrq(6, false);
  assert.equal(pic.acknowledge(), 0x26);
  out(0x20, 0xE6);                                 // rotate on specific EOI 6
  assert.equal(pic.acknowledge(), 0x20);
});

test('poll command: the next command-port read is 0x80|IR and acknowledges it', () => {
  const { pic, out, inb, init } = setup();
  init();
  out(0x21, 0xFF);                                 // polling works with the INT output unused
  pic.setIrq(5, true); pic.setIrq(5, false);
  out(0x20, 0x0C);
  assert.equal(inb(0x20), 0x00, 'masked: nothing to poll');
  out(0x21, 0x00);
  out(0x20, 0x0C);
  assert.equal(inb(0x20), 0x85);
  out(0x20, 0x0B);
  assert.equal(inb(0x20), 0x20, 'IR5 in service');
  out(0x20, 0x0C);
  assert.equal(inb(0x20), 0x00);
});

test('special mask mode: masking the in-service level lets lower levels through', () => {
  const { pic, out, init } = setup();
  init();
  pic.setIrq(2 + 1, true); pic.setIrq(3, false);
  assert.equal(pic.acknowledge(), 0x23);
  pic.setIrq(5, true); pic.setIrq(5, false);
  assert.equal(pic.pending(), false);
  out(0x21, 0x08);                                 // mask IR3
  out(0x20, 0x68);                                 // OCW3: set special mask mode
  assert.equal(pic.pending(), true);
  assert.equal(pic.acknowledge(), 0x25);
  out(0x20, 0x48);                                 // reset special mask mode
  out(0x20, 0x65);
  assert.equal(pic.pending(), false);
});

test('edge inputs latch 0→1 only; ELCR level inputs follow the line and re-request after EOI', () => {
  const { pic, io, out, inb, init } = setup();
  init();
  pic.setIrq(5, true);
  assert.equal(pic.acknowledge(), 0x25);
  out(0x20, 0x20);
  assert.equal(pic.pending(), false, 'an edge input held high does not request again');
  pic.setIrq(5, false);

  io.write(0x4D0, 1, 0xFF);
  io.write(0x4D1, 1, 0xFF);
  assert.equal(io.read(0x4D0, 1), 0xF8, 'IRQ0-2 cannot be level-triggered');
  assert.equal(io.read(0x4D1, 1), 0xDE, 'IRQ8 and IRQ13 cannot be level-triggered');
  pic.setIrq(11, true);
  assert.equal(pic.acknowledge(), 0x2B);
  out(0xA0, 0x20); out(0x20, 0x20);
  assert.equal(pic.pending(), true, 'still high after EOI: requests again');
  pic.setIrq(11, false);
  out(0xA0, 0x0A);
  assert.equal(inb(0xA0), 0x00, 'a level request vanishes from IRR with the line');
  assert.equal(pic.acknowledge(), 0x2F, 'master IR2 had latched the edge: a spurious IRQ15');
  out(0x20, 0x20);
  assert.equal(pic.pending(), false);
});

test('ICW1 restarts initialization: IMR, ISR, IRR clear; the vector base follows the new ICW2', () => {
  const { pic, out, inb, init } = setup();
  init();
  pic.setIrq(4, true); pic.setIrq(4, false);
  pic.acknowledge();
  out(0x21, 0x55);
  out(0x20, 0x11); out(0x21, 0x40); out(0x21, 0x04); out(0x21, 0x01);
  assert.equal(inb(0x21), 0x00);
  out(0x20, 0x0B);
  assert.equal(inb(0x20), 0x00);
  pic.setIrq(4, true); pic.setIrq(4, false);
  assert.equal(pic.acknowledge(), 0x44);
});

test('ICW1 without IC4 and with SNGL skips ICW3 and ICW4', () => {
  const { pic, out, inb } = setup();
  out(0x20, 0x12);                                 // single, no ICW4
  out(0x21, 0x30);
  out(0x21, 0xFE);                                 // already OCW1
  assert.equal(inb(0x21), 0xFE);
  pic.setIrq(0, true);
  assert.equal(pic.acknowledge(), 0x30);
});

test('BIOS-initialized default: vectors 0x08 and 0x70, everything but the cascade masked', () => {
  const { pic, out, inb } = setup({});
  assert.equal(inb(0x21), 0xFB);
  assert.equal(inb(0xA1), 0xFF);
  pic.setIrq(0, true); pic.setIrq(0, false);
  assert.equal(pic.pending(), false);
  out(0x21, 0xFA);
  assert.equal(pic.acknowledge(), 0x08);
  out(0xA1, 0xFE);
  pic.setIrq(8, true);
  out(0x20, 0x20);
  assert.equal(pic.acknowledge(), 0x70);
});

test('saveState/loadState round-trips the pair, including in-service and pending requests', () => {
  const a = setup();
  a.init();
  a.pic.setIrq(4, true); a.pic.setIrq(4, false);
  assert.equal(a.pic.acknowledge(), 0x24);
  a.pic.setIrq(9, true); a.pic.setIrq(9, false);
  const saved = JSON.parse(JSON.stringify(a.pic.saveState()));
  const b = setup();
  b.pic.loadState(saved);
  assert.equal(b.pic.pending(), true, 'IRQ9 (via IR2) outranks the in-service IR4');
  assert.equal(b.pic.acknowledge(), 0x29);
  b.out(0x20, 0x0B);
  assert.equal(b.inb(0x20), 0x14);
});
