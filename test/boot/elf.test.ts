// ELF32 parser: every malformed input gives one line naming the file, the problem and where;
// well-formed files yield segments, sections, symbols and the entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BootError } from '../../engine/boot/boot-error.js';
import { parseElf, physicalEntry } from '../../engine/boot/elf.js';
import { buildElf, patch16, patch32 } from './elf-fixture.js';

/** Asserts that parsing bytes as file throws a BootError with exactly message. */
function assertElfError(bytes: Uint8Array, file: string, message: string): void {
  assert.throws(() => parseElf(bytes, file), (e: unknown) => {
    assert.ok(e instanceof BootError, `expected a BootError, got ${String(e)}`);
    assert.equal(e.message, message);
    assert.equal(e.file, file);
    assert.ok(!e.message.includes('\n'), 'message is one line');
    return true;
  });
}

test('a DOS/PE file is not an ELF file, and the message shows the magic bytes', () => {
  const mz = Uint8Array.from([0x4D, 0x5A, 0x90, 0x00, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF, 0, 0]);
  assertElfError(mz, 'kernel.bin', 'kernel.bin: not an ELF file (magic at offset 0 is 4d 5a 90 00)');
});

test('an empty or tiny file is not an ELF file', () => {
  assertElfError(new Uint8Array(0), 'empty.elf', 'empty.elf: not an ELF file (the file is empty)');
  assertElfError(Uint8Array.from([0x7F, 0x45]), 'two.elf', 'two.elf: not an ELF file (magic at offset 0 is 7f 45; the file is only 2 bytes)');
});

test('a 64-bit ELF is refused with a hint to build for -m32', () => {
  const elf = buildElf();
  elf[4] = 2;
  assertElfError(elf, 'k.elf', 'k.elf: 64-bit ELF (EI_CLASS=2) is not supported; build the kernel for 32-bit x86 (-m32)');
});

test('an invalid class, a big-endian file and a bad ident version are named with their offset', () => {
  const badClass = buildElf(); badClass[4] = 7;
  assertElfError(badClass, 'k.elf', 'k.elf: invalid ELF class (EI_CLASS=7 at offset 4; expected 1 for 32-bit)');
  const bigEndian = buildElf(); bigEndian[5] = 2;
  assertElfError(bigEndian, 'k.elf', 'k.elf: big-endian ELF (EI_DATA=2) is not supported; x86 is little-endian');
  const badVersion = buildElf(); badVersion[6] = 0;
  assertElfError(badVersion, 'k.elf', 'k.elf: unsupported ELF version (EI_VERSION=0 at offset 6; expected 1)');
});

test('a non-x86 machine is named', () => {
  assertElfError(patch16(buildElf(), 18, 40), 'k.elf', 'k.elf: ELF machine 40 (ARM) is not x86 (EM_386 = 3)');
  assertElfError(patch16(buildElf(), 18, 183), 'k.elf', 'k.elf: ELF machine 183 (AArch64) is not x86 (EM_386 = 3)');
  assertElfError(patch16(buildElf(), 18, 9999), 'k.elf', 'k.elf: ELF machine 9999 is not x86 (EM_386 = 3)');
});

test('object files and core dumps are not executables', () => {
  assertElfError(patch16(buildElf(), 16, 1), 'start.o',
    'start.o: relocatable object file (e_type=1, ET_REL), not an executable; link it into a kernel first');
  assertElfError(patch16(buildElf(), 16, 4), 'core', 'core: core dump (e_type=4, ET_CORE), not an executable');
});

test('a file cut inside the ELF header is truncated', () => {
  assertElfError(buildElf().subarray(0, 30), 'k.elf',
    'k.elf: truncated ELF: ELF header (52 bytes) at offset 0x0 extends past end of file (size 0x1e)');
});

test('a program header past the end of the file is named with its offset and the file size', () => {
  const elf = patch16(buildElf().slice(0, 0x80), 44, 3); // 3 program headers; header 2 would be at 0x74..0x93
  assertElfError(elf, 'k.elf', 'k.elf: truncated ELF: program header 2 at offset 0x74 extends past end of file (size 0x80)');
});

test('segment bytes past the end of the file are truncated', () => {
  const elf = patch32(buildElf(), 52 + 16, 0x10000); // p_filesz of segment 0
  patch32(elf, 52 + 20, 0x10000);                      // p_memsz
  assertElfError(elf, 'k.elf',
    `k.elf: truncated ELF: segment 0 (p_offset 0x100, p_filesz 0x10000) extends past end of file (size 0x${elf.length.toString(16)})`);
});

