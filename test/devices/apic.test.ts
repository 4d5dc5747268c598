// Local APIC and IO-APIC: the timer (periodic and one-shot) fires at the right virtual times, priority
// with TPR/PPR, acknowledge and EOI, ICR IPIs (fixed to self, INIT/SIPI recorded), virtual-wire ExtINT
// pass-through of the PIC, IO-APIC edge and level delivery with remote IRR, save/restore, and the
// guests/apic kernel end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../engine/platform/clock.js';
import { ApicBus, LocalApic, IoApic, apicInterruptSource, LAPIC_VERSION, IOAPIC_VERSION } from '../../engine/devices/apic/index.js';
import { runCli } from '../cli/cli-process.js';

const TPR = 0x80, PPR = 0xA0, EOI = 0xB0, SVR = 0xF0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280;
const ICR_LO = 0x300, ICR_HI = 0x310, LVT_TIMER = 0x320, LINT0 = 0x350, INITIAL = 0x380, CURRENT = 0x390, DIVIDE = 0x3E0;

/** A local APIC and IO-APIC on a clock whose time the test sets (1 ns per "instruction"). */
function setup() {
  let now = 0;
  const clock = new VirtualClock(() => now);
  const bus = new ApicBus();
  const ipis: unknown[] = [];
  const lapic = new LocalApic({ id: 0, clock, bus, bsp: true, ipi: (e) => ipis.push(e) });
  const ioapic = new IoApic(bus);
  const at = (ns: number) => { now = ns; clock.fireDue(); };
  const w = (reg: number, v: number) => lapic.write(reg, 4, v);
  const r = (reg: number) => lapic.read(reg, 4);
  const iow = (index: number, v: number) => { ioapic.write(0, 4, index); ioapic.write(0x10, 4, v); };
  const ior = (index: number) => { ioapic.write(0, 4, index); return ioapic.read(0x10, 4); };
  w(SVR, 0x1FF);   // software-enabled, spurious vector 0xFF
  return { clock, lapic, ioapic, bus, ipis, at, w, r, iow, ior, get now() { return now; } };
}

const bitSet = (words: (reg: number) => number, base: number, v: number) => (words(base + (v >> 5) * 0x10) >>> (v & 31)) & 1;

test('ID, version 0x14 with five LVT entries, reset values of SVR, DFR, LVTs', () => {
  const { lapic, r } = setup();
  assert.equal(r(0x20), 0);
  assert.equal(r(0x30), LAPIC_VERSION);
  assert.equal(LAPIC_VERSION, 0x40014);
  assert.equal(r(0xE0) >>> 0, 0xFFFFFFFF);
  assert.equal(r(LVT_TIMER), 0x10000);
  assert.equal(r(LINT0), 0x700, 'the BSP starts in virtual-wire mode (LINT0 = ExtINT), as under QEMU');
  assert.equal(lapic.readApicBase(), 0xFEE00900n);
});

test('periodic timer: interrupts every initial × divisor ns, current count from virtual time', () => {
  const { lapic, at, w, r } = setup();
  w(DIVIDE, 0x3);                       // divide by 16
  w(LVT_TIMER, (1 << 17) | 0x40);
  w(INITIAL, 1000);                     // period 16000 ns
  at(8000);
  assert.equal(r(CURRENT), 500);
  assert.equal(lapic.pending(), false);
  at(15999);
  assert.equal(lapic.pending(), false);
  at(16000);
  assert.equal(lapic.acknowledge(), 0x40);
  w(EOI, 0);
  assert.equal(r(CURRENT), 1000, 'reloaded');
  at(31999);
  assert.equal(lapic.pending(), false);
  at(32000);
  assert.equal(lapic.pending(), true);
  assert.equal(lapic.acknowledge(), 0x40);
  w(EOI, 0);
  w(INITIAL, 0);                        // stops the timer
  at(100000);
  assert.equal(lapic.pending(), false);
  assert.equal(r(CURRENT), 0);
});

test('one-shot timer fires once at initial × divisor and stays at 0; divide 1 and 128; masked timer counts silently', () => {
  const { lapic, at, w, r } = setup();
  w(DIVIDE, 0xB);                       // divide by 1
  w(LVT_TIMER, 0x41);
  w(INITIAL, 500);
  at(499);
  assert.equal(r(CURRENT), 1);
  assert.equal(lapic.pending(), false);
  at(500);
  assert.equal(r(CURRENT), 0);
  assert.equal(lapic.acknowledge(), 0x41);
  w(EOI, 0);
  at(5000);
  assert.equal(lapic.pending(), false, 'one interrupt only');

  w(DIVIDE, 0xA);                       // divide by 128
  assert.equal(lapic.timerDivisor, 128);
  w(LVT_TIMER, 0x10041);                // masked
  w(INITIAL, 10);
  at(5000 + 1279);
  assert.equal(r(CURRENT), 1);
  at(5000 + 1280);
  assert.equal(r(CURRENT), 0);
  assert.equal(lapic.pending(), false, 'masked: no interrupt');
});

