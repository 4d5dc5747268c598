// The Statistics view's rows as plain data (no VS Code API, so tests build them directly): the session's
// counts and modeled cost, and the "Strategy comparison" of `hvdbg compare --json`.
import type { StatsBody } from './session-bridge.js';
import { reasonRows, type StrategyComparison } from '../../engine/hv/stats/compare.js';

/** One row of the view; children make it expandable. */
export interface StatNode { label: string; description: string; tooltip?: string; children?: StatNode[]; collapsed?: boolean }

export const COMPARISON_LABEL = 'Strategy comparison';

/** Cycles in a short form: 1.2M, 35k, 800. */
export function shortCycles(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(n);
}

const count = (n: number) => n.toLocaleString('en-US');

/** The rows of the session's statistics. */
export function statisticsTree(s: StatsBody): StatNode[] {
  const seconds = s.hostMilliseconds / 1000;
  const totalExits = s.exits.reduce((n, e) => n + e.count, 0);
  const rows: StatNode[] = [
    { label: 'strategy', description: s.strategy },
    { label: 'instructions', description: count(s.instructions) },
    { label: 'host time', description: `${seconds.toFixed(1)} s` },
    { label: 'VM events logged', description: count(s.events) },
    {
      label: 'modeled cost', description: `${shortCycles(s.cycles)} host cycles`,
      tooltip: 'What the logged VM events would cost on a real host, from the cost table (docs/hypervisor.md)',
    },
    {
      label: 'VM exits', description: count(totalExits),
      children: s.exits.map((e) => ({
        label: `${e.key} (${e.reason})`,
        description: `${count(e.count)} · ${totalExits ? ((100 * e.count) / totalExits).toFixed(1) : '0'}% · ${shortCycles(e.cycles)} cycles`,
        tooltip: `VM exit ${e.reason} (${e.name}): ${e.count} times, ${count(e.cycles)} modeled host cycles`,
      })),
    },
  ];
  for (const k of s.kinds.filter((k) => k.kind !== 'exit')) {
    rows.push({
      label: `${k.kind} events`, description: `${k.total} · ${shortCycles(k.cycles)} cycles`,
      children: k.reasons.map((r) => ({ label: r.reason, description: `${r.count} · ${shortCycles(r.cycles)} cycles` })),
    });
  }
  return rows;
}

/**
 * The "Strategy comparison" node: one child per strategy (its stop, instructions, totals and its own
 * reasons), then "per reason" with one child per kind/reason and every strategy's count / cycles side by side.
 */
export function comparisonTree(c: StrategyComparison): StatNode {
  const ran = c.strategies.filter((s) => s.ran);
  const strategies = c.strategies.map((s): StatNode => {
    if (!s.ran) return { label: s.strategy, description: `not run — ${s.why}`, tooltip: s.why };
    return {
      label: s.strategy,
      description: `${count(s.instructions)} instructions · ${count(s.events)} events · ${shortCycles(s.cycles)} cycles`,
      tooltip: s.stop, collapsed: true,
      children: [
        { label: 'stop', description: s.stop },
        { label: 'guest output', description: `${count(s.outputBytes)} bytes${s.outputMatchesFirst ? '' : ` — differs from ${ran[0].strategy}`}` },
        { label: 'cycles per 1,000 instructions', description: s.instructions > 0 ? (s.cycles * 1000 / s.instructions).toFixed(1) : '-' },
        ...s.reasons.map((r) => ({ label: r.label, description: `${count(r.count)} · ${shortCycles(r.cycles)} cycles` })),
      ],
    };
  });
  const perReason: StatNode = {
    label: 'per reason', description: `count / cycles: ${ran.map((s) => s.strategy).join(' · ')}`,
    children: reasonRows(c).map((row) => ({
      label: row.label,
      description: row.cells.map((cell, i) => `${ran[i].strategy} ${cell ? `${count(cell.count)} / ${shortCycles(cell.cycles)}` : '-'}`).join(' · '),
      tooltip: row.cells.map((cell, i) => `${ran[i].strategy}: ${cell ? `${count(cell.count)} events, ${count(cell.cycles)} modeled cycles` : 'none'}`).join('\n'),
    })),
  };
  const output = ran.length === 0 ? 'no strategy ran' : c.outputsIdentical ? 'same output' : 'OUTPUT DIFFERS';
  const bound = c.maxInstructions === null ? '' : ` · ≤${count(c.maxInstructions)} instructions`;
  return {
    label: COMPARISON_LABEL, description: `${c.kernel.split(/[\\/]/).pop()} · ${output}${bound}`, tooltip: c.kernel,
    children: ran.length > 0 ? [...strategies, perReason] : strategies,
  };
}
