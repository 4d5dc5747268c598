// .debug_info and .debug_abbrev: hand-assembled units of DWARF 2, 4 (with .debug_types), 5 and
// 64-bit DWARF exercising every attribute form, the indirect string/address/list forms of DWARF 5,
// and the errors malformed units raise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DW_AT, DW_FORM, DW_LLE, DW_OP, DW_RLE, DW_TAG, DW_UT } from '../../../engine/debug/dwarf/constants.js';
import { DwarfError } from '../../../engine/debug/dwarf/error.js';
import { DwarfInfo } from '../../../engine/debug/dwarf/info.js';
import { DwarfProgram, type Func } from '../../../engine/debug/dwarf/program.js';
import { dwarfSections, type DwarfSections } from '../../../engine/debug/dwarf/sections.js';
import { typeName } from '../../../engine/debug/dwarf/types.js';
import { abbrevTable, listsTable, offsetsTable, unit } from './helpers/dwarf-builder.js';
import { ByteWriter } from './helpers/writer.js';

/** A string section under construction: offset of each string by name. */
class Strings {
  private readonly w = new ByteWriter();
  private readonly at = new Map<string, number>();
  add(s: string): number {
    let o = this.at.get(s);
    if (o === undefined) { o = this.w.pos; this.at.set(s, o); this.w.cstr(s); }
    return o;
  }
  bytes(): Uint8Array { return this.w.finish(); }
}

const { compile_unit, base_type, variable, subprogram, formal_parameter, lexical_block, pointer_type, structure_type, member, typedef, type_unit } = DW_TAG;
const A = DW_AT, F = DW_FORM;

