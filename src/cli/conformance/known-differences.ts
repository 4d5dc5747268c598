// The cases where a 286 (the SingleStepTests rig) and the modelled P6-class CPU legitimately
// differ; each rule names its reason, and docs/cpu.md lists the same table.
import type { MooTest } from './moo-reader.js';
import type { SstOutcome } from './sst-runner.js';

interface DifferenceRule {
  reason: string;
  applies: (form: string, test: MooTest, outcome: SstOutcome) => boolean;
}

const PREFIXES = new Set([0x26, 0x2E, 0x36, 0x3E, 0xF0, 0xF2, 0xF3]);

function prefixCount(bytes: Uint8Array): number {
  let n = 0;
  while (n < bytes.length && PREFIXES.has(bytes[n])) n++;
  return n;
}

/** True when every mismatch is a FLAGS mismatch confined to the named flags. */
function onlyFlagsDiffer(outcome: SstOutcome, allowed: string[]): boolean {
  return outcome.mismatches.every((m) => {
    const d = /^flags=.*\(diff (.*)\)$/.exec(m);
    return d !== null && d[1].split(',').every((f) => allowed.includes(f));
  });
}

export const KNOWN_DIFFERENCES: DifferenceRule[] = [
  {
    reason: 'LOCK on a non-lockable instruction: accepted by the 286, #UD on 386 and later',
    applies: (_f, _t, o) => o.exceptionTaken?.vector === 6 && o.exceptionTaken.detail.startsWith('LOCK prefix'),
  },
  {
    reason: 'instruction longer than 10 bytes: #GP on the 286, valid up to 15 bytes on 386 and later',
    applies: (_f, t) => t.exception?.vector === 13 && t.bytes.length - 1 > 10,
  },
  {
    reason: 'word access wrapping at offset FFFFh through SS: #GP on the 286, #SS on 386 and later',
    applies: (_f, t, o) => t.exception?.vector === 13 && o.exceptionTaken?.vector === 12,
  },
  {
    reason: 'string instruction faulting on a word at offset FFFFh: the 286 has already stepped SI/DI (and CX under REP), a 386+ restarts with them unchanged',
    applies: (_f, t, o) => t.exception !== undefined && o.exceptionTaken !== undefined && o.mismatches.every((m) => /^(si|di|cx)=/.test(m)),
  },
  {
    reason: 'MOV to/from Sreg 4 and 5: #UD on the 286, FS and GS on 386 and later',
    applies: (f, t) => (f === '8C' || f === '8E') && t.exception?.vector === 6 && [4, 5].includes((t.bytes[prefixCount(t.bytes) + 1] >> 3) & 7),
  },
  {
    reason: 'shift/rotate by imm8: OF (count != 1) and CF (count >= width) are undefined but not masked by the data',
    applies: (f, _t, o) => (f.startsWith('C0') || f.startsWith('C1')) && onlyFlagsDiffer(o, ['OF', 'CF']),
  },
];

/** The documented reason this failing test differs on a P6, or undefined for a real failure. */
export function classifyDifference(form: string, test: MooTest, outcome: SstOutcome): string | undefined {
  return KNOWN_DIFFERENCES.find((r) => r.applies(form, test, outcome))?.reason;
}
