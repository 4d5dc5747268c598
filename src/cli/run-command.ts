// `hvdbg run <kernel>`: boots a multiboot kernel or a Linux bzImage headless, streams its serial and
// debugcon output to stdout, and prints why it stopped with instruction and VM-exit statistics on stderr.
import { BootError, formatBytes } from '../../engine/boot/boot-error.js';
import { loadMultiboot, type MultibootResult } from '../../engine/boot/multiboot.js';
import { isBzImage } from '../../engine/boot/linux/setup-header.js';
import { loadLinux, type LinuxResult } from '../../engine/boot/linux/linux.js';
import { Vm, type GuestOutput } from '../../engine/hv/vm.js';
import { bootFromDisk, type DiskBootResult } from '../../engine/boot/disk-boot.js';
import { snapshotCpu } from './cpu-snapshot.js';
import { exitStatusForRun } from './exit-status.js';
import { RUN_HELP } from './help.js';
import { readKernel } from './read-kernel.js';
import { runInSlices, type Interruption, type RunStop } from './run-loop.js';
import { parseRunOptions, type RunOptions } from './run-options.js';
import type { RunReport } from './run-report.js';
import { formatJsonSummary } from './summary-json.js';
import { enableAudit } from '../../engine/hv/audit/enable-audit.js';
import { formatAuditSummary } from './audit-summary.js';
import { formatSummary } from './summary.js';
import { UsageError } from './usage-error.js';
import { closeDisks, openDisks, type OpenDisks } from './disk-files.js';
import type { BlockDevice } from '../../engine/storage/block-device.js';
import { openTraceFile, type TraceFile } from '../adapter/trace-file.js';
import { isPvKernel, loadPvKernel, type PvBootResult } from '../../engine/boot/pv-boot.js';
import type { StrategyName } from '../../engine/hv/strategy.js';
import { VmStatistics } from '../../engine/hv/stats/vm-statistics.js';
import { formatStatistics } from '../../engine/hv/stats/format.js';

/** Runs `hvdbg run` with argv (the words after "run"); resolves to the process exit status. */
export async function runCommand(argv: readonly string[]): Promise<number> {
  const options = parseRunOptions(argv);
  if (options === 'help') { process.stdout.write(RUN_HELP); return 0; }
  const bytes = options.diskBoot ? new Uint8Array(0) : readKernel(options.kernel);
  const disks = openDisks(options.disks ?? []);   // every image checked before the guest starts
  try {
    return await runWithDisks(options, bytes, disks);
  } finally {
    closeDisks(disks);                       // fsync writable images, close every file
  }
}

async function runWithDisks(options: RunOptions, bytes: Uint8Array, disks: OpenDisks): Promise<number> {
  const vm = createVm(options.memoryBytes, disks.devices, options.cpus, options.clock, options.strategy, !options.noTranslate);
  let boot: BootResult;
  try {
    boot = loadKernel(vm, bytes, options);
  } catch (error) {
    if (error instanceof BootError) throw new UsageError(`hvdbg: ${error.message}`);
    throw error;
  }
  const audit = options.audit ? enableAudit(vm) : undefined;
  const stats = options.stats ? new VmStatistics(vm.strategy.name) : undefined;   // --stats: per kind/reason, modeled cost
  stats?.observe(vm);
  const output = new OutputPump();
  vm.onOutput.event((o) => output.add(o));
  const trace = options.trace ? startTrace(options.trace, vm, options.kernel) : undefined;
  const stopSerialInput = options.serialIn ? forwardStdinToCom1(vm) : () => {};
  const started = performance.now();
  const stop = await withInterruptions((interruption) => runInSlices(vm, options, {
    afterSlice: () => output.flush(),
    interruption: () => output.closed ? { kind: 'interrupted', cause: 'stdout closed' } : interruption(),
  })).finally(stopSerialInput);
  const wallSeconds = (performance.now() - started) / 1000;
  trace?.close(`${stop.kind} after ${vm.instructions} instructions`);
  output.flush();
  output.finishLine();
  if (options.screen) process.stderr.write(formatScreen(vm.platform.vga.screenText()));
  const report = buildReport(options, vm, boot, stop, wallSeconds, output);
  if (audit) process.stderr.write(formatAuditSummary(audit.tally()).join('\n') + '\n');
  if (stats && !options.json) process.stderr.write(formatStatistics(stats, vm.instructions).join('\n') + '\n');
  if (options.json) process.stderr.write(formatJsonSummary(report, options.stats) + '\n');
  else process.stderr.write(formatSummary(report, options.stats).join('\n') + '\n');
  return report.exitStatus;
}

/** --trace FILE: every VM event of the run into FILE (created or truncated before the guest starts). */
function startTrace(path: string, vm: Vm, kernel: string): TraceFile {
  try {
    return openTraceFile(path, vm, [['kernel', kernel], ['strategy', vm.strategy.name]]);
  } catch (error) {
    throw new UsageError(`hvdbg: --trace: cannot write ${path}: ${(error as Error).message}`);
  }
}

