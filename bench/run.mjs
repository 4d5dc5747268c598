#!/usr/bin/env node
// `npm run bench`: builds the shared benchmark guest, runs it alternately under hvdbg's translator and
// interpreter, v86's interpreter and JIT and QEMU TCG, checks every checksum, prints medians and ratios.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchRunError, defineEngines, runEngine } from './lib/engines.mjs';
import { buildGuest, expectedResult, GuestBuildError } from './lib/guest.mjs';
import { reportRatios } from './lib/report.mjs';
import { runDebuggerBench } from './lib/debugger-bench.mjs';
import { benchLinuxBoot } from './lib/linux-boot.mjs';

const HELP = `Usage: node bench/run.mjs [options]      (npm run bench -- [options])

Builds ../shared/bench/guest for ITERS iterations, then runs it N times under each engine, alternating
engines run by run: hvdbg's translator and interpreter (node dist/cli.js run --json [--no-translate]),
v86's interpreter and JIT (../shared/bench/peers/run-v86.mjs), QEMU TCG when qemu-system-i386 is
installed (run-qemu-tcg.mjs), and hvdbg's translator writing a full event trace (--trace). Every run
must print BENCH START iters=ITERS, the expected BENCH DONE result= and HALT, or the bench fails.
Prints median MIPS per engine and the ratios translator / v86 JIT, interpreter / v86 interpreter,
translator / QEMU, the trace overhead, peak RSS, and bench/debugger.mjs's numbers when it exists.
See bench/README.md.

Options:
  --iters N         benchmark iterations (default: the smallest of 50000, 100000, 200000, 500000,
                    1000000 for which hvdbg's bench window takes at least --min-seconds at the cold,
                    so pessimistic, speed of its calibration run: 50000 unless hvdbg is very fast)
  --runs N          runs per engine (default 3)
  --min-seconds S   target length of hvdbg's bench window when choosing ITERS (default 3)
  --quick           smoke test: ITERS=1000, 1 run per engine (the MIPS are not meaningful)
  --no-v86-jit      skip the v86 JIT runs
  --no-qemu         skip the QEMU TCG runs
  --no-trace        skip the runs with a full event trace
  --no-linux        skip the Linux boot (hvdbg vs QEMU to the initramfs sentinel; needs .cache/linux)
  --shared DIR      the shared bench directory (default ../shared/bench, or $HVDBG_BENCH_SHARED)
  -h, --help        show this help
`;

// Default sizes, smallest first: 50,000 iterations (354 M instructions) keeps every engine's run long
// enough for V8/JIT warm-up to matter little and for run-to-run noise to average out.
const ITERS_LADDER = [50_000, 100_000, 200_000, 500_000, 1_000_000];
const CALIBRATION_ITERS = [1000, 2000];   // same digit count, so the two guests differ only in the loop count
const RUN_TIMEOUT_MS = 30 * 60 * 1000;
const MIN_WINDOW_SECONDS = 0.1;          // shorter windows are below hvdbg's output granularity (~50 ms slices)

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(repoDir, 'bench', 'out');

class UsageError extends Error {}

function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, strict: true, allowPositionals: false, options: {
        iters: { type: 'string' }, runs: { type: 'string' }, 'min-seconds': { type: 'string' },
        quick: { type: 'boolean' }, 'no-v86-jit': { type: 'boolean' }, shared: { type: 'string' },
        'no-qemu': { type: 'boolean' }, 'no-trace': { type: 'boolean' }, 'no-linux': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error.message);
  }
  const positiveInt = (name, text) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0 || value > 0xFFFFFFFF) throw new UsageError(`--${name} wants a positive whole number, got "${text}"`);
    return value;
  };
  const minSeconds = parsed['min-seconds'] === undefined ? 3 : Number(parsed['min-seconds']);
  if (!(minSeconds > 0)) throw new UsageError(`--min-seconds wants a positive number, got "${parsed['min-seconds']}"`);
  return {
    help: parsed.help ?? false,
    quick: parsed.quick ?? false,
    iters: positiveInt('iters', parsed.iters) ?? (parsed.quick ? 1000 : undefined),
    runs: positiveInt('runs', parsed.runs) ?? (parsed.quick ? 1 : 3),
    minSeconds,
    includeV86Jit: !parsed['no-v86-jit'],
    includeQemu: !parsed['no-qemu'],
    includeTrace: !parsed['no-trace'],
    includeLinux: !parsed['no-linux'] && !parsed.quick,
    sharedDir: path.resolve(parsed.shared ?? process.env.HVDBG_BENCH_SHARED ?? path.join(repoDir, '..', 'shared', 'bench')),
  };
}

/**
 * Checks the built CLI, the peer script and the v86 package are there; returns their paths and v86's
 * version. The CLI bundle is copied to bench/out/hvdbg/ and run from there, so every hvdbg run of one
 * bench uses the same build even when something rebuilds dist/ meanwhile (npm test does).
 */
