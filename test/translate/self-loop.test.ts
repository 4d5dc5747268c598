// Blocks that jump back to their own start run as a loop inside their compiled function: the budget,
// a fault in a later pass, and an interrupt that becomes pending between passes keep the run loop's
// exact counts and stops — checked against the interpreter or the block-boundary rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE } from '../cpu/helpers/machine.js';
import { translatorOptions } from '../../engine/cpu/translate/translator.js';
import { sourceObservers } from '../../engine/cpu/translate/compile.js';
import { FLAG_IF } from '../../engine/cpu/registers.js';

function machine(code: number[], translation: boolean): Machine {
  const m = new Machine(1 << 20);
  m.enterProtected();
  m.cpu.translation = translation;
  m.write(CODE, code);
  return m;
}

/** Runs body with every block compiled on first entry; returns its result and the sources compiled. */
function compiledFirst<T>(body: () => T): { result: T; sources: string[] } {
  const saved = translatorOptions.hotThreshold;
  const sources: string[] = [];
  const observe = (s: string): void => { sources.push(s); };
  translatorOptions.hotThreshold = 1;
  sourceObservers.push(observe);
  try { return { result: body(), sources }; } finally {
    translatorOptions.hotThreshold = saved;
    sourceObservers.splice(sourceObservers.indexOf(observe), 1);
  }
}

// loop: inc ecx (41); cmp ecx, 1000 (81 F9 E8 03 00 00); jne loop (75 F7); hlt (F4)
const COUNT_LOOP = [0x41, 0x81, 0xF9, 0xE8, 0x03, 0x00, 0x00, 0x75, 0xF7, 0xF4];

test('a Jcc back to the block start compiles to a loop that stops at every budget exactly', () => {
  const slices = [1, 2, 3, 4, 7, 50, 299, 1000, 2000];
  const states = [true, false].map((translation) => compiledFirst(() => {
    const m = machine(COUNT_LOOP, translation);
    return slices.map((n) => ({ ran: m.run(n), ecx: m.cpu.reg32[1], eip: m.cpu.eip >>> 0, instructions: m.cpu.instructions, halted: m.cpu.halted }));
  }));
  assert.ok(states[0].sources.some((s) => s.includes('for (;;)')), 'the block was emitted as a loop');
  assert.deepEqual(states[0].result, states[1].result);
  const last = states[0].result[states[0].result.length - 1];
  assert.equal(last.halted, true);
  assert.equal(last.ecx, 1000);
  assert.equal(last.instructions, 3000 + 1);
});

// loop: dec ecx (49); mov eax, 100 (B8 64 00 00 00); xor edx, edx (31 D2); div ecx (F7 F1);
// jmp loop (EB F4). With ECX = 5 the fifth pass divides by zero; the #DE stub is HLT.
const DIVIDE_LOOP = [0x49, 0xB8, 0x64, 0x00, 0x00, 0x00, 0x31, 0xD2, 0xF7, 0xF1, 0xEB, 0xF4];

test('a fault in a later pass of a compiled self-loop counts the finished passes and the instructions before it', () => {
  const runs = [true, false].map((translation) => compiledFirst(() => {
    const m = machine(DIVIDE_LOOP, translation);
    m.cpu.reg32[1] = 5;
    m.run(1000);
    return { halted: m.cpu.halted, ecx: m.cpu.reg32[1], instructions: m.cpu.instructions, vector: m.cpu.lastException?.vector };
  }));
  assert.ok(runs[0].sources.some((s) => s.includes('for (;;)')), 'the JMP loop was emitted as a loop');
  assert.deepEqual(runs[0].result, { halted: true, ecx: 0, instructions: 4 * 5 + 3 + 1, vector: 0 });
  assert.deepEqual(runs[0].result, runs[1].result);
});

test('an interrupt that becomes pending while a compiled self-loop runs is taken at the next pass boundary', () => {
  const { result, sources } = compiledFirst(() => {
    const m = machine(COUNT_LOOP, true);
    m.cpu.flags |= FLAG_IF;
    let raised = false;
    const seenAt: number[] = [];
    // A timer-like controller: the interrupt is raised once the CPU has retired 100 instructions.
    m.env.interruptPending = (): boolean => {
      seenAt.push(m.cpu.instructionsNow);
      if (!raised && m.cpu.instructionsNow >= 100) { raised = true; m.env.pendingInterrupts.push(0x20); }
      return m.env.pendingInterrupts.length > 0;
    };
    m.run(100_000);
    return { inHandler: m.inHandler(0x20), ecx: m.cpu.reg32[1], instructions: m.cpu.instructions, seenAt };
  });
  assert.ok(sources.some((s) => s.includes('for (;;)')));
  // Checked between passes (every 3 instructions): first seen pending at 102, after 34 passes; the HLT stub makes 103.
  assert.deepEqual(result.seenAt.slice(0, 4), [0, 3, 6, 9]);
  assert.equal(result.seenAt[result.seenAt.length - 1], 102);
  assert.deepEqual({ inHandler: result.inHandler, ecx: result.ecx, instructions: result.instructions },
    { inHandler: true, ecx: 34, instructions: 103 });
});
