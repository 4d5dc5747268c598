// SymbolIndex over the committed guest kernels (gcc 12, DWARF 5): facts that must hold whatever the
// exact code generation — ELF and DWARF agree on function addresses, source lines round-trip, every
// line row lies in a function, -O0 variables live at DW_OP_fbreg offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DW_OP } from '../../../engine/debug/dwarf/constants.js';
import { inRanges } from '../../../engine/debug/dwarf/program.js';
import { SymbolIndex } from '../../../engine/debug/symbols/index.js';
import { guest, REPO } from './helpers/fixtures.js';

const KERNELS = ['guests/hello/kernel.elf', 'guests/hello/kernel-O0.elf'];
const HELLO = 'guests/hello/hello.c';
const indexOf = (path: string, bias = 0) => { const { bytes } = guest(path); return SymbolIndex.fromElf(bytes, path, { bias }); };
const helloSource = readFileSync(join(REPO, HELLO), 'utf8').split('\n');

for (const path of KERNELS) {
  test(`${path}: ELF symbols and DWARF subprograms agree on where each C function starts`, () => {
    const idx = indexOf(path);
    const kmain = idx.elf.symbols.find((s) => s.name === 'kmain' && s.type === 'func')!;
    const f = idx.functions().find((x) => x.name === 'kmain')!;
    assert.equal(f.lowPc, kmain.value);
    assert.equal(f.highPc - f.lowPc, kmain.size);
    assert.equal(f.declFile, HELLO);
    assert.equal(f.declLine, helloSource.findIndex((l) => l.startsWith('void kmain(')) + 1);
    for (const fn of idx.functions()) {
      const sym = idx.elf.symbols.find((s) => s.name === fn.name && (s.type === 'func' || s.type === 'notype'));
      assert.ok(sym, `ELF symbol for ${fn.name}`);
      assert.equal(sym.value, fn.lowPc, fn.name);
    }
    assert.equal(idx.symbolAddress('kmain'), kmain.value);
    assert.deepEqual(idx.functionAt(kmain.value + 3), {
      name: 'kmain', address: kmain.value, offset: 3, size: kmain.size, text: 'kmain+0x3', source: 'elf', inlined: [],
    });
  });

  test(`${path}: lines of hello.c map to addresses that map back to the same file and line`, () => {
    const idx = indexOf(path);
    const checked: number[] = [];
    for (const needle of ['serial_init();', 'printf("Hello from hvdbg guest!\\n");', 'print_division();', 'printf("Goodbye.\\n");']) {
      const line = helloSource.findIndex((l) => l.includes(needle)) + 1;
      assert.ok(line > 0, needle);
      const found = idx.lineToAddresses(`/anywhere/${HELLO}`, line)!;
      assert.ok(found, `line ${line}`);
      assert.equal(found.line, line, `${needle} has code of its own`);
      assert.equal(found.file, HELLO);
      for (const a of found.addresses) {
        const back = idx.addressToLine(a)!;
        // at -O2 a call may be inlined: its first instruction belongs to the callee's first line,
        // and the line asked for is the call site of an inlined frame there
        const callSites = idx.framesAt(a).filter((f) => f.callFile === HELLO).map((f) => f.callLine);
        assert.ok((back.file === HELLO && back.line === line) || callSites.includes(line),
          `${needle} (line ${line}) at 0x${a.toString(16)} maps back to ${back.file}:${back.line}, call sites ${callSites}`);
        assert.equal(idx.functionAt(a)!.name, 'kmain');
      }
      checked.push(line);
    }
    assert.equal(checked.length, 4);
    // a line without code (the comment inside print_division) moves to the next line with code
    const comment = helloSource.findIndex((l) => l.includes('volatile so gcc cannot fold')) + 1;
    const moved = idx.lineToAddresses(HELLO, comment)!;
    assert.ok(moved.line > comment, `moved from ${comment} to ${moved.line}`);
    assert.equal(idx.lineToAddresses(HELLO, helloSource.length + 10), undefined, 'past the end of the file');
    assert.equal(idx.lineToAddresses('guests/hello/nosuch.c', 10), undefined);
  });

  test(`${path}: every line row lies inside a function's address range`, () => {
    const idx = indexOf(path);
    const functions = idx.functions();
    const program = idx.dwarf!;
    let rows = 0;
    for (const cu of program.compileUnits) {
      for (const r of program.lineProgram(cu)!.rows) {
        if (r.endSequence) continue;
        rows++;
        assert.ok(functions.some((f) => inRanges(f.ranges, r.address)), `${r.file}:${r.line} at 0x${r.address.toString(16)}`);
        assert.ok(inRanges(cu.ranges, r.address), `${cu.name} covers 0x${r.address.toString(16)}`);
      }
    }
    assert.ok(rows > 400, `${rows} rows`);
  });

  test(`${path}: functionAt names SDK functions with offsets; start.S labels come from its DWARF and symbols`, () => {
    const idx = indexOf(path);
    const putc = idx.symbolAddress('serial_putc')!;
    assert.equal(idx.functionAt(putc + 0x12)!.text, 'serial_putc+0x12');
    assert.equal(idx.addressToLine(putc)!.file, 'guests/sdk/lib/serial.c');
    const start = idx.symbolAddress('_start')!;
    assert.equal(start, idx.elf.entry);
    assert.equal(idx.functionAt(start)!.text, '_start');
    assert.equal(idx.addressToLine(start)!.file, 'guests/sdk/start.S');
    assert.equal(idx.functionAt(0x100), undefined, 'below the kernel');
  });
}