function locateTools(sharedDir) {
  const builtCli = path.join(repoDir, 'dist', 'cli.js');
  if (!existsSync(builtCli)) throw new UsageError(`${builtCli} is missing: run "npm run build" (npm run bench does)`);
  const cliPath = path.join(outDir, 'hvdbg', 'cli.js');
  mkdirSync(path.dirname(cliPath), { recursive: true });
  copyFileSync(builtCli, cliPath);
  if (existsSync(`${builtCli}.map`)) copyFileSync(`${builtCli}.map`, `${cliPath}.map`);
  const peerV86Path = path.join(sharedDir, 'peers', 'run-v86.mjs');
  if (!existsSync(peerV86Path)) throw new UsageError(`v86 peer script not found: ${peerV86Path} (pass --shared DIR)`);
  let v86Version;
  try {
    const requireFromRepo = createRequire(path.join(repoDir, 'package.json'));
    v86Version = requireFromRepo('v86/package.json').version;
  } catch {
    throw new UsageError('the v86 npm package is not installed: run "npm install" (it is a devDependency)');
  }
  const peerQemuPath = path.join(sharedDir, 'peers', 'run-qemu-tcg.mjs');
  const qemu = existsSync(peerQemuPath) && hasCommand('qemu-system-i386') ? peerQemuPath : undefined;
  return { cliPath, peerV86Path, v86Version, peerQemuPath: qemu, traceFile: path.join(outDir, 'bench.hvtrace') };
}

function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Builds the guest for iters (once per run of this script) and establishes its expected result. */
const builds = new Map();
function guestFor(sharedDir, iters) {
  if (!builds.has(iters)) {
    const built = buildGuest(path.join(sharedDir, 'guest'), iters, path.join(outDir, `iters-${iters}`));
    builds.set(iters, { ...built, iters, ...expectedResult(iters, built.native64) });
  }
  return builds.get(iters);
}

