// The status bar item while an hvdbg session runs: strategy, running or paused, MIPS and VM exits per
// second, measured from hvdbgStats polled once a second while the guest runs.
import * as vscode from 'vscode';
import type { GuestState, SessionBridge, StatsBody } from './session-bridge.js';

const POLL_MILLISECONDS = 1000;

export class HvdbgStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hvdbg.status', vscode.StatusBarAlignment.Left, 50);
  private timer?: ReturnType<typeof setInterval>;
  private last?: { at: number; instructions: number; exits: number };
  private rate = { mips: 0, exitsPerSecond: 0 };
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(private readonly bridge: SessionBridge) {
    this.item.name = 'hvdbg guest';
    this.item.command = 'hvdbg.showStatistics';
    this.disposables.push(bridge.onState.event(({ session, state }) => { if (session === bridge.current) this.show(session, state); }));
  }

  /** The text shown now (for tests and the screenshot). */
  get text(): string { return this.item.text; }

  dispose(): void { this.stopPolling(); for (const d of this.disposables) d.dispose(); }

  private show(session: vscode.DebugSession, state: GuestState): void {
    if (state === 'ended') { this.stopPolling(); this.item.hide(); return; }
    if (state === 'running') this.startPolling(session); else this.stopPolling();
    void this.sample(session, state);
    this.item.show();
  }

  private async sample(session: vscode.DebugSession, state: GuestState): Promise<void> {
    let stats: StatsBody;
    try { stats = await session.customRequest('hvdbgStats') as StatsBody; } catch { return; }
    const exits = stats.exits.reduce((n, e) => n + e.count, 0);
    const now = Date.now();
    if (this.last && now > this.last.at && state === 'running') {
      const seconds = (now - this.last.at) / 1000;
      this.rate = { mips: (stats.instructions - this.last.instructions) / seconds / 1e6, exitsPerSecond: (exits - this.last.exits) / seconds };
    }
    this.last = { at: now, instructions: stats.instructions, exits };
    const icon = state === 'running' ? '$(play)' : '$(debug-pause)';
    this.item.text = `${icon} hvdbg ${stats.strategy} ${state === 'running' ? 'running' : 'paused'} · `
      + `${this.rate.mips.toFixed(1)} MIPS · ${Math.round(this.rate.exitsPerSecond).toLocaleString('en-US')} exits/s`;
    this.item.tooltip = `${stats.instructions.toLocaleString('en-US')} instructions, ${exits.toLocaleString('en-US')} VM exits (click for statistics)`;
  }

  private startPolling(session: vscode.DebugSession): void {
    this.stopPolling();
    this.timer = setInterval(() => void this.sample(session, this.bridge.stateOf(session)), POLL_MILLISECONDS);
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