/** A DWARF 5 compile unit using strx*, addrx*, line_strp, implicit_const, data16, exprloc, sec_offset, ref*, flag_present, rnglistx, loclistx and indirect. */
function dwarf5(): { sections: DwarfSections; offsets: Record<string, number> } {
  const str = new Strings(), lineStr = new Strings();
  const names = ['cu.c', 'int', 'counter', 'main', 'big', 'answer'];
  const strOffsets = offsetsTable(names.map((n) => str.add(n)));
  const viaIndirect = str.add('via_indirect');
  const compDir = lineStr.add('/src');
  const addr = offsetsTable([0x1000, 0x2000, 0x3000], 4, 'addr');
  const rng = listsTable([
    (w) => w.u8(DW_RLE.base_addressx).uleb(1).u8(DW_RLE.offset_pair).uleb(0x10).uleb(0x20)
      .u8(DW_RLE.startx_length).uleb(2).uleb(8).u8(DW_RLE.start_end).u32(0x5000).u32(0x5010)
      .u8(DW_RLE.startx_endx).uleb(0).uleb(1).u8(DW_RLE.base_address).u32(0x7000).u8(DW_RLE.start_length).u32(0x6000).uleb(4)
      .u8(DW_RLE.offset_pair).uleb(1).uleb(1) /* empty: dropped */ .u8(DW_RLE.end_of_list),
  ]);
  const loc = listsTable([
    (w) => w.u8(DW_LLE.startx_length).uleb(0).uleb(0x10).uleb(1).u8(DW_OP.reg0)
      .u8(DW_LLE.offset_pair).uleb(0x10).uleb(0x20).uleb(2).u8(DW_OP.breg0 + 5, 0x78)
      .u8(DW_LLE.base_address).u32(0x8000).u8(DW_LLE.offset_pair).uleb(0).uleb(4).uleb(1).u8(DW_OP.reg0 + 3)
      .u8(DW_LLE.start_end).u32(0x9000).u32(0x9004).uleb(1).u8(DW_OP.reg0 + 6)
      .u8(DW_LLE.start_length).u32(0x9100).uleb(4).uleb(1).u8(DW_OP.reg0 + 7)
      .u8(DW_LLE.startx_endx).uleb(1).uleb(2).uleb(1).u8(DW_OP.reg0 + 2)
      .u8(DW_LLE.base_addressx).uleb(2).u8(DW_LLE.offset_pair).uleb(8).uleb(9).uleb(1).u8(DW_OP.reg0 + 1)
      .u8(DW_LLE.default_location).uleb(2).u8(DW_OP.lit0 + 1, DW_OP.stack_value)
      .u8(DW_LLE.end_of_list),
  ]);
  const abbrev = abbrevTable([
    { code: 1, tag: compile_unit, children: true, attrs: [[A.name, F.strx1], [A.comp_dir, F.line_strp], [A.str_offsets_base, F.sec_offset],
      [A.addr_base, F.sec_offset], [A.rnglists_base, F.sec_offset], [A.loclists_base, F.sec_offset], [A.low_pc, F.addrx1],
      [A.high_pc, F.data4], [A.language, F.data2]] },
    { code: 2, tag: base_type, attrs: [[A.name, F.strx], [A.byte_size, F.implicit_const, 4], [A.encoding, F.data1]] },
    { code: 3, tag: variable, attrs: [[A.name, F.strx2], [A.type, F.ref4], [A.external, F.flag_present], [A.location, F.exprloc]] },
    { code: 4, tag: subprogram, children: true, attrs: [[A.name, F.strx3], [A.low_pc, F.addrx], [A.high_pc, F.udata], [A.frame_base, F.exprloc], [A.external, F.flag]] },
    { code: 5, tag: formal_parameter, attrs: [[A.name, F.string], [A.type, F.ref_udata], [A.location, F.loclistx]] },
    { code: 6, tag: lexical_block, children: true, attrs: [[A.ranges, F.rnglistx]] },
    { code: 7, tag: variable, attrs: [[A.name, F.strx4], [A.type, F.ref2], [A.const_value, F.data16]] },
    { code: 8, tag: variable, attrs: [[A.name, F.indirect], [A.type, F.ref1], [A.const_value, F.sdata], [A.decl_line, F.data8], [A.location, F.block1]] },
    { code: 9, tag: variable, attrs: [[A.name, F.string], [A.type, F.ref8], [A.location, F.block2], [A.decl_line, F.udata], [A.decl_column, F.addrx2]] },
    { code: 10, tag: variable, attrs: [[A.name, F.string], [A.type, F.ref_addr], [A.location, F.block4], [A.const_value, F.block], [A.decl_file, F.addrx4], [A.decl_column, F.addrx3], [A.description, F.strx]] },
  ]).finish();
  const offsets: Record<string, number> = {};
  const w = new ByteWriter();
  unit(w, { version: 5 }, (w) => {
    offsets.root = w.pos;
    w.uleb(1).u8(0).u32(compDir).u32(8).u32(8).u32(12).u32(12).u8(0).u32(0x3000).u16(0x1d);
    offsets.int = w.pos;
    w.uleb(2).uleb(1).u8(5);
    offsets.counter = w.pos;
    w.uleb(3).u16(2).u32(offsets.int).uleb(5).u8(DW_OP.addr).u32(0x9000);
    offsets.main = w.pos;
    w.uleb(4).u24(3).uleb(0).uleb(0x100).uleb(1).u8(DW_OP.call_frame_cfa).u8(1);
    offsets.argc = w.pos;
    w.uleb(5).cstr('argc').uleb(offsets.int).uleb(0);
    offsets.block = w.pos;
    w.uleb(6).uleb(0);
    offsets.big = w.pos;
    w.uleb(7).u32(4).u16(offsets.int).bytes(Array.from({ length: 16 }, (_, k) => k + 1));
    w.u8(0); // end of block
    w.u8(0); // end of main
    offsets.indirect = w.pos;
    w.uleb(8).uleb(F.strp).u32(viaIndirect).u8(offsets.int).sleb(-70000).u64(123).u8(1).u8(DW_OP.reg0 + 3);
    offsets.ref8 = w.pos;
    w.uleb(9).cstr('r8').u64(offsets.int).u16(1).u8(DW_OP.reg0 + 1).uleb(300).u16(1);
    offsets.refAddr = w.pos;
    w.uleb(10).cstr('ra').u32(offsets.int).u32(1).u8(DW_OP.reg0 + 2).uleb(2).u8(7, 8).u32(0).u24(2).uleb(5);
    w.u8(0); // end of the unit's children
  });
  return {
    sections: dwarfSections({ info: w.finish(), abbrev, str: str.bytes(), lineStr: lineStr.bytes(), strOffsets, addr, rnglists: rng.bytes, loclists: loc.bytes }, 'test.elf'),
    offsets,
  };
}

