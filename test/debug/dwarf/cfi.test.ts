// Call frame information: hand-built .debug_frame (CIE versions 1, 3, 4, 64-bit) and .eh_frame
// (augmentations zR/zPLR, pc-relative pointers) exercising every DW_CFA_* instruction; the fixtures'
// unwind tables compared with `readelf --debug-dump=frames-interp` dumps; one unwinding step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallFrameInfo, unwindStep, unwindTable, type RegisterRule, type UnwindRow } from '../../../engine/debug/dwarf/cfi.js';
import { DW_CFA, DW_EH_PE, DW_OP } from '../../../engine/debug/dwarf/constants.js';
import { DwarfError } from '../../../engine/debug/dwarf/error.js';
import { DwarfProgram } from '../../../engine/debug/dwarf/program.js';
import { dump, fixture, FIXTURE_NAMES, guest } from './helpers/fixtures.js';
import { ByteWriter } from './helpers/writer.js';

interface CieSpec { version?: number; augmentation?: string; codeAlign?: number; dataAlign?: number; ra?: number; augData?: number[]; initial: number[]; is64?: boolean }

function cie(w: ByteWriter, s: CieSpec, eh = false): number {
  const at = w.pos;
  const done = lengthField(w, s.is64);
  if (eh) w.u32(0); else if (s.is64) w.u64(0xFFFF_FFFF_FFFF_FFFFn); else w.u32(0xFFFF_FFFF);
  const version = s.version ?? 1;
  w.u8(version).cstr(s.augmentation ?? '');
  if (version === 4) w.u8(4, 0);
  w.uleb(s.codeAlign ?? 1).sleb(s.dataAlign ?? -4);
  if (version === 1) w.u8(s.ra ?? 8); else w.uleb(s.ra ?? 8);
  if (s.augData) w.uleb(s.augData.length).bytes(s.augData);
  w.bytes(s.initial);
  while ((w.pos - at) % 4) w.u8(DW_CFA.nop);
  done();
  return at;
}

function lengthField(w: ByteWriter, is64?: boolean): () => void {
  if (!is64) return w.length32();
  w.u32(0xFFFF_FFFF);
  const at = w.pos;
  w.u64(0);
  return () => w.patch32(at, w.pos - at - 8);
}

function fde(w: ByteWriter, cieAt: number, low: number, size: number, instructions: number[], is64 = false): number {
  const at = w.pos;
  const done = lengthField(w, is64);
  if (is64) w.u64(cieAt); else w.u32(cieAt);
  w.u32(low).u32(size).bytes(instructions);
  while ((w.pos - at) % 4) w.u8(DW_CFA.nop);
  done();
  return at;
}

const sleb = (v: number) => Array.from(new ByteWriter().sleb(v).finish());
const CIE_INIT = [DW_CFA.def_cfa, 4, 4, DW_CFA.offset | 8, 1]; // CFA = esp+4; eip at CFA-4

/** The FDE program of the first test: every instruction, with the rows it should produce. */
const EVERYTHING = [
  DW_CFA.advance_loc | 1,
  DW_CFA.def_cfa_offset, 8, DW_CFA.offset | 5, 2,             // push ebp
  DW_CFA.advance_loc1, 2,
  DW_CFA.def_cfa_register, 5,                                 // mov ebp, esp
  DW_CFA.remember_state,
  DW_CFA.advance_loc2, 0x10, 0x00,
  DW_CFA.offset_extended_sf, 3, ...sleb(3),                   // ebx at CFA-12
  DW_CFA.same_value, 6, DW_CFA.undefined, 7, DW_CFA.register, 2, 1, DW_CFA.val_offset, 0, 1,
  DW_CFA.advance_loc4, 0x20, 0, 0, 0,
  DW_CFA.restore_state,                                       // back to CFA = ebp+8, ebp at CFA-8
  DW_CFA.restore | 5, DW_CFA.restore_extended, 8,             // ebp: no rule (CIE has none); eip: CIE rule
  DW_CFA.advance_loc | 1,
  DW_CFA.def_cfa_sf, 4, ...sleb(-3), DW_CFA.def_cfa_offset_sf, ...sleb(-4),
  DW_CFA.expression, 3, 2, DW_OP.breg0 + 4, 0, DW_CFA.val_expression, 6, 1, DW_OP.lit0 + 5,
  DW_CFA.offset_extended, 7, 2, DW_CFA.GNU_args_size, 16, DW_CFA.GNU_negative_offset_extended, 1, 1,
  DW_CFA.val_offset_sf, 2, ...sleb(-2), DW_CFA.nop,
  DW_CFA.advance_loc | 1,
  DW_CFA.def_cfa_expression, 2, DW_OP.breg0 + 5, 8,
];