/** --serial-in: bytes typed on stdin reach COM1's receiver; returns the function that stops it. */
function forwardStdinToCom1(vm: Vm): () => void {
  const onData = (chunk: Buffer) => vm.com1.receive(chunk);
  process.stdin.on('data', onData);
  return () => { process.stdin.off('data', onData); process.stdin.pause(); };
}

/** --screen: the 80×25 text screen, framed so it stands apart from the guest's serial output. */
function formatScreen(text: string): string {
  const rule = '-'.repeat(80);
  return `hvdbg: VGA text screen at exit\n${rule}\n${text.replace(/\n+$/, '')}\n${rule}\n`;
}

/** What a loader reports about the guest it started. */
export type BootResult = MultibootResult | LinuxResult | DiskBootResult | PvBootResult;

/**
 * Under --strategy pv, the pv loader (Xen ELF notes); otherwise a bzImage ("HdrS" at 0x202) boots by
 * the Linux boot protocol and anything else as multiboot.
 */
export function loadKernel(vm: Vm, bytes: Uint8Array, options: Pick<RunOptions, 'kernel' | 'append' | 'initrd' | 'initrdCommandLines' | 'diskBoot' | 'strategy'>): BootResult {
  if (options.diskBoot) return bootFromDisk(vm, options.kernel);   // no kernel: sector 0 of the first disk
  if (options.strategy === 'pv') return loadPvKernel(vm, bytes, options.kernel, { append: options.append });
  if (isPvKernel(bytes, options.kernel)) {
    throw new UsageError(`hvdbg: ${options.kernel} is a paravirtual kernel (it carries Xen ELF notes): run it with --strategy pv`);
  }
  if (isBzImage(bytes)) {
    const initrd = options.initrd.map((name) => ({ name, bytes: readKernel(name) }));
    return loadLinux(vm, bytes, options.kernel, { append: options.append, initrd });
  }
  // A multiboot kernel gets each --initrd file as a module, with the entry ("file args") as its string.
  const modules = options.initrd.map((file, k) => ({ file, bytes: readKernel(file), commandLine: options.initrdCommandLines?.[k] ?? file }));
  return loadMultiboot(vm, bytes, options.kernel, { append: options.append, modules });
}

export function createVm(memoryBytes: number, disks: BlockDevice[], cpus = 1, clock: RunOptions['clock'] = 'virtual', strategy: StrategyName = 'hw', translation = true): Vm {
  try {
    return new Vm({ memoryBytes, disks, cpus, strategy, translation, ...(clock === 'realtime' ? { hostNowMs: () => performance.now() } : {}) });
  } catch (error) {
    if (error instanceof Error && /not available in this build/.test(error.message)) throw new UsageError(`hvdbg: --strategy ${strategy}: ${error.message}`);
    if (error instanceof RangeError) {
      throw new UsageError(`hvdbg: cannot allocate ${formatBytes(memoryBytes)} of guest RAM (${error.message}); try a smaller --mem`);
    }
    throw error;
  }
}

function buildReport(options: RunOptions, vm: Vm, boot: BootResult, stop: RunStop, wallSeconds: number, output: OutputPump): RunReport {
  return {
    kernel: options.kernel, memoryBytes: options.memoryBytes, commandLine: boot.commandLine,
    stop, exitStatus: exitStatusForRun(stop), instructions: vm.instructions, wallSeconds,
    exits: new Map(vm.exitCounts), output: { serial: output.serialBytes, debugcon: output.debugconBytes },
    detail: options.stats
      ? { entry: boot.entry, loadedRanges: boot.loadedRanges, symbols: boot.symbols.length, cpu: snapshotCpu(vm.cpu) }
      : undefined,
  };
}

/** Runs body with SIGINT/SIGTERM turned into an interruption the run loop polls between slices. */
async function withInterruptions<T>(body: (poll: () => Interruption | undefined) => Promise<T>): Promise<T> {
  let received: Interruption | undefined;
  const onInt = () => { received = { kind: 'interrupted', cause: 'SIGINT' }; };
  const onTerm = () => { received = { kind: 'interrupted', cause: 'SIGTERM' }; };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await body(() => received);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** Collects guest output during a slice and writes it to stdout as raw bytes after the slice. */
class OutputPump {
  serialBytes = 0;           // bytes the guest wrote to COM1
  debugconBytes = 0;         // bytes the guest wrote to port 0xE9
  closed = false;            // stdout went away (EPIPE): stop the run
  private pending: Uint8Array[] = [];
  private lastByte = 0x0A;   // last byte written, to end the guest's last line before the summary

  constructor() {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.closed = true;
      else throw error;
    });
  }

  add(o: GuestOutput): void {
    if (o.source === 'serial') this.serialBytes += o.bytes.length; else this.debugconBytes += o.bytes.length;
    this.pending.push(o.bytes);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.lastByte = chunk[chunk.length - 1];
    if (!this.closed) process.stdout.write(chunk);
  }

  /** On a terminal, starts the summary on a fresh line when the guest's output did not end with one. */
  finishLine(): void {
    if (this.lastByte !== 0x0A && process.stdout.isTTY && !this.closed) process.stdout.write('\n');
  }
}
