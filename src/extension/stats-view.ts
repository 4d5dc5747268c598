// The Statistics view: instructions, speed, and VM exits per reason with their share, for the hvdbg
// session the views follow (updated from hvdbg.stats events and on every stop), and the last strategy comparison.
import * as vscode from 'vscode';
import type { SessionBridge, StatsBody } from './session-bridge.js';
import type { StrategyComparison } from '../../engine/hv/stats/compare.js';
import { comparisonTree, statisticsTree, type StatNode } from './stats-model.js';

export { statisticsTree } from './stats-model.js';

export const STATISTICS_VIEW = 'hvdbg.statistics';

export class StatisticsView implements vscode.TreeDataProvider<StatNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StatNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private stats?: StatsBody;
  private comparison?: StrategyComparison;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly bridge: SessionBridge) {
    this.disposables.push(bridge.onStats.event(({ body }) => this.update(body)));
  }

  /** The statistics last shown (undefined before the first session). */
  get current(): StatsBody | undefined { return this.stats; }

  update(stats: StatsBody): void { this.stats = stats; this.changed.fire(undefined); }

  /** The last strategy comparison (undefined before the first "Compare Strategies…"). */
  get lastComparison(): StrategyComparison | undefined { return this.comparison; }

  showComparison(comparison: StrategyComparison): void { this.comparison = comparison; this.changed.fire(undefined); }

  async refresh(): Promise<void> {
    const session = this.bridge.current;
    if (session && this.bridge.stateOf(session) !== 'ended') this.update(await session.customRequest('hvdbgStats') as StatsBody);
  }

  getTreeItem(node: StatNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, node.children ? node.collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.description = node.description;
    item.tooltip = node.tooltip;
    return item;
  }

  getChildren(node?: StatNode): StatNode[] {
    if (node) return node.children ?? [];
    return this.model();
  }

  /** The rows as shown: the session's statistics, then the comparison node. */
  model(): StatNode[] {
    const rows = this.stats ? statisticsTree(this.stats) : [];
    return this.comparison ? [...rows, comparisonTree(this.comparison)] : rows;
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}