const rules = (row: UnwindRow) => Object.fromEntries([...row.registers].map(([r, rule]) => [r, rule]));

test('.debug_frame: every DW_CFA instruction, producing the rule table row by row', () => {
  const w = new ByteWriter();
  const c = cie(w, { initial: CIE_INIT });
  fde(w, c, 0x1000, 0x100, EVERYTHING);
  const cfi = new CallFrameInfo({ name: '.debug_frame', bytes: w.finish() }, undefined);
  assert.equal(cfi.cies.length, 1);
  assert.equal(cfi.fdes.length, 1);
  const table = unwindTable(cfi.fdes[0]);
  assert.deepEqual(table.map((r) => [r.address, r.end]), [[0x1000, 0x1001], [0x1001, 0x1003], [0x1003, 0x1013], [0x1013, 0x1033], [0x1033, 0x1034], [0x1034, 0x1035], [0x1035, 0x1100]]);
  const eip: RegisterRule = { type: 'offset', offset: -4 };
  assert.deepEqual(table[0].cfa, { type: 'regOffset', reg: 4, offset: 4 });
  assert.deepEqual(rules(table[0]), { 8: eip });
  assert.deepEqual(table[1].cfa, { type: 'regOffset', reg: 4, offset: 8 });
  assert.deepEqual(rules(table[1]), { 8: eip, 5: { type: 'offset', offset: -8 } });
  assert.deepEqual(table[2].cfa, { type: 'regOffset', reg: 5, offset: 8 });
  assert.deepEqual(table[3].cfa, { type: 'regOffset', reg: 5, offset: 8 });
  assert.deepEqual(rules(table[3]), {
    8: eip, 5: { type: 'offset', offset: -8 }, 3: { type: 'offset', offset: -12 }, 6: { type: 'sameValue' }, 7: { type: 'undefined' },
    2: { type: 'register', reg: 1 }, 0: { type: 'valOffset', offset: -4 },
  });
  assert.deepEqual(table[4].cfa, { type: 'regOffset', reg: 5, offset: 8 }, 'restore_state brings back the remembered CFA');
  assert.deepEqual(rules(table[4]), { 8: eip }, 'restore drops ebp (the CIE has no rule for it); restore_extended keeps eip');
  assert.deepEqual(table[5].cfa, { type: 'regOffset', reg: 4, offset: 16 });
  const r5 = rules(table[5]);
  assert.deepEqual(Object.keys(r5).sort(), ['1', '2', '3', '6', '7', '8']);
  assert.deepEqual(r5[7], { type: 'offset', offset: -8 });
  assert.deepEqual(r5[1], { type: 'offset', offset: 4 }, 'GNU_negative_offset_extended');
  assert.deepEqual(r5[2], { type: 'valOffset', offset: 8 });
  assert.equal(r5[3].type, 'expression');
  assert.equal(r5[6].type, 'valExpression');
  assert.equal(table[6].cfa.type, 'expression');
  assert.equal(cfi.rowAt(0x1020)!.address, 0x1013);
  assert.equal(cfi.rowAt(0x10FF)!.address, 0x1035);
  assert.equal(cfi.rowAt(0x1100), undefined);
  assert.equal(cfi.rowAt(0xFFF), undefined);
});

test('CIE versions 3 and 4 (ULEB return register, address size fields) and 64-bit .debug_frame', () => {
  for (const version of [3, 4]) {
    const w = new ByteWriter();
    const c = cie(w, { version, ra: 8, codeAlign: 4, initial: CIE_INIT });
    fde(w, c, 0x2000, 0x40, [DW_CFA.advance_loc | 2, DW_CFA.def_cfa_offset, 12]);
    const cfi = new CallFrameInfo({ name: '.debug_frame', bytes: w.finish() }, undefined);
    assert.equal(cfi.cies[0].version, version);
    assert.deepEqual(cfi.rowAt(0x2007)!.cfa, { type: 'regOffset', reg: 4, offset: 4 });
    assert.deepEqual(cfi.rowAt(0x2008)!.cfa, { type: 'regOffset', reg: 4, offset: 12 }, 'advance_loc is scaled by the code alignment factor');
  }
  const w = new ByteWriter();
  const c = cie(w, { initial: CIE_INIT, is64: true });
  fde(w, c, 0x3000, 0x10, [DW_CFA.advance_loc | 1, DW_CFA.def_cfa_offset, 8], true);
  const cfi = new CallFrameInfo({ name: '.debug_frame', bytes: w.finish() }, undefined);
  assert.equal(cfi.cies[0].is64, true);
  assert.deepEqual(cfi.rowAt(0x3001)!.cfa, { type: 'regOffset', reg: 4, offset: 8 });
});

