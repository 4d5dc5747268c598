// Test helper: records what an hvdbg debug adapter sends (via a DebugAdapterTracker) and waits for
// events with a predicate, so tests can await "stopped", "terminated" and hvdbg's custom events.
import * as vscode from 'vscode';

export interface DapMessage { type: string; event?: string; command?: string; success?: boolean; body?: any } // eslint-disable-line @typescript-eslint/no-explicit-any

export class SessionProbe implements vscode.Disposable {
  readonly messages: DapMessage[] = [];
  private waiters: { match: (m: DapMessage) => boolean; resolve: (m: DapMessage) => void }[] = [];
  private readonly registration: vscode.Disposable;

  constructor(debugType = 'hvdbg') {
    this.registration = vscode.debug.registerDebugAdapterTrackerFactory(debugType, {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: DapMessage) => {
          this.messages.push(m);
          this.waiters = this.waiters.filter((w) => { if (!w.match(m)) return true; w.resolve(m); return false; });
        },
      }),
    });
  }

  /** The next message (from now on, or already seen after index since) matching; rejects after timeoutMs. */
  next(match: (m: DapMessage) => boolean, what: string, timeoutMs = 30_000, since = this.messages.length): Promise<DapMessage> {
    const seen = this.messages.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms; events seen: ${this.eventNames().join(', ')}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  event(name: string, timeoutMs?: number, since?: number): Promise<DapMessage> {
    return this.next((m) => m.type === 'event' && m.event === name, `"${name}" event`, timeoutMs, since);
  }

  eventNames(): string[] { return this.messages.filter((m) => m.type === 'event').map((m) => m.event ?? '?'); }

  dispose(): void { this.registration.dispose(); }
}

/** Resolves when session terminates (or at once when it is already gone). */
export function terminated(session: vscode.DebugSession): Promise<void> {
  return new Promise((resolve) => {
    const d = vscode.debug.onDidTerminateDebugSession((s) => { if (s.id === session.id) { d.dispose(); resolve(); } });
  });
}

/** Starts a debug session by configuration (or launch.json name) and returns it once it has started. */
export async function start(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration | string): Promise<vscode.DebugSession> {
  const started = new Promise<vscode.DebugSession>((resolve) => {
    const d = vscode.debug.onDidStartDebugSession((s) => { if (s.type === 'hvdbg') { d.dispose(); resolve(s); } });
  });
  const ok = await vscode.debug.startDebugging(folder, config);
  if (!ok) throw new Error(`startDebugging(${typeof config === 'string' ? config : config.name}) returned false`);
  return started;
}

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
