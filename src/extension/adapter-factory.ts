// How VS Code reaches the hvdbg debug adapter: its own process (dist/adapter.js run by the editor's
// Node) by default, a running `hvdbg dap --port N` for attach, or inline in the extension host.
import * as vscode from 'vscode';
import { HvdbgSession } from '../adapter/session.js';

export type AdapterMode = 'process' | 'inline';

export class HvdbgAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly adapterPath: string) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const config = session.configuration;
    if (config.request === 'attach') {
      return new vscode.DebugAdapterServer(Number(config.port), typeof config.host === 'string' ? config.host : '127.0.0.1');
    }
    const mode = vscode.workspace.getConfiguration('hvdbg').get<AdapterMode>('adapter.mode', 'process');
    if (mode === 'inline') return new vscode.DebugAdapterInlineImplementation(new HvdbgSession() as unknown as vscode.DebugAdapter);
    // ELECTRON_RUN_AS_NODE makes the desktop editor's Electron binary behave as plain Node.
    return new vscode.DebugAdapterExecutable(process.execPath, [this.adapterPath], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  }
}
