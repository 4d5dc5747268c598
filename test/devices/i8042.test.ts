// The 8042 keyboard controller as a guest driver sees it through ports 0x60/0x64: status, command
// byte, self-tests, output port (A20, reset), keyboard and mouse commands, scancode translation,
// IRQ1/IRQ12 edges, host key input, and save/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { I8042, MOUSE_LEFT, type I8042Wiring } from '../../engine/devices/i8042.js';
import { KEYS, translateToSet1, keyBytes } from '../../engine/devices/ps2-scancodes.js';
import { IrqLine, type IrqSink } from '../../engine/platform/interrupt-lines.js';
import { Vm } from '../../engine/hv/vm.js';

/** Records every line change. */
class RecordingSink implements IrqSink {
  readonly events: string[] = [];
  readonly level = new Map<number, boolean>();
  setIrq(irq: number, level: boolean): void { this.events.push(`${irq}${level ? '+' : '-'}`); this.level.set(irq, level); }
}

function rig() {
  const sink = new RecordingSink();
  const gate = { a20Enabled: true };
  const resets: string[] = [];
  const wiring: I8042Wiring = { a20: gate, reset: (s) => resets.push(s), irq1: new IrqLine(sink, 1), irq12: new IrqLine(sink, 12) };
  const kbc = new I8042(wiring);
  const status = () => kbc.commandPort.read(0, 1);
  const command = (c: number) => kbc.commandPort.write(0, 1, c);
  const data = (v: number) => kbc.dataPort.write(0, 1, v);
  const read = () => kbc.dataPort.read(0, 1);
  /** Reads every byte the output buffer offers. */
  const drain = () => { const out: number[] = []; while (status() & 1) out.push(read()); return out; };
  return { kbc, sink, gate, resets, status, command, data, read, drain };
}

test('power-on state is what SeaBIOS leaves: status 0x1C, command byte 0x61 (translate, mouse off, IRQ1 on)', () => {
  const r = rig();
  assert.equal(r.status(), 0x1C, 'system flag, last write a command (the BIOS), not inhibited, output buffer empty');
  r.command(0x20);
  assert.equal(r.status() & 0x09, 0x09, 'a byte waits, last write was a command');
  assert.deepEqual(r.drain(), [0x61]);
  assert.equal(r.kbc.commandByte, 0x61);
});

test('command byte write (0x60) and read back (0x20); controller RAM 0x21–0x3F', () => {
  const r = rig();
  r.command(0x60); r.data(0x47);
  assert.equal(r.status() & 0x08, 0, 'A2 clear after a data write');
  r.command(0x20); assert.deepEqual(r.drain(), [0x47]);
  r.command(0x65); r.data(0x5A);
  r.command(0x25); assert.deepEqual(r.drain(), [0x5A]);
});

test('self-test 0xAA → 0x55, interface tests 0xAB/0xA9 → 0x00, password 0xA4 → 0xF1, input port 0xC0', () => {
  const r = rig();
  for (const [c, want] of [[0xAA, 0x55], [0xAB, 0x00], [0xA9, 0x00], [0xA4, 0xF1], [0xC0, 0x80], [0xE0, 0x00]]) {
    r.command(c);
    assert.deepEqual(r.drain(), [want], `command 0x${c.toString(16)}`);
  }
  assert.equal(r.status() & 0x04, 0x04, 'system flag set');
});

test('output port: 0xD0 reads 0xCF with A20 on; 0xD1 0xDD closes the gate, 0xDF opens it; 0xDD/0xDF commands', () => {
  const r = rig();
  r.command(0xD0); assert.deepEqual(r.drain(), [0xCF]);
  r.command(0xD1); r.data(0xDD);
  assert.equal(r.gate.a20Enabled, false);
  r.command(0xD0); assert.deepEqual(r.drain(), [0xCD], 'bit 1 follows the gate');
  r.command(0xD1); r.data(0xDF);
  assert.equal(r.gate.a20Enabled, true);
  r.command(0xDD); assert.equal(r.gate.a20Enabled, false);
  r.command(0xDF); assert.equal(r.gate.a20Enabled, true);
  r.gate.a20Enabled = false; // port 0x92 closed it: the output port shows the gate
  r.command(0xD0); assert.deepEqual(r.drain(), [0xCD]);
  assert.deepEqual(r.resets, []);
});

test('reset: 0xFE and other pulse commands with bit 0 clear, and 0xD1 with bit 0 clear; 0xFF does nothing', () => {
  const r = rig();
  r.command(0xFF); assert.equal(r.resets.length, 0);
  r.command(0xFE); assert.equal(r.resets.length, 1);
  assert.match(r.resets[0], /8042.*0xFE/);
  r.command(0xF0); assert.equal(r.resets.length, 2);
  r.command(0xD1); r.data(0xDE);
  assert.equal(r.resets.length, 3);
  assert.match(r.resets[2], /output port/);
});