test('DWARF 5 unit header and every form: strx1-4, addrx, line_strp, implicit_const, data16, exprloc, ref*, flag_present, indirect', () => {
  const { sections, offsets } = dwarf5();
  const info = new DwarfInfo(sections);
  assert.equal(info.units.length, 1);
  const u = info.units[0];
  assert.deepEqual([u.version, u.unitType, u.addressSize, u.is64, u.strOffsetsBase, u.addrBase, u.rnglistsBase, u.loclistsBase, u.baseAddress],
    [5, DW_UT.compile, 4, false, 8, 8, 12, 12, 0x1000]);
  const root = u.root!;
  assert.equal(root.tag, compile_unit);
  assert.equal(root.name, 'cu.c');
  assert.equal(root.str(A.comp_dir), '/src');
  assert.equal(root.num(A.language), 0x1d);
  const int = info.dieAt(offsets.int)!;
  assert.equal(int.name, 'int');
  assert.equal(int.num(A.byte_size), 4, 'implicit_const');
  const counter = info.dieAt(offsets.counter)!;
  assert.equal(counter.name, 'counter');
  assert.equal(counter.flag(A.external), true, 'flag_present');
  assert.equal(info.ref(counter, A.type), int, 'ref4');
  assert.deepEqual(Array.from(counter.attr(A.location)!.value as Uint8Array), [DW_OP.addr, 0, 0x90, 0, 0]);
  const main = info.dieAt(offsets.main)!;
  assert.equal(main.name, 'main', 'strx3');
  assert.equal(main.attr(A.low_pc)!.value, 0x1000, 'addrx resolved through .debug_addr');
  assert.equal(main.flag(A.external), true, 'flag form');
  assert.equal(main.children.length, 2);
  const argc = info.dieAt(offsets.argc)!;
  assert.equal(argc.parent, main);
  assert.equal(info.ref(argc, A.type), int, 'ref_udata');
  assert.equal(argc.attr(A.location)!.cls, 'secoffset');
  const big = info.dieAt(offsets.big)!;
  assert.equal(big.name, 'big', 'strx4');
  assert.equal(info.ref(big, A.type), int, 'ref2');
  assert.deepEqual(Array.from(big.attr(A.const_value)!.value as Uint8Array), Array.from({ length: 16 }, (_, k) => k + 1), 'data16');
  const ind = info.dieAt(offsets.indirect)!;
  assert.equal(ind.name, 'via_indirect', 'indirect -> strp');
  assert.equal(ind.attr(A.name)!.form, F.strp);
  assert.equal(info.ref(ind, A.type), int, 'ref1');
  assert.equal(ind.num(A.const_value), -70000, 'sdata');
  assert.equal(ind.num(A.decl_line), 123, 'data8');
  const r8 = info.dieAt(offsets.ref8)!;
  assert.equal(info.ref(r8, A.type), int, 'ref8');
  assert.equal(r8.num(A.decl_line), 300, 'udata');
  assert.equal(r8.num(A.decl_column), 0x2000, 'addrx2');
  const ra = info.dieAt(offsets.refAddr)!;
  assert.equal(info.ref(ra, A.type), int, 'ref_addr');
  assert.deepEqual(Array.from(ra.attr(A.const_value)!.value as Uint8Array), [7, 8], 'block');
  assert.equal(ra.num(A.decl_file), 0x1000, 'addrx4');
  assert.equal(ra.num(A.decl_column), 0x3000, 'addrx3');
  assert.equal(ra.str(A.description), 'answer', 'strx');
});