test('.eh_frame: zR with pc-relative sdata4 pointers, zPLR with personality and LSDA, set_loc, terminator', () => {
  const base = 0x8049000;
  const w = new ByteWriter();
  const c1 = cie(w, { augmentation: 'zR', augData: [DW_EH_PE.pcrel | DW_EH_PE.sdata4], initial: CIE_INIT }, true);
  // FDE for 0x8048100..0x8048140: pc_begin is relative to the field's own address
  const f1 = w.pos;
  const done1 = w.length32();
  w.u32(w.pos - c1);
  w.u32((0x8048100 - (base + w.pos)) >>> 0).u32(0x40).uleb(0);
  w.u8(DW_CFA.advance_loc | 4, DW_CFA.def_cfa_offset, 16);
  w.u8(DW_CFA.set_loc).u32((0x8048120 - (base + w.pos)) >>> 0); // set_loc uses the R encoding too
  w.u8(DW_CFA.def_cfa_offset, 24, DW_CFA.nop);
  done1();
  const c2 = cie(w, {
    augmentation: 'zPLR', initial: CIE_INIT,
    augData: [DW_EH_PE.absptr, 0x78, 0x56, 0x34, 0x12, DW_EH_PE.pcrel | DW_EH_PE.sdata4, DW_EH_PE.udata4],
  }, true);
  const done2 = w.length32();
  w.u32(w.pos - c2);
  w.u32(0x8048200).u32(0x10).uleb(4);
  w.u32((0x804a000 - (base + w.pos)) >>> 0);     // LSDA, pc-relative
  w.u8(DW_CFA.nop, DW_CFA.nop, DW_CFA.nop);
  done2();
  w.u32(0); // terminator
  const cfi = new CallFrameInfo(undefined, { name: '.eh_frame', bytes: w.finish(), address: base });
  assert.equal(cfi.fdes.length, 2);
  const [a, b] = cfi.fdes;
  assert.deepEqual([a.offset, a.low, a.high], [f1, 0x8048100, 0x8048140]);
  assert.deepEqual([b.low, b.high, b.lsda, b.cie.personality, b.cie.augmentation], [0x8048200, 0x8048210, 0x804a000, 0x12345678, 'zPLR']);
  assert.deepEqual(cfi.rowAt(0x8048103)!.cfa, { type: 'regOffset', reg: 4, offset: 4 });
  assert.deepEqual(cfi.rowAt(0x8048104)!.cfa, { type: 'regOffset', reg: 4, offset: 16 });
  assert.deepEqual(cfi.rowAt(0x804811f)!.cfa, { type: 'regOffset', reg: 4, offset: 16 });
  assert.deepEqual(cfi.rowAt(0x8048120)!.cfa, { type: 'regOffset', reg: 4, offset: 24 });
  assert.deepEqual(cfi.rowAt(0x8048205)!.cfa, { type: 'regOffset', reg: 4, offset: 4 });
});

