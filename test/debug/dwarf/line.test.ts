// .debug_line: hand-built line programs for every opcode and header version, then the committed
// fixtures compared row by row with `objdump --dwarf=decodedline` dumps made when they were built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DW_FORM, DW_LNCT, DW_LNE, DW_LNS } from '../../../engine/debug/dwarf/constants.js';
import { DwarfError } from '../../../engine/debug/dwarf/error.js';
import { readLineProgram, type LineRow } from '../../../engine/debug/dwarf/line.js';
import { baseName } from '../../../engine/debug/dwarf/path.js';
import { DwarfProgram } from '../../../engine/debug/dwarf/program.js';
import { dwarfSections } from '../../../engine/debug/dwarf/sections.js';
import { dump, fixture, FIXTURE_NAMES, guest } from './helpers/fixtures.js';
import { ByteWriter } from './helpers/writer.js';

interface HeaderSpec {
  version: number;
  minInst?: number;
  maxOps?: number;
  defaultIsStmt?: number;
  lineBase?: number;
  lineRange?: number;
  opcodeBase?: number;
  stdLengths?: number[];
  /** DWARF 2-4: include_directories and file_names. */
  dirs?: string[];
  files?: [string, number][];
  /** DWARF 5: writes its own tables. */
  v5Tables?: (w: ByteWriter) => void;
}

const STD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

function lineProgram(h: HeaderSpec, program: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  const end = w.length32();
  w.u16(h.version);
  if (h.version >= 5) w.u8(4, 0); // address_size, segment_selector_size
  const headerEnd = w.length32();
  const opcodeBase = h.opcodeBase ?? 13;
  w.u8(h.minInst ?? 1);
  if (h.version >= 4) w.u8(h.maxOps ?? 1);
  w.u8(h.defaultIsStmt ?? 1);
  w.u8((h.lineBase ?? -5) & 0xFF);
  w.u8(h.lineRange ?? 14);
  w.u8(opcodeBase);
  const lengths = h.stdLengths ?? STD_LENGTHS;
  for (let k = 1; k < opcodeBase; k++) w.u8(lengths[k - 1] ?? 0);
  if (h.version >= 5 && h.v5Tables) h.v5Tables(w);
  else {
    for (const d of h.dirs ?? []) w.cstr(d);
    w.u8(0);
    for (const [name, dir] of h.files ?? []) w.cstr(name).uleb(dir).uleb(0).uleb(0);
    w.u8(0);
  }
  headerEnd();
  program(w);
  end();
  return w.finish();
}

/** A special opcode for (operation advance, line advance) with line_base -5, line_range 14, opcode_base 13. */
const special = (addr: number, line: number, base = 13, lineBase = -5, lineRange = 14) => (line - lineBase) + lineRange * addr + base;
const setAddress = (w: ByteWriter, a: number) => w.u8(0, 5, DW_LNE.set_address).u32(a);
const endSequence = (w: ByteWriter) => w.u8(0, 1, DW_LNE.end_sequence);

const run = (bytes: Uint8Array, opts = {}) => readLineProgram(dwarfSections({ line: bytes }), 0, opts);
const brief = (r: LineRow) => ({ address: r.address, file: r.file, line: r.line, column: r.column, isStmt: r.isStmt, endSequence: r.endSequence });

