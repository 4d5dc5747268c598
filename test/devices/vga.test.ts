// VGA text mode as a kernel's console driver uses it: text memory at 0xB8000, the CRTC cursor and
// start address, misc output and I/O address select, input status 1, and the debugger's snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VgaText, CP437, TEXT_COLUMNS, TEXT_ROWS } from '../../engine/devices/vga-text.js';
import { Vm } from '../../engine/hv/vm.js';

function pc() {
  const vm = new Vm({ memoryBytes: 4 << 20 });
  const puts = (row: number, col: number, text: string, attr = 0x1F) => {
    for (let k = 0; k < text.length; k++) vm.memory.write16(0xB8000 + (row * 80 + col + k) * 2, text.charCodeAt(k) | (attr << 8));
  };
  const setCursor = (pos: number) => {
    vm.io.write(0x3D4, 1, 0x0F); vm.io.write(0x3D5, 1, pos & 0xFF);
    vm.io.write(0x3D4, 1, 0x0E); vm.io.write(0x3D5, 1, pos >> 8);
  };
  return { vm, vga: vm.platform.vga, puts, setCursor };
}

test('a blank screen at power-on: 80×25 spaces, grey on black, cursor at 0,0', () => {
  const s = new VgaText().snapshot();
  assert.equal(s.lines.length, TEXT_ROWS);
  assert.ok(s.lines.every((l) => l === ' '.repeat(TEXT_COLUMNS)));
  assert.ok(s.attributes.every((row) => row.length === TEXT_COLUMNS && row.every((a) => a === 0x07)));
  assert.deepEqual(s.cursor, { row: 0, col: 0, visible: true });
});

test('characters written at 0xB8000 appear in the snapshot with their attributes and the CRTC cursor', () => {
  const { vga, puts, setCursor } = pc();
  puts(0, 0, 'Hello, VGA');
  puts(24, 70, 'last row', 0x4E);
  setCursor(24 * 80 + 78);
  const s = vga.snapshot();
  assert.equal(s.lines[0].trimEnd(), 'Hello, VGA');
  assert.equal(s.lines[24].slice(70), 'last row  ');
  assert.equal(s.attributes[0][0], 0x1F);
  assert.equal(s.attributes[24][70], 0x4E);
  assert.equal(s.attributes[24][79], 0x07);
  assert.deepEqual(s.cursor, { row: 24, col: 78, visible: true });
  assert.equal(vga.screenText().split('\n')[0], 'Hello, VGA');
});

test('word OUT to 0x3D4 (index | value << 8) programs the CRTC; registers read back', () => {
  const { vm, vga } = pc();
  vm.io.write(0x3D4, 2, 0x0F | (0x55 << 8));
  vm.io.write(0x3D4, 2, 0x0E | (0x01 << 8));
  assert.equal(vga.cursorLocation, 0x155);
  vm.io.write(0x3D4, 1, 0x0E);
  assert.equal(vm.io.read(0x3D5, 1), 0x01);
  assert.deepEqual(vga.snapshot().cursor, { row: 4, col: 21, visible: true });
});

test('cursor start bit 5 hides the cursor; start address 0x0C/0x0D scrolls the visible screen', () => {
  const { vm, vga, puts } = pc();
  vm.io.write(0x3D4, 2, 0x0A | (0x20 << 8));
  assert.equal(vga.snapshot().cursor.visible, false);
  vm.io.write(0x3D4, 2, 0x0A | (0x0D << 8));
  assert.equal(vga.snapshot().cursor.visible, true);
  puts(1, 0, 'second line');
  vm.io.write(0x3D4, 2, 0x0D | (80 << 8));   // start at row 1
  const s = vga.snapshot();
  assert.equal(s.startAddress, 80);
  assert.equal(s.lines[0].trimEnd(), 'second line');
  assert.equal(s.cursor.visible, false, 'cursor location 0 is above the visible start');
});

test('CP437 shows as Unicode: box drawing, smileys, accented letters', () => {
  const { vga, vm } = pc();
  const bytes = [0xC9, 0xCD, 0xBB, 0x01, 0x03, 0x82, 0xE1, 0xB0, 0xFE];
  bytes.forEach((b, k) => vm.memory.write8(0xB8000 + k * 2, b));
  assert.equal(vga.snapshot().lines[0].slice(0, bytes.length), '╔═╗☺♥éß░■');
  assert.equal(CP437.length, 256);
  assert.equal(CP437[0x41], 'A');
});

test('input status 1 (0x3DA) toggles retrace so wait-for-retrace loops finish, and resets the 0x3C0 flip-flop', () => {
  const { vm } = pc();
  const a = vm.io.read(0x3DA, 1), b = vm.io.read(0x3DA, 1);
  assert.equal((a ^ b) & 0x08, 0x08);
  vm.io.write(0x3C0, 1, 0x10);   // index: mode control
  vm.io.read(0x3DA, 1);          // back to index state
  vm.io.write(0x3C0, 1, 0x12);   // this is an index again, not data
  assert.equal(vm.io.read(0x3C0, 1), 0x12);
  assert.equal(vm.io.read(0x3C1, 1), 0x0F, 'colour plane enable of mode 3');
});

test('misc output: 0x3CC reads 0x67; clearing bit 0 moves the CRTC to 0x3B4/0x3B5 and status to 0x3BA', () => {
  const { vm, vga } = pc();
  assert.equal(vm.io.read(0x3CC, 1), 0x67);
  vm.io.write(0x3C2, 1, 0x66);
  vm.io.write(0x3D4, 1, 0x0F);
  assert.equal(vm.io.read(0x3D5, 1), 0xFF, 'colour CRTC ports ignored in mono addressing');
  vm.io.write(0x3B4, 2, 0x0F | (0x07 << 8));
  assert.equal(vga.cursorLocation & 0xFF, 0x07);
  const a = vm.io.read(0x3BA, 1), b = vm.io.read(0x3BA, 1);
  assert.equal((a ^ b) & 0x08, 0x08);
});

test('the memory window: 0xA0000–0xB7FFF reads as open bus and drops writes; text memory is not RAM to loaders', () => {
  const { vm } = pc();
  vm.memory.write32(0xA0000, 0x12345678);
  assert.equal(vm.memory.read32(0xA0000) >>> 0, 0xFFFFFFFF);
  assert.equal(vm.memory.read8(0xB7FFF), 0xFF);
  vm.memory.write32(0xBFFFC, 0xCAFEBABE);
  assert.equal(vm.memory.read32(0xBFFFC) >>> 0, 0xCAFEBABE);
  assert.equal(vm.memory.isRam(0xB8000, 1), false);
  assert.equal(vm.memory.isRam(0x9F000, 0x1000), true, 'conventional memory below is untouched');
});

test('save/restore: text, CRTC and register indexes survive', () => {
  const a = pc();
  a.puts(3, 5, 'saved');
  a.setCursor(3 * 80 + 10);
  a.vm.io.write(0x3C8, 1, 1); a.vm.io.write(0x3C9, 1, 0x3F); a.vm.io.write(0x3C9, 1, 0x20); a.vm.io.write(0x3C9, 1, 0x10);
  const b = new VgaText();
  b.loadState(JSON.parse(JSON.stringify(a.vga.saveState())));
  assert.deepEqual(b.snapshot(), a.vga.snapshot());
  const port = b.portRanges().find((r) => r.base === 0x3C0)!.handler;
  port.write(7, 1, 1);
  assert.deepEqual([port.read(9, 1), port.read(9, 1), port.read(9, 1)], [0x3F, 0x20, 0x10], 'DAC entry 1');
});
