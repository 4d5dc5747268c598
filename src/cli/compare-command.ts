// `hvdbg compare <kernel> --strategies hw,bt[,pv]`: runs the same guest once under each strategy and
// prints the VM events and their modeled cost side by side, and whether the guest's output agreed.
import { BootError } from '../../engine/boot/boot-error.js';
import type { StrategyName } from '../../engine/hv/strategy.js';
import type { Vm } from '../../engine/hv/vm.js';
import { formatComparison } from '../../engine/hv/stats/format.js';
import { compareStrategies, type CompareHost } from '../../engine/hv/stats/compare-run.js';
import { parseCommandLine, parseCount, parseSeconds, parseSize, type OptionSpec } from './args.js';
import { readKernel } from './read-kernel.js';
import { createVm, loadKernel } from './run-command.js';
import { runInSlices } from './run-loop.js';
import { checkMemory, checkStrategy, DEFAULT_MEMORY } from './run-options.js';
import { describeRunStop } from './run-report.js';
import { UsageError } from './usage-error.js';

export const COMPARE_HELP = `Usage: hvdbg compare <kernel> [--strategies hw,bt[,pv]] [options]

Runs <kernel> once under each strategy (hw: VT-x VM exits; bt: binary translation callouts; pv:
paravirtual hypercalls, for kernels built for it) and prints, side by side, how the guest stopped,
the instructions it retired, its VM events per kind and reason with their modeled cost in host
cycles (the cost table is in docs/hypervisor.md), and whether its output was identical. A strategy
that cannot run the kernel is reported with the reason and the others still run.

Options:
      --strategies LIST      comma-separated strategies (default hw,bt)
  -m, --mem SIZE             guest RAM (default 64M)
      --append TEXT          kernel command line
      --timeout SECONDS      wall-time limit for each run
      --max-instructions N   stop each run after exactly N retired instructions
      --json                 print the comparison as one JSON object (docs/cli.md) instead of the table
  -h, --help                 show this help
`;

const SPECS: readonly OptionSpec[] = [
  { name: 'strategies', takesValue: true },
  { name: 'mem', takesValue: true, alias: 'm' },
  { name: 'append', takesValue: true },
  { name: 'timeout', takesValue: true },
  { name: 'max-instructions', takesValue: true },
  { name: 'json', takesValue: false },
];

export interface CompareOptions {
  kernel: string;
  strategies: StrategyName[];
  memoryBytes: number;
  append: string;
  timeoutSeconds?: number;
  maxInstructions?: number;
  json: boolean;
}

/** Parses `hvdbg compare` arguments; 'help' for -h/--help. */
export function parseCompareOptions(argv: readonly string[]): CompareOptions | 'help' {
  const args = parseCommandLine(argv, SPECS, 'hvdbg compare');
  if (args.help) return 'help';
  if (args.positionals.length !== 1) {
    throw new UsageError(`hvdbg compare: one kernel file expected, got ${args.positionals.length === 0 ? 'none' : args.positionals.join(' ')} (see hvdbg compare --help)`);
  }
  const v = args.values;
  const list = (v.get('strategies') ?? 'hw,bt').split(',').map((s) => s.trim());
  try {
    const strategies = list.map((s) => checkStrategy(s, '--strategies'));
    if (new Set(strategies).size !== strategies.length) throw new UsageError(`--strategies: '${list.join(',')}' names a strategy twice`);
    const mem = v.get('mem'), timeout = v.get('timeout'), limit = v.get('max-instructions');
    return {
      kernel: args.positionals[0], strategies, append: v.get('append') ?? '', json: args.flags.has('json'),
      memoryBytes: mem === undefined ? DEFAULT_MEMORY : checkMemory(parseSize(mem, '--mem'), mem),
      ...(timeout === undefined ? {} : { timeoutSeconds: parseSeconds(timeout, '--timeout') }),
      ...(limit === undefined ? {} : { maxInstructions: parseCount(limit, '--max-instructions') }),
    };
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`hvdbg compare: ${error.message}`);
    throw error;
  }
}

/** The CLI's way of making and running a VM for the comparison: its boot loaders and its slice loop. */
export function cliCompareHost(options: CompareOptions, bytes: Uint8Array): CompareHost<Vm> {
  return {
    prepare(strategy) {
      const name = strategy as StrategyName;
      try {
        const vm = createVm(options.memoryBytes, [], 1, 'virtual', name);
        loadKernel(vm, bytes, { kernel: options.kernel, append: options.append, initrd: [], strategy: name });
        return vm;
      } catch (error) {
        if (error instanceof UsageError || error instanceof BootError) return { refused: error.message.replace(/^hvdbg: /, '') };
        throw error;
      }
    },
    run: async (vm) => describeRunStop(await runInSlices(vm, options)),
  };
}

/** Runs `hvdbg compare`; resolves to the exit status (0 when every strategy ran, 1 when one could not). */
export async function compareCommand(argv: readonly string[]): Promise<number> {
  const options = parseCompareOptions(argv);
  if (options === 'help') { process.stdout.write(COMPARE_HELP); return 0; }
  const bytes = readKernel(options.kernel);
  const { model, results } = await compareStrategies(options.kernel, options.strategies, cliCompareHost(options, bytes), options.maxInstructions);
  const allRan = results.every((r) => r.ok);
  if (options.json) {
    process.stdout.write(JSON.stringify(model) + '\n');
    return allRan ? 0 : 1;
  }
  const runs = results.flatMap((r) => (r.ok ? [r.run] : []));
  const lines = runs.length > 0 ? formatComparison(runs, options.kernel) : [`hvdbg compare ${options.kernel}`];
  for (const r of results) if (!r.ok) lines.push(`  ${r.strategy}: not run — ${r.why}`);
  process.stdout.write(lines.join('\n') + '\n');
  return allRan ? 0 : 1;
}
