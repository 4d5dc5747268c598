// The VM Events tree in the Run and Debug container: kinds, then reasons with their counts, then the
// latest occurrences with their decoded fields; selecting an occurrence opens its guest source line.
import * as vscode from 'vscode';
import type { KindCount, LoggedEvent, SessionBridge } from './session-bridge.js';
import type { DisassemblyDocuments } from './disassembly-document.js';

export const VM_EVENTS_VIEW = 'hvdbg.vmEvents';
export const REVEAL_EVENT_COMMAND = 'hvdbg.revealEvent';
const OCCURRENCES_SHOWN = 100;

type EventNode =
  | { type: 'kind'; kind: KindCount }
  | { type: 'reason'; kind: string; reason: string; count: number }
  | { type: 'occurrence'; event: LoggedEvent; parent: EventNode }
  | { type: 'field'; name: string; value: string; index: number; parent: EventNode };

/** The tree's content as plain data (what the hvdbg.vmEventsModel command returns). */
export interface VmEventsModel { session?: string; total: number; kinds: KindCount[] }

export class VmEventsView implements vscode.TreeDataProvider<EventNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EventNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private kinds: KindCount[] = [];
  private total = 0;
  private session?: vscode.DebugSession;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly bridge: SessionBridge) {
    this.disposables.push(bridge.onVmEvents.event(({ session, body }) => {
      this.session = session;
      this.kinds = body.kinds;
      this.total = body.total;
      this.changed.fire(undefined);
    }));
  }

  model(): VmEventsModel { return { session: this.session?.name, total: this.total, kinds: this.kinds }; }

  /** Asks the adapter for the current counts (after a stop, when no push is pending). */
  async refresh(): Promise<void> {
    const session = this.bridge.current;
    if (!session) return;
    const stats = await session.customRequest('hvdbgStats') as { events: number; kinds: KindCount[] };
    this.session = session;
    this.kinds = stats.kinds;
    this.total = stats.events;
    this.changed.fire(undefined);
  }

  getTreeItem(node: EventNode): vscode.TreeItem {
    switch (node.type) {
      case 'kind': {
        const item = new vscode.TreeItem(node.kind.kind, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `kind:${node.kind.kind}`;
        item.description = `${node.kind.total}`;
        item.contextValue = 'hvdbgEventKind';
        return item;
      }
      case 'reason': {
        const item = new vscode.TreeItem(node.reason, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `reason:${node.kind}:${node.reason}`;
        item.description = `${node.count}`;
        item.tooltip = `${node.count} ${node.kind} events with reason ${node.reason}; expand for the latest ${OCCURRENCES_SHOWN}`;
        return item;
      }
      case 'occurrence': {
        const e = node.event;
        const item = new vscode.TreeItem(`#${e.seq} ${e.summary}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `event:${e.seq}`;
        item.description = e.function ?? `0x${(e.eip >>> 0).toString(16).padStart(8, '0')}`;
        item.tooltip = `${e.summary}\n${e.source ? `${e.source.path}:${e.source.line}\n` : ''}instruction ${e.instructions}, vCPU ${e.vcpu}`;
        item.command = { command: REVEAL_EVENT_COMMAND, title: 'Reveal in guest source', arguments: [e] };
        return item;
      }
      case 'field': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        if (node.parent.type === 'occurrence') item.id = `event:${node.parent.event.seq}:${node.index}`;
        item.description = node.value;
        return item;
      }
    }
  }

  async getChildren(node?: EventNode): Promise<EventNode[]> {
    if (!node) return this.kinds.map((kind) => ({ type: 'kind', kind }));
    switch (node.type) {
      case 'kind': return node.kind.reasons.map((r) => ({ type: 'reason', kind: node.kind.kind, reason: r.reason, count: r.count }));
      case 'reason': {
        const session = this.session;
        if (!session || this.bridge.stateOf(session) === 'ended') return [];
        const found = await session.customRequest('hvdbgEvents', { kind: node.kind, reason: node.reason, limit: OCCURRENCES_SHOWN }) as { events: LoggedEvent[] };
        return found.events.reverse().map((event) => ({ type: 'occurrence', event, parent: node }));
      }
      case 'occurrence': return node.event.fields.map(([name, value], index) => ({ type: 'field', name, value, index, parent: node }));
      case 'field': return [];
    }
  }

  getParent(node: EventNode): EventNode | undefined {
    switch (node.type) {
      case 'kind': return undefined;
      case 'reason': {
        const kind = this.kinds.find((k) => k.kind === node.kind);
        return kind ? { type: 'kind', kind } : undefined;
      }
      case 'occurrence': case 'field': return node.parent;
    }
  }

  /** Shows the VM Events view with the occurrences of one kind and reason expanded. */
  async expand(treeView: vscode.TreeView<EventNode>, kind: string, reason: string): Promise<boolean> {
    const count = this.kinds.find((k) => k.kind === kind)?.reasons.find((r) => r.reason === reason)?.count;
    if (count === undefined) return false;
    await treeView.reveal({ type: 'reason', kind, reason, count }, { expand: true, focus: false, select: true });
    return true;
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}

/**
 * Opens the guest source line of an event (line-table paths are matched against the workspace); without
 * one, the instructions around its EIP from the session (when it is still there).
 */
export async function revealEvent(event: LoggedEvent, session: vscode.DebugSession | undefined, disassembly: DisassemblyDocuments): Promise<vscode.Uri | undefined> {
  const address = `0x${(event.eip >>> 0).toString(16).padStart(8, '0')}`;
  const uri = event.source ? await findSource(event.source.path) : undefined;
  if (uri && event.source) {
    const line = Math.max(0, event.source.line - 1);
    const editor = await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: true });
    const range = new vscode.Range(line, 0, line, 0);
    editor.selection = new vscode.Selection(range.start, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return uri;
  }
  if (session) {
    try {
      return await disassembly.show(session, event.eip, `#${event.seq} ${event.summary}`);
    } catch (error) {
      void vscode.window.showInformationMessage(`hvdbg: no source line for ${address}, and no disassembly: ${(error as Error).message}`);
      return undefined;
    }
  }
  void vscode.window.showInformationMessage(`hvdbg: no source line for ${address} (${event.function ?? 'no symbol'}) and the session has ended.`);
  return undefined;
}

/** A line-table path as a file: absolute as is, else relative to a workspace folder, else by its name. */
async function findSource(path: string): Promise<vscode.Uri | undefined> {
  const exists = async (uri: vscode.Uri) => { try { await vscode.workspace.fs.stat(uri); return true; } catch { return false; } };
  if (path.startsWith('/')) { const uri = vscode.Uri.file(path); if (await exists(uri)) return uri; }
  const relative = path.replace(/^\.\//, '');
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, relative);
    if (await exists(uri)) return uri;
  }
  const name = relative.split('/').pop() ?? relative;
  const found = await vscode.workspace.findFiles(`**/${name}`, '**/node_modules/**', 20);
  const segments = relative.split('/');
  const score = (u: vscode.Uri) => { const s = u.path.split('/'); let n = 0; while (n < s.length && n < segments.length && s[s.length - 1 - n] === segments[segments.length - 1 - n]) n++; return n; };
  return found.sort((a, b) => score(b) - score(a))[0];
}
