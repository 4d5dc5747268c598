// DwarfReader: LEB128, fixed-size integers, initial lengths, strings, and the errors they raise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DwarfError } from '../../../engine/debug/dwarf/error.js';
import { DwarfReader, stringAt } from '../../../engine/debug/dwarf/reader.js';
import { ByteWriter, bytes } from './helpers/writer.js';

const reader = (b: Uint8Array, name = '.debug_test') => new DwarfReader({ name, bytes: b });

test('unsigned LEB128: the DWARF standard examples and multi-byte values', () => {
  const cases: [number[], number][] = [
    [[2], 2], [[127], 127], [[0x80, 1], 128], [[0x81, 1], 129], [[0x82, 1], 130], [[0xB9, 0x64], 12857],
    [[0xE5, 0x8E, 0x26], 624485], [[0x80, 0x80, 0x80, 0x80, 0x10], 2 ** 32],
    [[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], 2 ** 53 - 1],
  ];
  for (const [enc, value] of cases) {
    const r = reader(bytes(...enc));
    assert.equal(r.uleb(), value, `uleb ${enc}`);
    assert.equal(r.pos, enc.length);
  }
});

test('signed LEB128: the DWARF standard examples', () => {
  const cases: [number[], number][] = [
    [[2], 2], [[0x7E], -2], [[0xFF, 0], 127], [[0x81, 0x7F], -127], [[0x80, 1], 128], [[0x80, 0x7F], -128],
    [[0x81, 1], 129], [[0xFF, 0x7E], -129], [[0xC0, 0xBB, 0x78], -123456],
  ];
  for (const [enc, value] of cases) assert.equal(reader(bytes(...enc)).sleb(), value, `sleb ${enc}`);
});

test('LEB128 round trips through the test writer, including 64-bit values as bigints', () => {
  for (const v of [0n, 1n, 63n, 64n, 8191n, 8192n, 2n ** 32n - 1n, 2n ** 63n, 2n ** 64n - 1n]) {
    assert.equal(reader(new ByteWriter().uleb(v).finish()).ulebBig(), v);
  }
  for (const v of [0n, -1n, 63n, -64n, -65n, 2n ** 31n, -(2n ** 31n), -(2n ** 63n), 2n ** 63n - 1n]) {
    assert.equal(reader(new ByteWriter().sleb(v).finish()).slebBig(), v);
  }
});

test('LEB128 padding with 0x80 bytes is accepted; values past 53 bits need the bigint readers', () => {
  assert.equal(reader(bytes(0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)).uleb(), 5);
  assert.throws(() => reader(new ByteWriter().uleb(2n ** 60n).finish()).uleb(), /too large/);
  assert.throws(() => reader(new ByteWriter().sleb(-(2n ** 60n)).finish()).sleb(), /too large/);
});

test('truncated LEB128 names the section and the offset where the number started', () => {
  const r = reader(bytes(0x01, 0x80, 0x80), '.debug_line');
  r.u8();
  assert.throws(() => r.uleb(), (e: unknown) => {
    assert.ok(e instanceof DwarfError);
    assert.equal(e.section, '.debug_line');
    assert.equal(e.offset, 1);
    assert.match(e.message, /^\.debug_line offset 0x1: truncated LEB128/);
    return true;
  });
  assert.throws(() => reader(bytes(0xFF)).sleb(), /truncated LEB128/);
});

test('fixed-size reads are little-endian and bounds-checked', () => {
  const r = reader(bytes(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xFF));
  assert.equal(r.u16(), 0x0201);
  assert.equal(r.u24(), 0x050403);
  assert.equal(r.u32(), 0xFF080706);
  assert.equal(r.atEnd, true);
  assert.throws(() => r.u8(), /offset 0x9: truncated data: 1 bytes needed but only 0 remain/);
  assert.equal(reader(bytes(0xFE, 0xFF)).i16(), -2);
  assert.equal(reader(bytes(0, 0, 0, 0, 1, 0, 0, 0)).u64(), 2 ** 32);
  assert.throws(() => reader(bytes(0, 0, 0, 0, 0, 0, 0, 0x80)).u64(), /too large/);
});

test('initial length: 32-bit, 64-bit (0xffffffff escape) and reserved values', () => {
  const r32 = reader(new ByteWriter().u32(0x1234).finish());
  assert.deepEqual(r32.initialLength(), { length: 0x1234, is64: false });
  const r64 = reader(new ByteWriter().u32(0xFFFF_FFFF).u64(0x55).u64(7).finish());
  assert.deepEqual(r64.initialLength(), { length: 0x55, is64: true });
  assert.equal(r64.offset(true), 7);
  assert.throws(() => reader(new ByteWriter().u32(0xFFFF_FFF0).finish()).initialLength(), /reserved initial length value 0xfffffff0/);
});

test('strings: NUL-terminated UTF-8; unterminated strings and out-of-range offsets are errors', () => {
  const section = { name: '.debug_str', bytes: new ByteWriter().cstr('abc').cstr('héllo').finish() };
  assert.equal(stringAt(section, 0, 'test'), 'abc');
  assert.equal(stringAt(section, 4, 'test'), 'héllo');
  assert.equal(stringAt(section, 1, 'test'), 'bc');
  assert.throws(() => stringAt(section, 99, 'DW_FORM_strp'), /\.debug_str offset 0x63: string offset 0x63 \(from DW_FORM_strp\) is outside the section/);
  assert.throws(() => reader(bytes(0x61, 0x62)).cstr(), /unterminated string/);
});

test('sub-readers cannot read past the structure they cover', () => {
  const r = reader(bytes(1, 2, 3, 4, 5, 6));
  const s = r.sub(2, 4);
  assert.equal(s.u16(), 0x0403);
  assert.throws(() => s.u8(), /offset 0x4: truncated/);
  assert.throws(() => new DwarfReader({ name: '.x', bytes: bytes(1) }, 0, 5), /past the end of the section/);
});
