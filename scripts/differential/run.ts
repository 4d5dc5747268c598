// Runs the differential test: generates the cases in batches, boots each batch's image in QEMU and in
// hvdbg (QEMU in its own process while hvdbg runs in this one), and compares the logs case by case.
// A case that kills QEMU or sends hvdbg astray is replaced by a NOP and the batch run again.
import { ISA } from '../../engine/cpu/isa/index.js';
import { compareSnapshots, readSnapshot, type Difference, type Snapshot } from './compare.js';
import { EngineRunaway, HANDLER_MODES, runInEngine, type EngineResult, type HandlerMode } from './engine-runner.js';
import { explain, type Explanation } from './explanations.js';
import { generateCases } from './generator.js';
import { buildImage, type CasePlacement, type TestImage } from './image.js';
import { qemuVersion, runInQemu } from './qemu.js';
import { Rng } from './rng.js';
import { NO_FAULT } from './layout.js';
import type { TestCase } from './test-case.js';

export interface RunOptions {
  count: number;          // instructions to test
  seed: number;           // generator seed
  batch?: number;         // cases per image (default 4000)
  modes?: readonly HandlerMode[]; // hvdbg handler builds to run (default both; a case agrees only if all agree)
  qemuBinary?: string;
  onBatch?: (done: number, total: number) => void;
}

/** One case on which QEMU and hvdbg disagree. */
export interface Disagreement {
  case: TestCase;
  placement: CasePlacement;
  diffs: Difference[];
  rules: string[];                 // undefined-result rules applied to the comparison
  corrections: string[];           // corrections applied to QEMU's result (corrections.ts)
  explanations: Explanation[];     // the documented explanations that account for it; [] = unexplained
  modes: HandlerMode[];            // the hvdbg handler builds that produced this result
  qemu?: Snapshot;                 // missing when the case could not be run to completion
  ours?: Snapshot;
}

/** Per-mnemonic tallies, for `--coverage`. */
export interface CoverageEntry { cases: number; faulted: number; agree: number }

export interface RunResult {
  coverage: Map<string, CoverageEntry>; // by mnemonic
  count: number;
  agree: number;
  disagreements: Disagreement[];
  seconds: number;
  qemu: string;
  seed: number;
  modes: readonly HandlerMode[];        // hvdbg handler builds compared
  corrected: Map<string, number>;       // cases whose QEMU result a correction changed, by correction id
}

/** Cases QEMU aborts or hangs on are listed with this explanation instead of being compared. */
export const QEMU_ABORT: Explanation = {
  id: 'qemu-abort',
  text: 'QEMU aborted (e.g. "tcg fatal error") or hung on this instruction, so it could not be compared; the batch was re-run with a NOP in its place',
};

/** A case taken out of its batch, and why. */
interface LostCase { original: TestCase; why: 'qemu' | 'hvdbg'; message: string }

const MAX_LOST_PER_BATCH = 8;