test('no program headers, no PT_LOAD, p_filesz > p_memsz and PT_INTERP are refused', () => {
  assertElfError(patch16(buildElf(), 44, 0), 'k.elf', 'k.elf: no program headers (e_phnum=0): nothing to load');
  assertElfError(patch32(buildElf(), 52, 6), 'k.elf', 'k.elf: no loadable segments (no PT_LOAD program header)');
  assertElfError(patch32(buildElf(), 52 + 20, 4), 'k.elf', 'k.elf: segment 0: p_filesz 0xe is larger than p_memsz 0x4');
  const dynamic = buildElf({ segments: [{ paddr: 0x100000, bytes: new Uint8Array(16) }, { paddr: 0, type: 3 }] });
  assertElfError(dynamic, 'k.elf', 'k.elf: dynamically linked (has a PT_INTERP program header); link the kernel statically (-static -nostdlib)');
});

test('overlapping segments and an entry point outside every segment are refused', () => {
  const overlap = buildElf({ segments: [{ paddr: 0x100000, bytes: new Uint8Array(16), memsz: 0x2000 }, { paddr: 0x101000, bytes: new Uint8Array(4) }] });
  assertElfError(overlap, 'k.elf', 'k.elf: segments 0 and 1 overlap in physical memory (0x100000-0x101fff and 0x101000-0x101003)');
  assertElfError(buildElf({ entry: 0x200000 }), 'k.elf', 'k.elf: entry point e_entry=0x200000 is not inside any loadable segment');
});

test('a section header table past the end of the file is truncated', () => {
  const elf = buildElf();
  const shoff = new DataView(elf.buffer).getUint32(32, true);
  assertElfError(elf.subarray(0, shoff + 50), 'k.elf',
    `k.elf: truncated ELF: section header 1 at offset 0x${(shoff + 40).toString(16)} extends past end of file (size 0x${(shoff + 50).toString(16)})`);
});

test('a symbol table linked to something other than a string table is refused', () => {
  const elf = buildElf({ symbols: [{ name: 'main', value: 0x100010 }] });
  const shoff = new DataView(elf.buffer).getUint32(32, true);
  patch32(elf, shoff + 2 * 40 + 24, 1); // .symtab (section 2) sh_link → section 1 (.seg0)
  assertElfError(elf, 'k.elf', 'k.elf: symbol table .symtab links to section 1 (sh_link), which is not a string table');
});

test('a well-formed file yields segments, sections, symbols and the entry point', () => {
  const elf = parseElf(buildElf({
    segments: [{ paddr: 0x100000, bytes: new Uint8Array(32) }, { paddr: 0x102000, memsz: 0x3000, flags: 6 }],
    symbols: [
      { name: 'kmain', value: 0x100010, size: 12 },
      { name: 'counter', value: 0x102000, size: 4, type: 1, bind: 0, section: 2 },
    ],
  }), 'k.elf');
  assert.equal(elf.entry, 0x10000c);
  assert.equal(elf.machine, 3);
  assert.deepEqual(elf.segments.map((s) => [s.index, s.type, s.paddr, s.filesz, s.memsz]), [[0, 1, 0x100000, 32, 32], [1, 1, 0x102000, 0, 0x3000]]);
  assert.deepEqual(elf.sections.map((s) => s.name), ['', '.seg0', '.seg1', '.symtab', '.strtab', '.shstrtab']);
  assert.deepEqual(elf.symbols, [
    { name: 'kmain', value: 0x100010, size: 12, type: 'func', binding: 'global', section: 1 },
    { name: 'counter', value: 0x102000, size: 4, type: 'object', binding: 'local', section: 2 },
  ]);
});

test('a higher-half entry point is translated through its segment to a physical address', () => {
  const elf = parseElf(buildElf({ segments: [{ paddr: 0x100000, vaddr: 0xC0100000, bytes: new Uint8Array(32) }] }), 'k.elf');
  assert.equal(elf.entry, 0xC010000C);
  assert.equal(physicalEntry(elf), 0x10000C);
});

test('the committed hello kernel parses: entry, loadable segments and function symbols', () => {
  const elf = parseElf(readFileSync('guests/hello/kernel.elf'), 'guests/hello/kernel.elf');
  assert.equal(elf.entry, 0x10000c);
  assert.equal(elf.segments.filter((s) => s.type === 1).length, 3);
  const kmain = elf.symbols.find((s) => s.name === 'kmain');
  assert.ok(kmain, 'kmain is in .symtab');
  assert.equal(kmain.type, 'func');
  assert.ok(kmain.size > 0);
  const start = elf.symbols.find((s) => s.name === '_start');
  assert.equal(start?.value, 0x10000c);
  assert.ok(elf.sections.some((s) => s.name === '.debug_line'), 'debug sections are listed');
});
