// Statistics of one run under one strategy, built from the VM events it reported (vm.onEvent): per
// event kind and reason — count, first and last site, the guest sites that caused most, and the
// modeled cost from the cost table — so a user sees what each strategy costs on their guest.
import { exitReasonName } from '../exit-reasons.js';
import type { EventSite } from '../event-site.js';
import type { VmEvent } from '../vm-event.js';
import { modeledCycles } from './cost-table.js';

/** A guest site: where an event happened. */
export interface GuestSite { vcpu: number; cs: number; eip: number; instructions: number }

/** One row: the events of one kind and reason. */
export interface EventGroup {
  key: string;               // stable key: 'exit:30', 'callout:popf', 'hypercall:29', 'trap:13', 'interrupt:external', 'audit:popf'
  kind: VmEvent['kind'];
  label: string;             // what a person reads: 'exit 30 I/O instruction', 'callout popf' …
  count: number;
  cycles: number;            // modeled cycles, all events of the group
  first: GuestSite;          // the first event's site
  last: GuestSite;           // the last event's site
  sites: Map<number, number>; // EIP (with CS in the high part of the key) → count
}

/** Something that reports VM events (a Vm, or a strategy). */
export interface EventSource { onEvent: { event(listener: (e: VmEvent) => void): () => void } }

export class VmStatistics {
  readonly groups = new Map<string, EventGroup>();
  events = 0;                // events recorded
  cycles = 0;                // modeled cycles of all of them

  constructor(readonly strategy: string) {}

  /** Records every event source reports from now on; returns the function that stops recording. */
  observe(source: EventSource): () => void {
    return source.onEvent.event((e) => this.record(e));
  }

  record(e: VmEvent): void {
    const { key, label } = groupOf(e);
    const site = siteOf(e);
    let g = this.groups.get(key);
    if (!g) {
      g = { key, kind: e.kind, label, count: 0, cycles: 0, first: site, last: site, sites: new Map() };
      this.groups.set(key, g);
    }
    const cost = modeledCycles(e);
    g.count++;
    g.cycles += cost;
    g.last = site;
    const siteKey = e.cs * 2 ** 32 + (e.eip >>> 0);
    g.sites.set(siteKey, (g.sites.get(siteKey) ?? 0) + 1);
    this.events++;
    this.cycles += cost;
  }

  /** The groups, costliest first (ties: most frequent, then by key). */
  byCost(): EventGroup[] {
    return [...this.groups.values()].sort((a, b) => b.cycles - a.cycles || b.count - a.count || a.key.localeCompare(b.key));
  }

  /** Total events of one kind. */
  countOf(kind: VmEvent['kind']): number {
    let n = 0;
    for (const g of this.groups.values()) if (g.kind === kind) n += g.count;
    return n;
  }
}

/** The n sites of a group that caused most events: [cs, eip, count], most first (ties by address). */
export function topSites(g: EventGroup, n: number): Array<{ cs: number; eip: number; count: number }> {
  return [...g.sites].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n)
    .map(([key, count]) => ({ cs: Math.floor(key / 2 ** 32), eip: key % 2 ** 32, count }));
}

function siteOf(e: EventSite): GuestSite {
  return { vcpu: e.vcpu, cs: e.cs, eip: e.eip >>> 0, instructions: e.instructions };
}

function groupOf(e: VmEvent): { key: string; label: string } {
  switch (e.kind) {
    case 'exit': return { key: `exit:${e.reason}`, label: `exit ${e.reason} ${exitReasonName(e.reason)}` };
    case 'callout': return { key: `callout:${e.mnemonic}`, label: `callout ${e.mnemonic} (${e.sensitivity})` };
    case 'hypercall': return { key: `hypercall:${e.number}`, label: `hypercall ${e.number} ${e.name}` };
    case 'trap': return { key: `trap:${e.vector}`, label: `trap vector ${e.vector} (${e.outcome})` };
    case 'interrupt': return { key: `interrupt:${e.source}`, label: `injected interrupt (${e.source})` };
    case 'audit': return { key: `audit:${e.mnemonic}`, label: `audit ${e.mnemonic}` };
  }
}
