// The forms and cases where a 286 (the test rig) and the modelled P6-class CPU legitimately differ;
// each rule names its reason, and docs/cpu.md lists the same table.
import type { MooTest } from './moo-reader.js';
import type { SstOutcome } from './sst-runner.js';

interface DifferenceRule {
  reason: string;
  applies: (form: string, test: MooTest, outcome: SstOutcome) => boolean;
}

const RULES: DifferenceRule[] = [];

/** The documented reason this failing test differs on a P6, or undefined for a real failure. */
export function classifyDifference(form: string, test: MooTest, outcome: SstOutcome): string | undefined {
  return RULES.find((r) => r.applies(form, test, outcome))?.reason;
}
