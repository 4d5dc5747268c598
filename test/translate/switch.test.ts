// The translator is on by default everywhere and has one switch to turn it off: VmConfig.translation
// in the engine, `hvdbg run --no-translate` on the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm } from '../../engine/hv/vm.js';
import { parseRunOptions } from '../../src/cli/run-options.js';
import { createVm } from '../../src/cli/run-command.js';

test('a VM translates by default and not with translation: false', () => {
  assert.equal(new Vm({ memoryBytes: 4 << 20 }).cpu.translation, true);
  assert.equal(new Vm({ memoryBytes: 4 << 20, translation: false }).cpu.translation, false);
  const two = new Vm({ memoryBytes: 4 << 20, cpus: 2, translation: false });
  assert.deepEqual(two.cpus.map((c) => c.translation), [false, false]);
});

test('hvdbg run --no-translate reaches the VM', () => {
  const on = parseRunOptions(['kernel.elf']);
  const off = parseRunOptions(['kernel.elf', '--no-translate']);
  assert.ok(on !== 'help' && off !== 'help');
  assert.equal(on.noTranslate, undefined);
  assert.equal(off.noTranslate, true);
  assert.equal(createVm(4 << 20, [], 1, 'virtual', 'hw', !off.noTranslate).cpu.translation, false);
  assert.equal(createVm(4 << 20, [], 1, 'virtual', 'hw', !on.noTranslate).cpu.translation, true);
});