test('unwindStep: the caller\'s esp, ebp, eip and a register saved by an expression rule', () => {
  const w = new ByteWriter();
  const c = cie(w, { initial: CIE_INIT });
  fde(w, c, 0x1000, 0x100, [
    DW_CFA.advance_loc | 1, DW_CFA.def_cfa_offset, 8, DW_CFA.offset | 5, 2,
    DW_CFA.advance_loc | 2, DW_CFA.def_cfa_register, 5,
    DW_CFA.expression, 3, 2, DW_OP.breg0 + 5, ...sleb(-4), // ebx saved at ebp-4
    DW_CFA.val_expression, 6, 2, DW_OP.lit0 + 7, DW_OP.stack_value,
  ]);
  const cfi = new CallFrameInfo({ name: '.debug_frame', bytes: w.finish() }, undefined);
  // inside the body: esp = 0x6ff0, ebp = 0x7000; [ebp] = caller's ebp, [ebp+4] = return address
  const regs: Record<number, number> = { 4: 0x6FF0, 5: 0x7000, 3: 0x3333, 6: 0x6666 };
  const mem: Record<number, number> = { 0x7000: 0x7100, 0x7004: 0x1234567, 0x6FFC: 0xB0B0 };
  const ctx = { readRegister: (r: number) => regs[r] ?? 0, readMemory: (a: number) => { if (!(a in mem)) throw new Error(`unmapped ${a}`); return mem[a]; } };
  const u = unwindStep(cfi.rowAt(0x1010)!, ctx);
  assert.equal(u.cfa, 0x7008);
  assert.equal(u.returnAddress, 0x1234567);
  assert.equal(u.registers.get(4), 0x7008, 'the caller\'s esp is the CFA');
  assert.equal(u.registers.get(5), 0x7100);
  assert.equal(u.registers.get(3), 0xB0B0, 'expression rule: CFA pushed, then the expression computes the address');
  assert.equal(u.registers.get(6), 7, 'val_expression rule: the value itself');
  // at the first instruction: only the return address is on the stack
  const regs0: Record<number, number> = { 4: 0x6FF8 };
  const at0 = unwindStep(cfi.rowAt(0x1000)!, { readRegister: (r) => regs0[r] ?? 0, readMemory: (a) => (a === 0x6FF8 ? 0xCAFE : 0) });
  assert.deepEqual([at0.cfa, at0.returnAddress], [0x6FFC, 0xCAFE]);
});

test('malformed CFI raises DwarfErrors naming the section and offset', () => {
  const expectError = (bytes: Uint8Array, re: RegExp, eh = false, pcAt?: number) => {
    assert.throws(() => {
      const cfi = eh ? new CallFrameInfo(undefined, { name: '.eh_frame', bytes, address: 0 }) : new CallFrameInfo({ name: '.debug_frame', bytes }, undefined);
      if (pcAt !== undefined) cfi.rowAt(pcAt);
    }, (e: unknown) => {
      assert.ok(e instanceof DwarfError, String(e));
      assert.equal(e.section, eh ? '.eh_frame' : '.debug_frame');
      assert.match(e.message, re);
      return true;
    });
  };
  const withFde = (instructions: number[], spec: Partial<CieSpec> = {}) => {
    const w = new ByteWriter();
    const c = cie(w, { initial: CIE_INIT, ...spec });
    fde(w, c, 0x1000, 0x10, instructions);
    return w.finish();
  };
  expectError(withFde([], { version: 2 }), /unsupported CIE version 2/);
  expectError(withFde([0x3F]), /unknown call frame instruction 0x3f/, false, 0x1000);
  expectError(withFde([DW_CFA.restore_state]), /DW_CFA_restore_state without a matching DW_CFA_remember_state/, false, 0x1000);
  expectError(withFde([DW_CFA.def_cfa_expression, 1, DW_OP.lit0, DW_CFA.def_cfa_offset, 4]), /DW_CFA_def_cfa_offset while the CFA is an expression/, false, 0x1000);
  expectError(withFde([DW_CFA.advance_loc | 4, DW_CFA.set_loc, 0, 0x10, 0, 0]), /moves the location backwards/, false, 0x1000);
  expectError(withFde([DW_CFA.def_cfa, 4, 0x80, 0x80]), /truncated LEB128/, false, 0x1000);
  expectError(withFde([], { initial: [DW_CFA.restore | 3] }), /DW_CFA_restore in a CIE/, false, 0x1000);
  expectError(withFde([], { initial: [] }), /neither the FDE nor its CIE defines the CFA/, false, 0x1000);
  const w = new ByteWriter();
  fde(w, 0x40, 0x1000, 0x10, []);
  expectError(w.finish(), /FDE refers to 0x40, which is not a CIE|FDE's CIE pointer/);
  const long = withFde([]);
  new DataView(long.buffer).setUint32(0, 0x400, true);
  expectError(long, /CFI entry length 0x400 runs past the end of the section/);
  const eh = new ByteWriter();
  cie(eh, { augmentation: 'zR', augData: [0x0F], initial: CIE_INIT }, true);
  const f = eh.length32(); eh.u32(eh.pos).u32(0).u32(0).uleb(0); f();
  expectError(eh.finish(), /unknown pointer encoding 0xf/, true);
  const datarel = new ByteWriter();
  cie(datarel, { augmentation: 'zR', augData: [DW_EH_PE.datarel | DW_EH_PE.sdata4], initial: CIE_INIT }, true);
  const g = datarel.length32(); datarel.u32(datarel.pos).u32(0).u32(0).uleb(0); g();
  expectError(datarel.finish(), /relative to a base .* this reader does not know/, true);
  const unknownAug = new ByteWriter();
  cie(unknownAug, { augmentation: 'qq', initial: CIE_INIT }, true);
  expectError(unknownAug.finish(), /unknown CIE augmentation "qq"/, true);
});

/** `readelf --debug-dump=frames-interp` rows: pc, CFA, and the register columns it shows. */
function readelfRows(text: string): { pc: number; cfa: string; regs: Record<string, string> }[] {
  const out: { pc: number; cfa: string; regs: Record<string, string> }[] = [];
  let cols: string[] = [];
  let inCie = false;
  for (const l of text.split('\n')) {
    if (/ CIE /.test(l)) { inCie = true; continue; }
    if (/ FDE /.test(l)) { inCie = false; continue; }
    if (/^\s+LOC\s+CFA/.test(l)) { cols = l.trim().split(/\s+/).slice(2); continue; }
    const m = /^([0-9a-f]{8}) (\S+)\s+(.*)$/.exec(l);
    if (!m || inCie) continue;
    const vals = m[3].trim().split(/\s+/);
    out.push({ pc: parseInt(m[1], 16), cfa: m[2], regs: Object.fromEntries(cols.map((c, k) => [c, vals[k]])) });
  }
  return out;
}

const X86 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'ra'];

