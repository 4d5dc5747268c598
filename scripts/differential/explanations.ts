// Documented explanations for disagreements between QEMU and hvdbg that are not hvdbg bugs: places
// where QEMU 7.2's TCG deviates from a P6 as the SDM describes it, or where the SDM allows either
// result. An explanation accounts for a whole case, or for single differing fields or scratch bytes;
// a disagreement is explained when every difference is accounted for. Anything else is unexplained:
// a suspected hvdbg CPU bug.
import type { Difference, Snapshot } from './compare.js';
import { NO_FAULT } from './layout.js';
import type { TestCase } from './test-case.js';

export interface Explanation {
  id: string;             // short stable name
  text: string;           // why the two differ, and who is right
  /** Accounts for every difference of the case. */
  wholeCase?(c: TestCase, diffs: readonly Difference[], qemu: Snapshot, ours: Snapshot): boolean;
  /** Accounts for one difference other than memory. */
  field?(c: TestCase, d: Difference, qemu: Snapshot, ours: Snapshot): boolean;
  /** Accounts for one differing scratch byte. */
  byte?(c: TestCase, offset: number, qemu: Snapshot, ours: Snapshot): boolean;
}

const UD = 6, GP = 13, SS = 12, DB = 1;

export const EXPLANATIONS: readonly Explanation[] = [
  {
    id: 'qemu-lock-ignored',
    text: 'LOCK on an instruction that is not a lockable read-modify-write of memory raises #UD on a P6 (SDM LOCK); ' +
      'QEMU 7.2 ignores the prefix on many such instructions and executes them (or faults for another reason)',
    wholeCase: (c, _d, q, e) => c.facts.lock === 'invalid' && e.faultVector === UD && q.faultVector !== UD,
  },
  {
    id: 'qemu-no-segment-rights-check',
    text: 'a write through a code segment (CS override) or a read-only data segment raises #GP(0) on a P6; QEMU 7.2 TCG ' +
      'does not check segment types on data accesses and performs the write',
    wholeCase: (c, _d, q, e) => c.facts.segmentViolation === true && q.faultVector === NO_FAULT &&
      (e.faultVector === GP || e.faultVector === SS) && e.faultError === 0,
  },
  {
    id: 'qemu-icebp-ud',
    text: 'INT1/ICEBP (F1) raises a #DB trap on a P6; QEMU 7.2 is built without WANT_ICEBP and raises #UD',
    wholeCase: (c, diffs, q, e) => c.row.handler === 'int1' && q.faultVector === UD && e.faultVector === DB &&
      diffs.every((d) => d.field === 'exception' || d.field === 'exception eip' || d.offsets !== undefined),
  },
  {
    id: 'qemu-test-f6-1-ud',
    text: 'F6 /1 and F7 /1 are the undocumented aliases of TEST r/m, imm that P6 processors execute; QEMU 7.2 raises #UD',
    wholeCase: (c, _d, q, e) => c.row.handler === 'test' && (c.row.opcode === 0xF6 || c.row.opcode === 0xF7) && c.row.ext === 1 &&
      q.faultVector === UD && e.faultVector !== UD,
  },




];

/** The explanations that together account for every difference, or [] when some difference is unexplained. */
export function explain(c: TestCase, diffs: readonly Difference[], qemu: Snapshot, ours: Snapshot): Explanation[] {
  const whole = EXPLANATIONS.find((x) => x.wholeCase?.(c, diffs, qemu, ours));
  if (whole) return [whole];
  const used = new Set<Explanation>();
  for (const d of diffs) {
    if (d.offsets) {
      for (const k of d.offsets) {
        const x = EXPLANATIONS.find((y) => y.byte?.(c, k, qemu, ours));
        if (!x) return [];
        used.add(x);
      }
    } else {
      const x = EXPLANATIONS.find((y) => y.field?.(c, d, qemu, ours));
      if (!x) return [];
      used.add(x);
    }
  }
  return [...used];
}