test('DWARF 5 range and location lists through rnglistx/loclistx, with every entry kind', () => {
  const { sections } = dwarf5();
  const program = new DwarfProgram(sections);
  const main = program.functions.find((f) => f.name === 'main') as Func;
  assert.deepEqual(main.ranges, [{ low: 0x1000, high: 0x1100 }], 'high_pc of class constant is an offset');
  assert.equal(main.frameBase.kind, 'expr');
  const block = main.scopes[0];
  assert.deepEqual(block.ranges, [
    { low: 0x2010, high: 0x2020 }, { low: 0x3000, high: 0x3008 }, { low: 0x5000, high: 0x5010 },
    { low: 0x1000, high: 0x2000 }, { low: 0x6000, high: 0x6004 },
  ]);
  const argc = main.variables[0];
  assert.equal(argc.name, 'argc');
  assert.equal(argc.location.kind, 'list');
  const entries = argc.location.kind === 'list' ? argc.location.entries : [];
  assert.deepEqual(entries.map((e) => [e.low, e.high, Array.from(e.expr), e.isDefault ?? false]), [
    [0x1000, 0x1010, [DW_OP.reg0], false],
    [0x1010, 0x1020, [DW_OP.breg0 + 5, 0x78], false],
    [0x8000, 0x8004, [DW_OP.reg0 + 3], false],
    [0x9000, 0x9004, [DW_OP.reg0 + 6], false],
    [0x9100, 0x9104, [DW_OP.reg0 + 7], false],
    [0x2000, 0x3000, [DW_OP.reg0 + 2], false],
    [0x3008, 0x3009, [DW_OP.reg0 + 1], false],
    [0, 0, [DW_OP.lit0 + 1, DW_OP.stack_value], true],
  ]);
  assert.deepEqual(Array.from(program.expressionAt(argc.location, 0x1015)!), [DW_OP.breg0 + 5, 0x78]);
  assert.deepEqual(Array.from(program.expressionAt(argc.location, 0x4444)!), [DW_OP.lit0 + 1, DW_OP.stack_value], 'default location');
  assert.equal(program.globals.map((g) => g.name).join(','), 'counter,via_indirect,r8,ra', 'big is a local of main');
  assert.equal(typeName(program.globals[0].type), 'int');
});

test('DWARF 4 type units in .debug_types referenced with DW_FORM_ref_sig8; DWARF 2 ref_addr is address-sized', () => {
  const str = new Strings();
  const abbrev = abbrevTable([
    { code: 1, tag: type_unit, children: true, attrs: [] },
    { code: 2, tag: structure_type, children: true, attrs: [[A.name, F.strp], [A.byte_size, F.data1]] },
    { code: 3, tag: member, attrs: [[A.name, F.string], [A.type, F.ref4], [A.data_member_location, F.data1]] },
    { code: 4, tag: base_type, attrs: [[A.name, F.string], [A.byte_size, F.data1], [A.encoding, F.data1]] },
    { code: 5, tag: compile_unit, children: true, attrs: [[A.name, F.string]] },
    { code: 6, tag: variable, attrs: [[A.name, F.string], [A.type, F.ref_sig8], [A.location, F.exprloc]] },
    { code: 7, tag: typedef, attrs: [[A.name, F.string], [A.type, F.ref_addr]] },
  ]).finish();
  const sig = 0x1122334455667788n;
  // the type unit: written twice, the second time with the member types pointing at `int`
  const typeUnit = (intRef: number) => {
    const t = new ByteWriter();
    const at = { struct: 0, int: 0 };
    unit(t, { version: 4, typeSignature: sig, typeOffset: 24 }, (w) => {
      w.uleb(1);
      at.struct = w.pos;
      w.uleb(2).u32(str.add('pair')).u8(8);
      w.uleb(3).cstr('a').u32(intRef).u8(0);
      w.uleb(3).cstr('b').u32(intRef).u8(4);
      w.u8(0);
      at.int = w.pos;
      w.uleb(4).cstr('int').u8(4).u8(5);
      w.u8(0);
    });
    return { bytes: t.finish(), ...at };
  };
  const layout = typeUnit(0);
  const { bytes: typesBytes, struct: structAt } = typeUnit(layout.int);
  assert.equal(structAt, 24);
  const info = new ByteWriter();
  let varAt = 0, tdAt = 0;
  unit(info, { version: 2 }, (w) => {
    w.uleb(5).cstr('v2.c');
    varAt = w.pos;
    w.uleb(6).cstr('p').u64(sig).uleb(5).u8(DW_OP.addr).u32(0x4000);
    tdAt = w.pos;
    w.uleb(7).cstr('self_t').u32(varAt); // ref_addr: 4 bytes (address size) in DWARF 2
    w.u8(0);
  });
  const sections = dwarfSections({ info: info.finish(), types: typesBytes, abbrev, str: str.bytes() });
  const dinfo = new DwarfInfo(sections);
  assert.equal(dinfo.units.length, 2);
  const tu = dinfo.units[1];
  assert.equal(tu.unitType, DW_UT.type);
  assert.equal(tu.typeSignature, sig);
  const v = dinfo.dieAt(varAt)!;
  const struct = dinfo.ref(v, A.type)!;
  assert.equal(struct.name, 'pair');
  assert.equal(struct.unit, tu);
  assert.equal(dinfo.ref(dinfo.dieAt(tdAt)!, A.type), v, 'ref_addr to a DIE in .debug_info');
  const program = new DwarfProgram(sections);
  const g = program.globals.find((x) => x.name === 'p')!;
  assert.equal(typeName(g.type), 'struct pair');
  assert.deepEqual(g.type.members!.map((m) => [m.name, m.offset, typeName(m.type)]), [['a', 0, 'int'], ['b', 4, 'int']]);
});

