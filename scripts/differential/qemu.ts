// Runs a test image in QEMU (TCG, a Pentium III model) under its gdb stub: boot with the CPU held,
// break at the image's final HLT, continue, read the log back, and kill QEMU — always, on every path.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GdbClient } from './gdb-client.js';
import type { TestImage } from './image.js';
import { LOG } from './layout.js';

export const QEMU_BINARY = 'qemu-system-i386';
/** QEMU processes still running; killed when this process exits, whatever ends it (test timeouts too). */
const live = new Set<ChildProcess>();
process.once('exit', () => { for (const q of live) { try { q.kill('SIGKILL'); } catch { /* gone */ } } });
export const QEMU_CPU = 'pentium3';

/** The QEMU version line, or undefined when qemu-system-i386 is not installed. */
export function qemuVersion(binary = QEMU_BINARY): string | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split('\n')[0].trim();
}

export interface QemuOptions {
  binary?: string;     // default qemu-system-i386
  timeoutMs?: number;  // whole run, from spawn to the last byte of the log (default 120 s)
}

/** Boots image in QEMU and returns the log of `count` entries. */
export async function runInQemu(image: TestImage, count: number, options: QemuOptions = {}): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-differential-'));
  const kernel = join(dir, 'differential.elf');
  const socketPath = join(dir, 'gdb.sock');
  writeFileSync(kernel, image.elf);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let qemu: ChildProcess | undefined;
  let gdb: GdbClient | undefined;
  let stderr = '';
  try {
    qemu = spawn(options.binary ?? QEMU_BINARY, [
      '-machine', 'pc,accel=tcg', '-cpu', QEMU_CPU, '-m', '64', '-smp', '1',
      '-nodefaults', '-no-user-config', '-display', 'none', '-vga', 'none', '-serial', 'none', '-monitor', 'none',
      '-no-reboot', '-S',
      '-chardev', `socket,id=gdb0,path=${socketPath},server=on,wait=off`, '-gdb', 'chardev:gdb0',
      '-kernel', kernel,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(qemu);
    qemu.once('exit', () => live.delete(qemu!));
    qemu.stderr!.setEncoding('utf8');
    qemu.stderr!.on('data', (d: string) => { if (stderr.length < 4000) stderr += d; });
    const exited = new Promise<never>((_, reject) => {
      qemu!.once('exit', (code, signal) => reject(new Error(`QEMU exited early (${signal ?? code}): ${stderr.trim()}`)));
      qemu!.once('error', (e) => reject(new Error(`cannot start ${options.binary ?? QEMU_BINARY}: ${e.message}`)));
    });
    exited.catch(() => undefined);
    const session = async (): Promise<Uint8Array> => {
      gdb = await GdbClient.connect(socketPath, Math.min(20_000, deadline - Date.now()));
      await gdb.setBreakpoint(image.done, deadline);
      await gdb.continueToStop(deadline);
      const eip = (await gdb.readRegisters(deadline))[8];
      if (eip !== image.done) throw new Error(`QEMU stopped at 0x${eip.toString(16)}, not at the end of the image (0x${image.done.toString(16)})`);
      return gdb.readMemory(image.logBase, count * LOG.size, deadline);
    };
    return await Promise.race([session(), exited]);
  } finally {
    gdb?.close();
    if (qemu && qemu.exitCode === null && qemu.signalCode === null) {
      qemu.kill('SIGKILL');
      await new Promise((r) => { qemu!.once('exit', r); setTimeout(r, 2000); });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
