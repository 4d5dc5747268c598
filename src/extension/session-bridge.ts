// Watches hvdbg debug sessions for the views: their custom events (hvdbg.vmEvents, hvdbg.stats), guest
// output, and whether the guest runs, is stopped or has ended — one typed event per change.
import * as vscode from 'vscode';

export const DEBUG_TYPE = 'hvdbg';

/** Where a session's guest is. */
export type GuestState = 'starting' | 'running' | 'stopped' | 'ended';

/** One logged VM event as the adapter sends it (src/adapter/custom-events.ts). */
export interface LoggedEvent {
  seq: number; kind: string; reason: string; summary: string; instructions: number; eip: number; vcpu: number;
  fields: [string, string][];
  source?: { path: string; line: number };
  function?: string;
}

export interface KindCount { kind: string; total: number; cycles: number; reasons: { reason: string; count: number; cycles: number }[] }

export interface StatsBody {
  strategy: string; adapterPid: number; instructions: number; hostMilliseconds: number; events: number; cycles: number;
  exits: { reason: number; key: string; name: string; count: number; cycles: number }[];
  kinds: KindCount[];
}

export interface VmEventsBody { total: number; kinds: KindCount[]; latest: LoggedEvent[] }

export class SessionBridge implements vscode.DebugAdapterTrackerFactory, vscode.Disposable {
  readonly onVmEvents = new vscode.EventEmitter<{ session: vscode.DebugSession; body: VmEventsBody }>();
  readonly onStats = new vscode.EventEmitter<{ session: vscode.DebugSession; body: StatsBody }>();
  /** Guest console output (the adapter's `output` events of category stdout: COM1 and debugcon). */
  readonly onGuestOutput = new vscode.EventEmitter<{ session: vscode.DebugSession; text: string }>();
  readonly onState = new vscode.EventEmitter<{ session: vscode.DebugSession; state: GuestState }>();
  /** The hvdbg session the views show: the active one, else the last started. */
  current?: vscode.DebugSession;
  private readonly states = new Map<string, GuestState>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, this),
      vscode.debug.onDidStartDebugSession((s) => { if (s.type === DEBUG_TYPE) { this.current = s; this.setState(s, 'starting'); } }),
      vscode.debug.onDidTerminateDebugSession((s) => { if (s.type === DEBUG_TYPE) this.setState(s, 'ended'); }),
      vscode.debug.onDidChangeActiveDebugSession((s) => { if (s?.type === DEBUG_TYPE) this.current = s; }),
      this.onVmEvents, this.onStats, this.onGuestOutput, this.onState,
    );
  }

  stateOf(session: vscode.DebugSession): GuestState { return this.states.get(session.id) ?? 'ended'; }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      // Custom events are taken here too (not from onDidReceiveDebugSessionCustomEvent): the tracker
      // sees every message of the session in order, also the last ones before it terminates.
      onDidSendMessage: (message: { type?: string; event?: string; body?: { category?: string; output?: string } }) => {
        if (message.type !== 'event') return;
        switch (message.event) {
          case 'hvdbg.vmEvents': this.onVmEvents.fire({ session, body: message.body as unknown as VmEventsBody }); break;
          case 'hvdbg.stats': this.onStats.fire({ session, body: message.body as unknown as StatsBody }); break;
          case 'output':
            if (message.body?.category === 'stdout' && typeof message.body.output === 'string') this.onGuestOutput.fire({ session, text: message.body.output });
            break;
          case 'stopped': this.setState(session, 'stopped'); break;
          case 'continued': this.setState(session, 'running'); break;
          case 'terminated': case 'exited': this.setState(session, 'ended'); break;
        }
      },
      onWillReceiveMessage: (message: { type?: string; command?: string }) => {
        if (message.type === 'request' && ['continue', 'next', 'stepIn', 'stepOut', 'configurationDone'].includes(message.command ?? '')) {
          if (this.stateOf(session) !== 'ended') this.setState(session, 'running');
        }
      },
    };
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }

  private setState(session: vscode.DebugSession, state: GuestState): void {
    if (this.states.get(session.id) === state) return;
    if (state === 'ended') this.states.delete(session.id); else this.states.set(session.id, state);
    this.onState.fire({ session, state });
  }
}
