// Code breakpoints under the translator: a breakpoint on a function that compiled traces reach
// through a direct CALL on the same page (so the address is inside a block, not at its start) is hit
// every time, as the interpreter alone would.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vm } from '../../engine/hv/vm';
import { loadMultiboot } from '../../engine/boot/multiboot';
import { Debugger } from '../../engine/debug/debugger';
import { SymbolSet } from '../../engine/debug/symbols/symbol-set';
import { SymbolIndex } from '../../engine/debug/symbols/symbol-index';

const HELLO = join(__dirname, '..', '..', 'guests', 'hello', 'kernel.elf');

/** Runs hello to its end with a logpoint on a function; returns the logpoint's hits and the serial output. */
function countCalls(translation: boolean, name: string): { hits: number; output: string } {
  const bytes = readFileSync(HELLO);
  const vm = new Vm({ memoryBytes: 64 << 20, translation });
  loadMultiboot(vm, bytes, HELLO, {});
  const symbols = new SymbolSet();
  symbols.add(SymbolIndex.fromElf(bytes, HELLO, { strict: false }));
  const core = new Debugger(vm, symbols);
  let hits = 0, output = '';
  core.onLog.event(() => { hits++; });
  vm.onOutput.event(({ bytes: b }) => { output += Buffer.from(b).toString('latin1'); });
  const [result] = core.code.setFunctions([{ name, logMessage: 'c' }]);
  assert.equal(result.verified, true);
  let stop;
  for (let slices = 0; !(stop = vm.run(100_000)) && slices < 1000; slices++) { /* run on */ }
  assert.equal(stop?.kind, 'halted');
  return { hits, output };
}

describe('code breakpoints under the translator', () => {
  it('hit a function entered by direct CALL inside compiled traces as often as under the interpreter', () => {
    // kmain, printf and vformat are reached by CALLs that traces follow on the same page.
    for (const [name, calls] of [['kmain', 1], ['printf', 16], ['vformat', 16], ['serial_putc', undefined]] as const) {
      const interpreted = countCalls(false, name);
      const translated = countCalls(true, name);
      if (calls !== undefined) assert.equal(interpreted.hits, calls, `${name} runs ${calls} time(s)`);
      assert.equal(translated.hits, interpreted.hits, `${name}: hits under the translator`);
      assert.equal(translated.output, interpreted.output);
    }
  });
});
