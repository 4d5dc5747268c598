// SymbolIndex and SymbolSet over the fixtures: globals, breakpoint lines with several locations,
// path matching, source roots, variables located through location-list frame bases and registers,
// images without DWARF, malformed DWARF in strict and lenient modes, several images at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DwarfError } from '../../../engine/debug/dwarf/error.js';
import { SymbolIndex, SymbolSet, bestMatches, suffixMatch } from '../../../engine/debug/symbols/index.js';
import { fixture, FIXTURE_NAMES, guest, hideSections, patchSection } from './helpers/fixtures.js';

const DEBUG_SECTIONS = ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_line_str', '.debug_str', '.debug_frame', '.debug_loc', '.debug_loclists', '.debug_rnglists', '.debug_ranges', '.debug_aranges', '.eh_frame'];
const indexOf = (name: string, opts = {}) => { const f = fixture(name); return SymbolIndex.fromElf(f.bytes, `${name}.elf`, opts); };

for (const name of FIXTURE_NAMES) {
  test(`${name}: globals have their types and the addresses of their ELF symbols`, () => {
    const idx = indexOf(name);
    const globals = idx.globals();
    assert.deepEqual(globals.map((g) => [g.name, g.typeName.replace('volatile const', 'const volatile'), g.external, g.declFile, g.declLine]), [
      ['squares', 'struct shape [2]', true, '/src/shapes.c', 4],
      ['answer', 'const volatile int', true, '/src/shapes.c', 8],
      ['calls', 'int', false, '/src/shapes.c', 9],
      ['result', 'int', true, '/src/shapes.c', 10],
    ]);
    for (const g of globals) {
      const sym = idx.elf.symbols.find((s) => s.name === g.name)!;
      assert.equal(g.address, sym.value, g.name);
      assert.equal(idx.symbolAddress(g.name), sym.value);
      assert.deepEqual(idx.locate(g, 0, { readRegister: () => 0, readMemory: () => 0 }), { kind: 'memory', address: sym.value });
    }
  });

  test(`${name}: breakpoint lines in shapes.c move to the next line with code and map back`, () => {
    const idx = indexOf(name);
    const r = idx.lineToAddresses('shapes.c', 20)!; // the closing brace of the for loop has no code of its own
    assert.equal(r.file, '/src/shapes.c');
    assert.equal(r.requestedLine, 20);
    assert.equal(r.line, 21);
    for (const a of r.addresses) assert.equal(idx.addressToLine(a)!.line, 21);
    assert.equal(idx.functionAt(r.addresses[0])!.name, 'fib');
    assert.deepEqual(idx.sourceFiles(), ['/src/geometry.c', '/src/shapes.c', '/src/shapes.h']);
  });
}

test('dwarf2-O0: clamp() is compiled into each unit that includes shapes.h: a breakpoint in it gets two addresses', () => {
  const idx = indexOf('dwarf2-O0');
  const r = idx.lineToAddresses('/home/me/project/shapes.h', 35)!;
  assert.equal(r.line, 35);
  assert.equal(r.addresses.length, 2);
  assert.deepEqual(r.addresses.map((a) => idx.functionAt(a)!.name), ['clamp', 'clamp']);
  assert.notEqual(idx.addressToLine(r.addresses[0])!.address, idx.addressToLine(r.addresses[1])!.address);
  assert.deepEqual(idx.functions().filter((f) => f.name === 'clamp').map((f) => f.cu.name), ['shapes.c', 'geometry.c']);
});

test('path matching: the longest agreeing suffix wins, file names must agree, Windows paths fold case', () => {
  assert.equal(suffixMatch('/src/shapes.h', '/home/me/proj/src/shapes.h'), 2);
  assert.equal(suffixMatch('guests/hello/hello.c', '/work/main/guests/hello/hello.c'), 3);
  assert.equal(suffixMatch('guests/hello/hello.c', 'hello.c'), 1);
  assert.equal(suffixMatch('guests/hello/hello.c', 'other.c'), 0);
  assert.equal(suffixMatch('C:\\Src\\Shapes.h', 'c:/src/shapes.h'), 3, 'drive, directory and file');
  assert.deepEqual(bestMatches(['/a/x/util.c', '/a/y/util.c', '/b/z.c'], '/home/y/util.c'), ['/a/y/util.c']);
  assert.deepEqual(bestMatches(['/a/x/util.c', '/a/y/util.c'], 'util.c'), ['/a/x/util.c', '/a/y/util.c']);
  assert.deepEqual(bestMatches(['/a/x/util.c'], 'main.c'), []);
  const idx = indexOf('dwarf5-O2');
  assert.equal(idx.lineToAddresses('D:\\checkout\\SHAPES.C', 14)!.file, '/src/shapes.c');
  assert.equal(idx.lineToAddresses('/elsewhere/other.c', 14), undefined);
});

