// Range and location lists of DWARF 2-4 (.debug_ranges, .debug_loc): base address selection
// entries, empty entries, end of list; errors for bad offsets and unknown DWARF 5 entry kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DW_OP } from '../../../engine/debug/dwarf/constants.js';
import { DwarfError } from '../../../engine/debug/dwarf/error.js';
import type { Unit } from '../../../engine/debug/dwarf/info.js';
import { locationAt, readLocationList, readRanges } from '../../../engine/debug/dwarf/lists.js';
import { dwarfSections } from '../../../engine/debug/dwarf/sections.js';
import { ByteWriter } from './helpers/writer.js';

const unitOf = (version: number, baseAddress = 0x1000, addressSize = 4) =>
  ({ version, addressSize, baseAddress, is64: false, addrBase: 8, rnglistsBase: 12, loclistsBase: 12 }) as unknown as Unit;

test('.debug_ranges: pairs relative to the unit base, a base address selection entry, empty pairs dropped', () => {
  const w = new ByteWriter();
  w.u32(0xFFFF_FFFF); // padding list at 0 so the real one starts at 4 (tests the offset)
  w.u32(0x10).u32(0x20);
  w.u32(0x30).u32(0x30);                 // empty: dropped
  w.u32(0xFFFF_FFFF).u32(0x40000);       // new base
  w.u32(0).u32(8);
  w.u32(0).u32(0);                       // end
  const sections = dwarfSections({ ranges: w.finish() });
  assert.deepEqual(readRanges(sections, unitOf(4), 4), [{ low: 0x1010, high: 0x1020 }, { low: 0x40000, high: 0x40008 }]);
  assert.throws(() => readRanges(sections, unitOf(4), 0x100), /\.debug_ranges offset 0x[0-9a-f]+: range list offset 0x100 is outside the section/);
  const bad = dwarfSections({ ranges: new ByteWriter().u32(0x20).u32(0x10).u32(0).u32(0).finish() });
  assert.throws(() => readRanges(bad, unitOf(3), 0), /ends \(0x10\) before it begins \(0x20\)/);
  const unterminated = dwarfSections({ ranges: new ByteWriter().u32(0x10).u32(0x20).finish() });
  assert.throws(() => readRanges(unterminated, unitOf(3), 0), (e: unknown) => e instanceof DwarfError && /truncated/.test(e.message) && e.section === '.debug_ranges');
});

test('.debug_loc: entries with 2-byte expression lengths, base selection, and the lookup by pc', () => {
  const w = new ByteWriter();
  w.u32(0).u32(4).u16(1).u8(DW_OP.reg0);
  w.u32(4).u32(0x10).u16(2).u8(DW_OP.fbreg, 0x6c);
  w.u32(0xFFFF_FFFF).u32(0x9000);
  w.u32(0).u32(2).u16(1).u8(DW_OP.reg0 + 3);
  w.u32(0).u32(0);
  const sections = dwarfSections({ loc: w.finish() });
  const entries = readLocationList(sections, unitOf(2), 0);
  assert.deepEqual(entries.map((e) => [e.low, e.high, Array.from(e.expr)]), [
    [0x1000, 0x1004, [DW_OP.reg0]], [0x1004, 0x1010, [DW_OP.fbreg, 0x6c]], [0x9000, 0x9002, [DW_OP.reg0 + 3]],
  ]);
  assert.deepEqual(Array.from(locationAt(entries, 0x1005)!), [DW_OP.fbreg, 0x6c]);
  assert.equal(locationAt(entries, 0x1010), undefined, 'the end is exclusive: optimised out there');
  const truncated = dwarfSections({ loc: new ByteWriter().u32(0).u32(4).u16(9).u8(1).finish() });
  assert.throws(() => readLocationList(truncated, unitOf(4), 0), /truncated location expression/);
});

test('64-bit address size lists and DWARF 5 unknown entry kinds', () => {
  const w = new ByteWriter().u64(0x10).u64(0x18).u64(0).u64(0);
  assert.deepEqual(readRanges(dwarfSections({ ranges: w.finish() }), unitOf(4, 0x100000000, 8), 0), [{ low: 0x100000010, high: 0x100000018 }]);
  assert.throws(() => readRanges(dwarfSections({ rnglists: new ByteWriter().u8(0x42).finish() }), unitOf(5), 0), /unknown range list entry kind 0x42 \(DW_RLE_\*\)/);
  assert.throws(() => readLocationList(dwarfSections({ loclists: new ByteWriter().u8(0x42).finish() }), unitOf(5), 0), /\.debug_loclists offset 0x0: unknown location list entry kind 0x42/);
});
