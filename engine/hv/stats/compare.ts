// The strategy comparison as data: per strategy how the run stopped, the instructions it retired,
// whether its output matched the first strategy's, and its VM events per kind/reason with modeled cycles.
// `hvdbg compare --json` prints it; the VS Code Statistics view draws it. Pure: no Node, no I/O.
import type { StrategyRun } from './format.js';

/** The comparison format version (bumped when a field changes meaning). */
export const COMPARISON_VERSION = 1;

/** One kind/reason row of one strategy. */
export interface ComparedReason {
  key: string;       // stable: 'exit:30', 'callout:popf', 'hypercall:29' … (as VmStatistics groups them)
  kind: string;      // 'exit', 'callout', 'hypercall', 'trap', 'interrupt', 'audit'
  label: string;     // 'exit 30 I/O instruction' …
  count: number;
  cycles: number;    // modeled host cycles of all of them
}

/** A strategy that ran the kernel. */
export interface ComparedRun {
  strategy: string;
  ran: true;
  stop: string;                 // why the run ended, in words
  instructions: number;         // retired guest instructions
  events: number;
  cycles: number;               // modeled host cycles of all events
  outputBytes: number;
  outputMatchesFirst: boolean;  // same guest output as the first strategy that ran (true for that one)
  reasons: ComparedReason[];    // costliest first
}

/** A strategy that refused the kernel (a pv run of a kernel not built for it …). */
export interface RefusedRun { strategy: string; ran: false; why: string }

export interface StrategyComparison {
  version: number;
  kernel: string;
  maxInstructions: number | null;   // the bound each run had, null when none
  outputsIdentical: boolean;        // every strategy that ran printed the same output
  strategies: Array<ComparedRun | RefusedRun>;
}

/** One strategy's outcome, in the order the user asked for them. */
export type ComparisonInput = { ok: true; run: StrategyRun } | { ok: false; strategy: string; why: string };

/** Builds the comparison model from the runs. */
export function buildComparison(kernel: string, results: readonly ComparisonInput[], maxInstructions?: number): StrategyComparison {
  const first = results.find((r): r is { ok: true; run: StrategyRun } => r.ok)?.run;
  const strategies = results.map((r): ComparedRun | RefusedRun => {
    if (!r.ok) return { strategy: r.strategy, ran: false, why: r.why };
    const { run } = r;
    return {
      strategy: run.strategy, ran: true, stop: run.stop, instructions: run.instructions,
      events: run.stats.events, cycles: run.stats.cycles, outputBytes: run.output.length,
      outputMatchesFirst: run.output === first?.output,
      reasons: run.stats.byCost().map((g) => ({ key: g.key, kind: g.kind, label: g.label, count: g.count, cycles: g.cycles })),
    };
  });
  const ran = strategies.filter((s): s is ComparedRun => s.ran);
  return {
    version: COMPARISON_VERSION, kernel, maxInstructions: maxInstructions ?? null,
    outputsIdentical: ran.every((s) => s.outputMatchesFirst), strategies,
  };
}

/** One row of the side-by-side table: a reason key and each strategy's count and cycles (undefined: none). */
export interface ReasonRow { key: string; label: string; cells: Array<{ strategy: string; count: number; cycles: number } | undefined> }

/**
 * The reasons of all strategies that ran, one row each, with every ran strategy's numbers side by side
 * (in the comparison's strategy order); rows by their largest cost across strategies, costliest first.
 */
export function reasonRows(c: StrategyComparison): ReasonRow[] {
  const ran = c.strategies.filter((s): s is ComparedRun => s.ran);
  const labels = new Map<string, string>();
  for (const s of ran) for (const r of s.reasons) if (!labels.has(r.key)) labels.set(r.key, r.label);
  const rows = [...labels].map(([key, label]): ReasonRow => ({
    key, label,
    cells: ran.map((s) => {
      const r = s.reasons.find((x) => x.key === key);
      return r ? { strategy: s.strategy, count: r.count, cycles: r.cycles } : undefined;
    }),
  }));
  const peak = (row: ReasonRow) => Math.max(...row.cells.map((cell) => cell?.cycles ?? 0));
  return rows.sort((a, b) => peak(b) - peak(a) || a.key.localeCompare(b.key));
}

/** Checks that a parsed value looks like a comparison (the extension reads it from a child process). */
export function isStrategyComparison(value: unknown): value is StrategyComparison {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<StrategyComparison>;
  return v.version === COMPARISON_VERSION && typeof v.kernel === 'string' && Array.isArray(v.strategies)
    && v.strategies.every((s) => typeof s?.strategy === 'string' && (s.ran === false || Array.isArray((s as ComparedRun).reasons)));
}
