// The command line of bench/run.mjs: its help text and the parsed options (bad input → UsageError).
import path from 'node:path';
import { parseArgs } from 'node:util';

/** A bad command line; run.mjs prints the message and exits 2. */
export class UsageError extends Error {}

export const HELP = `Usage: node bench/run.mjs [options]      (npm run bench -- [options])

Runs the shared benchmark guest (../shared/bench/guest) in two engine pairs, engines alternating run
by run within each pair, every run checked (BENCH START iters=N, the expected BENCH DONE result=, HALT):
  JIT pair:          hvdbg translator, v86 JIT, QEMU TCG (when qemu-system-i386 is installed) and
                     hvdbg translator + full event trace; ITERS: the smallest of the ladder for which
                     v86 JIT's bench window takes >= --target-seconds
  interpreter pair:  hvdbg interpreter (--no-translate) and v86 interpreter (--no-jit); ITERS: the
                     smallest of the ladder for which v86's interpreter takes >= --target-seconds
Ladder: 50000, 100000, 200000, 500000, 1000000 iterations (~7,088 guest instructions each). One v86
calibration run per pair (JIT at ITERS=200000, interpreter at 50000) estimates the sizes. Prints the
median wall and CPU-time MIPS per engine, the ratios translator / v86 JIT, interpreter / v86
interpreter, translator / QEMU, the trace overhead, peak RSS, the debugger's latencies and
breakpoint ratio (bench/debugger.mjs) and the Linux boot to the sentinel, hvdbg vs QEMU (when
.cache/linux holds the kernel: scripts/linux/prepare.sh). See bench/README.md.

Options:
  --iters N          pin ITERS for both pairs (no calibration)
  --runs N           runs per engine (default 3)
  --target-seconds S how long the v86 window of each pair must take (default 5)
  --quick            smoke test of every check: ITERS=1000, 1 run per engine, short debugger
                     bench, Linux boot only up to the kernel's first line (the numbers mean nothing)
  --no-v86-jit       leave out v86 JIT (the JIT pair is then sized on hvdbg's translator)
  --no-qemu          leave out QEMU TCG (bench and Linux boot)
  --no-trace         leave out the runs with a full event trace
  --no-debugger      leave out bench/debugger.mjs
  --no-linux         leave out the Linux boot
  --shared DIR       the shared bench directory (default ../shared/bench, or $HVDBG_BENCH_SHARED)
  --dist DIR         take hvdbg's cli.js and adapter.js from DIR (default dist/), e.g. the dist/ of a
                     clean checkout of one commit, so the numbers belong to that commit
  -h, --help         show this help
`;

/** Parses argv (without node and the script); throws UsageError naming the problem. */
export function parseOptions(argv, repoDir) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, strict: true, allowPositionals: false, options: {
        iters: { type: 'string' }, runs: { type: 'string' }, 'target-seconds': { type: 'string' },
        quick: { type: 'boolean' }, 'no-v86-jit': { type: 'boolean' }, shared: { type: 'string' },
        'no-qemu': { type: 'boolean' }, 'no-trace': { type: 'boolean' }, 'no-linux': { type: 'boolean' },
        'no-debugger': { type: 'boolean' }, dist: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error.message);
  }
  const positiveInt = (name, text) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value <= 0 || value > 0xFFFFFFFF) {
      throw new UsageError(`--${name} wants a positive whole number, got "${text}"`);
    }
    return value;
  };
  const targetText = parsed['target-seconds'];
  const targetSeconds = targetText === undefined ? 5 : Number(targetText);
  if (!(targetSeconds > 0) || !Number.isFinite(targetSeconds)) throw new UsageError(`--target-seconds wants a positive number, got "${targetText}"`);
  const quick = parsed.quick ?? false;
  return {
    help: parsed.help ?? false,
    quick,
    iters: positiveInt('iters', parsed.iters) ?? (quick ? 1000 : undefined),
    itersPinned: parsed.iters !== undefined,
    runs: positiveInt('runs', parsed.runs) ?? (quick ? 1 : 3),
    targetSeconds,
    includeV86Jit: !parsed['no-v86-jit'],
    includeQemu: !parsed['no-qemu'],
    includeTrace: !parsed['no-trace'],
    includeDebugger: !parsed['no-debugger'],
    includeLinux: !parsed['no-linux'],
    distDir: path.resolve(parsed.dist ?? path.join(repoDir, 'dist')),
    sharedDir: path.resolve(parsed.shared ?? process.env.HVDBG_BENCH_SHARED ?? path.join(repoDir, '..', 'shared', 'bench')),
  };
}