test('DWARF 2 header: include directories, file names and every standard opcode', () => {
  const bytes = lineProgram({ version: 2, opcodeBase: 10, dirs: ['/inc', 'sub'], files: [['a.c', 0], ['b.h', 1], ['c.h', 2]] }, (w) => {
    setAddress(w, 0x1000);
    w.u8(special(0, 1, 10));                       // 0x1000 line 2
    w.u8(special(3, 2, 10));                       // 0x1003 line 4
    w.u8(DW_LNS.advance_pc).uleb(0x10);
    w.u8(DW_LNS.advance_line).sleb(-1);
    w.u8(DW_LNS.copy);                             // 0x1013 line 3
    w.u8(DW_LNS.set_file).uleb(2);
    w.u8(DW_LNS.set_column).uleb(7);
    w.u8(DW_LNS.negate_stmt);
    w.u8(DW_LNS.copy);                             // b.h, column 7, not a statement
    w.u8(DW_LNS.const_add_pc);                     // + (255 - 10) / 14 = 17
    w.u8(DW_LNS.fixed_advance_pc).u16(0x100);
    w.u8(DW_LNS.set_basic_block);
    w.u8(DW_LNS.copy);                             // 0x1124
    w.u8(10);                                      // opcode_base 10: opcode 10 is special (adjusted 0: line -5)
    w.u8(DW_LNS.set_file).uleb(3);
    w.u8(DW_LNS.advance_pc).uleb(2);
    endSequence(w);                                // 0x1126
    setAddress(w, 0x2000);
    w.u8(DW_LNS.copy);                             // registers were reset
    w.u8(DW_LNS.advance_pc).uleb(1);
    endSequence(w);
  });
  const prog = run(bytes, { compDir: '/work', unitName: 'a.c' });
  assert.equal(prog.version, 2);
  assert.deepEqual(prog.directories, ['/work', '/inc', 'sub']);
  assert.deepEqual(prog.files.map((f) => f.path), ['/work/a.c', '/work/a.c', '/inc/b.h', '/work/sub/c.h']);
  assert.deepEqual(prog.rows.map(brief), [
    { address: 0x1000, file: '/work/a.c', line: 2, column: 0, isStmt: true, endSequence: false },
    { address: 0x1003, file: '/work/a.c', line: 4, column: 0, isStmt: true, endSequence: false },
    { address: 0x1013, file: '/work/a.c', line: 3, column: 0, isStmt: true, endSequence: false },
    { address: 0x1013, file: '/inc/b.h', line: 3, column: 7, isStmt: false, endSequence: false },
    { address: 0x1124, file: '/inc/b.h', line: 3, column: 7, isStmt: false, endSequence: false },
    { address: 0x1124, file: '/inc/b.h', line: -2, column: 7, isStmt: false, endSequence: false },
    { address: 0x1126, file: '/work/sub/c.h', line: -2, column: 7, isStmt: false, endSequence: true },
    { address: 0x2000, file: '/work/a.c', line: 1, column: 0, isStmt: true, endSequence: false },
    { address: 0x2001, file: '/work/a.c', line: 1, column: 0, isStmt: true, endSequence: true },
  ]);
  assert.equal(prog.rows[4].basicBlock, true);
  assert.equal(prog.rows[5].basicBlock, false, 'basic_block is cleared after a row');
});

test('DWARF 3: prologue/epilogue flags, set_isa, define_file, discriminators, unknown opcodes skipped', () => {
  const lengths = [...STD_LENGTHS, 2]; // opcode 13: a vendor opcode with two ULEB operands
  const bytes = lineProgram({ version: 3, opcodeBase: 14, stdLengths: lengths, dirs: ['/inc'], files: [['a.c', 0]] }, (w) => {
    setAddress(w, 0x400);
    w.u8(DW_LNS.set_prologue_end).u8(DW_LNS.set_epilogue_begin).u8(DW_LNS.set_isa).uleb(3);
    w.u8(0, 2, DW_LNE.set_discriminator, 5);
    w.u8(special(1, 0, 14));                       // 0x401 line 1, flags set
    w.u8(special(1, 1, 14));                       // 0x402 line 2, flags cleared, isa kept
    w.u8(13).uleb(300).uleb(1);                    // unknown standard opcode: operands skipped
    w.u8(0).uleb(5).u8(0x80, 1, 2, 3, 4);          // unknown extended opcode (DW_LNE_lo_user): skipped by length
    w.u8(0).uleb(1 + 4 + 3).u8(DW_LNE.define_file).cstr('d.h').uleb(1).uleb(0).uleb(0);
    w.u8(DW_LNS.set_file).uleb(2);
    w.u8(DW_LNS.copy);
    endSequence(w);
  });
  const prog = run(bytes, { compDir: '/w' });
  const [r1, r2, r3, r4] = prog.rows;
  assert.deepEqual([r1.address, r1.line, r1.prologueEnd, r1.epilogueBegin, r1.isa, r1.discriminator], [0x401, 1, true, true, 3, 5]);
  assert.deepEqual([r2.address, r2.line, r2.prologueEnd, r2.epilogueBegin, r2.isa, r2.discriminator], [0x402, 2, false, false, 3, 0]);
  assert.deepEqual([r3.file, r3.line, r3.endSequence], ['/inc/d.h', 2, false]);
  assert.equal(r4.endSequence, true);
  assert.equal(prog.files[2].name, 'd.h');
});

