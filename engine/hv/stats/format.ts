// Text renderings of VM statistics: one strategy's table (`hvdbg run --stats`) and several
// strategies side by side (`hvdbg compare`).
import { topSites, type EventGroup, type VmStatistics } from './vm-statistics.js';

/** One strategy's run, for the comparison. */
export interface StrategyRun {
  strategy: string;
  stats: VmStatistics;
  instructions: number;      // retired guest instructions
  stop: string;              // why the run ended, in words
  output: string;            // the guest's serial and debugcon output
}

const n = (x: number) => x.toLocaleString('en-US');
const site = (s: { cs: number; eip: number }) => `${s.cs.toString(16).padStart(4, '0')}:${s.eip.toString(16).padStart(8, '0')}`;

/** Cycles as a short number: 950, 12.3K, 4.56M, 1.20G. */
export function shortCycles(c: number): string {
  if (c < 1e4) return String(c);
  if (c < 1e6) return `${(c / 1e3).toFixed(1)}K`;
  if (c < 1e9) return `${(c / 1e6).toFixed(2)}M`;
  return `${(c / 1e9).toFixed(2)}G`;
}

/** Modeled hypervisor cycles per 1,000 guest instructions. */
export function cyclesPerKiloInstruction(stats: VmStatistics, instructions: number): string {
  return instructions > 0 ? (stats.cycles * 1000 / instructions).toFixed(1) : '-';
}

/** The --stats table: one row per kind/reason, costliest first, with first/last and top sites. */
export function formatStatistics(stats: VmStatistics, instructions: number, top = 3): string[] {
  const lines = [`VM events under ${stats.strategy}: ${n(stats.events)}, modeled cost ${n(stats.cycles)} cycles ` +
    `(${cyclesPerKiloInstruction(stats, instructions)} per 1,000 guest instructions; cost table in docs/hypervisor.md)`];
  if (stats.events === 0) return lines;
  lines.push(`    ${'kind / reason'.padEnd(34)}${'count'.padStart(9)}${'cycles'.padStart(10)}${'share'.padStart(8)}  ${'first'.padEnd(14)}${'last'.padEnd(14)}top sites`);
  for (const g of stats.byCost()) {
    const share = stats.cycles > 0 ? `${(100 * g.cycles / stats.cycles).toFixed(1)}%` : '-';
    lines.push(`    ${g.label.padEnd(34)}${n(g.count).padStart(9)}${shortCycles(g.cycles).padStart(10)}${share.padStart(8)}  ` +
      `${site(g.first).padEnd(14)}${site(g.last).padEnd(14)}${formatTopSites(g, top)}`);
  }
  return lines;
}

function formatTopSites(g: EventGroup, top: number): string {
  return topSites(g, top).map((s) => `${site(s)} ×${n(s.count)}`).join(', ');
}

/** Several strategies on the same guest, side by side. */
export function formatComparison(runs: readonly StrategyRun[], kernel: string): string[] {
  const table: Array<[string, string[]]> = [
    ['guest instructions', runs.map((r) => n(r.instructions))],
    ['VM events', runs.map((r) => n(r.stats.events))],
    ['modeled cycles', runs.map((r) => n(r.stats.cycles))],
    ['cycles per 1,000 instructions', runs.map((r) => cyclesPerKiloInstruction(r.stats, r.instructions))],
  ];
  for (const kind of ['exit', 'callout', 'hypercall', 'trap', 'interrupt', 'audit'] as const) {
    if (runs.some((r) => r.stats.countOf(kind) > 0)) table.push([`${kind}s`, runs.map((r) => n(r.stats.countOf(kind)))]);
  }
  const breakdown: Array<[string, string[]]> = [];
  const labels = new Map<string, string>();
  for (const r of runs) for (const g of r.stats.byCost()) if (!labels.has(g.key)) labels.set(g.key, g.label);
  for (const [key, label] of labels) {
    breakdown.push([`  ${label}`, runs.map((r) => {
      const g = r.stats.groups.get(key);
      return g ? `${n(g.count)} / ${shortCycles(g.cycles)}` : '-';
    })]);
  }
  const all = [...table, ...breakdown];
  const labelWidth = Math.max(...all.map(([label]) => label.length)) + 2;
  const width = Math.max(...runs.map((r) => r.strategy.length), ...all.flatMap(([, cells]) => cells.map((c) => c.length))) + 3;
  const row = (label: string, cells: string[]) => `  ${label.padEnd(labelWidth)}${cells.map((c) => c.padStart(width)).join('')}`;
  const lines = [`hvdbg compare ${kernel}`];
  for (const r of runs) lines.push(`  ${r.strategy}: ${r.stop}`);
  lines.push(`  guest output: ${describeOutputs(runs)}`);
  lines.push(row('', runs.map((r) => r.strategy)));
  for (const [label, cells] of table) lines.push(row(label, cells));
  lines.push('  per kind / reason (count / modeled cycles):');
  for (const [label, cells] of breakdown) lines.push(row(label, cells));
  return lines;
}

/** Whether the strategies' guest output agrees, and which differ from the first. */
function describeOutputs(runs: readonly StrategyRun[]): string {
  if (runs.length < 2) return `${runs[0]?.output.length ?? 0} bytes`;
  const differing = runs.slice(1).filter((r) => r.output !== runs[0].output).map((r) => r.strategy);
  if (differing.length === 0) return `identical under ${runs.map((r) => r.strategy).join(', ')} (${runs[0].output.length} bytes)`;
  return `DIFFERS: ${differing.join(', ')} printed something other than ${runs[0].strategy}`;
}
