// Interpreter/translator differential on random instruction streams: the same random programs run on
// two machines, one with the translator (the default) and one without, and the full architectural
// state (registers, EIP, EFLAGS, retired count, halt) must agree after every run slice of random
// length; the data area and the stack must agree at the end. Well over 1,000,000 instructions in
// compiled regions, and a smaller run with regions off (compiled blocks only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE, DATA, KSTACK_TOP } from '../cpu/helpers/machine.js';
import { randomProgram, Rng } from './random-program.js';
import { translatorOptions, translatorStats } from '../../engine/cpu/translate/translator.js';

const TARGET_INSTRUCTIONS = 1_100_000;

function machine(translation: boolean, code: number[]): Machine {
  const m = new Machine(1 << 20);
  m.enterProtected();
  m.cpu.translation = translation;
  m.write(CODE, code);
  m.cpu.reg32[3] = DATA;                              // EBX: the data base
  for (let a = 0; a < 0x80; a += 4) m.w32(DATA + a, (a * 0x9E3779B9) ^ 0x5A5A1234);
  return m;
}

function state(m: Machine): string {
  const c = m.cpu;
  return JSON.stringify([Array.from(c.reg32), c.eip, c.getEflags(), c.instructions, c.halted]);
}

/** Runs random programs on both machines until target instructions retired; returns how many ran and where. */
function differential(target: number, seed: number): { total: number; compiled: number; regions: number } {
  const rng = new Rng(seed);
  const before = { ...translatorStats };
  let total = 0, programs = 0;
  while (total < target) {
    const code = randomProgram(rng, 20 + rng.below(60), 10 + rng.below(30));
    const fast = machine(true, code), slow = machine(false, code);
    for (let slices = 0; !slow.cpu.halted && slices < 100_000; slices++) {
      const slice = 1 + rng.below(400);
      const ran = fast.run(slice);
      assert.equal(slow.run(slice), ran, `program ${programs}: retired counts differ`);
      assert.equal(state(fast), state(slow), `program ${programs} (slice ${slices}): state differs after ${slow.cpu.instructions} instructions`);
    }
    assert.equal(slow.cpu.halted, true, `program ${programs} ends with HLT`);
    assert.deepEqual(fast.memory.readBytes(DATA, 0x80), slow.memory.readBytes(DATA, 0x80), `program ${programs}: data area differs`);
    assert.deepEqual(fast.memory.readBytes(KSTACK_TOP - 0x400, 0x400), slow.memory.readBytes(KSTACK_TOP - 0x400, 0x400), `program ${programs}: stack differs`);
    total += slow.cpu.instructions;
    programs++;
  }
  return {
    total,
    compiled: translatorStats.compiledInstructions - before.compiledInstructions,
    regions: translatorStats.regionInstructions - before.regionInstructions,
  };
}

test('translator (regions) and interpreter agree on random instruction streams (≥ 1,000,000 instructions)', () => {
  const saved = { ...translatorOptions };
  translatorOptions.regionThreshold = 2;       // regions from a block's second compiled entry
  try {
    const { total, regions } = differential(TARGET_INSTRUCTIONS, 0x1234567);
    assert.ok(total >= TARGET_INSTRUCTIONS);
    // The comparison means something only if most instructions really ran in compiled regions.
    assert.ok(regions > total * 0.5, `only ${regions} of ${total} instructions ran in compiled regions`);
  } finally {
    Object.assign(translatorOptions, saved);
  }
});

test('translator (blocks only) and interpreter agree on random instruction streams', () => {
  const saved = { ...translatorOptions };
  translatorOptions.regions = false;
  try {
    const { total, compiled, regions } = differential(400_000, 0x7654321);
    assert.equal(regions, 0);
    assert.ok(compiled > total * 0.5, `only ${compiled} of ${total} instructions ran in compiled blocks`);
  } finally {
    Object.assign(translatorOptions, saved);
  }
});
