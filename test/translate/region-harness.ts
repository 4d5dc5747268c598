// Lockstep harness for the region edge tests: two helper machines set up alike (translator on and
// off) run in equal slices, their full architectural state compared after every slice.
import assert from 'node:assert/strict';
import { Machine } from '../cpu/helpers/machine.js';
import { translatorOptions, translatorStats } from '../../engine/cpu/translate/translator.js';

/** Runs body with blocks compiled on their first entry and a page's region gathered on a block's
 *  second compiled entry, so short test loops really run in regions; the options are restored after. */
export function withEagerRegions<T>(body: () => T): T {
  const saved = { ...translatorOptions };
  translatorOptions.hotThreshold = 1;
  translatorOptions.regionThreshold = 2;
  translatorOptions.regions = true;
  try { return body(); } finally { Object.assign(translatorOptions, saved); }
}

/**
 * The machine under test (translator on) and its reference: the interpreter, or the translator
 * without regions (compiled blocks only), for behaviour defined at block boundaries (interrupts).
 */
export interface MachinePair { fast: Machine; slow: Machine; reference: 'interpreter' | 'blocks' }

/** Two machines of ramSize bytes, each passed to setup; then translation is set on fast and as the reference needs on slow. */
export function machinePair(setup: (m: Machine) => void, ramSize = 8 << 20, reference: MachinePair['reference'] = 'interpreter'): MachinePair {
  const fast = new Machine(ramSize), slow = new Machine(ramSize);
  setup(fast); setup(slow);
  fast.cpu.translation = true;
  slow.cpu.translation = reference === 'blocks';
  return { fast, slow, reference };
}

/** Runs the reference for size instructions; a 'blocks' reference with region building off. */
function runReference(pair: MachinePair, size: number): number {
  if (pair.reference === 'interpreter') return pair.slow.run(size);
  const saved = translatorOptions.regions;
  translatorOptions.regions = false;
  try { return pair.slow.run(size); } finally { translatorOptions.regions = saved; }
}

/** A physical byte range whose contents a test compares. */
export type ByteRange = readonly [address: number, length: number];

/** What a test compares: registers, EIP, EFLAGS, retired count, halt, CPL, CR2, selectors, the
 *  last exception (vector, error code, faulting EIP), and the bytes of ranges (physical, unmasked). */
export function snapshot(m: Machine, ranges: readonly ByteRange[] = []): Record<string, unknown> {
  const c = m.cpu, e = c.lastException;
  return {
    registers: Array.from(c.reg32, (r) => r >>> 0),
    eip: c.eip >>> 0,
    eflags: c.getEflags(),
    instructions: c.instructions,
    halted: c.halted,
    cpl: c.cpl,
    cr2: c.cr2 >>> 0,
    selectors: Array.from(c.segSel),
    exception: e === undefined ? undefined : { vector: e.vector, errorCode: e.errorCode, eip: e.eip >>> 0 },
    memory: ranges.map(([address, length]) => Array.from(m.memory.readBytes(address, length))),
  };
}

export interface LockstepOptions {
  slices: readonly number[];      // run sizes, used in turn (cycled)
  ranges?: readonly ByteRange[];  // memory compared after every slice
  maxSlices?: number;             // stop after this many slices even if the reference has not halted
  label: string;                  // names the case in failure messages
  between?: (m: Machine, slice: number) => void;  // applied to both machines after each compared slice
}

/**
 * Runs both machines slice by slice until the reference halts (or maxSlices), asserting after each
 * slice that both retired the same count and hold the same state. Returns the instructions the
 * translator machine retired in compiled regions.
 */
export function runLockstep(pair: MachinePair, options: LockstepOptions): number {
  const { fast, slow } = pair;
  const { slices, ranges = [], maxSlices = 1_000_000, label, between } = options;
  let inRegions = 0;
  for (let k = 0; k < maxSlices && !slow.cpu.halted; k++) {
    const size = slices[k % slices.length];
    const before = translatorStats.regionInstructions;
    const ran = fast.run(size);
    inRegions += translatorStats.regionInstructions - before;
    const referenceBefore = translatorStats.regionInstructions;
    assert.equal(runReference(pair, size), ran, `${label}: slice ${k} (size ${size}) retired different counts`);
    assert.equal(translatorStats.regionInstructions, referenceBefore, `${label}: the reference ran no region`);
    assert.deepEqual(snapshot(fast, ranges), snapshot(slow, ranges),
      `${label}: state differs after slice ${k} (size ${size}), ${slow.cpu.instructions} instructions`);
    if (between !== undefined) { between(fast, k); between(slow, k); }
  }
  return inRegions;
}
