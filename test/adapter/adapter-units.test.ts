// Unit tests of the adapter's pure parts: launch-argument checks (and their match with package.json),
// memory sizes, the adapter's command line, EFLAGS decoding and symbol lookup.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLaunchArgs, LAUNCH_ATTRIBUTES } from '../../src/adapter/launch-args';
import { parseMemorySize } from '../../src/adapter/memory-size';
import { parseAdapterArgs } from '../../src/adapter/adapter-args';
import { describeEflags } from '../../engine/debug/inspect/registers.js';
import { SymbolMap } from '../../src/adapter/symbols';
import type { ElfSymbol } from '../../engine/boot/elf-types';
import { ROOT } from './helpers';

describe('launch arguments', () => {
  it('match the launch attributes package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const launch = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'hvdbg').configurationAttributes.launch;
    assert.deepEqual(Object.keys(launch.properties).sort(), [...LAUNCH_ATTRIBUTES].sort());
    assert.deepEqual(launch.required, ['program']);
  });

  it('fill defaults', () => {
    const result = checkLaunchArgs({ program: 'k.elf', type: 'hvdbg', request: 'launch', name: 'x', __sessionId: 'id' });
    assert.deepEqual(result, {
      ok: true,
      config: { program: 'k.elf', stopOnEntry: false, memoryBytes: 64 << 20, append: '', maxInstructions: undefined, strategy: 'hw', initrd: [], disks: [], symbols: [] },
    });
    const full = checkLaunchArgs({ program: 'k.elf', initrd: ['a.gz'], disks: [{ path: 'd.img', writable: true }, { path: 'e.img' }], cpus: 2 });
    assert.deepEqual(full.ok && [full.config.initrd, full.config.disks, full.config.cpus],
      [['a.gz'], [{ file: 'd.img', writable: true }, { file: 'e.img', writable: false }], 2]);
  });

  it('say which attribute is wrong', () => {
    const error = (args: unknown): string => { const r = checkLaunchArgs(args); assert.equal(r.ok, false); return r.ok ? '' : r.error; };
    assert.match(error(undefined), /"program" is missing/);
    assert.match(error({ program: '' }), /"program" is missing/);
    assert.match(error({ program: ['a'] }), /"program" must be a string path, not an array/);
    assert.match(error({ program: 'k', initrd: 'a.gz' }), /"initrd" must be a list of file paths/);
    assert.match(error({ program: 'k', disks: [{}, {}, {}] }), /"disks" must be a list of at most 2 disks/);
    assert.match(error({ program: 'k', disks: [{ writable: true }] }), /"disks"\[0\] needs a "path" string/);
    assert.match(error({ program: 'k', disks: [{ path: 'd', writable: 'yes' }] }), /"disks"\[0\]\.writable must be true or false/);
    assert.match(error({ program: 'k', cpus: 9 }), /"cpus" must be a whole number from 1 to 8, not number 9/);
    assert.match(error({ program: 'k', stopOnEntry: 'yes' }), /"stopOnEntry" must be true or false, not "yes"/);
    assert.match(error({ program: 'k', memory: '1T' }), /"memory": memory size "1T" is not a number/);
    assert.match(error({ program: 'k', append: 3 }), /"append" must be a string/);
    assert.match(error({ program: 'k', maxInstructions: 1.5 }), /"maxInstructions" must be a positive whole number, not number 1.5/);
    assert.match(error({ program: 'k', strategy: 'vmx' }), /"strategy" must be one of "hw", "bt", "pv", not "vmx"/);
    assert.match(error({ program: 'k', symbols: 'boot.elf' }), /"symbols" must be a list/);
    assert.match(error({ program: 'k', symbols: [{ bias: 4 }] }), /"symbols"\[0\] needs a "file" string/);
    assert.match(error({ program: 'k', symbols: [{ file: 'b.elf', bias: '0x100' }] }), /"symbols"\[0\]\.bias must be a whole number/);
    assert.match(error({ program: 'k', sourceRoot: 7 }), /"sourceRoot" must be a directory path/);
    const withSymbols = checkLaunchArgs({ program: 'k', strategy: 'pv', symbols: [{ file: 'b.elf', bias: -4096 }, { file: 'm.elf' }], sourceRoot: '/src' });
    assert.deepEqual(withSymbols.ok && [withSymbols.config.strategy, withSymbols.config.symbols, withSymbols.config.sourceRoot],
      ['pv', [{ file: 'b.elf', bias: -4096 }, { file: 'm.elf', bias: 0 }], '/src']);
  });
});

