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

/** The machine under test (translator on) and its reference (interpreter only). */
export interface MachinePair { fast: Machine; slow: Machine }

/** Two machines of ramSize bytes, each passed to setup; then translation is set on fast, off on slow. */
export function machinePair(setup: (m: Machine) => void, ramSize = 8 << 20): MachinePair {
  const fast = new Machine(ramSize), slow = new Machine(ramSize);
  setup(fast); setup(slow);
  fast.cpu.translation = true;
  slow.cpu.translation = false;
  return { fast, slow };
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
export function runLockstep({ fast, slow }: MachinePair, options: LockstepOptions): number {
  const { slices, ranges = [], maxSlices = 1_000_000, label, between } = options;
  let inRegions = 0;
  for (let k = 0; k < maxSlices && !slow.cpu.halted; k++) {
    const size = slices[k % slices.length];
    const before = translatorStats.regionInstructions;
    const ran = fast.run(size);
    inRegions += translatorStats.regionInstructions - before;
    assert.equal(slow.run(size), ran, `${label}: slice ${k} (size ${size}) retired different counts`);
    assert.deepEqual(snapshot(fast, ranges), snapshot(slow, ranges),
      `${label}: state differs after slice ${k} (size ${size}), ${slow.cpu.instructions} instructions`);
    if (between !== undefined) { between(fast, k); between(slow, k); }
  }
  return inRegions;
}
