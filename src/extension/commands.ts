// The hvdbg commands: open a trace, show statistics, show the screen, compare strategies, export the
// trace, open the example guest, and the model/transcript queries the extension-host tests use.
import * as vscode from 'vscode';
import { createExampleWorkspace, type OpenExampleOptions } from './example-workspace.js';
import { revealEvent, REVEAL_EVENT_COMMAND, VM_EVENTS_VIEW, type VmEventsView } from './events-view.js';
import { STATISTICS_VIEW, type StatisticsView } from './stats-view.js';
import { compareIntoStatistics, type CompareCommandOptions } from './stats-compare-command.js';
import type { ScreenPanel } from './screen-panel.js';
import type { SerialTerminals } from './serial-terminal.js';
import type { HvdbgStatusBar } from './status-bar.js';
import type { LoggedEvent, SessionBridge } from './session-bridge.js';
import type { DisassemblyDocuments } from './disassembly-document.js';

export interface CommandTargets {
  context: vscode.ExtensionContext;
  bridge: SessionBridge;
  events: VmEventsView;
  eventsTree: vscode.TreeView<unknown>;
  statistics: StatisticsView;
  screen: ScreenPanel;
  serial: SerialTerminals;
  statusBar: HvdbgStatusBar;
  disassembly: DisassemblyDocuments;
}

export function registerCommands(t: CommandTargets): vscode.Disposable[] {
  const session = (): vscode.DebugSession => {
    if (!t.bridge.current) throw new Error('hvdbg: no hvdbg debug session (start one with F5)');
    return t.bridge.current;
  };
  return [
    vscode.commands.registerCommand('hvdbg.openTrace', async (uri?: vscode.Uri) => {
      const file = uri ?? (await vscode.window.showOpenDialog({ filters: { 'hvdbg trace': ['hvtrace'] }, canSelectMany: false }))?.[0];
      if (!file) return undefined;
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.languages.setTextDocumentLanguage(doc, 'hvtrace');
      await vscode.window.showTextDocument(doc);
      return doc.uri;
    }),
    vscode.commands.registerCommand('hvdbg.exportTrace', async (target?: vscode.Uri) => {
      const { text } = await session().customRequest('hvdbgTrace') as { text: string };
      const file = target ?? await vscode.window.showSaveDialog({ filters: { 'hvdbg trace': ['hvtrace'] }, saveLabel: 'Export trace' });
      if (!file) return undefined;
      await vscode.workspace.fs.writeFile(file, Buffer.from(text));
      if (!target) void vscode.window.showInformationMessage(`hvdbg: trace written to ${file.fsPath}`);
      return file;
    }),
    vscode.commands.registerCommand('hvdbg.showStatistics', async () => {
      await vscode.commands.executeCommand(`${STATISTICS_VIEW}.focus`);
      await t.statistics.refresh();
      return t.statistics.current;
    }),
    // The latest occurrences of one kind and reason, as the tree lists them (tests, other extensions).
    vscode.commands.registerCommand('hvdbg.vmEventOccurrences', async (kind: string, reason: string) =>
      (await session().customRequest('hvdbgEvents', { kind, reason, limit: 100 }) as { events: LoggedEvent[] }).events.reverse()),
    vscode.commands.registerCommand('hvdbg.showVmEvents', async (expand?: { kind: string; reason: string }) => {
      await vscode.commands.executeCommand(`${VM_EVENTS_VIEW}.focus`);
      await t.events.refresh();
      if (expand) await t.events.expand(t.eventsTree as Parameters<VmEventsView['expand']>[0], expand.kind, expand.reason);
      return t.events.model();
    }),
    vscode.commands.registerCommand('hvdbg.showScreen', () => t.screen.show()),
    vscode.commands.registerCommand('hvdbg.showSerial', () => t.serial.show(session())),
    vscode.commands.registerCommand('hvdbg.compareStrategies', async (program?: string, options?: CompareCommandOptions) => {
      const kernel = program ?? t.bridge.current?.configuration.program
        ?? (await vscode.window.showOpenDialog({ filters: { 'guest kernel': ['elf', '*'] } }))?.[0]?.fsPath;
      if (typeof kernel !== 'string') return undefined;
      return compareIntoStatistics(t.context, t.statistics, kernel, options);
    }),
    vscode.commands.registerCommand('hvdbg.openExample', (options?: OpenExampleOptions) => createExampleWorkspace(t.context, options)),
    vscode.commands.registerCommand(REVEAL_EVENT_COMMAND, (event: LoggedEvent) => {
      const live = t.bridge.current && t.bridge.stateOf(t.bridge.current) !== 'ended' ? t.bridge.current : undefined;
      return revealEvent(event, live, t.disassembly);
    }),
    // Queries (no UI): what the views and the terminal show, for tests and other extensions.
    vscode.commands.registerCommand('hvdbg.vmEventsModel', () => t.events.model()),
    vscode.commands.registerCommand('hvdbg.statisticsModel', () => t.statistics.current),
    vscode.commands.registerCommand('hvdbg.statisticsRows', () => t.statistics.model()),
    vscode.commands.registerCommand('hvdbg.serialTranscript', () => (t.bridge.current ? t.serial.transcript(t.bridge.current) : '')),
    vscode.commands.registerCommand('hvdbg.statusText', () => t.statusBar.text),
  ];
}
