// The 16550A UART as a driver programs it: transmit, divisor latch, scratch, FIFOs and trigger levels,
// host input with backlog, the interrupt sources in priority order on IIR and the IRQ line, the
// character timeout on virtual time, loopback with modem-status changes, and save/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Uart16550, IIR_NONE, IIR_LINE_STATUS, IIR_RX_DATA, IIR_CHAR_TIMEOUT, IIR_THR_EMPTY, IIR_MODEM_STATUS, LSR_OVERRUN } from '../../engine/devices/uart16550.js';
import { IrqLine, type IrqSink } from '../../engine/platform/interrupt-lines.js';
import { VirtualClock } from '../../engine/platform/clock.js';
import { Vm } from '../../engine/hv/vm.js';

const THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

class LevelSink implements IrqSink {
  readonly events: string[] = [];
  level = false;
  setIrq(irq: number, level: boolean): void { this.level = level; this.events.push(`${irq}${level ? '+' : '-'}`); }
}

function rig(options: { clock?: VirtualClock } = {}) {
  const sent: number[] = [];
  const sink = new LevelSink();
  const uart = new Uart16550((b) => sent.push(b), { irq: new IrqLine(sink, 4), clock: options.clock });
  const rd = (o: number) => uart.read(o);
  const wr = (o: number, v: number) => uart.write(o, 1, v);
  return { uart, sent, sink, rd, wr };
}

test('the constructor takes just the sink; bytes written to THR reach it; THR empty and idle always', () => {
  const sent: number[] = [];
  const uart = new Uart16550((b) => sent.push(b));
  for (const b of [0x48, 0x69]) uart.write(THR, 1, b);
  assert.deepEqual(sent, [0x48, 0x69]);
  assert.equal(uart.read(LSR), 0x60);
  assert.equal(uart.read(IIR), IIR_NONE);
});

test('divisor latch behind DLAB, LCR, scratch register', () => {
  const { rd, wr, sent } = rig();
  wr(LCR, 0x80); wr(0, 0x0C); wr(1, 0x00);
  assert.equal(rd(0), 0x0C); assert.equal(rd(1), 0x00);
  wr(0, 0x41);
  assert.deepEqual(sent, [], 'DLAB set: offset 0 is the divisor, not THR');
  wr(LCR, 0x03);
  assert.equal(rd(LCR), 0x03);
  assert.equal(rd(IER), 0, 'IER is back at offset 1');
  wr(SCR, 0xA5); assert.equal(rd(SCR), 0xA5);
});

test('FIFO: IIR bits 6–7 show it on; 16 bytes held, more wait in the host backlog and follow as the guest reads', () => {
  const { uart, rd, wr } = rig();
  wr(FCR, 0x07);
  assert.equal(rd(IIR), 0xC1);
  uart.receive(Array.from({ length: 20 }, (_, k) => 0x30 + k));
  assert.equal(uart.pendingInput, 20);
  const got: number[] = [];
  while (rd(LSR) & 1) got.push(rd(0));
  assert.deepEqual(got, Array.from({ length: 20 }, (_, k) => 0x30 + k));
  assert.equal(rd(LSR) & 0x02, 0, 'host input never overruns');
});

test('without FIFOs the holding register takes one byte at a time', () => {
  const { uart, rd } = rig();
  uart.receive([1, 2, 3]);
  assert.equal(rd(LSR) & 1, 1);
  assert.deepEqual([rd(0), rd(0), rd(0)], [1, 2, 3]);
  assert.equal(rd(LSR) & 1, 0);
});

test('RX trigger level 4: data available at 4 bytes; below it a character timeout (immediate without a clock)', () => {
  const { uart, rd, wr, sink } = rig();
  wr(FCR, 0x41); // FIFO on, trigger 4
  wr(IER, 0x01);
  uart.receive([1, 2, 3]);
  assert.equal(rd(IIR), 0xC0 | IIR_CHAR_TIMEOUT);
  assert.equal(sink.level, true);
  uart.receive([4]);
  assert.equal(rd(IIR), 0xC0 | IIR_RX_DATA);
  rd(0);
  assert.equal(rd(IIR), 0xC0 | IIR_CHAR_TIMEOUT, 'three left: timeout again');
  rd(0); rd(0); rd(0);
  assert.equal(rd(IIR), 0xC1);
  assert.equal(sink.level, false);
});

test('character timeout waits four character times of virtual time (8N1 at 115200: 4 × 10 bits ≈ 347 µs)', () => {
  let instructions = 0;
  const clock = new VirtualClock(() => instructions);
  const { uart, rd, wr } = rig({ clock });
  wr(FCR, 0x81); // trigger 8
  wr(IER, 0x01);
  uart.receive([0x61]);
  assert.equal(rd(IIR), 0xC1, 'not yet');
  instructions = 347_000; clock.fireDue();
  assert.equal(rd(IIR), 0xC1, 'just before four character times');
  instructions = 347_300; clock.fireDue();
  assert.equal(rd(IIR), 0xC0 | IIR_CHAR_TIMEOUT);
  assert.equal(rd(0), 0x61);
  assert.equal(rd(IIR), 0xC1, 'reading RBR clears it');
});