test('kernel-O0.elf: parameters and locals of the hello.c functions live at DW_OP_fbreg offsets', () => {
  const idx = indexOf('guests/hello/kernel-O0.elf');
  const expected: Record<string, string[]> = {
    kmain: ['magic', 'mbi'],
    print_memory_map: ['e', 'end', 'mbi'],
    print_division: ['n', 'd', 'sn', 'sd'],
  };
  for (const [name, vars] of Object.entries(expected)) {
    const f = idx.functions().find((x) => x.name === name)!;
    assert.deepEqual(Array.from(f.frameBase.kind === 'expr' ? f.frameBase.expr : []), [DW_OP.call_frame_cfa], `${name} frame base`);
    const body = idx.lineToAddresses(HELLO, f.declLine! + 2)!.addresses[0];
    const scope = idx.scopesAt(body);
    assert.deepEqual(scope.map((v) => v.name).sort(), [...vars].sort(), name);
    for (const v of scope) {
      assert.equal(v.expr![0], DW_OP.fbreg, `${name}.${v.name}: ${v.locationText}`);
      assert.match(v.locationText, /^DW_OP_fbreg -?\d+$/);
    }
  }
  const kmainScope = idx.scopesAt(idx.symbolAddress('kmain')!);
  assert.deepEqual(kmainScope.map((v) => [v.kind, v.name, v.typeName, v.locationText, v.declLine]), [
    ['parameter', 'magic', 'uint32_t', 'DW_OP_fbreg 0', 35], ['parameter', 'mbi', 'const struct multiboot_info *', 'DW_OP_fbreg 4', 35],
  ]);
});

