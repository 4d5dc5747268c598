// Multiboot modules (mods_count/mods_addr, placement, alignment, strings), the boot-information
// memory map from the firmware's E820 builder, and the a.out kludge (header flag bit 16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootError } from '../../engine/boot/boot-error.js';
import { loadMultiboot, type MultibootModule } from '../../engine/boot/multiboot.js';
import { Vm } from '../../engine/hv/vm.js';
import { buildE820Map } from '../../engine/platform/firmware/index.js';
import { buildElf, multibootHeader, withHeader } from './elf-fixture.js';

const MiB = 1024 * 1024;

function cString(vm: Vm, address: number): string {
  let end = address;
  while (vm.memory.read8(end) !== 0) end++;
  return new TextDecoder().decode(vm.memory.readBytes(address, end - address));
}

function throwsBoot(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BootError, `expected a BootError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

const bytesOf = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, k) => (k * 7 + seed) & 0xFF);

/** A kernel at 1 MiB whose image (with .bss) ends at 1 MiB + 0x2800; flags default to page-aligned modules + memory info. */
function kernel(flags = 3): Uint8Array {
  return buildElf({ segments: [{ paddr: 0x100000, bytes: withHeader(multibootHeader(flags)), memsz: 0x2800 }] });
}

function readModules(vm: Vm): Array<{ start: number; end: number; string: string }> {
  const m = vm.memory, info = 0x9000;
  assert.ok(m.read32(info) & (1 << 3), 'flags: MODS');
  const count = m.read32(info + 20), addr = m.read32(info + 24);
  return Array.from({ length: count }, (_, k) => ({
    start: m.read32(addr + 16 * k) >>> 0, end: m.read32(addr + 16 * k + 4) >>> 0, string: cString(vm, m.read32(addr + 16 * k + 8)),
  }));
}

test('modules are loaded above the kernel, page-aligned, with their contents and strings', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB });
  const modules: MultibootModule[] = [
    { file: 'a.bin', bytes: bytesOf(5000, 1), commandLine: 'a.bin arg1 arg2' },
    { file: 'b.bin', bytes: bytesOf(3, 2) },
    { file: 'empty.bin', bytes: new Uint8Array(0), commandLine: 'empty.bin' },
  ];
  const result = loadMultiboot(vm, kernel(), 'k.elf', { modules });
  const mods = readModules(vm);
  assert.deepEqual(mods, [
    { start: 0x103000, end: 0x103000 + 5000, string: 'a.bin arg1 arg2' },
    { start: 0x105000, end: 0x105003, string: 'b.bin' },
    { start: 0x106000, end: 0x106000, string: 'empty.bin' },
  ]);
  assert.deepEqual(result.modules.map((m) => [m.start, m.end, m.commandLine]), mods.map((m) => [m.start, m.end, m.string]));
  for (const [k, m] of mods.entries()) {
    assert.deepEqual([...vm.memory.readBytes(m.start, m.end - m.start)], [...modules[k].bytes], `module ${k} contents`);
  }
  assert.ok(result.loadedRanges.some((r) => r.description === 'module 0 (a.bin)' && r.start === 0x103000 && r.size === 5000));
  assert.equal(cString(vm, vm.memory.read32(0x9000 + 16)), 'k.elf', 'the kernel command line is unchanged');
});

test('without flag bit 0 modules are packed on 8-byte boundaries', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB });
  loadMultiboot(vm, kernel(2), 'k.elf', { modules: [{ file: 'a', bytes: bytesOf(5, 0) }, { file: 'b', bytes: bytesOf(5, 0) }] });
  assert.deepEqual(readModules(vm).map((m) => m.start), [0x102800, 0x102808]);
});

test('no modules: flag bit 3 is clear and mods_count is 0', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB });
  loadMultiboot(vm, kernel(), 'k.elf');
  assert.equal(vm.memory.read32(0x9000) & (1 << 3), 0);
  assert.equal(vm.memory.read32(0x9000 + 20), 0);
});

test('a module that does not fit in RAM is refused, naming the file', () => {
  const vm = new Vm({ memoryBytes: 2 * MiB });
  throwsBoot(() => loadMultiboot(vm, kernel(), 'k.elf', { modules: [{ file: 'small', bytes: bytesOf(16, 0) }, { file: 'big.img', bytes: new Uint8Array(MiB) }] }),
    'big.img: module 1 (1048576 bytes) does not fit in guest RAM (2 MiB): it would occupy 0x104000-0x203fff, above the kernel and the modules before it');
});

test('the boot-information memory map is the firmware E820 map', () => {
  const vm = new Vm({ memoryBytes: 32 * MiB });
  loadMultiboot(vm, kernel(), 'k.elf');
  const m = vm.memory, length = m.read32(0x9000 + 44), addr = m.read32(0x9000 + 48);
  const entries = [];
  for (let at = addr; at < addr + length; at += m.read32(at) + 4) entries.push({ base: m.read32(at + 4) >>> 0, length: m.read32(at + 12) >>> 0, type: m.read32(at + 20) });
  assert.deepEqual(entries, buildE820Map(32 * MiB));
});

/** A flat a.out-kludge image: header at file offset 0x20, loaded at 0x200000. */
function aoutImage(fields: Partial<{ header: number; load: number; loadEnd: number; bssEnd: number; entry: number }> = {}, size = 0x100): Uint8Array {
  const f = { header: 0x200020, load: 0x200000, loadEnd: 0x200000 + size, bssEnd: 0x203000, entry: 0x200040, ...fields };
  const image = new Uint8Array(size);
  const v = new DataView(image.buffer);
  image.set(multibootHeader(0x10003), 0x20);
  [f.header, f.load, f.loadEnd, f.bssEnd, f.entry].forEach((x, k) => v.setUint32(0x2C + 4 * k, x >>> 0, true));
  // at 0x40: mov dx, 0x3f8 ; mov al, 'A' ; out dx, al ; cli ; hlt
  image.set([0x66, 0xBA, 0xF8, 0x03, 0xB0, 0x41, 0xEE, 0xFA, 0xF4], 0x40);
  return image;
}

test('an a.out-kludge flat binary loads at load_addr, zeroes its bss, and runs from entry_addr', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB });
  vm.memory.ram.fill(0xAA, 0x200000, 0x204000);
  const image = aoutImage();
  const result = loadMultiboot(vm, image, 'k.bin', { modules: [{ file: 'm', bytes: bytesOf(10, 3) }] });
  assert.equal(result.entry, 0x200040);
  assert.equal(result.elf, undefined);
  assert.deepEqual([...vm.memory.readBytes(0x200000, image.length)], [...image]);
  assert.ok(vm.memory.readBytes(0x200100, 0x2F00).every((b) => b === 0), 'bss zeroed');
  assert.equal(vm.memory.read8(0x20300A), 0xAA, 'nothing after bss_end_addr and the module');
  assert.deepEqual(readModules(vm)[0], { start: 0x203000, end: 0x20300A, string: 'm' }, 'modules after the bss');
  assert.deepEqual(result.loadedRanges.filter((r) => r.description.startsWith('a.out')).map((r) => [r.start, r.size]), [[0x200000, 0x100], [0x200100, 0x2F00]]);
  const out: number[] = [];
  vm.onOutput.event((o) => out.push(...o.bytes));
  assert.equal(vm.run(100)?.kind, 'halted');
  assert.equal(String.fromCharCode(...out), 'A');
});

test('load_end_addr 0 loads the rest of the file; bss_end_addr 0 means no bss', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB });
  const result = loadMultiboot(vm, aoutImage({ loadEnd: 0, bssEnd: 0 }, 0x180), 'k.bin');
  assert.deepEqual(result.loadedRanges.filter((r) => r.description.startsWith('a.out')).map((r) => [r.start, r.size]), [[0x200000, 0x180]]);
});

test('an ELF with the a.out kludge is loaded by the header addresses and keeps its symbols', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB });
  // The ELF puts its segment at file offset 0x100 (header there), p_paddr 1 MiB; the kludge says 0x300000.
  const header = new Uint8Array(32);
  header.set(multibootHeader(0x10003));
  const v = new DataView(header.buffer);
  [0x300000, 0x300000, 0x300022, 0, 0x300020].forEach((x, k) => v.setUint32(12 + 4 * k, x, true));
  const code = new Uint8Array(0x22); code.set(header); code.set([0xFA, 0xF4], 0x20);
  const elf = buildElf({ segments: [{ paddr: 0x100000, bytes: code }], symbols: [{ name: 'start', value: 0x100020 }] });
  const result = loadMultiboot(vm, elf, 'k.elf');
  assert.equal(result.entry, 0x300020);
  assert.equal(vm.memory.read32(0x300000) >>> 0, 0x1BADB002);
  assert.equal(vm.memory.read32(0x100000), 0, 'the ELF segment address is not used');
  assert.ok(result.symbols.some((s) => s.name === 'start'));
});

test('inconsistent a.out-kludge addresses are refused with a clear reason', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB });
  const cases: Array<[Uint8Array, string]> = [
    [aoutImage({ load: 0x200030 }), 'k.bin: a.out kludge: load_addr 0x200030 is above header_addr 0x200020; the header must lie in the loaded image'],
    [aoutImage({ load: 0x1FF000 }), 'k.bin: a.out kludge: header_addr 0x200020 - load_addr 0x1ff000 = 0x1020, but the header is at file offset 0x20, so loading would start before the file'],
    [aoutImage({ loadEnd: 0x200400 }), 'k.bin: a.out kludge: load_addr 0x200000..load_end_addr 0x200400 needs 1024 bytes from file offset 0x0, but the file has only 256 there'],
    [aoutImage({ loadEnd: 0x200010 }), 'k.bin: a.out kludge: load_end_addr 0x200010 ends before the end of the header (0x200040)'],
    [aoutImage({ bssEnd: 0x200080 }), 'k.bin: a.out kludge: bss_end_addr 0x200080 is below the end of the loaded image (0x200100)'],
    [aoutImage({ entry: 0x200100 }), 'k.bin: a.out kludge: entry_addr 0x200100 is outside the loaded image 0x200000-0x2000ff'],
    [aoutImage({ header: 0x2000020, load: 0x2000000, loadEnd: 0x2000100, bssEnd: 0, entry: 0x2000040 }), 'k.bin: a.out kludge: image 0x2000000-0x20000ff does not fit in guest RAM (16 MiB)'],
    [aoutImage({ header: 0x9020, load: 0x9000, loadEnd: 0x9100, bssEnd: 0, entry: 0x9040 }), 'k.bin: a.out kludge: image 0x9000-0x90ff overlaps 0x9000-0xffff, where hvdbg puts the multiboot information'],
    [aoutImage().subarray(0, 0x30), 'k.bin: multiboot header at offset 0x20 sets flag bit 16 (a.out kludge) but the file ends before its address fields (needs 64 bytes, has 48)'],
  ];
  for (const [image, message] of cases) throwsBoot(() => loadMultiboot(vm, image, 'k.bin'), message);
});

test('CLI: --initrd gives a multiboot kernel its modules, QEMU-style "file args" strings', async () => {
  const { runCli } = await import('../cli/cli-process.js');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-mods-'));
  const a = join(dir, 'a.bin'), b = join(dir, 'b,c.bin');
  writeFileSync(a, Buffer.from('MODULE-A'));
  writeFileSync(b, Uint8Array.of(1, 2, 3));
  const r = await runCli(['run', 'guests/tables/kernel.elf', '--timeout', '20', '--initrd', `${a} x=1 y,${b.replace(',', ',,')}`]);
  const text = r.stdout.toString('utf8');
  assert.equal(r.status, 33, r.stderr + text);
  assert.match(text, new RegExp(`module 0 at 0x[0-9a-f]+000, 8 bytes, '${a} x=1 y': 4d 4f 44 55 4c 45 2d 41\\n`));
  assert.match(text, new RegExp(`module 1 at 0x[0-9a-f]+000, 3 bytes, '${b}': 01 02 03\\n`));
  const big = join(dir, 'big.bin');
  writeFileSync(big, new Uint8Array(3 * MiB));
  const tooBig = await runCli(['run', 'guests/tables/kernel.elf', '--mem', '2M', '--initrd', big]);
  assert.equal(tooBig.status, 2, tooBig.stderr);
  assert.match(tooBig.stderr, new RegExp(`hvdbg: ${big}: module 0 \\(3145728 bytes\\) does not fit in guest RAM \\(2 MiB\\)`));
  const missing = await runCli(['run', 'guests/tables/kernel.elf', '--initrd', join(dir, 'nope.bin')]);
  assert.match(missing.stderr, /cannot read .*nope\.bin: no such file or directory/);
});

test('--initrd values split QEMU-style: commas separate entries, ",," is a comma, args follow a space', async () => {
  const { parseRunOptions, splitInitrd } = await import('../../src/cli/run-options.js');
  assert.deepEqual(splitInitrd('mod1.bin arg1,mod2.bin'), [
    { file: 'mod1.bin', commandLine: 'mod1.bin arg1' }, { file: 'mod2.bin', commandLine: 'mod2.bin' },
  ]);
  assert.deepEqual(splitInitrd('a,,b.bin x'), [{ file: 'a,b.bin', commandLine: 'a,b.bin x' }]);
  assert.throws(() => splitInitrd('a.bin,'), /--initrd: empty file name in 'a.bin,'/);
  const options = parseRunOptions(['k.elf', '--initrd', 'a b,c', '--initrd', 'd']);
  assert.ok(options !== 'help');
  assert.deepEqual(options.initrd, ['a', 'c', 'd']);
  assert.deepEqual(options.initrdCommandLines, ['a b', 'c', 'd']);
});
