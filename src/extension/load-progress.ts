// A progress notification while the adapter loads a large guest image (a kernel, initrd or disk over
// LARGE_IMAGE_BYTES): shown from the launch request until its response.
import * as vscode from 'vscode';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { DEBUG_TYPE } from './session-bridge.js';

export const LARGE_IMAGE_BYTES = 4 * 1024 * 1024;

/** The files a launch configuration loads, with their sizes (missing files are left out). */
export function imageFiles(config: vscode.DebugConfiguration): { path: string; bytes: number }[] {
  const paths: unknown[] = [config.program, ...(Array.isArray(config.initrd) ? config.initrd : []),
    ...(Array.isArray(config.disks) ? config.disks.map((d: { path?: unknown }) => d?.path) : [])];
  const files: { path: string; bytes: number }[] = [];
  for (const path of paths) {
    if (typeof path !== 'string') continue;
    try { files.push({ path, bytes: statSync(path).size }); } catch { /* the adapter reports missing files */ }
  }
  return files;
}

export function registerLoadProgress(): vscode.Disposable {
  return vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
    createDebugAdapterTracker(session) {
      let finish: (() => void) | undefined;
      return {
        onWillReceiveMessage(message: { type?: string; command?: string }) {
          if (message.type !== 'request' || message.command !== 'launch') return;
          const files = imageFiles(session.configuration);
          const total = files.reduce((n, f) => n + f.bytes, 0);
          if (total < LARGE_IMAGE_BYTES) return;
          const names = files.map((f) => basename(f.path)).join(', ');
          void vscode.window.withProgress({
            location: vscode.ProgressLocation.Notification,
            title: `hvdbg: loading ${names} (${(total / 1048576).toFixed(1)} MiB)`,
          }, () => new Promise<void>((resolve) => { finish = resolve; }));
        },
        onDidSendMessage(message: { type?: string; command?: string }) {
          if (message.type === 'response' && message.command === 'launch') { finish?.(); finish = undefined; }
        },
        onExit() { finish?.(); finish = undefined; },
        onError() { finish?.(); finish = undefined; },
      };
    },
  });
}
