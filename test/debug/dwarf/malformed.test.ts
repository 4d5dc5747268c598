// Malformed DWARF never crashes or hangs the reader: truncated sections, corrupted bytes and bad
// offsets in every debug section of the fixtures and the guest kernels either still read or raise a
// DwarfError that names the section and the offset. (A seeded generator keeps the runs repeatable.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeExpression, evaluateLocation } from '../../../engine/debug/dwarf/expression.js';
import { DwarfError } from '../../../engine/debug/dwarf/error.js';
import { DwarfProgram, type Scope } from '../../../engine/debug/dwarf/program.js';
import { dwarfSectionsFromElf, type DwarfSections } from '../../../engine/debug/dwarf/sections.js';
import { typeName } from '../../../engine/debug/dwarf/types.js';
import { SymbolIndex } from '../../../engine/debug/symbols/index.js';
import { fixture, FIXTURE_NAMES, guest, type LoadedElf } from './helpers/fixtures.js';

type Key = Exclude<keyof DwarfSections, 'file'>;
const KEYS: Key[] = ['info', 'abbrev', 'str', 'lineStr', 'line', 'ranges', 'rnglists', 'loc', 'loclists', 'frame', 'ehFrame'];

/** Everything a debugger would ask of the DWARF, so that any latent problem surfaces. */
function workout(sections: DwarfSections): void {
  const p = new DwarfProgram(sections);
  for (const cu of p.compileUnits) p.lineProgram(cu);
  const frame = { readRegister: (r: number) => 0x1000 * (r + 1), readMemory: (a: number) => a ^ 0x5A5A, cfa: 0x9000 };
  const visit = (s: Scope, func: Parameters<typeof p.variableLocation>[1], depth: number) => {
    if (depth > 300) return;
    for (const v of s.variables) {
      typeName(v.type);
      for (const r of s.ranges.slice(0, 2)) {
        const expr = p.expressionAt(v.location, r.low);
        if (!expr) continue;
        describeExpression(expr);
        p.variableLocation(v, func, r.low, frame);
      }
    }
    for (const inner of s.scopes) visit(inner, func, depth + 1);
  };
  for (const f of p.functions) {
    visit(f, f, 0);
    p.scopeChain(f.lowPc);
    p.cfi.rowAt(f.lowPc);
    p.cfi.rowAt(f.highPc - 1);
  }
  for (const g of p.globals) { typeName(g.type); if (g.location.kind === 'expr') evaluateLocation(g.location.expr, frame); }
  for (const fde of p.cfi.fdes) p.cfi.rowAt(fde.low);
}

/** Runs f and fails the test unless it returns or throws a DwarfError; returns how it ended. */
function survives(label: string, f: () => void): 'ok' | 'error' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof DwarfError) {
      assert.match(e.message, /(\.debug_\w+|\.eh_frame|DWARF expression) offset 0x[0-9a-f]+: ./, `${label}: ${e.message}`);
      assert.ok(Number.isInteger(e.offset) && e.offset >= 0, `${label}: offset ${e.offset}`);
      return 'error';
    }
    throw new Error(`${label}: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  }
}

/** xorshift32: repeatable pseudo-random numbers. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

const subjects = (): [string, LoadedElf][] => [
  ...FIXTURE_NAMES.map((n) => [n, fixture(n)] as [string, LoadedElf]),
  ['kernel.elf', guest('guests/hello/kernel.elf')],
  ['kernel-O0.elf', guest('guests/hello/kernel-O0.elf')],
];

test('the unmodified fixtures and kernels read without any error', () => {
  for (const [, f] of subjects()) workout(dwarfSectionsFromElf(f.elf, f.bytes));
});

test('every debug section truncated at many lengths: DwarfError or success, never a crash', { timeout: 120_000 }, () => {
  let errors = 0, runs = 0;
  for (const [name, f] of subjects()) {
    const base = dwarfSectionsFromElf(f.elf, f.bytes);
    for (const key of KEYS) {
      const full = base[key].bytes;
      if (full.length === 0) continue;
      const cuts = new Set([0, 1, 3, 4, 7, 11, 12, 13, 20, 33, full.length >> 1, full.length - 1, full.length - 2, full.length - 5]);
      for (let k = 1; k < 8; k++) cuts.add(Math.floor((full.length * k) / 8));
      for (const cut of cuts) {
        if (cut < 0 || cut >= full.length) continue;
        const sections = { ...base, [key]: { ...base[key], bytes: full.subarray(0, cut) } };
        runs++;
        if (survives(`${name} ${base[key].name} cut at ${cut}`, () => workout(sections)) === 'error') errors++;
      }
    }
  }
  assert.ok(runs > 300, `${runs} runs`);
  assert.ok(errors > runs / 3, `most truncations are detected (${errors} of ${runs})`);
});

test('random byte corruption in every debug section: DwarfError or success, never a crash or a hang', { timeout: 120_000 }, () => {
  const next = rng(0xC0FFEE);
  let runs = 0;
  const started = Date.now();
  for (const [name, f] of subjects()) {
    const base = dwarfSectionsFromElf(f.elf, f.bytes);
    for (const key of KEYS) {
      const full = base[key].bytes;
      if (full.length === 0) continue;
      for (let trial = 0; trial < 25; trial++) {
        const copy = full.slice();
        const flips = 1 + (next() % 4);
        const where: string[] = [];
        for (let k = 0; k < flips; k++) {
          const at = next() % copy.length;
          const value = next() & 0xFF;
          copy[at] = trial % 5 === 0 ? 0xFF : value; // some trials write all-ones (huge lengths and offsets)
          where.push(`${at}=${copy[at].toString(16)}`);
        }
        const sections = { ...base, [key]: { ...base[key], bytes: copy } };
        runs++;
        const t0 = Date.now();
        survives(`${name} ${base[key].name} bytes ${where.join(',')}`, () => workout(sections));
        assert.ok(Date.now() - t0 < 5_000, `${name} ${base[key].name} ${where.join(',')} took ${Date.now() - t0} ms`);
      }
    }
  }
  assert.ok(runs > 800, `${runs} runs`);
  assert.ok(Date.now() - started < 100_000);
});

test('SymbolIndex over corrupted files: strict mode throws DwarfErrors, lenient mode answers every query', { timeout: 60_000 }, () => {
  const next = rng(1234);
  for (const [name, f] of subjects()) {
    const debug = f.elf.sections.filter((s) => s.name.startsWith('.debug_') || s.name === '.eh_frame');
    for (let trial = 0; trial < 25; trial++) {
      const s = debug[next() % debug.length];
      const bytes = f.bytes.slice();
      for (let k = 0; k < 3; k++) bytes[s.offset + (next() % s.size)] = next() & 0xFF;
      const label = `${name} ${s.name} trial ${trial}`;
      survives(label, () => {
        const idx = SymbolIndex.fromElf(bytes, name);
        for (const fn of idx.functions()) { idx.addressToLine(fn.lowPc); idx.scopesAt(fn.lowPc); idx.functionAt(fn.lowPc); }
        idx.lineToAddresses('shapes.c', 14); idx.lineToAddresses('hello.c', 38); idx.globals();
      });
      const lenient = SymbolIndex.fromElf(bytes, name, { strict: false });
      const entry = lenient.elf.entry;
      lenient.addressToLine(entry); lenient.functionAt(entry); lenient.scopesAt(entry); lenient.globals();
      lenient.lineToAddresses('shapes.c', 14); lenient.framesAt(entry); lenient.sourceFiles();
      for (const p of lenient.problems) assert.match(p, new RegExp(`^${name.replace('.', '\\.')}: `), label);
    }
  }
});
