// Multiboot v1 loader: header search and checks, loading into guest RAM, the boot information
// structure, and the machine state at the kernel's entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BootError } from '../../engine/boot/boot-error.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { CS, DS, ES, FS, GS, SS } from '../../engine/cpu/registers.js';
import { Vm } from '../../engine/hv/vm.js';
import { buildElf, multibootHeader, withHeader } from './elf-fixture.js';

const MiB = 1024 * 1024;

function newVm(memoryBytes = 64 * MiB): Vm {
  return new Vm({ memoryBytes });
}

function assertBootError(bytes: Uint8Array, file: string, message: string, vm = newVm()): void {
  assert.throws(() => loadMultiboot(vm, bytes, file), (e: unknown) => {
    assert.ok(e instanceof BootError, `expected a BootError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

function cString(vm: Vm, address: number): string {
  let end = address;
  while (vm.memory.read8(end) !== 0) end++;
  return new TextDecoder().decode(vm.memory.readBytes(address, end - address));
}

test('a segment beyond guest RAM is refused with the RAM size', () => {
  const elf = buildElf({ segments: [{ paddr: 0x10000000, bytes: withHeader(multibootHeader(3)), memsz: 0x1000 }] });
  assertBootError(elf, 'k.elf', 'k.elf: segment 0 (p_paddr 0x10000000, p_memsz 0x1000) does not fit in guest RAM (64 MiB)');
});

test('a segment over a ROM region is refused, and nothing is written', () => {
  const vm = newVm();
  vm.memory.mapRom(0xF0000, new Uint8Array(0x10000), 'BIOS');
  const elf = buildElf({ segments: [{ paddr: 0x100000, bytes: withHeader(multibootHeader(3)) }, { paddr: 0xF8000, bytes: new Uint8Array(16) }] });
  assertBootError(elf, 'k.elf', 'k.elf: segment 1 (p_paddr 0xf8000, p_memsz 0x10) overlaps a ROM or MMIO region of guest memory', vm);
  assert.equal(vm.memory.read32(0x100000), 0, 'segment 0 was not loaded either');
});

test('a bad multiboot checksum is named with the sum and the right checksum', () => {
  const elf = buildElf({ segments: [{ paddr: 0x100000, bytes: withHeader(multibootHeader(3, 0x12345678)) }] });
  assertBootError(elf, 'k.elf', 'k.elf: multiboot header at offset 0x100 has a bad checksum: magic 0x1badb002 + flags 0x3 + ' +
    'checksum 0x12345678 = 0x2de2067d, must be 0 (checksum should be 0xe4524ffb)');
});

test('a kernel without a multiboot header is refused', () => {
  const elf = buildElf({ segments: [{ paddr: 0x100000, bytes: Uint8Array.from([0xFA, 0xF4]) }], entry: 0x100000 });
  assertBootError(elf, 'plain.elf',
    'plain.elf: no multiboot header (magic 0x1badb002 on a 4-byte boundary in the first 8192 bytes); is this a multiboot kernel?');
});

test('a header beyond the first 8192 bytes is not found', () => {
  const code = new Uint8Array(0x2000 + 16);
  code.set(multibootHeader(3), 0x2000); // file offset 0x2100
  const elf = buildElf({ segments: [{ paddr: 0x100000, bytes: code }], entry: 0x100000 });
  assertBootError(elf, 'late.elf',
    'late.elf: no multiboot header (magic 0x1badb002 on a 4-byte boundary in the first 8192 bytes); is this a multiboot kernel?');
});

test('a multiboot2-only kernel is told that only multiboot v1 is supported', () => {
  const mb2 = new Uint8Array(24);
  new DataView(mb2.buffer).setUint32(0, 0xE85250D6, true);
  const elf = buildElf({ segments: [{ paddr: 0x100000, bytes: mb2 }], entry: 0x100000 });
  assertBootError(elf, 'mb2.elf', 'mb2.elf: has a multiboot2 header (magic 0xe85250d6 at offset 0x100) but no multiboot v1 header; ' +
    'only multiboot v1 is supported');
});

test('required flag bits the loader does not honour are named', () => {
  const video = buildElf({ segments: [{ paddr: 0x100000, bytes: withHeader(multibootHeader(0x7)) }] });
  assertBootError(video, 'k.elf', 'k.elf: multiboot header at offset 0x100 (flags 0x7) requires flag bit 2 (video mode table) ' +
    'that this loader does not support (supported: 0 page-aligned modules, 1 memory information)');
  const unknown = buildElf({ segments: [{ paddr: 0x100000, bytes: withHeader(multibootHeader(0x8009)) }] });
  assertBootError(unknown, 'k.elf', 'k.elf: multiboot header at offset 0x100 (flags 0x8009) requires flag bits 3, 15 ' +
    'that this loader does not support (supported: 0 page-aligned modules, 1 memory information)');
});

test('optional flag bits 17-31 are ignored', () => {
  const vm = newVm();
  const result = loadMultiboot(vm, buildElf({ segments: [{ paddr: 0x100000, bytes: withHeader(multibootHeader(0x80020003)) }] }), 'k.elf');
  assert.equal(result.header.flags, 0x80020003);
});

test('a kernel loaded over the boot information block is refused', () => {
  const elf = buildElf({ segments: [{ paddr: 0x8000, bytes: withHeader(multibootHeader(3)), memsz: 0x2000 }] });
  assertBootError(elf, 'low.elf', 'low.elf: segment 0 (p_paddr 0x8000, p_memsz 0x2000) overlaps 0x9000-0xffff, where hvdbg puts the multiboot information');
});

test('guest RAM below 1 MiB is refused', () => {
  const elf = buildElf({ segments: [{ paddr: 0x20000, bytes: withHeader(multibootHeader(3)) }] });
  assertBootError(elf, 'k.elf', 'k.elf: guest RAM (512 KiB) is smaller than the 1 MiB a multiboot kernel needs', newVm(512 * 1024));
});

test('segments are copied to p_paddr and zero-filled up to p_memsz', () => {
  const vm = newVm();
  vm.memory.ram.fill(0xAA, 0x100000, 0x104000);
  const code = withHeader(multibootHeader(3), [0x90, 0x90, 0xFA, 0xF4]);
  const result = loadMultiboot(vm, buildElf({ segments: [{ paddr: 0x100000, bytes: code, memsz: 0x3000 }] }), 'k.elf');
  assert.deepEqual([...vm.memory.readBytes(0x100000, code.length)], [...code]);
  assert.ok(vm.memory.readBytes(0x100000 + code.length, 0x3000 - code.length).every((b) => b === 0), '.bss is zeroed');
  assert.equal(vm.memory.read8(0x103000), 0xAA, 'bytes after p_memsz are untouched');
  assert.deepEqual(result.loadedRanges.map((r) => [r.start, r.size, r.description]), [
    [0x9000, 0x300, 'multiboot information'],
    [0x9300, 6, 'kernel command line'],
    [0x100000, 0x3000, 'segment 0 (R-E)'],
  ]);
});

test('the boot information holds memory sizes, the PC memory map, the command line and the loader name', () => {
  const vm = newVm(64 * MiB);
  const result = loadMultiboot(vm, buildElf(), 'k.elf', { append: 'foo bar ' });
  const m = vm.memory, info = result.infoAddress;
  assert.equal(info, 0x9000);
  assert.equal(m.read32(info), (1 << 0) | (1 << 2) | (1 << 6) | (1 << 9), 'flags: MEM, CMDLINE, MMAP, BOOT_LOADER_NAME');
  assert.equal(m.read32(info + 4), 639, 'mem_lower: KiB below the EBDA at 0x9FC00');
  assert.equal(m.read32(info + 8), (64 * MiB - MiB) / 1024, 'mem_upper: KiB above 1 MiB');
  assert.equal(cString(vm, m.read32(info + 16)), 'k.elf foo bar');
  assert.equal(result.commandLine, 'k.elf foo bar');
  assert.equal(cString(vm, m.read32(info + 64)), 'hvdbg');
  const mmapLength = m.read32(info + 44), mmapAddr = m.read32(info + 48);
  const entries: Array<[number, number, number]> = [];
  for (let at = mmapAddr; at < mmapAddr + mmapLength; at += m.read32(at) + 4) {
    assert.equal(m.read32(at), 20, 'entry size');
    assert.equal(m.read32(at + 8), 0, 'base below 4 GiB');
    assert.equal(m.read32(at + 16), 0, 'length below 4 GiB');
    entries.push([m.read32(at + 4) >>> 0, m.read32(at + 12) >>> 0, m.read32(at + 20)]);
  }
  assert.deepEqual(entries, [
    [0, 0x9FC00, 1],
    [0x9FC00, 0x400, 2],
    [0xA0000, 0x60000, 2],
    [0x100000, 64 * MiB - MiB, 1],
    [0xFEC00000, 0x1000, 2],
    [0xFEE00000, 0x1000, 2],
    [0xFFFC0000, 0x40000, 2],
  ]);
});

test('without --append the command line is the kernel name alone', () => {
  const vm = newVm();
  loadMultiboot(vm, buildElf(), 'guests/hello/kernel.elf');
  assert.equal(cString(vm, vm.memory.read32(0x9000 + 16)), 'guests/hello/kernel.elf');
});

test('the vCPU starts in the multiboot machine state', () => {
  const vm = newVm();
  const result = loadMultiboot(vm, buildElf(), 'k.elf');
  const cpu = vm.cpu;
  assert.equal(result.entry, 0x10000c);
  assert.equal(cpu.eip, 0x10000c);
  assert.equal(cpu.reg32[0] >>> 0, 0x2BADB002, 'EAX = multiboot magic');
  assert.equal(cpu.reg32[3], 0x9000, 'EBX = info address');
  assert.equal(cpu.getEflags(), 0x2, 'EFLAGS: IF = 0, DF = 0');
  assert.equal(cpu.cr0 & 0x80000001, 0x1, 'CR0.PE = 1, CR0.PG = 0');
  assert.equal(cpu.mode, 'protected');
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.codeSize32, true);
  assert.equal(cpu.stackSize32, true);
  assert.deepEqual([cpu.segSel[CS], cpu.segBase[CS], cpu.segLimit[CS], cpu.segRights[CS]], [0x08, 0, 0xFFFFFFFF, 0xC09A]);
  for (const seg of [DS, ES, FS, GS, SS]) {
    assert.deepEqual([cpu.segSel[seg], cpu.segBase[seg], cpu.segLimit[seg], cpu.segRights[seg]], [0x10, 0, 0xFFFFFFFF, 0xC092]);
  }
});

test('a tiny kernel runs from its entry point: OUT to COM1, then cli; hlt', () => {
  const vm = newVm();
  // mov dx, 0x3f8 ; mov al, 'O' ; out dx, al ; mov al, 'K' ; out dx, al ; cli ; hlt
  const code = [0x66, 0xBA, 0xF8, 0x03, 0xB0, 0x4F, 0xEE, 0xB0, 0x4B, 0xEE, 0xFA, 0xF4];
  loadMultiboot(vm, buildElf({ segments: [{ paddr: 0x100000, bytes: withHeader(multibootHeader(3), code) }] }), 'k.elf');
  const out: number[] = [];
  vm.onOutput.event((o) => out.push(...o.bytes));
  const stop = vm.run(1000);
  assert.equal(String.fromCharCode(...out), 'OK');
  assert.equal(stop?.kind, 'halted');
  assert.equal(vm.instructions, 7);
});

test('the committed hello kernel loads with its symbols and the right entry point', () => {
  const vm = newVm();
  const result = loadMultiboot(vm, readFileSync('guests/hello/kernel.elf'), 'guests/hello/kernel.elf', { append: 'foo bar' });
  assert.equal(result.entry, 0x10000c);
  assert.ok(result.symbols.some((s) => s.name === 'kmain' && s.type === 'func'));
  assert.equal(result.commandLine, 'guests/hello/kernel.elf foo bar');
  assert.equal(vm.cpu.eip, 0x10000c);
  assert.equal(vm.memory.read8(0x10000c), 0xFA, 'first instruction of _start is cli');
});