test('keyboard commands: reset FA AA, identify FA AB 41 (translated) / 83 (raw), echo EE, LEDs, unknown → FE', () => {
  const r = rig();
  r.data(0xFF); assert.deepEqual(r.drain(), [0xFA, 0xAA]);
  r.data(0xF2); assert.deepEqual(r.drain(), [0xFA, 0xAB, 0x41], 'the 8042 translates 0x83 to 0x41');
  r.data(0xEE); assert.deepEqual(r.drain(), [0xEE]);
  r.data(0xED); r.data(0x05); assert.deepEqual(r.drain(), [0xFA, 0xFA]);
  assert.equal(r.kbc.keyboard.leds, 5);
  r.data(0x12); assert.deepEqual(r.drain(), [0xFE]);
  r.data(0xFE); assert.deepEqual(r.drain(), [0xFE], 'resend repeats the last byte');
  r.command(0x60); r.data(0x01); // translation off
  r.data(0xF2); assert.deepEqual(r.drain(), [0xFA, 0xAB, 0x83]);
});

test('scancode set: F0 00 reports the set (0x41 when translated), F0 01 selects set 1, set 3 is refused', () => {
  const r = rig();
  r.data(0xF0); r.data(0x00); assert.deepEqual(r.drain(), [0xFA, 0xFA, 0x41]);
  r.command(0x60); r.data(0x01);
  r.data(0xF0); r.data(0x00); assert.deepEqual(r.drain(), [0xFA, 0xFA, 0x02]);
  r.data(0xF0); r.data(0x03); assert.deepEqual(r.drain(), [0xFA, 0xFE]);
  r.data(0xF0); r.data(0x01); assert.deepEqual(r.drain(), [0xFA, 0xFA]);
  r.kbc.pressKey('KeyA');
  assert.deepEqual(r.drain(), [0x1E, 0x9E], 'set 1 straight from the keyboard');
});

test('keys: set 2 from the keyboard, set 1 after translation (0xF0 swallowed, break bit set)', () => {
  const r = rig();
  r.kbc.pressKey('KeyA');
  assert.deepEqual(r.drain(), [0x1E, 0x9E]);
  r.kbc.pressKey('ArrowUp');
  assert.deepEqual(r.drain(), [0xE0, 0x48, 0xE0, 0xC8]);
  r.kbc.pressKey('F7');
  assert.deepEqual(r.drain(), [0x41, 0xC1]);
  r.command(0x60); r.data(0x01);
  r.kbc.pressKey('KeyA');
  assert.deepEqual(r.drain(), [0x1C, 0xF0, 0x1C]);
  r.kbc.pressKey('ArrowUp');
  assert.deepEqual(r.drain(), [0xE0, 0x75, 0xE0, 0xF0, 0x75]);
  assert.throws(() => r.kbc.pressKey('NoSuchKey'), /unknown key "NoSuchKey"/);
});

test('the translation table agrees with every key of the set-1/set-2 table', () => {
  for (const [name, codes] of KEYS) {
    assert.equal(translateToSet1(codes.set2 & 0xFF), codes.set1 & 0xFF, name);
    assert.equal(codes.set1 > 0xFF, codes.set2 > 0xFF, `${name}: both sets agree on the E0 prefix`);
  }
  assert.deepEqual(keyBytes('PrintScreen', 1, true), [0xE0, 0x2A, 0xE0, 0x37]);
  assert.deepEqual(keyBytes('Pause', 2, false), []);
});

test('typeText types US-layout text with Shift', () => {
  const r = rig();
  r.kbc.typeText('Hi!\n');
  assert.deepEqual(r.drain(), [
    0x2A, 0x23, 0xA3, 0xAA,   // Shift down, H, Shift up
    0x17, 0x97,               // i
    0x2A, 0x02, 0x82, 0xAA,   // Shift, 1
    0x1C, 0x9C,               // Enter
  ]);
  assert.throws(() => r.kbc.typeText('é'), /no key types/);
});

test('F5 stops scanning (keys lost), F4 resumes; 0xAD holds bytes back until 0xAE; writing to the keyboard re-enables it', () => {
  const r = rig();
  r.data(0xF5); assert.deepEqual(r.drain(), [0xFA]);
  r.kbc.pressKey('KeyB'); assert.deepEqual(r.drain(), []);
  r.data(0xF4); assert.deepEqual(r.drain(), [0xFA]);
  r.command(0xAD);
  r.kbc.pressKey('KeyB');
  assert.equal(r.status() & 1, 0, 'interface disabled: nothing arrives');
  r.command(0xAE);
  assert.deepEqual(r.drain(), [0x30, 0xB0]);
  r.command(0xAD);
  r.data(0xEE);
  assert.deepEqual(r.drain(), [0xEE], 'a write to port 0x60 clears the disable bit');
});

