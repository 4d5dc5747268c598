// Interpreter/translator differential on every example guest: each kernel runs twice, translator on
// (the default) and off, in slices of 20,000 instructions; serial output, retired count, registers,
// EIP, EFLAGS, segment selectors and control registers must agree after every slice and at the end.
// (Multiboot kernels only: the paravirtual guests boot through the pv loader.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { translatorOptions, translatorStats } from '../../engine/cpu/translate/translator.js';

const SLICE = 20_000;
const MAX_INSTRUCTIONS = 3_000_000;   // guests that wait forever (echo, spin) are compared this far

function kernels(): string[] {
  const found: string[] = [];
  for (const dir of readdirSync('guests', { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const name of readdirSync(`guests/${dir.name}`)) {
      const path = `guests/${dir.name}/${name}`;
      if (/^kernel.*\.elf$/.test(name) && isMultiboot(path)) found.push(path);
    }
  }
  return found.sort();
}

/** True when the kernel carries a multiboot v1 header (the paravirtual guests boot another way). */
function isMultiboot(path: string): boolean {
  const head = readFileSync(path).subarray(0, 8192);
  for (let k = 0; k + 4 <= head.length; k += 4) if (head.readUInt32LE(k) === 0x1BADB002) return true;
  return false;
}

interface Run { vm: Vm; output: () => string; stop: string | undefined }

function boot(path: string, translation: boolean): Run {
  const vm = new Vm({ memoryBytes: 32 << 20, translation });
  let output = '';
  vm.onOutput.event((o) => { output += Buffer.from(o.bytes).toString('latin1'); });
  loadMultiboot(vm, readFileSync(path), path, { append: 'differential' });
  return { vm, output: () => output, stop: undefined };
}

function state(r: Run): string {
  const c = r.vm.cpu;
  return JSON.stringify({
    stop: r.stop, instructions: r.vm.instructions, regs: Array.from(c.reg32), eip: c.eip, eflags: c.getEflags(),
    segs: Array.from(c.segSel), cr: [c.cr0, c.cr2, c.cr3, c.cr4], halted: c.halted, output: r.output(),
  });
}

const guests = kernels();
const regionsBefore = translatorStats.regionInstructions;
test('the example guests are there to compare', () => { assert.ok(guests.length >= 8, `found ${guests.length} guests`); });

for (const path of guests) {
  test(`translator and interpreter agree on ${path}`, () => {
    assert.ok(existsSync(path));
    const fast = boot(path, true), slow = boot(path, false);
    // Regions from a block's second compiled entry, so every guest's hot code runs in them.
    const saved = { ...translatorOptions };
    translatorOptions.regionThreshold = 2;
    const before = translatorStats.compiledInstructions + translatorStats.coldInstructions;
    try {
      for (let done = 0; done < MAX_INSTRUCTIONS && slow.stop === undefined; done += SLICE) {
        fast.stop = fast.vm.run(SLICE)?.kind;
        slow.stop = slow.vm.run(SLICE)?.kind;
        assert.equal(state(fast), state(slow), `${path}: state differs after ${slow.vm.instructions} instructions`);
      }
    } finally {
      Object.assign(translatorOptions, saved);
    }
    const inBlocks = translatorStats.compiledInstructions + translatorStats.coldInstructions - before;
    assert.ok(inBlocks > 0, `${path}: no instruction ran in a translated block`);
  });
}

test('the guests above ran mostly in compiled regions', () => {
  const inRegions = translatorStats.regionInstructions - regionsBefore;
  assert.ok(inRegions > 1_000_000, `only ${inRegions} instructions ran in regions`);
});