/** The commit dist/ was most likely built from, and whether engine/ or src/ had uncommitted changes. */
function gitState() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'engine', 'src') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in engine/ or src/' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (value, digits = 1) => (value === null || value === undefined ? '—' : value.toFixed(digits));
const group = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) { process.stdout.write(HELP); return 0; }
  const began = performance.now();
  const tools = locateTools(options.sharedDir);
  const engines = defineEngines({
    repoDir, ...tools, peerQemuPath: options.includeQemu ? tools.peerQemuPath : undefined,
    traceFile: options.includeTrace ? tools.traceFile : undefined,
  }, { includeV86Jit: options.includeV86Jit });
  if (!tools.peerQemuPath && options.includeQemu) console.log('QEMU TCG: qemu-system-i386 not installed; its runs are left out');
  const hvdbg = engines.find((e) => e.id === 'hvdbg');
  const cpus = os.cpus();
  const host = `${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, ${os.type()} ${os.release()}, node ${process.version}`;
  console.log(`host: ${host}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const source = gitState();
  console.log(`hvdbg ${source}; v86 ${tools.v86Version}; guest ${path.join(options.sharedDir, 'guest')}`);

  // Calibration: hvdbg's instruction counts at two sizes give the guest's instructions per iteration.
  const calibration = [];
  for (const iters of CALIBRATION_ITERS) {
    const guest = guestFor(options.sharedDir, iters);
    const run = await runEngine(hvdbg, { kernel: guest.kernel, iters, expected: guest.result, cwd: repoDir, timeoutMs: RUN_TIMEOUT_MS });
    calibration.push({ iters, instructions: run.summary.instructions, mips: run.summary.runMips, result: guest.result, resultSource: guest.source });
    console.log(`calibration: hvdbg ITERS=${iters}: result=${guest.result} ok (${guest.source}); ${group(run.summary.instructions)} instructions, ${fmt(run.summary.runMips)} MIPS`);
  }
  const [small, large] = calibration;
  const perIteration = (large.instructions - small.instructions) / (large.iters - small.iters);
  const overhead = small.instructions - perIteration * small.iters;
  console.log(`calibration: ${perIteration.toFixed(3)} guest instructions per iteration; ${group(overhead)} outside the loop`);

  let iters = options.iters;
  if (iters === undefined) {
    const mips = Math.max(large.mips, 0.1);
    iters = ITERS_LADDER.find((n) => (perIteration * n) / (mips * 1e6) >= options.minSeconds) ?? ITERS_LADDER[ITERS_LADDER.length - 1];
    console.log(`ITERS=${iters}: hvdbg's window estimated at ${fmt((perIteration * iters) / (mips * 1e6))} s (target ≥ ${options.minSeconds} s at ${fmt(mips)} MIPS)`);
  }
  const guest = guestFor(options.sharedDir, iters);
  copyFileSync(guest.kernel, path.join(outDir, 'kernel.elf'));
  const windowInstructions = Math.round(perIteration * iters);
  console.log(`guest: ${path.relative(repoDir, guest.kernel)} (also bench/out/kernel.elf), ITERS=${iters}, expected result=${guest.result} (${guest.source}); ` +
    `${group(windowInstructions)} instructions in the bench window`);
  if (options.quick) console.log('quick mode: a smoke test of the checks; the MIPS below are not meaningful');

  // Rounds: every engine once per round, the order rotating so no engine always runs first or last.
  const runs = [];
  for (let round = 0; round < options.runs; round++) {
    const order = engines.map((_, i) => engines[(i + round) % engines.length]);
    for (const engine of order) {
      const run = await runEngine(engine, { kernel: guest.kernel, iters, expected: guest.result, cwd: repoDir, timeoutMs: RUN_TIMEOUT_MS, windowInstructions });
      run.round = round + 1;
      run.stdoutWindowMips = run.windowWallSeconds >= MIN_WINDOW_SECONDS ? windowInstructions / run.windowWallSeconds / 1e6 : null;
      runs.push(run);
      console.log(`run ${round + 1}/${options.runs} ${engine.label.padEnd(27)} result ok: ${fmt(run.mips)} MIPS, cpu ${fmt(run.cpuMips)} ` +
        `(${fmt(run.span.wallSeconds, 2)} s wall, ${fmt(run.span.cpuSeconds, 2)} s cpu); stdout window ${fmt(run.windowWallSeconds, 2)} s → ${fmt(run.stdoutWindowMips)} MIPS` +
        (!engine.id.startsWith('v86') ? '' : `; v86 2nd half ${fmt(run.summary.windowSecondHalfMips)} MIPS`));
    }
  }

  // Summary.
  const values = (list, key) => list.map((r) => r[key]).filter((v) => typeof v === 'number' && Number.isFinite(v));
  const perEngine = engines.map((engine) => {
    const mine = runs.filter((r) => r.engine === engine.id);
    const mips = values(mine, 'mips');
    return {
      engine: engine.id, label: engine.label, informational: engine.informational, runs: mine.length, span: mine[0]?.span.what,
      medianMips: median(mips), minMips: mips.length ? Math.min(...mips) : null, maxMips: mips.length ? Math.max(...mips) : null,
      medianCpuMips: median(values(mine, 'cpuMips')),
      medianStdoutWindowMips: median(values(mine, 'stdoutWindowMips')),
      medianSeconds: median(mine.map((r) => r.span.wallSeconds)),
      medianPeakRssMiB: median(values(mine, 'peakRssMiB')),
    };
  });
  console.log('');
  console.log(`ITERS=${iters}, ${options.runs} run(s) per engine, ${group(windowInstructions)} instructions in the bench window; medians:`);
  console.log(`  ${'engine'.padEnd(27)} ${'MIPS (min–max)'.padStart(22)} ${'cpu MIPS'.padStart(9)} ${'seconds'.padStart(8)} ${'stdout-window MIPS'.padStart(19)}`);
  for (const e of perEngine) {
    const range = `${fmt(e.medianMips)} (${fmt(e.minMips)}–${fmt(e.maxMips)})`;
    console.log(`  ${e.label.padEnd(27)} ${range.padStart(22)} ${fmt(e.medianCpuMips).padStart(9)} ${fmt(e.medianSeconds, 2).padStart(8)} ` +
      `${fmt(e.medianStdoutWindowMips).padStart(19)}`);
  }
  console.log('  MIPS: hvdbg over its run loop (its --json summary), v86 over its bench window (its own count and clock);');
  console.log('  cpu MIPS: the same spans in the child\'s CPU time (/proc); stdout-window: BENCH START→DONE arrival, a');
  console.log('  cross-check that flatters hvdbg (its output is flushed once per run slice, the first of 1 M instructions).');
  const v86Window = runs.find((r) => r.engine === 'v86')?.summary.windowInstructions;
  if (v86Window) {
    const diff = (windowInstructions - v86Window) / v86Window * 100;
    console.log(`window instructions: ${group(windowInstructions)} from hvdbg's calibration vs ${group(v86Window)} counted by v86 (${diff.toFixed(3)}%)`);
  }
  const ratios = reportRatios(perEngine, options);
  const debuggerBench = await runDebuggerBench(repoDir);
  const linuxBoot = options.includeLinux ? await benchLinuxBoot(repoDir, tools.cliPath, { qemu: Boolean(tools.peerQemuPath) && options.includeQemu }) : null;
  const elapsedSeconds = (performance.now() - began) / 1000;
  console.log(`bench took ${fmt(elapsedSeconds)} s; details in ${path.relative(repoDir, path.join(outDir, 'results.json'))}`);

  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'results.json'), JSON.stringify({
    date: new Date().toISOString(), host, hvdbgSource: source, loadAverage: os.loadavg(), v86Version: tools.v86Version,
    quick: options.quick, iters, runsPerEngine: options.runs, expectedResult: guest.result, resultSource: guest.source,
    calibration: { runs: calibration, perIteration, overhead }, windowInstructions, v86WindowInstructions: v86Window ?? null,
    engines: perEngine, ratios, debuggerBench, linuxBoot, runs, elapsedSeconds,
  }, null, 2) + '\n');
  return 0;
}

main().then((status) => { process.exitCode = status; }, (error) => {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof BenchRunError || error instanceof GuestBuildError) {
    console.error(`\nBENCH FAILED: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
