// VS Code extension entry point: registers the hvdbg debugger (adapter factory, launch-configuration
// providers), the VM Events and Statistics views, the serial terminal, the screen, status bar and commands.
import * as vscode from 'vscode';
import { DEBUG_TYPE, HvdbgConfigurationProvider, HvdbgDynamicConfigurations } from './debug-config.js';
import { HvdbgAdapterFactory } from './extension/adapter-factory.js';
import { registerCommands } from './extension/commands.js';
import { VM_EVENTS_VIEW, VmEventsView } from './extension/events-view.js';
import { ScreenPanel } from './extension/screen-panel.js';
import { SerialTerminals } from './extension/serial-terminal.js';
import { SessionBridge } from './extension/session-bridge.js';
import { STATISTICS_VIEW, StatisticsView } from './extension/stats-view.js';
import { HvdbgStatusBar } from './extension/status-bar.js';
import { registerLoadProgress } from './extension/load-progress.js';
import { DISASSEMBLY_SCHEME, DisassemblyDocuments } from './extension/disassembly-document.js';

export function activate(context: vscode.ExtensionContext): void {
  const bridge = new SessionBridge();
  const events = new VmEventsView(bridge);
  const statistics = new StatisticsView(bridge);
  const serial = new SerialTerminals(bridge);
  const screen = new ScreenPanel(bridge);
  const statusBar = new HvdbgStatusBar(bridge);
  const disassembly = new DisassemblyDocuments();
  const eventsTree = vscode.window.createTreeView(VM_EVENTS_VIEW, { treeDataProvider: events, showCollapseAll: true });
  const resolver = new HvdbgConfigurationProvider();
  const dynamic = new HvdbgDynamicConfigurations();
  context.subscriptions.push(
    bridge, events, statistics, serial, screen, statusBar,
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new HvdbgAdapterFactory(context.asAbsolutePath('dist/adapter.js'))),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, resolver),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, dynamic, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    // What F5 without launch.json would run in a folder, and the dynamic list (tests, other extensions).
    vscode.commands.registerCommand('hvdbg.proposeConfigurations', async (folderUri?: vscode.Uri) => {
      const folder = folderUri ? vscode.workspace.getWorkspaceFolder(folderUri) : vscode.workspace.workspaceFolders?.[0];
      const resolved = await resolver.resolveDebugConfiguration(folder, { type: '', request: '', name: '' });
      return { resolved, dynamic: await dynamic.provideDebugConfigurations(folder) };
    }),
    registerLoadProgress(),
    vscode.workspace.registerTextDocumentContentProvider(DISASSEMBLY_SCHEME, disassembly),
    eventsTree,
    vscode.window.registerTreeDataProvider(STATISTICS_VIEW, statistics),
    // On every stop the views ask for the exact counts (pushes are throttled while running).
    bridge.onState.event(({ state }) => { if (state === 'stopped') { void events.refresh().catch(() => {}); void statistics.refresh().catch(() => {}); } }),
    ...registerCommands({ context, bridge, events, eventsTree, statistics, screen, serial, statusBar, disassembly }),
  );
}

export function deactivate(): void {
  // Nothing to release: every registration is in context.subscriptions.
}