test('sourceRoot makes the relative paths of the guest kernels absolute, in and out', () => {
  const { bytes } = guest('guests/hello/kernel-O0.elf');
  const idx = SymbolIndex.fromElf(bytes, 'kernel-O0.elf', { sourceRoot: '/work/repo' });
  const kmain = idx.symbolAddress('kmain')!;
  assert.equal(idx.addressToLine(kmain)!.file, '/work/repo/guests/hello/hello.c');
  assert.equal(idx.lineToAddresses('/work/repo/guests/hello/hello.c', 38)!.file, '/work/repo/guests/hello/hello.c');
  assert.ok(idx.sourceFiles().includes('/work/repo/guests/sdk/lib/serial.c'));
  assert.equal(idx.scopesAt(kmain)[0].declFile, '/work/repo/guests/hello/hello.c');
});

test('dwarf2-O0: the frame base is a location list (esp-based in the prologue, ebp-based in the body)', () => {
  const idx = indexOf('dwarf2-O0');
  const sum = idx.functions().find((f) => f.name === 'sum_areas')!;
  assert.equal(sum.frameBase.kind, 'list');
  const body = idx.lineToAddresses('geometry.c', 14)!.addresses[0];
  const ebp = 0x7000, esp = 0x6FD0;
  const frame = { readRegister: (r: number) => (r === 5 ? ebp : r === 4 ? esp : 0), readMemory: () => 0 };
  const total = idx.scopesAt(body).find((v) => v.name === 'total')!;
  assert.equal(total.locationText, 'DW_OP_fbreg -20');
  assert.deepEqual(idx.locate(total, body, frame), { kind: 'memory', address: ebp + 8 - 20 });
  const list = idx.scopesAt(body).find((v) => v.name === 'list')!;
  assert.deepEqual(idx.locate(list, body, frame), { kind: 'memory', address: ebp + 8 });
  // at the entry the frame base is esp + 4
  const atEntry = idx.scopesAt(sum.lowPc).find((v) => v.name === 'list')!;
  assert.deepEqual(idx.locate(atEntry, sum.lowPc, { readRegister: (r) => (r === 4 ? 0x6FFC : 0), readMemory: () => 0 }), { kind: 'memory', address: 0x7000 });
});

test('dwarf5-O2: optimised variables live in registers, as constants, or nowhere, depending on the pc', () => {
  const idx = indexOf('dwarf5-O2');
  const sum = idx.functions().find((f) => f.name === 'sum_areas')!;
  const frame = { readRegister: (r: number) => r * 0x100, readMemory: () => 0 };
  const seen = new Set<string>();
  for (let pc = sum.lowPc; pc < sum.highPc; pc++) {
    for (const v of idx.scopesAt(pc)) {
      const loc = idx.locate(v, pc, frame);
      seen.add(loc.kind);
      if (v.locationText === '<optimized out>') assert.equal(loc.kind, 'empty');
      if (loc.kind === 'register') assert.match(v.locationText, /^DW_OP_reg\d$/);
      if (loc.kind === 'value') assert.equal(v.locationText, 'DW_OP_lit0; DW_OP_stack_value');
    }
  }
  assert.deepEqual([...seen].sort(), ['empty', 'memory', 'register', 'value']);
  // the CFA at sum_areas comes from .eh_frame: at entry it is esp+4, so `list` (DW_OP_fbreg 0) is at esp+4
  const list = idx.scopesAt(sum.lowPc).find((v) => v.name === 'list')!;
  assert.deepEqual(idx.locate(list, sum.lowPc, { readRegister: (r) => (r === 4 ? 0x5000 : 0), readMemory: () => 0 }), { kind: 'memory', address: 0x5004 });
});

