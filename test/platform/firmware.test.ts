// Firmware tables: every table is parsed back from guest memory of a built machine — signatures,
// checksums, key fields — and the E820 map is checked for order and overlaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm } from '../../engine/hv/vm.js';
import { buildE820Map, buildFirmware, byteSum, describeFirmware, FIRMWARE_TABLES_BASE, MP_FLOATING_ADDRESS } from '../../engine/platform/firmware/index.js';
import type { GuestMemory } from '../../engine/memory/guest-memory.js';

const MiB = 1024 * 1024;

function sum(m: GuestMemory, at: number, length: number): number { return byteSum(m.readBytes(at, length)); }
function ascii(m: GuestMemory, at: number, length: number): string { return String.fromCharCode(...m.readBytes(at, length)); }
const u8 = (m: GuestMemory, a: number) => m.read8(a), u16 = (m: GuestMemory, a: number) => m.read8(a) | (m.read8(a + 1) << 8);
const u32 = (m: GuestMemory, a: number) => m.read32(a) >>> 0;

/** Scans [from, to) on 16-byte boundaries for signature. */
function scan(m: GuestMemory, signature: string, from: number, to: number): number | undefined {
  for (let at = from; at < to; at += 16) if (ascii(m, at, signature.length) === signature) return at;
  return undefined;
}

test('the E820 map is sorted, without overlaps, and has the PC holes', () => {
  for (const ram of [2 * MiB, 64 * MiB, 3840 * MiB]) {
    const map = buildE820Map(ram);
    for (let k = 1; k < map.length; k++) {
      assert.ok(map[k].base >= map[k - 1].base + map[k - 1].length, `entry ${k} starts after entry ${k - 1} ends (${ram})`);
    }
    assert.deepEqual(map.map((e) => [e.base, e.length, e.type]), [
      [0, 0x9FC00, 1], [0x9FC00, 0x400, 2], [0xA0000, 0x60000, 2], [0x100000, ram - MiB, 1],
      [0xFEC00000, 0x1000, 2], [0xFEE00000, 0x1000, 2], [0xFFFC0000, 0x40000, 2],
    ]);
  }
  const acpi = buildE820Map(64 * MiB, { acpiReclaim: { base: 63 * MiB, length: 0x10000 } });
  assert.deepEqual(acpi.slice(3, 6).map((e) => [e.base, e.length, e.type]), [
    [MiB, 62 * MiB, 1], [63 * MiB, 0x10000, 3], [63 * MiB + 0x10000, MiB - 0x10000, 1],
  ]);
});

test('the BIOS data area: COM ports, equipment, base memory, EBDA, keyboard buffer, 80x25 text', () => {
  const m = new Vm({ memoryBytes: 16 * MiB }).memory;
  assert.deepEqual([u16(m, 0x400), u16(m, 0x402), u16(m, 0x404), u16(m, 0x406)], [0x3F8, 0x2F8, 0, 0]);
  assert.equal(u16(m, 0x408), 0, 'no LPT1');
  assert.equal(u16(m, 0x40E), 0x9FC0, 'EBDA segment');
  const equipment = u16(m, 0x410);
  assert.equal((equipment >> 9) & 7, 2, 'two serial ports');
  assert.equal((equipment >> 4) & 3, 2, '80x25 colour');
  assert.equal(u16(m, 0x413), 639, 'base memory KiB');
  assert.deepEqual([u16(m, 0x41A), u16(m, 0x41C), u16(m, 0x480), u16(m, 0x482)], [0x1E, 0x1E, 0x1E, 0x3E]);
  assert.deepEqual([u8(m, 0x449), u16(m, 0x44A), u8(m, 0x484), u16(m, 0x463)], [3, 80, 24, 0x3D4]);
  assert.equal(u32(m, 0x46C), 0, 'timer ticks');
  assert.equal(u8(m, 0x9FC00), 1, 'EBDA size byte: 1 KiB');
});

