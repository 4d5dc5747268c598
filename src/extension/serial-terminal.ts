// The guest's serial console in an integrated terminal (a Pseudoterminal): guest output appears as it
// is written, keys typed go to COM1's receiver through the hvdbgSerialInput request.
import * as vscode from 'vscode';
import type { SessionBridge } from './session-bridge.js';

/** Output kept per session for the transcript command (tests, copy): the last this many characters. */
const TRANSCRIPT_LIMIT = 256 * 1024;

class SerialPty implements vscode.Pseudoterminal {
  readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  transcript = '';
  private opened = false;
  private pending = '';               // written before the terminal opened

  constructor(private readonly session: vscode.DebugSession) {}

  open(): void {
    this.opened = true;
    if (this.pending) this.writeEmitter.fire(this.pending);
    this.pending = '';
  }

  close(): void { this.opened = false; }

  /** Guest output: LF becomes CRLF for the terminal (the guest sends bare LF). */
  write(text: string): void {
    this.transcript = (this.transcript + text).slice(-TRANSCRIPT_LIMIT);
    const shown = text.replace(/\r?\n/g, '\r\n');
    if (this.opened) this.writeEmitter.fire(shown); else this.pending += shown;
  }

  handleInput(data: string): void {
    this.session.customRequest('hvdbgSerialInput', { text: data }).then(undefined, (error: Error) => {
      this.writeEmitter.fire(`\r\n[hvdbg: key not delivered: ${error.message}]\r\n`);
    });
  }
}

export class SerialTerminals implements vscode.Disposable {
  private readonly ptys = new Map<string, { pty: SerialPty; terminal: vscode.Terminal }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(bridge: SessionBridge) {
    this.disposables.push(
      bridge.onGuestOutput.event(({ session, text }) => {
        if (session.configuration.serial !== 'debugConsole') this.ptyFor(session).write(text);
      }),
      bridge.onState.event(({ session, state }) => {
        if (state === 'ended') this.ptys.get(session.id)?.pty.write('\n[hvdbg: the guest has ended]\n');
      }),
    );
  }

  /** Everything the terminal of session has shown (the last 256 KiB). */
  transcript(session: vscode.DebugSession): string { return this.ptys.get(session.id)?.pty.transcript ?? ''; }

  /** Brings the session's serial terminal to the front. */
  show(session: vscode.DebugSession): void { this.ptys.get(session.id)?.terminal.show(true) ?? this.ptyFor(session); }

  dispose(): void {
    for (const { terminal } of this.ptys.values()) terminal.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private ptyFor(session: vscode.DebugSession): SerialPty {
    let entry = this.ptys.get(session.id);
    if (!entry) {
      const pty = new SerialPty(session);
      const terminal = vscode.window.createTerminal({ name: `hvdbg serial: ${session.name}`, pty });
      terminal.show(true);
      entry = { pty, terminal };
      this.ptys.set(session.id, entry);
    }
    return entry.pty;
  }
}
