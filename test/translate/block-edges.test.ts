// The translator's edges: an armed breakpoint inside a compiled loop stops there, code that rewrites
// a later instruction of its own block runs the new bytes, and a fault in the middle of a compiled
// block counts only the instructions before it — each checked against the interpreter too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE } from '../cpu/helpers/machine.js';
import { translatorOptions, translatorStats } from '../../engine/cpu/translate/translator.js';

function machine(code: number[], translation = true): Machine {
  const m = new Machine(1 << 20);
  m.enterProtected();
  m.cpu.translation = translation;
  m.write(CODE, code);
  return m;
}

/** With every block compiled on its first entry. */
function compiledFirst<T>(body: () => T): T {
  const saved = translatorOptions.hotThreshold;
  translatorOptions.hotThreshold = 1;
  try { return body(); } finally { translatorOptions.hotThreshold = saved; }
}

// loop: inc ecx (41); cmp ecx, 1000 (81 F9 E8 03 00 00); jne loop (75 F7); hlt (F4)
const COUNT_LOOP = [0x41, 0x81, 0xF9, 0xE8, 0x03, 0x00, 0x00, 0x75, 0xF7, 0xF4];

test('a breakpoint armed inside a loop that already runs compiled stops before that instruction', () => {
  const m = machine(COUNT_LOOP);
  const compiledBefore = translatorStats.compiledInstructions;
  m.run(200);
  assert.ok(translatorStats.compiledInstructions > compiledBefore, 'the loop ran as a compiled block');
  m.cpu.codeBreakpoints.add(CODE);
  m.run(100_000);
  assert.equal(m.cpu.stopRequested, true, 'the run stopped for the breakpoint');
  assert.equal(m.cpu.eip, CODE);
  assert.equal(m.cpu.reg32[1], 67, 'ECX: the passes before the stop (200 instructions, then the JNE)');
  m.cpu.codeBreakpoints.delete(CODE);
  m.run(100_000);
  assert.equal(m.cpu.halted, true);
  assert.equal(m.cpu.reg32[1], 1000);
});

// loop: mov [CODE+7], cl (88 0D disp32); mov eax, imm32 (B8 ..) whose low byte the first instruction
// rewrites; add ebx, eax (01 C3); inc ecx (41); cmp ecx, 20 (83 F9 14); jne loop (75 ED); hlt (F4)
const PATCHED = CODE + 7;
const SELF_MODIFYING = [0x88, 0x0D, PATCHED & 0xFF, (PATCHED >> 8) & 0xFF, (PATCHED >> 16) & 0xFF, 0x00,
  0xB8, 0x00, 0x00, 0x00, 0x00, 0x01, 0xC3, 0x41, 0x83, 0xF9, 0x14, 0x75, 0xED, 0xF4];

for (const translation of [true, false]) {
  test(`code that rewrites the next instruction of its own block runs the new bytes (translator ${translation ? 'on' : 'off'})`, () => {
    compiledFirst(() => {
      const m = machine(SELF_MODIFYING, translation);
      m.run(10_000);
      assert.equal(m.cpu.halted, true);
      assert.equal(m.cpu.reg32[3], 190, 'EBX = 0 + 1 + … + 19: every pass added the value just written');
      assert.equal(m.cpu.instructions, 20 * 6 + 1);
    });
  });
}

// inc ebx (43); inc ebx (43); div ecx (F7 F1) with ECX = 0: #DE; inc ebx (43); hlt (F4). The #DE
// handler stub is HLT.
const FAULT_MID_BLOCK = [0x43, 0x43, 0xF7, 0xF1, 0x43, 0xF4];

test('a fault in the middle of a compiled block retires only the instructions before it', () => {
  const results = [true, false].map((translation) => compiledFirst(() => {
    const m = machine(FAULT_MID_BLOCK, translation);
    m.run(100);
    return { halted: m.cpu.halted, ebx: m.cpu.reg32[3], instructions: m.cpu.instructions, vector: m.cpu.lastException?.vector };
  }));
  assert.deepEqual(results[0], { halted: true, ebx: 2, instructions: 3, vector: 0 });
  assert.deepEqual(results[0], results[1]);
});

// sti (FB); nop (90); nop (90); cli (FA); hlt (F4), with an interrupt pending from the start: it is
// taken after the first NOP (STI's shadow covers exactly one instruction), before CLI masks it again.
const STI_WINDOW = [0xFB, 0x90, 0x90, 0xFA, 0xF4];

test('an interrupt pending across STI; NOP; NOP; CLI is taken after the first NOP', () => {
  const results = [true, false].map((translation) => compiledFirst(() => {
    const m = machine(STI_WINDOW, translation);
    m.env.pendingInterrupts.push(0x20);
    m.run(100);
    return { halted: m.cpu.halted, instructions: m.cpu.instructions, pending: m.env.pendingInterrupts.length, eip: m.cpu.eip };
  }));
  assert.equal(results[1].pending, 0, 'the interpreter took the interrupt');
  assert.equal(results[1].instructions, 3, 'STI, one NOP, then the handler stub\'s HLT');
  assert.deepEqual(results[0], results[1]);
});