function checkMp(m: GuestMemory, cpus: number): void {
  const fp = scan(m, '_MP_', 0x9FC00, 0xA0000) ?? scan(m, '_MP_', 0xF0000, 0x100000);
  assert.equal(fp, MP_FLOATING_ADDRESS);
  assert.equal(sum(m, fp!, 16), 0, 'floating pointer checksum');
  assert.deepEqual([u8(m, fp! + 8), u8(m, fp! + 9), u8(m, fp! + 11)], [1, 4, 0], 'length 1, spec 1.4, config table present');
  const cfg = u32(m, fp! + 4);
  assert.equal(ascii(m, cfg, 4), 'PCMP');
  const length = u16(m, cfg + 4);
  assert.equal(sum(m, cfg, length), 0, 'configuration table checksum');
  assert.equal(u8(m, cfg + 6), 4);
  assert.equal(u32(m, cfg + 36), 0xFEE00000, 'local APIC address');
  const count = u16(m, cfg + 34);
  let at = cfg + 44;
  const procs: number[] = [], ioapics: Array<[number, number]> = [], routes = new Map<number, number>(), lints: Array<[number, number]> = [];
  let isa = false;
  for (let k = 0; k < count; k++) {
    const type = u8(m, at);
    if (type === 0) {
      procs.push(u8(m, at + 1));
      assert.equal(u8(m, at + 3) & 1, 1, 'processor enabled');
      assert.equal((u8(m, at + 3) >> 1) & 1, procs.length === 1 ? 1 : 0, 'first is the BSP');
      at += 20; continue;
    }
    if (type === 1) isa = ascii(m, at + 2, 6) === 'ISA   ';
    if (type === 2) ioapics.push([u8(m, at + 1), u32(m, at + 4)]);
    if (type === 3) routes.set(u8(m, at + 5), u8(m, at + 7));
    if (type === 4) lints.push([u8(m, at + 1), u8(m, at + 7)]);
    at += 8;
  }
  assert.equal(at - cfg, length, 'entries fill the table');
  assert.deepEqual(procs, [...Array(cpus).keys()]);
  assert.ok(isa, 'ISA bus entry');
  assert.deepEqual(ioapics, [[cpus, 0xFEC00000]], 'IO-APIC after the CPUs');
  assert.equal(routes.get(0), 2, 'IRQ0 on pin 2');
  for (const irq of [1, 3, 4, 8, 14, 15]) assert.equal(routes.get(irq), irq);
  assert.equal(routes.size, 15);
  assert.deepEqual(lints, [[3, 0], [1, 1]], 'ExtINT on LINT0, NMI on LINT1');
}

function checkAcpi(m: GuestMemory, cpus: number): void {
  const rsdp = scan(m, 'RSD PTR ', 0xE0000, 0x100000);
  assert.equal(rsdp, FIRMWARE_TABLES_BASE);
  assert.equal(sum(m, rsdp!, 20), 0, 'RSDP checksum');
  assert.equal(u8(m, rsdp! + 15), 2, 'revision 2');
  assert.equal(u32(m, rsdp! + 20), 36);
  assert.equal(sum(m, rsdp!, 36), 0, 'RSDP extended checksum');
  const table = (at: number, sig: string) => {
    assert.equal(ascii(m, at, 4), sig);
    const len = u32(m, at + 4);
    assert.equal(sum(m, at, len), 0, `${sig} checksum`);
    return len;
  };
  const rsdt = u32(m, rsdp! + 16), xsdt = u32(m, rsdp! + 24);
  assert.equal(u32(m, rsdp! + 28), 0, 'XSDT below 4 GiB');
  const rsdtLen = table(rsdt, 'RSDT');
  const pointers = Array.from({ length: (rsdtLen - 36) / 4 }, (_, k) => u32(m, rsdt + 36 + 4 * k));
  const xsdtLen = table(xsdt, 'XSDT');
  assert.deepEqual(Array.from({ length: (xsdtLen - 36) / 8 }, (_, k) => u32(m, xsdt + 36 + 8 * k)), pointers);
  const sigs = pointers.map((p) => ascii(m, p, 4));
  assert.deepEqual(sigs, ['FACP', 'APIC']);
  const fadt = pointers[0], madt = pointers[1];
  table(fadt, 'FACP');
  const dsdt = u32(m, fadt + 40);
  assert.equal(table(dsdt, 'DSDT'), 36, 'empty DSDT');
  assert.equal(ascii(m, u32(m, fadt + 36), 4), 'FACS');
  assert.equal(u16(m, fadt + 46), 9, 'SCI on IRQ9');
  const madtLen = table(madt, 'APIC');
  assert.equal(u32(m, madt + 36), 0xFEE00000);
  assert.equal(u32(m, madt + 40) & 1, 1, 'PCAT_COMPAT');
  const lapics: number[] = [], ioapics: Array<[number, number, number]> = [], overrides: Array<[number, number, number]> = [];
  let nmis = 0;
  for (let at = madt + 44; at < madt + madtLen; at += u8(m, at + 1)) {
    const type = u8(m, at);
    if (type === 0) { lapics.push(u8(m, at + 3)); assert.equal(u32(m, at + 4) & 1, 1); }
    if (type === 1) ioapics.push([u8(m, at + 2), u32(m, at + 4), u32(m, at + 8)]);
    if (type === 2) overrides.push([u8(m, at + 3), u32(m, at + 4), u16(m, at + 8)]);
    if (type === 4) nmis++;
    assert.ok(u8(m, at + 1) > 0);
  }
  assert.deepEqual(lapics, [...Array(cpus).keys()]);
  assert.deepEqual(ioapics, [[cpus, 0xFEC00000, 0]]);
  assert.deepEqual(overrides, [[0, 2, 0]], 'IRQ0 → GSI 2');
  assert.equal(nmis, 1);
}