test('an image without DWARF still answers from ELF symbols; unwinding falls back to the EBP chain', () => {
  const f = fixture('dwarf3-O0');
  const stripped = hideSections(f, DEBUG_SECTIONS);
  const idx = SymbolIndex.fromElf(stripped, 'stripped.elf');
  assert.equal(idx.dwarf, undefined);
  const fib = idx.symbolAddress('fib')!;
  assert.equal(fib, f.elf.symbols.find((s) => s.name === 'fib')!.value);
  assert.equal(idx.functionAt(fib + 4)!.text, 'fib+0x4');
  assert.equal(idx.functionAt(fib + 4)!.source, 'elf');
  assert.equal(idx.addressToLine(fib), undefined);
  assert.equal(idx.lineToAddresses('shapes.c', 14), undefined);
  assert.deepEqual(idx.scopesAt(fib), []);
  assert.deepEqual(idx.framesAt(fib), []);
  assert.deepEqual(idx.globals().map((g) => [g.name, g.source]).sort(), [['answer', 'elf'], ['calls', 'elf'], ['result', 'elf'], ['squares', 'elf']]);
  const mem: Record<number, number> = { 0x7000: 0x7100, 0x7004: 0x8048080 };
  const caller = idx.callerFrame(fib + 10, { readRegister: (r) => (r === 5 ? 0x7000 : 0), readMemory: (a) => mem[a] ?? 0 })!;
  assert.deepEqual([caller.method, caller.returnAddress, caller.registers.get(5), caller.registers.get(4)], ['frame-pointer', 0x8048080, 0x7100, 0x7008]);
  assert.equal(idx.callerFrame(fib, { readRegister: () => 0, readMemory: () => 0 }), undefined, 'EBP = 0 ends the chain');
});

test('malformed DWARF: strict mode throws a DwarfError naming file, section and offset; lenient mode keeps the ELF symbols', () => {
  const f = fixture('dwarf4-O2');
  const broken = patchSection(f, '.debug_info', [[4, 9]]); // unit version 9
  assert.throws(() => SymbolIndex.fromElf(broken, 'broken.elf'), (e: unknown) => {
    assert.ok(e instanceof DwarfError);
    assert.equal(e.message, 'broken.elf: .debug_info offset 0x4: unsupported DWARF version 9 in the unit header (2 to 5 are supported)');
    return true;
  });
  const lenient = SymbolIndex.fromElf(broken, 'broken.elf', { strict: false });
  assert.deepEqual(lenient.problems, ['broken.elf: .debug_info offset 0x4: unsupported DWARF version 9 in the unit header (2 to 5 are supported)']);
  assert.equal(lenient.functionAt(lenient.symbolAddress('fib')!)!.text, 'fib');
  // a broken line program is found lazily: strict throws on the first line query, lenient records it
  const lines = patchSection(f, '.debug_line', [[4, 0x77]]);
  const strictLines = SymbolIndex.fromElf(lines, 'lines.elf');
  assert.throws(() => strictLines.addressToLine(0x8048000), /lines\.elf: \.debug_line offset 0x4: unsupported line table version 119/);
  const lenientLines = SymbolIndex.fromElf(lines, 'lines.elf', { strict: false });
  assert.equal(lenientLines.addressToLine(0x8048000), undefined);
  assert.match(lenientLines.problems[0], /unsupported line table version 119/);
});

test('SymbolSet: a kernel and a second image at once; addresses go to the image that contains them', () => {
  const kernel = SymbolIndex.fromElf(guest('guests/hello/kernel.elf').bytes, 'kernel.elf');
  const module = indexOf('dwarf5-O2', { bias: 0x1000_0000 });
  const set = new SymbolSet();
  set.add(kernel);
  set.add(module);
  const kmain = set.symbolAddress('kmain')!;
  const fib = set.symbolAddress('fib')!;
  assert.equal(fib, 0x8048000 + 0x1000_0000);
  assert.equal(set.imageAt(kmain), kernel);
  assert.equal(set.imageAt(fib), module);
  assert.equal(set.functionAt(fib + 2)!.text, 'fib+0x2');
  assert.equal(set.addressToLine(fib)!.file, '/src/shapes.c');
  assert.equal(set.addressToLine(kmain)!.file, 'guests/hello/hello.c');
  assert.deepEqual(set.lineToAddresses('shapes.c', 20)!.addresses, module.lineToAddresses('shapes.c', 20)!.addresses);
  assert.equal(set.lineToAddresses('hello.c', 38)!.file, 'guests/hello/hello.c');
  assert.ok(set.scopesAt(set.lineToAddresses('geometry.c', 6)!.addresses[0]).some((v) => v.name === 's'));
  assert.equal(set.functionAt(0x50), undefined);
  set.remove(module);
  assert.equal(set.symbolAddress('fib'), undefined);
});
