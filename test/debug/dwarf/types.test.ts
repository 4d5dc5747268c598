// The type graph against the fixtures' shapes.h (every DWARF version must give the same layout, bit
// fields included) and the guest SDK's multiboot.h (member offsets computed from the C declaration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DW_ATE } from '../../../engine/debug/dwarf/constants.js';
import { DwarfProgram } from '../../../engine/debug/dwarf/program.js';
import { resolveType, sizeOf, typeName, type DwarfType } from '../../../engine/debug/dwarf/types.js';
import { fixture, FIXTURE_NAMES, guest } from './helpers/fixtures.js';

const programOf = (name: string) => { const { elf, bytes } = fixture(name); return DwarfProgram.fromElf(elf, bytes); };
const member = (t: DwarfType, name: string) => {
  const m = t.members?.find((x) => x.name === name);
  assert.ok(m, `member ${name} of ${typeName(t)}`);
  return m;
};

for (const name of FIXTURE_NAMES) {
  test(`${name}: struct shape has the layout gcc gave it, bit fields included`, () => {
    const p = programOf(name);
    const shape = p.typeByName('struct shape')!;
    assert.equal(shape.kind, 'struct');
    assert.equal(shape.size, 68);
    const layout = shape.members!.map((m) => [m.name, m.offset, typeName(m.type), m.bitSize, m.bitOffset]);
    assert.deepEqual(layout, [
      ['name', 0, 'const char *', undefined, undefined],
      ['corners', 4, 'struct point [4]', undefined, undefined],
      ['color', 36, 'enum color', undefined, undefined],
      ['flags', 40, 'unsigned int', 3, 320],
      ['kind', 40, 'unsigned int', 5, 323],
      ['tag', 44, 'union word', undefined, undefined],
      ['counter', 48, 'volatile u32', undefined, undefined],
      ['next', 52, 'struct shape *', undefined, undefined],
      ['area', 56, 'int (*)(const struct shape *)', undefined, undefined],
      ['grid', 60, 'u8 [2][3]', undefined, undefined],
    ]);
    // the graph is shared, not copied: next points back at the same struct object
    assert.equal(member(shape, 'next').type.target, shape);
    const area = resolveType(member(shape, 'area').type);
    assert.equal(area.kind, 'pointer');
    assert.equal(area.target!.kind, 'function');
    assert.equal(typeName(area.target!.params![0]), 'const struct shape *');
    assert.equal(resolveType(area.target!.params![0].target!), shape);
    const grid = member(shape, 'grid').type;
    assert.deepEqual(grid.dims, [{ lower: 0, count: 2 }, { lower: 0, count: 3 }]);
    assert.equal(grid.size, 6);
    assert.equal(typeName(grid.target!), 'u8');
    assert.equal(resolveType(grid.target!).encoding, DW_ATE.unsigned_char);
  });

  test(`${name}: enum, union, typedef and qualifiers`, () => {
    const p = programOf(name);
    const color = p.typeByName('enum color')!;
    assert.deepEqual(color.enumerators!.map((e) => [e.name, Number(e.value)]), [['RED', 1], ['GREEN', 2], ['BLUE', 4], ['BIG', -3]]);
    assert.equal(color.size, 4);
    const word = p.typeByName('union word')!;
    assert.equal(word.kind, 'union');
    assert.deepEqual(word.members!.map((m) => [m.name, m.offset, typeName(m.type)]), [['value', 0, 'u32'], ['bytes', 0, 'u8 [4]']]);
    const u32 = p.typeByName('u32')!;
    assert.equal(u32.kind, 'typedef');
    assert.equal(typeName(resolveType(u32)), 'unsigned int');
    assert.equal(sizeOf(u32), 4);
    const answer = p.globals.find((g) => g.name === 'answer')!;
    assert.match(typeName(answer.type), /^(volatile const|const volatile) int$/);
    assert.equal(sizeOf(answer.type), 4);
    const squares = p.globals.find((g) => g.name === 'squares')!;
    assert.equal(typeName(squares.type), 'struct shape [2]');
    assert.equal(squares.type.size ?? sizeOf(squares.type), 136);
    const point = p.typeByName('struct point')!;
    assert.deepEqual(point.members!.map((m) => [m.name, m.offset]), [['x', 0], ['y', 4]]);
    assert.equal(p.typeByName('struct nosuch'), undefined);
  });
}

/** struct multiboot_info and struct multiboot_mmap_entry as guests/sdk/include/multiboot.h declares them (packed). */
const MULTIBOOT_INFO: [string, number][] = [
  ['flags', 4], ['mem_lower', 4], ['mem_upper', 4], ['boot_device', 4], ['cmdline', 4], ['mods_count', 4],
  ['mods_addr', 4], ['syms', 16], ['mmap_length', 4], ['mmap_addr', 4], ['drives_length', 4], ['drives_addr', 4],
  ['config_table', 4], ['boot_loader_name', 4], ['apm_table', 4], ['vbe_control_info', 4], ['vbe_mode_info', 4],
  ['vbe_mode', 2], ['vbe_interface_seg', 2], ['vbe_interface_off', 2], ['vbe_interface_len', 2],
];
const MMAP_ENTRY: [string, number][] = [['size', 4], ['addr', 8], ['len', 8], ['type', 4]];

const packedOffsets = (fields: [string, number][]) => {
  let at = 0;
  return fields.map(([name, size]) => { const o = at; at += size; return [name, o, size] as const; });
};

for (const path of ['guests/hello/kernel.elf', 'guests/hello/kernel-O0.elf']) {
  test(`${path}: struct multiboot_info and multiboot_mmap_entry match the C declaration`, () => {
    const { elf, bytes } = guest(path);
    const p = DwarfProgram.fromElf(elf, bytes);
    for (const [tname, fields] of [['struct multiboot_info', MULTIBOOT_INFO], ['struct multiboot_mmap_entry', MMAP_ENTRY]] as const) {
      const t = p.typeByName(tname)!;
      assert.ok(t, tname);
      const expected = packedOffsets(fields as [string, number][]);
      assert.deepEqual(t.members!.map((m) => [m.name, m.offset, sizeOf(m.type)]), expected.map((e) => [...e]), tname);
      assert.equal(t.size, expected.reduce((n, [, , s]) => n + s, 0));
    }
    const info = p.typeByName('struct multiboot_info')!;
    assert.equal(member(info, 'mmap_addr').offset, 48);
    assert.equal(typeName(member(info, 'syms').type), 'uint32_t [4]');
    assert.equal(typeName(member(info, 'vbe_mode').type), 'uint16_t');
    // kmain's second parameter is a pointer to it
    const kmain = p.functions.find((f) => f.name === 'kmain')!;
    const mbi = kmain.variables.find((v) => v.name === 'mbi')!;
    assert.equal(typeName(mbi.type), 'const struct multiboot_info *');
    assert.equal(resolveType(mbi.type.target!), info);
  });
}
