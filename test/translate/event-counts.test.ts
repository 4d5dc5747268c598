// VM events raised inside a translated block report the same retired-instruction count as under the
// interpreter: the block's instructions before the event's one count, although the run loop adds the
// block's total only when it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createVm, loadKernel } from '../../src/cli/run-command.js';
import { translatorStats } from '../../engine/cpu/translate/translator.js';

/** (eip, instructions, kind) of every VM event of guest under strategy, translator on or off. */
function eventTimeline(guest: string, strategy: 'hw' | 'bt', translation: boolean): string[] {
  const vm = createVm(64 << 20, [], 1, 'virtual', strategy, translation);
  loadKernel(vm, readFileSync(guest), { kernel: guest, append: '', initrd: [], initrdCommandLines: [], strategy });
  const timeline: string[] = [];
  vm.onEvent.event((e) => timeline.push(`${e.kind} eip=0x${e.eip.toString(16)} n=${e.instructions}`));
  for (let k = 0; k < 100 && !vm.finalStop; k++) vm.run(1_000_000);
  assert.ok(vm.finalStop, `${guest} ran to its end`);
  return timeline;
}

for (const [guest, strategy] of [['guests/exits-tour/kernel.elf', 'hw'], ['guests/hello/kernel.elf', 'bt']] as const) {
  test(`${guest} under ${strategy}: event instruction counts agree with the translator on and off`, () => {
    const compiledBefore = translatorStats.compiledInstructions;
    const translated = eventTimeline(guest, strategy, true);
    assert.ok(translatorStats.compiledInstructions > compiledBefore, 'some of the guest ran in compiled blocks');
    const interpreted = eventTimeline(guest, strategy, false);
    assert.ok(interpreted.length > 100, `${interpreted.length} events`);
    assert.deepEqual(translated, interpreted);
  });
}
