// The generated handlers (engine/cpu/codegen) and the closure handlers (engine/cpu/exec) must agree:
// the same guests run under both give the same output, instruction count and final registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { setGeneratedHandlers } from '../../engine/cpu/dispatch.js';

interface RunResult { output: string; instructions: number; regs: number[]; eflags: number; stop: string }

function runGuest(path: string): RunResult {
  const vm = new Vm({ memoryBytes: 32 << 20 });
  let output = '';
  vm.onOutput.event((o) => { output += Buffer.from(o.bytes).toString('latin1'); });
  loadMultiboot(vm, readFileSync(path), path, { append: 'tiers' });
  let stop;
  for (let k = 0; k < 100 && !stop; k++) stop = vm.run(1_000_000);
  return { output, instructions: vm.instructions, regs: Array.from(vm.cpu.reg32), eflags: vm.cpu.getEflags(), stop: stop?.kind ?? 'running' };
}

for (const guest of ['guests/hello/kernel.elf', 'guests/hello/kernel-O0.elf']) {
  test(`generated and closure handlers agree on ${guest}`, () => {
    try {
      setGeneratedHandlers(true);
      const generated = runGuest(guest);
      setGeneratedHandlers(false);
      const closures = runGuest(guest);
      assert.equal(generated.stop, 'halted');
      assert.match(generated.output, /Hello from hvdbg guest!/);
      assert.deepEqual(closures, generated);
    } finally {
      setGeneratedHandlers(true);
    }
  });
}