test('64-bit DWARF: initial length escape, 8-byte strp, sec_offset and ref_addr', () => {
  const str = new Strings();
  const abbrev = abbrevTable([
    { code: 1, tag: compile_unit, children: true, attrs: [[A.name, F.strp], [A.stmt_list, F.sec_offset]] },
    { code: 2, tag: variable, attrs: [[A.name, F.strp], [A.type, F.ref_addr]] },
    { code: 3, tag: base_type, attrs: [[A.name, F.string], [A.byte_size, F.data1]] },
    { code: 4, tag: pointer_type, attrs: [[A.type, F.ref4]] },
  ]).finish();
  const w = new ByteWriter();
  let baseAt = 0, varAt = 0;
  unit(w, { version: 4, is64: true }, (w) => {
    w.uleb(1).u64(str.add('wide.c')).u64(0x1234);
    baseAt = w.pos;
    w.uleb(3).cstr('long').u8(8);
    varAt = w.pos;
    w.uleb(2).u64(str.add('x')).u64(baseAt);
    w.uleb(4).u32(baseAt);
    w.u8(0);
  });
  const info = new DwarfInfo(dwarfSections({ info: w.finish(), abbrev, str: str.bytes() }));
  const u = info.units[0];
  assert.equal(u.is64, true);
  assert.equal(u.root!.name, 'wide.c');
  assert.equal(u.root!.num(A.stmt_list), 0x1234);
  assert.equal(info.ref(info.dieAt(varAt)!, A.type)!.name, 'long');
});