test('THR empty interrupt: on enabling, cleared by reading IIR, re-armed by each THR write', () => {
  const { rd, wr, sink } = rig();
  wr(IER, 0x02);
  assert.equal(sink.level, true);
  assert.equal(rd(IIR), IIR_THR_EMPTY);
  assert.equal(sink.level, false);
  assert.equal(rd(IIR), IIR_NONE);
  wr(THR, 0x41);
  assert.equal(rd(IIR), IIR_THR_EMPTY);
  assert.deepEqual(sink.events, ['4+', '4-', '4+', '4-']);
});

test('priorities: line status > RX data > THR empty > modem status; each cleared its own way', () => {
  const { uart, rd, wr } = rig();
  wr(IER, 0x0F);
  wr(MCR, 0x10);
  assert.equal(rd(MSR), 0x0B, 'entering loopback drops CTS/DSR/DCD from the other end: three deltas');
  wr(MCR, 0x11);                   // DTR in loopback: DSR changes (modem status)
  uart.receive([0x55]);            // not heard in loopback
  wr(THR, 0x7E);                   // loopback: received, THR empty again
  uart.injectLineError(LSR_OVERRUN);
  assert.equal(rd(IIR), IIR_LINE_STATUS);
  assert.equal(rd(LSR) & 0x03, 0x03, 'overrun and data ready');
  assert.equal(rd(IIR), IIR_RX_DATA);
  assert.equal(rd(0), 0x7E);
  assert.equal(rd(IIR), IIR_THR_EMPTY);
  assert.equal(rd(IIR), IIR_MODEM_STATUS);
  assert.equal(rd(MSR), 0x22, 'DSR (from DTR) and its delta');
  assert.equal(rd(IIR), IIR_NONE);
});

test('loopback: TX feeds RX, nothing leaves; MSR mirrors MCR; a full FIFO overruns; break arrives as BI', () => {
  const { rd, wr, sent } = rig();
  wr(FCR, 0x01);
  wr(MCR, 0x1F);
  assert.equal(rd(MSR) & 0xF0, 0xF0, 'RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD');
  wr(MCR, 0x10);
  assert.equal(rd(MSR), 0x0F, 'CTS/DSR/DCD dropped (deltas), RI trailing edge');
  for (let k = 0; k < 17; k++) wr(THR, k);
  assert.deepEqual(sent, []);
  assert.equal(rd(LSR) & 0x03, 0x03, '17th byte overran');
  const got: number[] = [];
  while (rd(LSR) & 1) got.push(rd(0));
  assert.deepEqual(got, Array.from({ length: 16 }, (_, k) => k));
  wr(LCR, 0x43);
  assert.equal(rd(LSR) & 0x91, 0x91, 'break: data ready, BI, FIFO error');
  assert.equal(rd(0), 0);
  wr(MCR, 0x00);
  wr(THR, 0x21);
  assert.deepEqual(sent, [0x21]);
  assert.equal(rd(MSR) & 0xF0, 0xB0, 'outside loopback: DCD, DSR, CTS from the other end');
});

test('save/restore keeps FIFO contents, backlog and pending interrupts', () => {
  const a = rig();
  a.wr(FCR, 0xC1); a.wr(IER, 0x03); a.wr(SCR, 0x99);
  a.uart.receive(Array.from({ length: 18 }, (_, k) => k));
  const s = JSON.parse(JSON.stringify(a.uart.saveState()));
  const b = rig();
  b.uart.loadState(s);
  assert.equal(b.rd(SCR), 0x99);
  assert.equal(b.rd(IIR), 0xC0 | IIR_RX_DATA);
  const got: number[] = [];
  while (b.rd(LSR) & 1) got.push(b.rd(0));
  assert.equal(got.length, 18);
});

test('the PC has COM1 at 0x3F8 on IRQ4 and COM2 at 0x2F8 on IRQ3; COM2 output goes to its own emitter', () => {
  const vm = new Vm({ memoryBytes: 4 << 20 });
  const com2Bytes: number[] = [];
  vm.platform.com2Output.event((b) => com2Bytes.push(b));
  let serial = 0;
  vm.onOutput.event((o) => { if (o.source === 'serial') serial += o.bytes.length; });
  vm.io.write(0x2F8, 1, 0x5A);
  assert.deepEqual(com2Bytes, [0x5A]);
  assert.equal(serial, 0, 'COM2 bytes are not COM1 output');
  vm.io.write(0x2F9, 1, 0x02);
  assert.equal(vm.platform.pic.master.registers.irr & 0x08, 0x08, 'IRQ3');
  vm.io.write(0x3F9, 1, 0x02);
  assert.equal(vm.platform.pic.master.registers.irr & 0x10, 0x10, 'IRQ4');
  vm.platform.com2.receive([0x41]);
  assert.equal(vm.io.read(0x2FD, 1) & 1, 1);
  assert.equal(vm.io.read(0x2F8, 1), 0x41);
});