test('kernel-O0.elf: locating kmain\'s parameters in a stopped frame through the CFA (call frame information)', () => {
  const idx = indexOf('guests/hello/kernel-O0.elf');
  const kmain = idx.symbolAddress('kmain')!;
  // at kmain's first instruction: esp points at the return address; magic at esp+4, mbi at esp+8
  const esp = 0x10_FFF0;
  const frame = { readRegister: (r: number) => (r === 4 ? esp : 0), readMemory: () => 0 };
  const [magic, mbi] = idx.scopesAt(kmain);
  assert.deepEqual(idx.locate(magic, kmain, frame), { kind: 'memory', address: esp + 4 });
  assert.deepEqual(idx.locate(mbi, kmain, frame), { kind: 'memory', address: esp + 8 });
  // later in the body the frame pointer holds the frame: CFA = ebp + 8
  const body = idx.lineToAddresses(HELLO, 38)!.addresses[0];
  const ebp = 0x10_FF00;
  const later = { readRegister: (r: number) => (r === 5 ? ebp : r === 4 ? ebp - 0x20 : 0), readMemory: () => 0 };
  assert.deepEqual(idx.locate(magic, body, later), { kind: 'memory', address: ebp + 8 });
  const caller = idx.callerFrame(body, { readRegister: later.readRegister, readMemory: (a) => (a === ebp ? 0x10_FF80 : a === ebp + 4 ? 0x10_0040 : 0) })!;
  assert.equal(caller.method, 'cfi');
  assert.equal(caller.returnAddress, 0x10_0040);
  assert.equal(caller.registers.get(5), 0x10_FF80);
  assert.equal(caller.registers.get(4), ebp + 8);
  assert.equal(idx.functionAt(caller.returnAddress!)!.text.startsWith('_start+'), true);
});

test('kernel.elf (-O2): print_memory_map and multiboot_mmap_next are inlined; frames and scopes show each inlined call', () => {
  const idx = indexOf('guests/hello/kernel.elf');
  const lineOf = (needle: string) => helloSource.findIndex((l) => l.includes(needle)) + 1;
  const line = lineOf('e = multiboot_mmap_next(e);');
  const found = idx.lineToAddresses(HELLO, line)!;
  assert.equal(found.line, line);
  const pc = found.addresses[0];
  assert.deepEqual(idx.framesAt(pc).map((f) => [f.name, f.callFile, f.callLine]), [
    ['kmain', undefined, undefined],
    ['print_memory_map', HELLO, lineOf('print_memory_map(mbi);')],
    ['multiboot_mmap_next', HELLO, line],
  ]);
  const here = idx.addressToLine(pc)!;
  assert.equal(here.file, 'guests/sdk/include/multiboot.h', 'the innermost frame executes the header\'s inline function');
  assert.equal(idx.functionAt(pc)!.text.startsWith('kmain+0x'), true);
  assert.deepEqual(idx.functionAt(pc)!.inlined.map((c) => c.name), ['print_memory_map', 'multiboot_mmap_next']);
  assert.deepEqual(idx.scopesAt(pc, 0).map((v) => v.name), ['e'], 'multiboot_mmap_next(e)');
  assert.deepEqual(idx.scopesAt(pc, 1).map((v) => v.name).sort(), ['e', 'end', 'mbi'], 'print_memory_map');
  assert.deepEqual(idx.scopesAt(pc, 2).map((v) => v.name), ['magic', 'mbi'], 'kmain itself');
  const e = idx.scopesAt(pc, 1).find((v) => v.name === 'e')!;
  assert.equal(e.typeName, 'const struct multiboot_mmap_entry *');
  assert.match(e.locationText, /^DW_OP_reg\d$/, 'optimised code keeps e in a register');
});

test('a load bias moves every address the index takes and returns', () => {
  const plain = indexOf('guests/hello/kernel.elf');
  const bias = 0x4000_0000;
  const moved = indexOf('guests/hello/kernel.elf', bias);
  const kmain = plain.symbolAddress('kmain')!;
  assert.equal(moved.symbolAddress('kmain'), kmain + bias);
  assert.deepEqual(moved.functionAt(kmain + bias + 5)!.text, 'kmain+0x5');
  assert.equal(moved.functionAt(kmain), undefined);
  const a = plain.addressToLine(kmain)!, b = moved.addressToLine(kmain + bias)!;
  assert.deepEqual([b.file, b.line, b.address - bias], [a.file, a.line, a.address]);
  assert.deepEqual(moved.lineToAddresses(HELLO, 38)!.addresses, plain.lineToAddresses(HELLO, 38)!.addresses.map((x) => x + bias));
  assert.equal(moved.contains(kmain + bias), true);
  assert.equal(moved.contains(kmain), false);
});
