// The options of `hvdbg run`: parsed from argv, validated, with their defaults.
import { formatBytes } from '../../engine/boot/boot-error.js';
import { parseCommandLine, parseCount, parseSeconds, parseSize, type OptionSpec } from './args.js';
import { UsageError } from './usage-error.js';
import { MAX_DISKS, parseDiskSpec, type DiskSpec } from './disk-files.js';

export interface RunOptions {
  kernel: string;            // path of the kernel file, also its display name
  memoryBytes: number;       // guest RAM
  append: string;            // text after the kernel name on the multiboot command line
  timeoutSeconds?: number;   // wall-clock limit
  maxInstructions?: number;  // retired-instruction limit (exact)
  stats: boolean;            // print the detailed statistics
  json: boolean;             // print the summary as one JSON line
  disks?: DiskSpec[];        // --disk images: primary IDE master, then slave (absent when none)
}

export const RUN_COMMAND = 'hvdbg run';
export const DEFAULT_MEMORY = 64 * 1024 * 1024;
export const MIN_MEMORY = 2 * 1024 * 1024;
export const MAX_MEMORY = 0xF000_0000; // 3840 MiB: the PC's MMIO hole starts above

const RUN_SPECS: readonly OptionSpec[] = [
  { name: 'mem', takesValue: true, alias: 'm' },
  { name: 'append', takesValue: true },
  { name: 'timeout', takesValue: true },
  { name: 'max-instructions', takesValue: true },
  { name: 'stats', takesValue: false },
  { name: 'json', takesValue: false },
  { name: 'disk', takesValue: true },
];

/** Parses `hvdbg run` arguments; returns 'help' for -h/--help. */
export function parseRunOptions(argv: readonly string[]): RunOptions | 'help' {
  const args = parseCommandLine(argv, RUN_SPECS, RUN_COMMAND);
  if (args.help) return 'help';
  if (args.positionals.length === 0) throw new UsageError(`${RUN_COMMAND}: missing the kernel file (see ${RUN_COMMAND} --help)`);
  if (args.positionals.length > 1) {
    throw new UsageError(`${RUN_COMMAND}: one kernel file expected, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  }
  try {
    const options = optionsFrom(args.positionals[0], args.values, args.flags);
    const disks = args.all.get('disk') ?? [];
    if (disks.length > MAX_DISKS) throw new UsageError(`--disk: at most ${MAX_DISKS} disks (primary IDE master and slave), got ${disks.length}`);
    if (disks.length > 0) options.disks = disks.map(parseDiskSpec);
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
  return {
    kernel,
    memoryBytes: mem === undefined ? DEFAULT_MEMORY : checkMemory(parseSize(mem, '--mem'), mem),
    append: values.get('append') ?? '',
    timeoutSeconds: timeout === undefined ? undefined : parseSeconds(timeout, '--timeout'),
    maxInstructions: limit === undefined ? undefined : parseCount(limit, '--max-instructions'),
    stats: flags.has('stats'),
    json: flags.has('json'),
  };
}

function checkMemory(bytes: number, text: string): number {
  if (bytes % 4096 !== 0) throw new UsageError(`--mem: ${text} is not a multiple of 4 KiB`);
  if (bytes < MIN_MEMORY) throw new UsageError(`--mem: ${text} is too small (at least ${formatBytes(MIN_MEMORY)})`);
  if (bytes > MAX_MEMORY) throw new UsageError(`--mem: ${text} is too large (at most ${formatBytes(MAX_MEMORY)})`);
  return bytes;
}
