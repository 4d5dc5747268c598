// The Virtualization view: the strategy in use, the last VM event with its decoded fields, exit counts,
// and the strategy's own state (VMCS controls under hw, the trap table and event channels under pv,
// translation-cache figures under bt; see strategy-state.ts).
import type { Vm } from '../../hv/vm.js';
import { exitReasonName } from '../../hv/exit-reasons.js';
import { leaf, type InspectNode } from './node.js';
import { strategySections, type StrategySection } from './strategy-state.js';

export type { StrategySection } from './strategy-state.js';
export { strategySections } from './strategy-state.js';

/** A logged VM event as the views need it (engine/trace EventLog's LoggedEvent fits). */
export interface ShownEvent {
  seq: number;
  kind: string;
  reason: string;
  summary: string;
  instructions: number;
  fields: ReadonlyArray<readonly [string, string]>;
}

/** The section named title (case-insensitive), if the strategy describes one. */
export function findSection(strategy: unknown, title: string): StrategySection | undefined {
  return strategySections(strategy).find((s) => s.title.toLowerCase() === title.toLowerCase());
}

/** Exit counts by reason, most frequent first, as "name: count" pairs. */
export function exitCountLines(counts: ReadonlyMap<number, number>): [string, string][] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([reason, n]) => [`${reason} ${exitReasonName(reason)}`, String(n)]);
}

/** The Virtualization scope for vCPU vcpu. lastEvent is undefined when no event was logged (or no log is kept). */
export function virtualizationNodes(vm: Vm, vcpu: number, lastEvent: ShownEvent | undefined, logging: boolean): InspectNode[] {
  const strategy = vm.vcpus[vcpu]?.strategy ?? vm.strategy;
  const counts = strategy.exitCounts;
  const totalExits = [...counts.values()].reduce((a, b) => a + b, 0);
  const runState = vm.vcpus[vcpu]?.state;
  const nodes: InspectNode[] = [leaf('strategy', strategy.name, 'strategy'), leaf('vCPU', `${vcpu} of ${vm.vcpus.length}${runState ? `, ${runState}` : ''}`)];
  nodes.push(lastEvent
    ? {
      name: 'last VM event', value: `#${lastEvent.seq} ${lastEvent.summary}`, type: lastEvent.kind,
      children: () => [leaf('instructions', String(lastEvent.instructions)), ...lastEvent.fields.map(([n, v]) => leaf(n, v))],
    }
    : leaf('last VM event', logging ? 'none yet' : 'not recorded in this session'));
  nodes.push({
    name: 'exits', value: `${totalExits} on vCPU ${vcpu}`, type: 'counts',
    children: () => exitCountLines(counts).map(([n, v]) => leaf(n, v)),
  });
  for (const section of strategySections(strategy)) {
    nodes.push({ name: section.title, value: section.summary, children: () => section.fields.map(([n, v]) => leaf(n, v)) });
  }
  if (nodes.length === 4) nodes.push(leaf('strategy state', `the ${strategy.name} strategy describes no further state`));
  return nodes;
}
