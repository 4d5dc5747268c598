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
      label: 'VM exits', description: totalExits.toLocaleString('en-US'),
      children: s.exits.map((e) => ({
        label: `${e.key} (${e.reason})`,
        description: `${e.count.toLocaleString('en-US')} · ${totalExits ? ((100 * e.count) / totalExits).toFixed(1) : '0'}%`,
        tooltip: `VM exit ${e.reason} (${e.name}): ${e.count} times`,
      })),
    },
  ];
  for (const k of s.kinds.filter((k) => k.kind !== 'exit')) {
    rows.push({ label: `${k.kind} events`, description: String(k.total), children: k.reasons.map((r) => ({ label: r.reason, description: String(r.count) })) });
  }
  return rows;
}