export async function runDifferential(options: RunOptions): Promise<RunResult> {
  const version = qemuVersion(options.qemuBinary);
  if (!version) throw new Error(`${options.qemuBinary ?? 'qemu-system-i386'} is not installed (apt-get install qemu-system-x86)`);
  const started = Date.now();
  const rng = new Rng(options.seed);
  const batch = Math.max(1, options.batch ?? 4000);
  const modes = options.modes ?? HANDLER_MODES;
  const disagreements: Disagreement[] = [];
  let agree = 0;
  const coverage = new Map<string, CoverageEntry>();
  const corrected = new Map<string, number>();
  const tally = (c: TestCase, faulted: boolean, agreed: boolean): void => {
    let t = coverage.get(c.mnemonic);
    if (!t) { t = { cases: 0, faulted: 0, agree: 0 }; coverage.set(c.mnemonic, t); }
    t.cases++; if (faulted) t.faulted++; if (agreed) t.agree++;
  };
  for (let first = 0; first < options.count; first += batch) {
    const n = Math.min(batch, options.count - first);
    const cases = generateCases(rng, first, n);
    const { image, qemuLog, engines, lost } = await runBatch(cases, options.qemuBinary, modes);
    for (let k = 0; k < n; k++) {
      const gone = lost.get(k);
      if (gone) {
        tally(gone.original, false, false);
        disagreements.push({
          case: gone.original, placement: image.placements[k], rules: [], corrections: [], modes: [...modes],
          diffs: [gone.why === 'qemu'
            ? { field: 'qemu', qemu: gone.message, ours: 'not compared' }
            : { field: 'hvdbg', qemu: 'completed', ours: gone.message }],
          explanations: gone.why === 'qemu' ? [QEMU_ABORT] : [],
        });
        continue;
      }
      const q = readSnapshot(qemuLog, k);
      const found: Disagreement[] = [];
      let firstMode = true;
      for (const [mode, engine] of engines) {
        const e = readSnapshot(engine.log, k);
        const { diffs, undef, corrections } = compareSnapshots(cases[k], q, e);
        if (firstMode) for (const id of corrections) corrected.set(id, (corrected.get(id) ?? 0) + 1);
        firstMode = false;
        const hostError = engine.hostErrors.get(k);
        if (hostError) diffs.unshift({ field: 'host exception', qemu: '-', ours: hostError });
        if (diffs.length === 0) continue;
        const same = found.find((d) => JSON.stringify(d.diffs) === JSON.stringify(diffs));
        if (same) { same.modes.push(mode); continue; }
        found.push({
          case: cases[k], placement: image.placements[k], diffs, rules: undef.rules, corrections, qemu: q, ours: e, modes: [mode],
          explanations: hostError ? [] : explain(cases[k], diffs, q, e),
        });
      }
      tally(cases[k], q.faultVector !== NO_FAULT, found.length === 0);
      if (found.length === 0) agree++;
      disagreements.push(...found);
    }
    options.onBatch?.(first + n, options.count);
  }
  return { coverage, count: options.count, agree, disagreements, seconds: (Date.now() - started) / 1000, qemu: version, seed: options.seed, modes, corrected };
}

/** Runs one batch in QEMU and hvdbg, replacing cases that break either run (cases is updated in place). */
async function runBatch(cases: TestCase[], binary: string | undefined, modes: readonly HandlerMode[]):
  Promise<{ image: TestImage; qemuLog: Uint8Array; engines: Map<HandlerMode, EngineResult>; lost: Map<number, LostCase> }> {
  const lost = new Map<number, LostCase>();
  const drop = (k: number, why: LostCase['why'], message: string): void => {
    if (k < 0 || lost.size >= MAX_LOST_PER_BATCH) throw new Error(message);
    lost.set(k, { original: cases[k], why, message });
    cases[k] = nopCase(cases[k]);
  };
  for (;;) {
    const image = buildImage(cases);
    const qemuRun = runInQemu(image, cases.length, { binary });
    qemuRun.catch(() => undefined);
    const engines = new Map<HandlerMode, EngineResult>();
    try {
      for (const mode of modes) engines.set(mode, runInEngine(image, cases.length, mode));
    } catch (e) {
      await qemuRun.catch(() => undefined);
      if (!(e instanceof EngineRunaway)) throw e;
      drop(e.caseIndex, 'hvdbg', e.message);
      continue;
    }
    try {
      return { image, qemuLog: await qemuRun, engines, lost };
    } catch (e) {
      drop(await findFailingCase(cases, binary), 'qemu', `QEMU failed: ${(e as Error).message.slice(0, 200)}`);
    }
  }
}

/** The first case of cases that makes QEMU fail (by bisecting on prefixes of the batch), or -1. */
async function findFailingCase(cases: TestCase[], binary: string | undefined): Promise<number> {
  const fails = async (n: number): Promise<boolean> => {
    try { await runInQemu(buildImage(cases.slice(0, n)), n, { binary, timeoutMs: 30_000 }); return false; } catch { return true; }
  };
  let lo = 0, hi = cases.length; // invariant: the prefix of length hi fails, the one of length lo passes
  if (!(await fails(hi))) return -1;
  for (let steps = 0; hi - lo > 1 && steps < 40; steps++) {
    const mid = (lo + hi) >> 1;
    if (await fails(mid)) hi = mid; else lo = mid;
  }
  return hi - 1;
}

const NOP_ROW = ISA.find((r) => r.opcode === 0x90 && !r.prefix)!;

/** A one-byte NOP with the same starting state (stands in for a case that cannot be run). */
function nopCase(c: TestCase): TestCase {
  return { ...c, row: NOP_ROW, mnemonic: 'nop', bytes: [0x90], prefixes: [], tagged: false, fixups: [], facts: { opSize: 4 } };
}