test('a built machine has valid MP and ACPI tables for one CPU', () => {
  const vm = new Vm({ memoryBytes: 32 * MiB });
  checkMp(vm.memory, 1);
  checkAcpi(vm.memory, 1);
  assert.equal(vm.platform.ioapic.readRegister(0) >>> 24, 1, 'the IO-APIC has the ID the tables give it');
});

test('the tables describe every CPU (built directly for 1, 4 and 16 CPUs)', () => {
  for (const cpus of [1, 4, 16]) {
    const vm = new Vm({ memoryBytes: 8 * MiB });
    const fw = buildFirmware({ ramBytes: vm.memory.ramSize, cpus });
    for (const b of fw.blocks) vm.memory.writeBytes(b.base, b.bytes);
    checkMp(vm.memory, cpus);
    checkAcpi(vm.memory, cpus);
  }
  assert.throws(() => buildFirmware({ ramBytes: 8 * MiB, cpus: 0 }), /CPU count 0/);
});

test('describeFirmware lists the map and the tables', () => {
  const lines = describeFirmware({ ramBytes: 64 * MiB, cpus: 2 });
  assert.equal(lines[0], 'firmware for 2 CPUs, 65536 KiB RAM');
  assert.ok(lines.includes('  0x00100000-0x03FFFFFF usable'));
  assert.ok(lines.includes('  RSDP at 0xE0000, 36 bytes'));
  assert.ok(lines.some((l) => l.startsWith('  _MP_ at 0x9FC10')));
  for (const name of ['BDA', 'RSDT', 'XSDT', 'FACP', 'APIC', 'DSDT', 'FACS', 'PCMP']) assert.ok(lines.some((l) => l.startsWith(`  ${name.padEnd(4)} at`)), name);
});

test('CLI: the tables guest finds and validates the MP and ACPI tables (1 and 4 CPUs)', async () => {
  const { runCli } = await import('../cli/cli-process.js');
  const one = await runCli(['run', 'guests/tables/kernel.elf', '--timeout', '20', '--append', 'cpus=1']);
  const text = one.stdout.toString('utf8');
  assert.equal(one.status, 33, one.stderr + text);
  assert.match(text, /MP: 1 CPUs, 1 IO-APICs/);
  assert.match(text, /ACPI: 1 CPUs, 1 IO-APICs, 1 overrides/);
  assert.match(text, /MADT override: IRQ 0 -> GSI 2/);
  assert.match(text, / {2}0x0000000000100000-0x0000000003ffffff type 1\n/);
  assert.match(text, /modules: none\nTABLES OK\n$/);
  const four = await runCli(['run', 'guests/tables/kernel.elf', '--timeout', '20', '--cpus', '4', '--append', 'cpus=4']);
  assert.equal(four.status, 33, four.stderr + four.stdout.toString('utf8'));
  assert.match(four.stdout.toString('utf8'), /CPUs: 4, IO-APICs: 1\n/);
});