function checkAgainstReadelf(program: DwarfProgram, text: string): number {
  const rows = readelfRows(text);
  for (const r of rows) {
    const row = program.cfi.rowAt(r.pc);
    assert.ok(row, `no row at ${r.pc.toString(16)}`);
    const cfa = row.cfa.type === 'regOffset' ? `${X86[row.cfa.reg]}+${row.cfa.offset}` : 'exp';
    assert.equal(cfa, r.cfa, `CFA at ${r.pc.toString(16)}`);
    for (const [col, want] of Object.entries(r.regs)) {
      const rule: RegisterRule | undefined = row.registers.get(col === 'ra' ? 8 : X86.indexOf(col));
      const got: string = !rule || rule.type === 'undefined' ? 'u' : rule.type === 'offset' ? `c${rule.offset}` : rule.type;
      assert.equal(got, want, `${col} at ${r.pc.toString(16)}`);
    }
  }
  return rows.length;
}

for (const name of FIXTURE_NAMES) {
  test(`${name}: the unwind table at every row equals readelf --debug-dump=frames-interp`, () => {
    const { elf, bytes } = fixture(name);
    const program = DwarfProgram.fromElf(elf, bytes);
    const checked = checkAgainstReadelf(program, dump(`${name}.frames.txt`));
    assert.ok(checked >= 15, `${checked} rows`);
    // every function has an FDE covering its whole range
    for (const f of program.functions) {
      const fdeAtStart = program.cfi.fdeAt(f.lowPc);
      assert.ok(fdeAtStart && fdeAtStart.low === f.lowPc && fdeAtStart.high === f.highPc, `${name}: FDE for ${f.name}`);
    }
  });
}

test('the DWARF 5 fixture has .eh_frame and no .debug_frame; the others have .debug_frame', () => {
  for (const name of FIXTURE_NAMES) {
    const { elf } = fixture(name);
    const names = elf.sections.map((s) => s.name);
    assert.equal(names.includes('.eh_frame'), name === 'dwarf5-O2', name);
    assert.equal(names.includes('.debug_frame'), name !== 'dwarf5-O2', name);
  }
});

test('guest kernels (built with -fno-asynchronous-unwind-tables) have .debug_frame only; every C function is covered', () => {
  for (const path of ['guests/hello/kernel.elf', 'guests/hello/kernel-O0.elf']) {
    const { elf, bytes } = guest(path);
    assert.ok(elf.sections.some((s) => s.name === '.debug_frame'), path);
    assert.ok(!elf.sections.some((s) => s.name === '.eh_frame'), path);
    const program = DwarfProgram.fromElf(elf, bytes);
    assert.equal(program.cfi.cies[0].returnAddressRegister, 8);
    assert.equal(program.cfi.cies[0].dataAlign, -4);
    for (const f of program.functions.filter((x) => x.cu.language !== 0x8001)) { // not the assembler unit
      const row = program.cfi.rowAt(f.lowPc);
      assert.ok(row, `${path}: no CFI for ${f.name}`);
      assert.deepEqual(row.cfa, { type: 'regOffset', reg: 4, offset: 4 }, `${path}: ${f.name} entry CFA is esp+4`);
      assert.deepEqual(row.registers.get(8), { type: 'offset', offset: -4 }, `${path}: ${f.name} return address at CFA-4`);
    }
  }
});