test('priority: highest IRR above the PPR class; TPR blocks lower classes; ISR nesting; EOI clears the highest ISR bit', () => {
  const { lapic, w, r } = setup();
  lapic.acceptVector(0x51, false);
  lapic.acceptVector(0x62, false);
  w(TPR, 0x60);
  assert.equal(r(PPR), 0x60);
  assert.equal(lapic.pending(), false, '0x62 is in class 6, not above TPR class 6');
  w(TPR, 0x50);
  assert.equal(lapic.acknowledge(), 0x62);
  assert.equal(r(PPR), 0x60, 'PPR follows the in-service class');
  assert.equal(bitSet(r, ISR, 0x62), 1);
  assert.equal(lapic.pending(), false, '0x51 waits for the EOI');
  lapic.acceptVector(0x70, false);
  assert.equal(lapic.acknowledge(), 0x70, 'a higher class nests');
  w(EOI, 0);
  assert.equal(bitSet(r, ISR, 0x70), 0);
  assert.equal(bitSet(r, ISR, 0x62), 1);
  w(EOI, 0);
  w(TPR, 0);
  assert.equal(lapic.acknowledge(), 0x51);
  w(EOI, 0);
  assert.equal(lapic.acknowledge(), 0xFF, 'nothing left: the spurious vector');
  lapic.acceptVector(5, false);
  assert.equal(bitSet(r, IRR, 5), 0, 'vectors 0–15 are illegal');
  w(ESR, 0);
  assert.equal(r(ESR), 0x40, 'receive illegal vector');
});

test('software-disabled APIC delivers nothing, masks its LVTs and lets the PIC through', () => {
  const { lapic, w, r } = setup();
  const pic = { vector: 0x20, pending: () => true, acknowledge: () => 0x20 };
  const src = apicInterruptSource(lapic, pic);
  assert.equal(src.acknowledge(), 0x20, 'LINT0 = ExtINT: the PIC passes');
  w(LINT0, 0x10700);
  assert.equal(src.pending(), false, 'LINT0 masked: the PIC is cut off');
  lapic.acceptVector(0x40, false);
  assert.equal(src.acknowledge(), 0x40, 'the local APIC first');
  w(EOI, 0);
  w(SVR, 0xFF);
  assert.equal(r(LVT_TIMER) & 0x10000, 0x10000);
  w(LINT0, 0x700);
  assert.equal(r(LINT0), 0x10700, 'LVTs stay masked while software-disabled');
  lapic.acceptVector(0x40, false);
  assert.equal(lapic.pending(), false);
  assert.equal(src.acknowledge(), 0x20, 'a disabled APIC passes the PIC');
});

test('ICR: fixed IPI to self and by shorthand; INIT and SIPI reach the ipi hook; INIT de-assert ignored', () => {
  const { lapic, ipis, w, r } = setup();
  w(ICR_HI, 0);
  w(ICR_LO, 0x50);                      // fixed, physical destination 0
  assert.equal(bitSet(r, IRR, 0x50), 1);
  w(ICR_LO, (1 << 18) | 0x51);          // self
  assert.equal(bitSet(r, IRR, 0x51), 1);
  w(ICR_LO, (3 << 18) | 0x52);          // all excluding self: nobody else
  assert.equal(bitSet(r, IRR, 0x52), 0);
  w(ICR_HI, 0x01000000);
  w(ICR_LO, 0x53);                      // physical destination 1: no such APIC
  assert.equal(bitSet(r, IRR, 0x53), 0);
  w(0xD0, 0x01000000);                  // LDR: logical ID 1 (flat model)
  w(ICR_LO, (1 << 11) | 0x54);
  assert.equal(bitSet(r, IRR, 0x54), 1, 'logical destination matches the LDR');
  assert.equal(r(ICR_LO) & (1 << 12), 0, 'delivery status idle');
  w(ICR_HI, 0);
  w(ICR_LO, 0x8500);                    // INIT level de-assert
  assert.equal(ipis.length, 0);
  w(ICR_LO, 0x4500);                    // INIT assert
  w(ICR_LO, 0x4608);                    // SIPI, vector 0x08 (start at 0x8000)
  assert.deepEqual(ipis, [
    { target: 0, kind: 'init', vector: 0, from: 0 },
    { target: 0, kind: 'startup', vector: 8, from: 0 },
  ]);
  assert.equal(lapic.ipiLog.length, 2);
});