test('DWARF 4: minimum instruction length and VLIW operation indexes', () => {
  const bytes = lineProgram({ version: 4, minInst: 8, maxOps: 3, files: [['v.c', 0]] }, (w) => {
    setAddress(w, 0x100);
    w.u8(special(2, 1));                           // op_index 2, address unchanged
    w.u8(special(2, 1));                           // op_index (2+2)%3 = 1, address + 8
    w.u8(DW_LNS.advance_pc).uleb(5);               // (1+5) = 6: address + 16, op_index 0
    w.u8(DW_LNS.copy);
    endSequence(w);
  });
  const rows = run(bytes).rows.map((r) => [r.address, r.opIndex, r.line]);
  assert.deepEqual(rows, [[0x100, 2, 2], [0x108, 1, 3], [0x118, 0, 3], [0x118, 0, 3]]);
  const plain = lineProgram({ version: 4, minInst: 4, files: [['v.c', 0]] }, (w) => {
    setAddress(w, 0); w.u8(special(3, 0)); w.u8(DW_LNS.const_add_pc); w.u8(DW_LNS.copy); endSequence(w);
  });
  assert.deepEqual(run(plain).rows.map((r) => r.address), [12, 12 + 4 * 17, 12 + 4 * 17]);
});

test('DWARF 5: directory and file entry formats with line_strp, strp, udata, data1, data16 (MD5) and vendor content', () => {
  const lineStr = new ByteWriter().cstr('/build').cstr('include').cstr('main.c').finish();
  const str = new ByteWriter().cstr('util.h').finish();
  const md5 = Array.from({ length: 16 }, (_, k) => k * 17);
  const bytes = lineProgram({
    version: 5,
    v5Tables: (w) => {
      w.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.line_strp);
      w.uleb(2).u32(0).u32(7);                        // "/build", "include"
      w.u8(4).uleb(DW_LNCT.path).uleb(DW_FORM.string).uleb(DW_LNCT.directory_index).uleb(DW_FORM.udata)
        .uleb(DW_LNCT.MD5).uleb(DW_FORM.data16).uleb(0x2001).uleb(DW_FORM.udata);
      w.uleb(2);
      w.cstr('main.c').uleb(0).bytes(md5).uleb(99);
      w.cstr('util.h').uleb(1).bytes(md5).uleb(98);
    },
  }, (w) => {
    setAddress(w, 0x8000);
    w.u8(DW_LNS.set_file).uleb(0).u8(DW_LNS.copy);   // file 0 is the primary source in DWARF 5
    w.u8(DW_LNS.set_file).uleb(1).u8(special(4, 3));
    w.u8(DW_LNS.set_file).uleb(7).u8(DW_LNS.copy);   // no such file: named, not a crash
    endSequence(w);
  });
  const prog = readLineProgram(dwarfSections({ line: bytes, lineStr, str }), 0, { compDir: '/build' });
  assert.deepEqual(prog.directories, ['/build', 'include']);
  assert.deepEqual(prog.files.map((f) => f.path), ['/build/main.c', '/build/include/util.h']);
  assert.deepEqual(Array.from(prog.files[1].md5!), md5);
  assert.deepEqual(prog.rows.map((r) => [r.address, r.file, r.line]), [
    [0x8000, '/build/main.c', 1], [0x8004, '/build/include/util.h', 4], [0x8004, '<file 7>', 4], [0x8004, '<file 7>', 4],
  ]);
  // strp and data1 forms are accepted too
  const alt = lineProgram({
    version: 5,
    v5Tables: (w) => {
      w.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.string).uleb(1).cstr('/d');
      w.u8(2).uleb(DW_LNCT.path).uleb(DW_FORM.strp).uleb(DW_LNCT.directory_index).uleb(DW_FORM.data1).uleb(1).u32(0).u8(0);
    },
  }, (w) => { setAddress(w, 1); endSequence(w); });
  assert.equal(readLineProgram(dwarfSections({ line: alt, str }), 0).files[0].path, '/d/util.h');
});

