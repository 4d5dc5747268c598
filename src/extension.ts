// VS Code extension entry point: registers the hvdbg debugger — how VS Code starts the debug adapter
// (dist/adapter.js in its own process) and the launch-configuration providers.
import * as vscode from 'vscode';
import { DEBUG_TYPE, HvdbgConfigurationProvider, HvdbgDynamicConfigurations } from './debug-config.js';

/** Starts dist/adapter.js with the Node runtime that runs VS Code itself (Electron in Node mode). */
class HvdbgAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly adapterPath: string) {}

  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    return new vscode.DebugAdapterExecutable(process.execPath, [this.adapterPath], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  }
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new HvdbgAdapterFactory(context.asAbsolutePath('dist/adapter.js'))),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new HvdbgConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE, new HvdbgDynamicConfigurations(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
}

export function deactivate(): void {
  // Nothing to release: every registration is in context.subscriptions.
}