test('IRQ1 follows the output buffer: raised per byte, dropped by each read, gated by command-byte bit 0', () => {
  const r = rig();
  r.kbc.pressKey('KeyC');
  assert.deepEqual(r.sink.events, ['1+']);
  r.read();
  assert.deepEqual(r.sink.events, ['1+', '1-', '1+'], 'the second byte makes a fresh edge');
  r.read();
  assert.deepEqual(r.sink.events, ['1+', '1-', '1+', '1-']);
  r.command(0x60); r.data(0x60); // IRQ1 off
  r.kbc.pressKey('KeyC');
  assert.equal(r.sink.events.length, 4, 'no interrupt with bit 0 clear');
  assert.equal(r.status() & 1, 1);
  r.command(0x60); r.data(0x61);
  assert.equal(r.sink.level.get(1), true, 'enabling raises it for the waiting byte');
});

test('mouse: 0xA8 enables the port, 0xD4 sends to it, replies carry status bit 5 and IRQ12', () => {
  const r = rig();
  r.command(0x60); r.data(0x43); // IRQ1 + IRQ12, translation, mouse clock enabled via bit 5 = 0
  r.command(0xA8);
  r.command(0xD4); r.data(0xFF);
  assert.equal(r.status() & 0x21, 0x21, 'mouse data in the output buffer');
  assert.equal(r.sink.level.get(12), true);
  assert.deepEqual(r.drain(), [0xFA, 0xAA, 0x00]);
  r.command(0xD4); r.data(0xF2); assert.deepEqual(r.drain(), [0xFA, 0x00], 'ID 0: plain PS/2 mouse');
  r.kbc.moveMouse(5, -3, MOUSE_LEFT);
  assert.deepEqual(r.drain(), [], 'no packets before 0xF4');
  r.command(0xD4); r.data(0xF4); assert.deepEqual(r.drain(), [0xFA]);
  r.kbc.moveMouse(5, -3, MOUSE_LEFT);
  assert.deepEqual(r.drain(), [0x29, 0x05, 0xFD]);
  r.command(0xD4); r.data(0xE9); assert.deepEqual(r.drain(), [0xFA, 0x24, 0x02, 100]);
  r.command(0xA7);
  r.kbc.moveMouse(1, 1);
  assert.equal(r.status() & 1, 0, 'disabled mouse port holds its bytes');
  r.command(0xA8);
  assert.deepEqual(r.drain(), [0x09, 0x01, 0x01]);
  assert.equal(r.sink.events.filter((e) => e.startsWith('1+')).length, 0, 'mouse bytes never raise IRQ1');
});

test('0xD2/0xD3 put a byte in the output buffer as if from the keyboard / the mouse', () => {
  const r = rig();
  r.command(0xD2); r.data(0x5C);
  assert.equal(r.status() & 0x21, 0x01);
  assert.deepEqual(r.drain(), [0x5C]);
  r.command(0xA8);
  r.command(0xD3); r.data(0x77);
  assert.equal(r.status() & 0x21, 0x21);
  assert.deepEqual(r.drain(), [0x77]);
});

test('saveState/loadState carries queued keys, modes and the half-done command', () => {
  const a = rig();
  a.command(0x60); a.data(0x01);          // raw set 2
  a.kbc.pressKey('KeyQ');
  a.read();                               // 0x15 read; F0 15 still queued
  a.command(0xD1);                        // waits for its data byte
  const snapshot = JSON.parse(JSON.stringify(a.kbc.saveState()));
  const b = rig();
  b.kbc.loadState(snapshot);
  assert.equal(b.kbc.commandByte, 0x01);
  b.data(0xDD);                           // completes 0xD1 in the restored controller
  assert.equal(b.gate.a20Enabled, false);
  assert.deepEqual(b.drain(), [0xF0, 0x15]);
});

test('the PC wires the 8042 at 0x60/0x64 with IRQ1 on the PIC, and its A20 gate is guest memory', () => {
  const vm = new Vm({ memoryBytes: 4 << 20 });
  vm.io.write(0x64, 1, 0xDD);
  assert.equal(vm.memory.a20Enabled, false);
  vm.io.write(0x64, 1, 0xDF);
  assert.equal(vm.memory.a20Enabled, true);
  vm.platform.kbd.pressKey('Escape');
  assert.equal(vm.platform.pic.master.registers.irr & 0x02, 0x02, 'IRQ1 requested');
  assert.equal(vm.io.read(0x60, 1), 0x01);
  vm.io.write(0x64, 1, 0xFE);
  vm.run(1);
  assert.deepEqual(vm.finalStop, { kind: 'shutdown', detail: 'reset requested by 8042 keyboard controller (command 0xFE)' });
});
