// Generated block source holds only numbers and identifiers the translator chose: random code bytes
// (fuzzed) are run with every block compiled on first entry, and each source is checked token by
// token against what the table-derived handler templates and the block and region emitters can produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE } from '../cpu/helpers/machine.js';
import { Rng } from './random-program.js';
import { ISA } from '../../engine/cpu/isa/index.js';
import { handlerSource } from '../../engine/cpu/codegen/handler-codegen.js';
import { sourceObservers } from '../../engine/cpu/translate/compile.js';
import { translatorOptions } from '../../engine/cpu/translate/translator.js';

const STRING_LITERAL = /'[^'\\]*'/g;
const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/g;
const HEX_NUMBER = /\b0x[0-9A-Fa-f]+\b/g;

/** String literals and identifiers the handler templates can emit, from the table alone (no guest input). */
function templateVocabulary(): { strings: Set<string>; identifiers: Set<string> } {
  const strings = new Set<string>(), identifiers = new Set<string>();
  for (const e of ISA) {
    for (const o32 of [false, true]) for (const mem of [false, true]) {
      const body = handlerSource(e, o32, mem);
      if (body === undefined) continue;
      for (const s of body.match(STRING_LITERAL) ?? []) strings.add(s);
      for (const id of body.replace(STRING_LITERAL, '').replace(HEX_NUMBER, '0').match(IDENTIFIER) ?? []) identifiers.add(id);
    }
  }
  return { strings, identifiers };
}

/** Identifiers the block emitter itself writes (besides i<k>, x<k> and block_<number>). */
const EMITTER_IDENTIFIERS = ['const', 'return', 'function', 'if', 'c', 'i', 'I', 'X', 'P', 'H', 'valid',
  'stopRequested', 'instrStart', 'eip', 'reg32',
  // a self-loop: let r = 0; for (;;) { … r += n; T.loopRetired = r; budget B, IF and pending interrupts }
  'let', 'for', 'r', 'B', 'T', 'loopRetired', 'flags', 'interruptShadow', 'env', 'interruptPending'];

/** Identifiers the region emitter writes (region-source.ts, region-rewrite.ts; besides region_<number>). */
const REGION_IDENTIFIERS = ['R', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'fl', 'lo', 'lz', 'ld', 'ls', 'lr', 'lm', 'lc',
  'lazyOp', 'lazySize', 'lazyDst', 'lazySrc', 'lazyRes', 'lazyMask', 'lazyCarryIn', 'IFI', 'nr', 'n', 'pc', 'tp', 'bi', 'try', 'catch',
  'err', 'throw', 'loop', 'switch', 'case', 'default', 'break', 'continue', 'else', 'BL', 'IX', 'T0', 'current', 'EB', 'o',
  'sp', 'slow', 'segLimit', 'fault', 'carryOf', 'overflowOf', 'PARITY', 'CPU', 'MEM', 'memory', 'ram', 'ram16', 'ram32',
  'codePage', 'M8', 'M16', 'M32', 'CP', 'RM', 'WM', 'mmu', 'direct', 'read', 'write', 'SR', 'SW', 'RD8', 'RD16', 'RD32',
  'WR8', 'WR16', 'WR32', 'a', 's', 'k', 'e', 'v', 'size', 'readLin8', 'readLin16', 'readLin32', 'writeLin8', 'writeLin16',
  'writeLin32', 'learnDirect', 'true', 'false', 'm8', 'm16', 'm32', 'cp', 'rm', 'wm', 'we'];

test('block source built from random code bytes contains only translator-chosen tokens', () => {
  const { strings, identifiers } = templateVocabulary();
  for (const id of [...EMITTER_IDENTIFIERS, ...REGION_IDENTIFIERS]) identifiers.add(id);
  const sources: string[] = [];
  const observe = (source: string): void => { sources.push(source); };
  sourceObservers.push(observe);
  const saved = { ...translatorOptions };
  translatorOptions.hotThreshold = 1;
  translatorOptions.regionThreshold = 2;     // regions too, from a block's second compiled entry
  try {
    const rng = new Rng(0xC0FFEE);
    const m = new Machine(1 << 20);          // reused: a machine's TLB and page arrays are large to allocate
    for (let program = 0; program < 300; program++) {
      m.cpu.halted = false; m.cpu.shutdown = false;
      m.enterProtected();                    // rebuilds the tables the previous program may have overwritten
      const bytes = Array.from({ length: 256 }, () => rng.below(256));
      m.write(CODE, bytes);
      for (let r = 0; r < 8; r++) if (r !== 4) m.cpu.reg32[r] = rng.next() & 0xFFF;
      m.run(500);                            // faults go to the HLT stubs; nothing may throw out of run
    }
  } finally {
    Object.assign(translatorOptions, saved);
    sourceObservers.splice(sourceObservers.indexOf(observe), 1);
  }
  assert.ok(sources.length >= 300, `only ${sources.length} blocks were compiled`);
  assert.ok(sources.some((source) => /region_\d+/.test(source)), 'no region was compiled');
  for (const source of sources) {
    for (const s of source.match(STRING_LITERAL) ?? []) assert.ok(strings.has(s), `string literal ${s} is not from a template`);
    const code = source.replace(STRING_LITERAL, "''").replace(HEX_NUMBER, '0');
    assert.match(code, /^[A-Za-z0-9_$\s.;,(){}[\]=+\-*/%&|^~!<>?:']*$/, 'only code characters');
    for (const id of code.match(IDENTIFIER) ?? []) {
      if (/^(i|x)\d+$/.test(id) || /^(block|region)_\d+$/.test(id) || /^0x[0-9A-Fa-f]+$/.test(id)) continue;
      assert.ok(identifiers.has(id), `identifier ${id} was not chosen by the translator`);
    }
  }
});
