// Shared helpers for the DAP tests: paths, starting the real adapter (dist/adapter.js) under
// DebugClient, reading a kernel's ELF entry point, and a raw DAP connection for malformed input.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const ROOT = resolve(__dirname, '..', '..');
export const ADAPTER = join(ROOT, 'dist', 'adapter.js');
export const HELLO = join(ROOT, 'guests', 'hello', 'kernel.elf');
export const SPIN = join(ROOT, 'guests', 'spin', 'kernel.elf');
export const SMP = join(ROOT, 'guests', 'smp', 'kernel.elf');
export const EXIT_CODE = join(ROOT, 'guests', 'exit-code', 'kernel.elf');
export const TRIPLE_FAULT = join(ROOT, 'guests', 'triple-fault', 'kernel.elf');

/** e_entry of a 32-bit little-endian ELF file (offset 24 of the ELF header). */
export function elfEntry(path: string): number {
  const bytes = readFileSync(path);
  return bytes.readUInt32LE(24);
}

/** Starts the real adapter over stdio; the caller must `await dc.stop()`. */
export async function startAdapter(): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, ADAPTER, 'hvdbg', { cwd: ROOT });
  dc.defaultTimeout = 10_000;
  await dc.start();
  return dc;
}

/** Every event the adapter sends, in arrival order. */
export function recordEvents(dc: DebugClient): DebugProtocol.Event[] {
  const events: DebugProtocol.Event[] = [];
  for (const name of ['output', 'stopped', 'exited', 'terminated', 'initialized']) {
    dc.on(name, (event: DebugProtocol.Event) => events.push(event));
  }
  return events;
}

/** The concatenated output of the given category. */
export function outputText(events: readonly DebugProtocol.Event[], category: string): string {
  return events.filter((e) => e.event === 'output' && e.body?.category === category).map((e) => String(e.body.output)).join('');
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts `node dist/adapter.js --port N` and resolves once it reports that it listens. */
export function startAdapterServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [ADAPTER, '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolveChild, reject) => {
    let stderr = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`adapter did not listen within 10 s; stderr: ${stderr}`)); }, 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on 127.0.0.1:')) { clearTimeout(timer); resolveChild(child); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`adapter exited with ${code}; stderr: ${stderr}`)); });
  });
}

/** A DAP connection to a freshly spawned adapter that can also send bytes that are not valid DAP. */
export class RawDap {
  private readonly child = spawn(process.execPath, [ADAPTER], { cwd: ROOT, stdio: ['pipe', 'pipe', 'ignore'] });
  private buffer = Buffer.alloc(0);
  private seq = 1;
  readonly messages: DebugProtocol.ProtocolMessage[] = [];
  private waiters: Array<() => void> = [];

  constructor() {
    this.child.stdout?.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  /** Writes text as one framed message body (it need not be JSON). */
  sendBody(body: string): void {
    this.child.stdin?.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  /** Sends a request and resolves with its response. */
  async request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    this.sendBody(JSON.stringify({ type: 'request', seq, command, arguments: args }));
    return this.waitFor((m): m is DebugProtocol.Response => m.type === 'response' && (m as DebugProtocol.Response).request_seq === seq);
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor<T extends DebugProtocol.ProtocolMessage>(match: (m: DebugProtocol.ProtocolMessage) => m is T, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolveMessage, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching DAP message within the timeout')), timeoutMs);
      const check = (): boolean => {
        const found = this.messages.find(match);
        if (found) { clearTimeout(timer); resolveMessage(found as T); }
        return found !== undefined;
      };
      if (check()) return;
      const waiter = (): void => { if (check()) this.waiters = this.waiters.filter((w) => w !== waiter); };
      this.waiters.push(waiter);
    });
  }

  /** True while the adapter process is alive. */
  get alive(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  close(): void { this.child.kill(); }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      this.messages.push(JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString()));
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      for (const waiter of [...this.waiters]) waiter();
    }
  }
}
