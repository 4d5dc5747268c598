// The Statistics view: instructions, speed, and VM exits per reason with their share, for the hvdbg
// session the views follow; updated from hvdbg.stats events and on every stop.
import * as vscode from 'vscode';
import type { SessionBridge, StatsBody } from './session-bridge.js';

export const STATISTICS_VIEW = 'hvdbg.statistics';

interface StatNode { label: string; description: string; tooltip?: string; children?: StatNode[] }

export class StatisticsView implements vscode.TreeDataProvider<StatNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StatNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private stats?: StatsBody;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly bridge: SessionBridge) {
    this.disposables.push(bridge.onStats.event(({ body }) => this.update(body)));
  }

  /** The statistics last shown (undefined before the first session). */
  get current(): StatsBody | undefined { return this.stats; }

  update(stats: StatsBody): void { this.stats = stats; this.changed.fire(undefined); }

  async refresh(): Promise<void> {
    const session = this.bridge.current;
    if (session && this.bridge.stateOf(session) !== 'ended') this.update(await session.customRequest('hvdbgStats') as StatsBody);
  }

  getTreeItem(node: StatNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, node.children ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.description = node.description;
    item.tooltip = node.tooltip;
    return item;
  }

  getChildren(node?: StatNode): StatNode[] {
    if (node) return node.children ?? [];
    return this.stats ? statisticsTree(this.stats) : [];
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}

/** Cycles in a short form: 1.2M, 35k, 800. */
function cycles(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(n);
}

/** The rows of the view (exported for the model command and tests). */
export function statisticsTree(s: StatsBody): StatNode[] {
  const seconds = s.hostMilliseconds / 1000;
  const totalExits = s.exits.reduce((n, e) => n + e.count, 0);
  const rows: StatNode[] = [
    { label: 'strategy', description: s.strategy },
    { label: 'instructions', description: s.instructions.toLocaleString('en-US') },
    { label: 'host time', description: `${seconds.toFixed(1)} s` },
    { label: 'VM events logged', description: s.events.toLocaleString('en-US') },
    {
      label: 'modeled cost', description: `${cycles(s.cycles)} host cycles`,
      tooltip: 'What the logged VM events would cost on a real host, from the cost table (docs/hypervisor.md)',
    },
    {
      label: 'VM exits', description: totalExits.toLocaleString('en-US'),
      children: s.exits.map((e) => ({
        label: `${e.key} (${e.reason})`,
        description: `${e.count.toLocaleString('en-US')} · ${totalExits ? ((100 * e.count) / totalExits).toFixed(1) : '0'}% · ${cycles(e.cycles)} cycles`,
        tooltip: `VM exit ${e.reason} (${e.name}): ${e.count} times, ${e.cycles.toLocaleString('en-US')} modeled host cycles`,
      })),
    },
  ];
  for (const k of s.kinds.filter((k) => k.kind !== 'exit')) {
    rows.push({
      label: `${k.kind} events`, description: `${k.total} · ${cycles(k.cycles)} cycles`,
      children: k.reasons.map((r) => ({ label: r.reason, description: `${r.count} · ${cycles(r.cycles)} cycles` })),
    });
  }
  return rows;
}