test('IO-APIC: ID, version 0x11 with 24 entries, entries reset masked', () => {
  const { ior } = setup();
  assert.equal(ior(1), IOAPIC_VERSION);
  assert.equal(IOAPIC_VERSION, 0x170011);
  assert.equal(ior(0x10), 0x10000);
  assert.equal(ior(0x10 + 2 * 23 + 1), 0);
});

test('IO-APIC edge: a rising edge delivers once; masked edges wait for the unmask; ISA IRQ0 is pin 2', () => {
  const { lapic, ioapic, iow, w } = setup();
  iow(0x10 + 2 * 2 + 1, 0);
  iow(0x10 + 2 * 2, 0x41);
  ioapic.isa.setIrq(0, true);
  assert.equal(lapic.acknowledge(), 0x41);
  w(EOI, 0);
  ioapic.isa.setIrq(0, true);           // still high: no new edge
  assert.equal(lapic.pending(), false);
  ioapic.isa.setIrq(0, false);
  iow(0x10 + 2 * 2, 0x10041);           // masked
  ioapic.isa.setIrq(0, true);
  assert.equal(lapic.pending(), false);
  iow(0x10 + 2 * 2, 0x41);              // unmask: the latched edge arrives
  assert.equal(lapic.acknowledge(), 0x41);
  w(EOI, 0);
});

test('IO-APIC level: remote IRR holds the pin until EOI; an EOI with the line still high re-delivers', () => {
  const { lapic, ioapic, iow, ior, w, r } = setup();
  iow(0x10 + 2 * 8, (1 << 15) | 0x42);
  ioapic.setIrq(8, true);
  assert.equal(ior(0x10 + 2 * 8) & (1 << 14), 1 << 14, 'remote IRR');
  assert.equal(bitSet(r, TMR, 0x42), 1, 'level: TMR set');
  assert.equal(lapic.acknowledge(), 0x42);
  w(EOI, 0);                            // line still asserted
  assert.equal(ior(0x10 + 2 * 8) & (1 << 14), 1 << 14, 'delivered again');
  assert.equal(lapic.acknowledge(), 0x42);
  ioapic.setIrq(8, false);              // the handler quiets the device
  w(EOI, 0);
  assert.equal(ior(0x10 + 2 * 8) & (1 << 14), 0);
  assert.equal(lapic.pending(), false);
  assert.equal(bitSet(r, TMR, 0x42), 0);
});

test('saveState/loadState restore registers and a running timer', () => {
  const a = setup();
  a.w(DIVIDE, 0xB);
  a.w(LVT_TIMER, (1 << 17) | 0x40);
  a.w(INITIAL, 1000);
  a.w(TPR, 0x20);
  a.lapic.acceptVector(0x90, false);
  a.iow(0x10 + 2 * 4, 0x43);
  a.at(400);
  const ls = JSON.parse(JSON.stringify(a.lapic.saveState()));
  const is = JSON.parse(JSON.stringify(a.ioapic.saveState()));
  const b = setup();
  b.at(400);
  b.lapic.loadState(ls);
  b.ioapic.loadState(is);
  assert.equal(b.r(CURRENT), 600);
  assert.equal(b.r(TPR), 0x20);
  assert.equal(b.ior(0x10 + 2 * 4), 0x43);
  assert.equal(b.lapic.acknowledge(), 0x90);
  b.w(EOI, 0);
  b.at(1000);
  assert.equal(b.lapic.acknowledge(), 0x40, 'the restored timer fires on time');
});

test('guests/apic: APIC timer periodic, PIT through IO-APIC pin 2, RTC level through pin 8', async () => {
  const res = await runCli(['run', 'guests/apic/kernel.elf', '--timeout', '20']);
  const out = res.stdout.toString('latin1');
  assert.equal(out, [
    'apic guest',
    'IA32_APIC_BASE: base 0xfee00000, BSP, enabled',
    'local APIC 0 enabled, spurious vector 0xff',
    'APIC timer: 10 periodic interrupts on vector 0x40',
    'IO-APIC: 24 redirection entries',
    'IO-APIC pin 2 (PIT IRQ0): 5 interrupts on vector 0x41',
    'IO-APIC pin 8 (RTC IRQ8, level): 8 interrupts on vector 0x42, remote IRR until EOI',
    'APIC OK',
    '',
  ].join('\n'), `stderr: ${res.stderr}`);
  assert.equal(res.status, 33, res.stderr);
});