test('malformed line programs raise DwarfErrors naming .debug_line and the offset', () => {
  const good = (v: number, extra: Partial<HeaderSpec> = {}, prog: (w: ByteWriter) => void = (w) => { setAddress(w, 0); endSequence(w); }) =>
    lineProgram({ version: v, files: [['a.c', 0]], ...extra }, prog);
  const expectError = (bytes: Uint8Array, re: RegExp, offset?: number) => assert.throws(() => run(bytes), (e: unknown) => {
    assert.ok(e instanceof DwarfError, String(e));
    assert.equal(e.section, '.debug_line');
    assert.match(e.message, re);
    if (offset !== undefined) assert.equal(e.offset, offset);
    return true;
  });
  expectError(good(6), /unsupported line table version 6/, 4);
  expectError(good(3, { lineRange: 0 }), /line_range is 0/);
  expectError(good(4, { maxOps: 0 }), /maximum_operations_per_instruction is 0/);
  const truncated = good(3).subarray(0, 20);
  expectError(truncated, /runs past the end of the section/, 0);
  expectError(good(3, {}, (w) => { w.u8(0, 3, DW_LNE.set_discriminator, 0x80, 0x80, 0x01); }), /operands run past its length 3/);
  expectError(good(3, {}, (w) => { w.u8(0, 4, DW_LNE.set_address, 1, 2, 3); }), /DW_LNE_set_address with a 3-byte operand/);
  expectError(good(3, {}, (w) => { w.u8(DW_LNS.advance_pc, 0x80); }), /truncated LEB128/);
  expectError(good(3, {}, (w) => { w.u8(0, 0); }), /extended opcode with length 0/);
  const badForm = lineProgram({ version: 5, v5Tables: (w) => { w.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.addr).uleb(1).u32(0); w.u8(0).uleb(0); } }, () => {});
  expectError(badForm, /form DW_FORM_addr is not allowed in a line table header/);
  const pathNotString = lineProgram({ version: 5, v5Tables: (w) => { w.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.udata).uleb(1).uleb(3); w.u8(0).uleb(0); } }, () => {});
  expectError(pathNotString, /DW_LNCT_path has non-string form DW_FORM_udata/);
  assert.throws(() => readLineProgram(dwarfSections({ line: good(3) }), 0x500), /\.debug_line offset 0x[0-9a-f]+: line program offset 0x500 is outside the section/);
});

/** Rows of `objdump --dwarf=decodedline`: file (base name), line or '-', address, statement flag. */
function objdumpRows(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(?:\s+(\d+))?\s*(x)?\s*$/.exec(l);
    if (m) out.push(`${m[1]} ${m[2]} ${m[3]}${m[5] ? ' x' : ''}`);
  }
  return out;
}

function ourRows(program: DwarfProgram): string[] {
  const out: string[] = [];
  for (const cu of program.compileUnits) {
    for (const r of program.lineProgram(cu)!.rows) {
      out.push(`${baseName(r.file)} ${r.endSequence ? '-' : r.line} 0x${r.address.toString(16)}${r.isStmt && !r.endSequence ? ' x' : ''}`);
    }
  }
  return out;
}

for (const name of FIXTURE_NAMES) {
  test(`${name}: every line table row equals objdump --dwarf=decodedline`, () => {
    const { elf, bytes } = fixture(name);
    const program = DwarfProgram.fromElf(elf, bytes);
    const expected = objdumpRows(dump(`${name}.lines.txt`));
    assert.ok(expected.length > 50);
    assert.deepEqual(ourRows(program), expected);
  });
}

test('line table versions follow the unit versions of the fixtures (DWARF 2 units use a version 3 line table)', () => {
  const versions = FIXTURE_NAMES.map((n) => {
    const { elf, bytes } = fixture(n);
    const p = DwarfProgram.fromElf(elf, bytes);
    return [p.compileUnits[0].unit.version, p.lineProgram(p.compileUnits[0])!.version];
  });
  assert.deepEqual(versions, [[2, 3], [3, 3], [4, 4], [5, 5]]);
});

test('guest kernels: the line tables have rows for hello.c and the SDK, all in address order per sequence', () => {
  for (const path of ['guests/hello/kernel.elf', 'guests/hello/kernel-O0.elf']) {
    const { elf, bytes } = guest(path);
    const p = DwarfProgram.fromElf(elf, bytes);
    const files = new Set<string>();
    for (const cu of p.compileUnits) {
      const rows = p.lineProgram(cu)!.rows;
      assert.equal(rows[rows.length - 1].endSequence, true, `${cu.name} ends with end_sequence`);
      for (let k = 1; k < rows.length; k++) if (!rows[k - 1].endSequence) assert.ok(rows[k].address >= rows[k - 1].address);
      for (const r of rows) files.add(r.file);
    }
    for (const f of ['guests/hello/hello.c', 'guests/sdk/lib/serial.c', 'guests/sdk/lib/printf.c', 'guests/sdk/start.S', 'guests/sdk/include/multiboot.h']) {
      assert.ok(files.has(f), `${path}: ${f} in ${[...files].join(', ')}`);
    }
  }
});
