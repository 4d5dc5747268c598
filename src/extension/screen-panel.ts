// The guest's VGA text screen in a webview: 80×25 characters with the cursor, refreshed when the guest
// stops and twice a second while it runs (hvdbgScreen request).
import * as vscode from 'vscode';
import type { SessionBridge } from './session-bridge.js';

const REFRESH_MILLISECONDS = 500;

interface ScreenBody { text: string; lines: string[]; cursor: { row: number; col: number; visible: boolean } }

export class ScreenPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private timer?: ReturnType<typeof setInterval>;
  /** The screen text last shown (tests read it). */
  lastText = '';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly bridge: SessionBridge) {
    this.disposables.push(bridge.onState.event(({ session, state }) => {
      if (!this.panel || session !== bridge.current) return;
      if (state === 'running') this.startTimer(); else this.stopTimer();
      if (state !== 'ended') void this.refresh();
    }));
  }

  /** Opens (or reveals) the panel and shows the current screen. */
  async show(): Promise<string> {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('hvdbg.screen', 'Guest screen (VGA text)', vscode.ViewColumn.Beside, { enableScripts: false });
      this.panel.onDidDispose(() => { this.panel = undefined; this.stopTimer(); }, undefined, this.disposables);
    } else {
      this.panel.reveal(undefined, true);
    }
    const session = this.bridge.current;
    if (session && this.bridge.stateOf(session) === 'running') this.startTimer();
    await this.refresh();
    return this.lastText;
  }

  dispose(): void { this.stopTimer(); this.panel?.dispose(); for (const d of this.disposables) d.dispose(); }

  private async refresh(): Promise<void> {
    const session = this.bridge.current;
    if (!this.panel || !session) return;
    let screen: ScreenBody;
    try { screen = await session.customRequest('hvdbgScreen') as ScreenBody; } catch (error) {
      this.panel.webview.html = page(`<p>${escapeHtml((error as Error).message)}</p>`);
      return;
    }
    this.lastText = screen.text;
    const rows = screen.lines.map((line, row) => {
      if (!screen.cursor.visible || row !== screen.cursor.row) return escapeHtml(line);
      const c = screen.cursor.col;
      return escapeHtml(line.slice(0, c)) + `<span class="cursor">${escapeHtml(line[c] ?? ' ')}</span>` + escapeHtml(line.slice(c + 1));
    });
    this.panel.webview.html = page(`<pre>${rows.join('\n')}</pre>`);
  }

  private startTimer(): void {
    if (!this.timer) this.timer = setInterval(() => void this.refresh(), REFRESH_MILLISECONDS);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function page(body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>body{background:#000;color:#aaa;margin:8px}pre{font:14px/1.15 monospace;margin:0}.cursor{background:#aaa;color:#000}</style>
</head><body>${body}</body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
