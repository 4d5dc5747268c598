// The options of `hvdbg run`: parsed from argv, validated, with their defaults.
import { formatBytes } from '../../engine/boot/boot-error.js';
import { parseCommandLine, parseCount, parseSeconds, parseSize, type OptionSpec } from './args.js';
import { UsageError } from './usage-error.js';
import { isStrategyName, type StrategyName } from '../../engine/hv/strategy.js';
import { MAX_DISKS, parseDiskSpec, type DiskSpec } from './disk-files.js';

export interface RunOptions {
  kernel: string;            // path of the kernel file, also its display name
  memoryBytes: number;       // guest RAM
  append: string;            // text after the kernel name on the multiboot command line
  timeoutSeconds?: number;   // wall-clock limit
  maxInstructions?: number;  // retired-instruction limit (exact)
  stats: boolean;            // print the detailed statistics
  strategy: StrategyName;    // --strategy hw|bt|pv: how the guest is virtualized (default hw)
  audit?: boolean;           // --audit: report sensitive-unprivileged instructions trap-and-emulate gets wrong
  json: boolean;             // print the summary as one JSON line
  serialIn: boolean;         // --serial-in: the host's stdin goes to COM1's receiver
  screen: boolean;           // --screen: print the VGA text screen when the run ends
  clock: 'virtual' | 'realtime'; // --clock: guest timers from retired instructions (default) or wall time
  disks?: DiskSpec[];        // --disk images: primary IDE master, then slave (absent when none)
  diskBoot?: boolean;        // no kernel given: boot from the first --disk (kernel is then its file name)
  cpus?: number;             // --cpus: vCPUs (1–MAX_CPUS; absent = 1); the first boots, the others wait for INIT/SIPI
  initrd: string[];          // --initrd files, in order (a bzImage's initial ramdisk; empty when none)
  /** Each --initrd entry as written ("file args"): a multiboot module's command line; parallel to initrd. */
  initrdCommandLines?: string[];
  noTranslate?: boolean;     // --no-translate: every instruction through the interpreter (no translated blocks)
  trace?: string;            // --trace FILE: every VM event written to FILE as .hvtrace (docs/trace-format.md)
}

export const RUN_COMMAND = 'hvdbg run';
export const DEFAULT_MEMORY = 64 * 1024 * 1024;
export const MIN_MEMORY = 2 * 1024 * 1024;
export const MAX_MEMORY = 0xF000_0000; // 3840 MiB: the PC's MMIO hole starts above
/** Most vCPUs --cpus accepts (the engine's MAX_CPUS). */
export const MAX_CPUS = 8;

const RUN_SPECS: readonly OptionSpec[] = [
  { name: 'mem', takesValue: true, alias: 'm' },
  { name: 'append', takesValue: true },
  { name: 'timeout', takesValue: true },
  { name: 'max-instructions', takesValue: true },
  { name: 'stats', takesValue: false },
  { name: 'strategy', takesValue: true },
  { name: 'audit', takesValue: false },
  { name: 'json', takesValue: false },
  { name: 'serial-in', takesValue: false },
  { name: 'screen', takesValue: false },
  { name: 'clock', takesValue: true },
  { name: 'disk', takesValue: true },
  { name: 'cpus', takesValue: true },
  { name: 'initrd', takesValue: true },
  { name: 'trace', takesValue: true },
  { name: 'no-translate', takesValue: false },
];

/** Parses `hvdbg run` arguments; returns 'help' for -h/--help. */
export function parseRunOptions(argv: readonly string[]): RunOptions | 'help' {
  const args = parseCommandLine(argv, RUN_SPECS, RUN_COMMAND);
  if (args.help) return 'help';
  const diskBoot = args.positionals.length === 0 && (args.all.get('disk') ?? []).length > 0;
  if (args.positionals.length === 0 && !diskBoot) throw new UsageError(`${RUN_COMMAND}: missing the kernel file (see ${RUN_COMMAND} --help)`);
  if (args.positionals.length > 1) {
    throw new UsageError(`${RUN_COMMAND}: one kernel file expected, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  }
  try {
    const options = optionsFrom(args.positionals[0] ?? '', args.values, args.flags);
    const disks = args.all.get('disk') ?? [];
    if (disks.length > MAX_DISKS) throw new UsageError(`--disk: at most ${MAX_DISKS} disks (primary IDE master and slave), got ${disks.length}`);
    if (disks.length > 0) options.disks = disks.map(parseDiskSpec);
    if (diskBoot) { options.diskBoot = true; options.kernel = options.disks![0].file; }
    const initrd = (args.all.get('initrd') ?? []).flatMap(splitInitrd);
    options.initrd = initrd.map((e) => e.file);
    if (initrd.length > 0) options.initrdCommandLines = initrd.map((e) => e.commandLine);
    return options;
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${RUN_COMMAND}: ${error.message}`);
    throw error;
  }
}

