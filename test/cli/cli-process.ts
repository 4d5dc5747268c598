// Spawns the built hvdbg command (dist/cli.js, made by `npm run build`) and collects what a user
// sees: exit status, stdout bytes, stderr text.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const CLI = resolve('dist/cli.js');

export interface CliResult {
  status: number | null;   // exit status (null if killed by a signal)
  signal: string | null;   // signal that killed it, if any
  stdout: Buffer;          // raw guest output
  stderr: string;          // summary and errors
}

/** Runs `node dist/cli.js ...args`; kills it after limitMs so a hung guest fails the test instead of hanging it. */
export function runCli(args: readonly string[], limitMs = 60_000): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" before the CLI tests`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', fail);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The --json summary: the last line of stderr, parsed. */
export function jsonSummary(r: CliResult): Record<string, any> {
  const lines = r.stderr.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** stderr as lines, without the trailing newline. */
export function stderrLines(r: CliResult): string[] {
  return r.stderr.replace(/\n$/, '').split('\n');
}