describe('memory sizes', () => {
  it('parse K, M, G with optional iB/B', () => {
    assert.deepEqual(parseMemorySize('64M'), { ok: true, bytes: 64 << 20 });
    assert.deepEqual(parseMemorySize('1g'), { ok: true, bytes: 1 << 30 });
    assert.deepEqual(parseMemorySize('4096K'), { ok: true, bytes: 4 << 20 });
    assert.deepEqual(parseMemorySize('16MiB'), { ok: true, bytes: 16 << 20 });
    assert.deepEqual(parseMemorySize('3840M'), { ok: true, bytes: 0xF000_0000 });
  });
  it('refuse what the engine cannot give', () => {
    assert.match(String((parseMemorySize('1M') as { error: string }).error), /below the minimum of 2M/);
    assert.match(String((parseMemorySize('4G') as { error: string }).error), /above the maximum of 3840M/);
    assert.match(String((parseMemorySize('2050K') as { error: string }).error), /not a multiple of 4 KiB/);
    assert.equal(parseMemorySize('lots').ok, false);
    assert.equal(parseMemorySize('').ok, false);
  });
});

describe('adapter command line', () => {
  it('parses stdio, --port N, --port=N, --help and mistakes', () => {
    assert.deepEqual(parseAdapterArgs([]), { kind: 'stdio' });
    assert.deepEqual(parseAdapterArgs(['--port', '4711']), { kind: 'port', port: 4711 });
    assert.deepEqual(parseAdapterArgs(['--port=0']), { kind: 'port', port: 0 });
    assert.deepEqual(parseAdapterArgs(['--help']), { kind: 'help' });
    assert.equal(parseAdapterArgs(['--port', '70000']).kind, 'error');
    assert.equal(parseAdapterArgs(['--port']).kind, 'error');
    assert.equal(parseAdapterArgs(['--server=4711']).kind, 'error');
  });
});

describe('register display', () => {
  it('decodes EFLAGS', () => {
    assert.equal(describeEflags(0x2), '0x00000002 []');
    assert.equal(describeEflags(0x246), '0x00000246 [PF ZF IF]');
    assert.equal(describeEflags(0x3202), '0x00003202 [IF IOPL=3]');
  });
});

describe('symbol lookup', () => {
  const symbol = (name: string, value: number, size: number, type: ElfSymbol['type'] = 'func'): ElfSymbol =>
    ({ name, value, size, type, binding: 'global', section: 1 });
  const map = new SymbolMap([
    symbol('_start', 0x10000c, 0, 'notype'), symbol('guest_halt', 0x100050, 0, 'notype'),
    symbol('kmain', 0x100f60, 0x2d), symbol('counter', 0x112000, 4, 'object'),
  ]);
  it('names addresses inside functions and labels', () => {
    assert.equal(map.describe(0x10000c), '_start');
    assert.equal(map.describe(0x10000d), '_start+0x1');
    assert.equal(map.describe(0x100f80), 'kmain+0x20');
  });
  it('leaves addresses outside every code symbol unnamed', () => {
    assert.equal(map.describe(0x100000), undefined);
    assert.equal(map.describe(0x100f8d), undefined);
    assert.equal(map.describe(0x112000), undefined);
  });
});