function optionsFrom(kernel: string, values: Map<string, string>, flags: Set<string>): RunOptions {
  const mem = values.get('mem');
  const timeout = values.get('timeout');
  const limit = values.get('max-instructions');
  const cpus = values.get('cpus');
  return {
    kernel,
    memoryBytes: mem === undefined ? DEFAULT_MEMORY : checkMemory(parseSize(mem, '--mem'), mem),
    append: values.get('append') ?? '',
    timeoutSeconds: timeout === undefined ? undefined : parseSeconds(timeout, '--timeout'),
    maxInstructions: limit === undefined ? undefined : parseCount(limit, '--max-instructions'),
    stats: flags.has('stats'),
    strategy: checkStrategy(values.get('strategy') ?? 'hw'),
    ...(flags.has('audit') ? { audit: true } : {}),
    ...(flags.has('no-translate') ? { noTranslate: true } : {}),
    json: flags.has('json'),
    serialIn: flags.has('serial-in'),
    screen: flags.has('screen'),
    clock: checkClock(values.get('clock') ?? 'virtual'),
    ...(cpus === undefined ? {} : { cpus: checkCpus(parseCount(cpus, '--cpus')) }),
    ...(values.get('trace') === undefined ? {} : { trace: checkTracePath(values.get('trace')!) }),
    initrd: [],
  };
}

function checkTracePath(path: string): string {
  if (path.trim() === '') throw new UsageError('--trace: the trace file name is empty');
  return path;
}

/** --strategy (and compare's --strategies): one of hw, bt, pv. */
export function checkStrategy(value: string, option = '--strategy'): StrategyName {
  if (isStrategyName(value)) return value;
  throw new UsageError(`${option}: '${value}' is not a strategy (use hw, bt or pv)`);
}

function checkClock(value: string): 'virtual' | 'realtime' {
  if (value === 'virtual' || value === 'realtime') return value;
  throw new UsageError(`--clock: '${value}' is not a clock mode (use virtual or realtime)`);
}

/**
 * One --initrd value, QEMU-style: entries separated by commas (",," is a literal comma); each entry
 * is a file name, optionally followed by a space and arguments. For a multiboot kernel the whole
 * entry is the module's command line, as QEMU passes it.
 */
export function splitInitrd(value: string): { file: string; commandLine: string }[] {
  const entries: string[] = [];
  let current = '';
  for (let k = 0; k < value.length; k++) {
    if (value[k] !== ',') { current += value[k]; continue; }
    if (value[k + 1] === ',') { current += ','; k++; continue; }
    entries.push(current); current = '';
  }
  entries.push(current);
  return entries.map((raw) => {
    const entry = raw.trim();
    if (entry === '') throw new UsageError(`--initrd: empty file name in '${value}'`);
    const space = entry.indexOf(' ');
    return { file: space < 0 ? entry : entry.slice(0, space), commandLine: entry };
  });
}

function checkCpus(n: number): number {
  if (n > MAX_CPUS) throw new UsageError(`--cpus: at most ${MAX_CPUS} CPUs are supported (got ${n})`);
  return n;
}

export function checkMemory(bytes: number, text: string): number {
  if (bytes % 4096 !== 0) throw new UsageError(`--mem: ${text} is not a multiple of 4 KiB`);
  if (bytes < MIN_MEMORY) throw new UsageError(`--mem: ${text} is too small (at least ${formatBytes(MIN_MEMORY)})`);
  if (bytes > MAX_MEMORY) throw new UsageError(`--mem: ${text} is too large (at most ${formatBytes(MAX_MEMORY)})`);
  return bytes;
}