test('malformed .debug_info and .debug_abbrev raise DwarfErrors naming the section and offset', () => {
  const abbrev = abbrevTable([{ code: 1, tag: compile_unit, children: true, attrs: [[A.name, F.string], [A.type, F.ref4]] }]).finish();
  const build = (spec: Parameters<typeof unit>[1], body: (w: ByteWriter) => void) => { const w = new ByteWriter(); unit(w, spec, body); return w.finish(); };
  const expectError = (given: Partial<Record<'info' | 'abbrev' | 'strOffsets' | 'str' | 'addr', Uint8Array>>, section: string, re: RegExp, offset?: number) => {
    assert.throws(() => {
      const p = new DwarfProgram(dwarfSections({ abbrev, ...given }, 'k.elf'));
      void p.functions; void p.globals;
      const root = p.info.units[0]?.root;
      if (root) p.info.ref(root, A.type);
    }, (e: unknown) => {
      assert.ok(e instanceof DwarfError, String(e));
      assert.equal(e.section, section);
      assert.match(e.message, re);
      assert.ok(e.message.startsWith(`k.elf: ${section} offset 0x`), e.message);
      if (offset !== undefined) assert.equal(e.offset, offset);
      return true;
    });
  };
  expectError({ info: build({ version: 6 }, () => {}) }, '.debug_info', /unsupported DWARF version 6/, 4);
  expectError({ info: build({ version: 1 }, () => {}) }, '.debug_info', /unsupported DWARF version 1/, 4);
  expectError({ info: build({ version: 4, addressSize: 3 }, () => {}) }, '.debug_info', /unsupported address size 3/);
  expectError({ info: build({ version: 5, unitType: 9 }, () => {}) }, '.debug_info', /unknown unit type 9/);
  expectError({ info: build({ version: 4, abbrevOffset: 0x999 }, () => {}) }, '.debug_info', /abbreviation offset 0x999 is outside \.debug_abbrev/);
  expectError({ info: build({ version: 4 }, (w) => { w.uleb(7); }) }, '.debug_info', /abbreviation code 7 is not in the abbreviation table/, 11);
  expectError({ info: build({ version: 4 }, (w) => { w.uleb(1).u8(0x61); }) }, '.debug_info', /unterminated string/, 12);
  expectError({ info: build({ version: 4 }, (w) => { w.uleb(1).cstr('a').u32(0x500); }) }, '.debug_info', /refers to 0x500, which is not the start of a DIE/);
  const long = build({ version: 4 }, (w) => { w.uleb(1).cstr('a').u32(0); });
  new DataView(long.buffer).setUint32(0, 0x100, true);
  expectError({ info: long }, '.debug_info', /unit length 0x100 runs past the end of the section/, 0);
  const unknownForm = abbrevTable([{ code: 1, tag: compile_unit, attrs: [[A.name, 0x55]] }]).finish();
  expectError({ abbrev: unknownForm, info: build({ version: 4 }, (w) => { w.uleb(1); }) }, '.debug_abbrev', /abbreviation 1: unknown attribute form 0x55/, 3);
  const supForm = abbrevTable([{ code: 1, tag: compile_unit, attrs: [[A.name, F.strp_sup]] }]).finish();
  expectError({ abbrev: supForm, info: build({ version: 5 }, (w) => { w.uleb(1).u32(0); }) }, '.debug_info', /DW_FORM_strp_sup .* supplementary object file/);
  const badChildren = new ByteWriter().uleb(1).uleb(compile_unit).u8(2).u8(0, 0).u8(0).finish();
  expectError({ abbrev: badChildren, info: build({ version: 4 }, (w) => { w.uleb(1); }) }, '.debug_abbrev', /DW_CHILDREN value 2/);
  const strx = abbrevTable([{ code: 1, tag: compile_unit, attrs: [[A.name, F.strx1]] }]).finish();
  expectError({ abbrev: strx, info: build({ version: 5 }, (w) => { w.uleb(1).u8(9); }), strOffsets: offsetsTable([0]), str: new Uint8Array([0]) },
    '.debug_str_offsets', /string index 9 \(DW_FORM_strx1 of DW_AT_name at \.debug_info offset 0xd\) is past the end/);
  const addrx = abbrevTable([{ code: 1, tag: compile_unit, attrs: [[A.low_pc, F.addrx1]] }]).finish();
  expectError({ abbrev: addrx, info: build({ version: 5 }, (w) => { w.uleb(1).u8(3); }), addr: offsetsTable([1], 4, 'addr') },
    '.debug_addr', /address index 3 .* is past the end of the section/);
  const strp = abbrevTable([{ code: 1, tag: compile_unit, attrs: [[A.name, F.strp]] }]).finish();
  expectError({ abbrev: strp, info: build({ version: 4 }, (w) => { w.uleb(1).u32(0x40); }), str: new Uint8Array([0x61, 0]) },
    '.debug_str', /string offset 0x40 \(from DW_FORM_strp of DW_AT_name at \.debug_info offset 0xc\) is outside the section/, 0x40);
});

test('an empty or absent .debug_info gives no units, and unit padding after the children is accepted', () => {
  assert.equal(new DwarfInfo(dwarfSections({})).units.length, 0);
  const abbrev = abbrevTable([{ code: 1, tag: compile_unit, children: true, attrs: [[A.name, F.string]] }]).finish();
  const w = new ByteWriter();
  unit(w, { version: 3 }, (w) => { w.uleb(1).cstr('p.c').u8(0).u8(0, 0, 0); });
  const info = new DwarfInfo(dwarfSections({ info: w.finish(), abbrev }));
  assert.equal(info.units[0].root!.name, 'p.c');
});
