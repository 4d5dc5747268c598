#!/usr/bin/env node
// `npm run bench`: runs the shared benchmark guest in two engine pairs (translator vs v86 JIT and QEMU;
// interpreter vs v86 interpreter), each sized so v86's window takes ≥ 5 s; checks every checksum, prints medians and ratios.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BenchRunError, defineEngines, runEngine } from './lib/engines.mjs';
import { buildGuest, expectedResult, GuestBuildError } from './lib/guest.mjs';
import { HELP, parseOptions, UsageError } from './lib/options.mjs';
import { definePairs, roundOrder } from './lib/pairs.mjs';
import { reportRatios } from './lib/report.mjs';
import { chooseIters, instructionsPerIteration, nextLadderSize } from './lib/sizing.mjs';
import { fmt, group, median, printColumnNotes, printPairTable, summarizeEngine } from './lib/summary.mjs';
import { debuggerIters, runDebuggerBench } from './lib/debugger-bench.mjs';
import { benchLinuxBoot } from './lib/linux-boot.mjs';
import { tracedEvents } from './lib/trace-file.mjs';

const CALIBRATION_ITERS = [1000, 2000];   // same digit count, so the two guests differ only in the loop count
const QUICK_SIZING_ITERS = 2000;          // --quick: the sizing code runs on this size (its estimate means nothing)
const RUN_TIMEOUT_MS = 30 * 60 * 1000;
const MIN_WINDOW_SECONDS = 0.1;          // shorter stdout windows are below hvdbg's output granularity

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(repoDir, 'bench', 'out');

/**
 * Checks the built CLI, the peer script and the v86 package are there; returns their paths and v86's
 * version. The CLI and adapter bundles are copied to bench/out/hvdbg/ and run from there, so every
 * hvdbg run of one bench uses the same build even when something rebuilds dist/ meanwhile (npm test does).
 */
function locateTools(sharedDir, distDir) {
  const [cliPath, adapterPath] = ['cli.js', 'adapter.js'].map((bundle) => {
    const built = path.join(distDir, bundle);
    if (!existsSync(built)) throw new UsageError(`${built} is missing: run "npm run build" there (npm run bench builds dist/)`);
    const copy = path.join(outDir, 'hvdbg', bundle);
    mkdirSync(path.dirname(copy), { recursive: true });
    copyFileSync(built, copy);
    if (existsSync(`${built}.map`)) copyFileSync(`${built}.map`, `${copy}.map`);
    return copy;
  });
  const peerV86Path = path.join(sharedDir, 'peers', 'run-v86.mjs');
  if (!existsSync(peerV86Path)) throw new UsageError(`v86 peer script not found: ${peerV86Path} (pass --shared DIR)`);
  let v86Version;
  try {
    v86Version = createRequire(path.join(repoDir, 'package.json'))('v86/package.json').version;
  } catch {
    throw new UsageError('the v86 npm package is not installed: run "npm install" (it is a devDependency)');
  }
  const peerQemuPath = path.join(sharedDir, 'peers', 'run-qemu-tcg.mjs');
  const qemu = existsSync(peerQemuPath) && hasCommand('qemu-system-i386') ? peerQemuPath : undefined;
  return { cliPath, adapterPath, peerV86Path, v86Version, peerQemuPath: qemu, traceFile: path.join(outDir, 'bench.hvtrace') };
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

/**
 * The commit the bundles in distDir were most likely built from (the checkout distDir sits in), and
 * whether its engine/ or src/ had uncommitted changes.
 */
function gitState(distDir) {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: path.dirname(distDir), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'engine', 'src') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in engine/ or src/' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

/** Runs engine once on the guest of iters and checks it; the run's numbers. */
async function measureOnce(engine, sharedDir, iters, perIteration) {
  const guest = guestFor(sharedDir, iters);
  const windowInstructions = Math.round(perIteration * iters);
  const run = await runEngine(engine, { kernel: guest.kernel, iters, expected: guest.result, cwd: repoDir, timeoutMs: RUN_TIMEOUT_MS, windowInstructions });
  run.iters = iters;
  if (engine.traceFile) run.traceEvents = tracedEvents(engine.traceFile);
  run.stdoutWindowMips = run.windowWallSeconds >= MIN_WINDOW_SECONDS ? windowInstructions / run.windowWallSeconds / 1e6 : null;
  return run;
}

const steadyMipsOf = (run) => run.summary.windowSecondHalfMips ?? run.mips;

/**
 * Sets pair.iters: pinned by --iters, or estimated from one run of the pair's reference at its
 * calibration size (in quick mode at a tiny size, and ITERS stays the quick one).
 */
async function sizePair(pair, options, perIteration) {
  if (options.itersPinned) {
    Object.assign(pair, { iters: options.iters, why: 'pinned by --iters' });
    return null;
  }
  const calibrationIters = options.quick ? QUICK_SIZING_ITERS : pair.calibrationIters;
  const run = await measureOnce(pair.reference, options.sharedDir, calibrationIters, perIteration);
  const calibration = { iters: calibrationIters, seconds: run.span.wallSeconds, steadyMips: steadyMipsOf(run), mips: run.mips };
  const choice = chooseIters(calibration, perIteration, options.targetSeconds);
  console.log(`sizing ${pair.label}: ${pair.reference.label} at ITERS=${calibrationIters}: window ${fmt(calibration.seconds, 2)} s, ` +
    `${fmt(calibration.mips)} MIPS, steady ${fmt(calibration.steadyMips)} MIPS → estimated window ` +
    choice.estimates.map((e) => `${e.iters / 1000}k ${fmt(e.seconds, 1)} s`).join(', '));
  if (options.quick) {
    Object.assign(pair, { iters: options.iters, why: `quick mode (the sizing rule would pick ${choice.iters} from this tiny calibration)` });
  } else {
    Object.assign(pair, {
      iters: choice.iters,
      why: `the smallest size whose ${pair.reference.label} window is estimated at ≥ ${options.targetSeconds} s (${fmt(choice.estimatedSeconds, 1)} s)`,
    });
  }
  return { ...calibration, estimates: choice.estimates, chosen: choice.iters };
}

function describeRun(run, engine, round, runs) {
  return `run ${round}/${runs} ITERS=${run.iters} ${engine.label.padEnd(27)} ok: ${fmt(run.mips)} MIPS, cpu ${fmt(run.cpuMips)} ` +
    `(${fmt(run.span.wallSeconds, 2)} s wall, ${fmt(run.span.cpuSeconds, 2)} s cpu); stdout window ${fmt(run.windowWallSeconds, 2)} s` +
    (!engine.id.startsWith('v86') ? '' : `; v86 2nd half ${fmt(run.summary.windowSecondHalfMips)} MIPS`) +
    (run.traceEvents === undefined ? '' : `; ${run.traceEvents ?? 'unknown number of'} events traced`);
}

async function main() {
  const options = parseOptions(process.argv.slice(2), repoDir);
  if (options.help) { process.stdout.write(HELP); return 0; }
  const began = performance.now();
  const tools = locateTools(options.sharedDir, options.distDir);
  const engines = defineEngines({
    repoDir, ...tools, peerQemuPath: options.includeQemu ? tools.peerQemuPath : undefined,
    traceFile: options.includeTrace ? tools.traceFile : undefined,
  }, { includeV86Jit: options.includeV86Jit });
  if (!tools.peerQemuPath && options.includeQemu) console.log('QEMU TCG: qemu-system-i386 not installed; its runs are left out');
  const pairs = definePairs(engines);
  const hvdbg = engines.find((e) => e.id === 'hvdbg');
  const cpus = os.cpus();
  const host = `${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, ${os.type()} ${os.release()}, node ${process.version}`;
  console.log(`host: ${host}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const source = gitState(options.distDir);
  console.log(`hvdbg ${source} (bundles from ${options.distDir}); v86 ${tools.v86Version}; guest ${path.join(options.sharedDir, 'guest')}`);
  if (options.quick) console.log('quick mode: a smoke test of every check; none of the numbers below is a measurement');

  // The guest's instructions per iteration, from hvdbg's instruction counts at two sizes.
  const counts = [];
  for (const iters of CALIBRATION_ITERS) {
    const run = await measureOnce(hvdbg, options.sharedDir, iters, 0);
    const guest = guestFor(options.sharedDir, iters);
    counts.push({ iters, instructions: run.summary.instructions, mips: run.summary.runMips });
    console.log(`calibration: hvdbg ITERS=${iters}: result=${guest.result} ok (${guest.source}); ${group(run.summary.instructions)} instructions`);
  }
  const { perIteration, overhead } = instructionsPerIteration(counts);
  console.log(`calibration: ${perIteration.toFixed(3)} guest instructions per iteration; ${group(overhead)} outside the loop`);

  const sizing = {};
  for (const pair of pairs) sizing[pair.id] = await sizePair(pair, options, perIteration);
  for (const pair of pairs) console.log(`${pair.label} (${pair.members.map((e) => e.label).join(', ')}): ITERS=${pair.iters}: ${pair.why}`);

  // Rounds: every engine once per round, pair by pair, the order within a pair rotating each round.
  const runs = [];
  for (let round = 0; round < options.runs; round++) {
    for (const pair of pairs) {
      for (const engine of roundOrder(pair, round)) {
        let run = await measureOnce(engine, options.sharedDir, pair.iters, perIteration);
        // The first run of each pair is its reference's: when the estimate was short of the target, go up a size.
        while (round === 0 && engine === pair.reference && !options.itersPinned && !options.quick &&
               run.span.wallSeconds < options.targetSeconds && nextLadderSize(pair.iters) !== null) {
          const next = nextLadderSize(pair.iters);
          console.log(`${pair.label}: ${engine.label}'s window at ITERS=${pair.iters} took ${fmt(run.span.wallSeconds, 2)} s < ${options.targetSeconds} s ` +
            `(the estimate was short); moving to ITERS=${next} (this run is not counted)`);
          Object.assign(pair, { iters: next, why: `${pair.why}; raised to ${next} after the first run fell short` });
          run = await measureOnce(engine, options.sharedDir, pair.iters, perIteration);
        }
        Object.assign(run, { round: round + 1, pair: pair.id });
        runs.push(run);
        console.log(describeRun(run, engine, round + 1, options.runs));
      }
    }
  }

  // Summary, pair by pair.
  console.log('');
  const rows = [];
  for (const pair of pairs) {
    pair.windowInstructions = Math.round(perIteration * pair.iters);
    const pairRows = pair.members.map((engine) => summarizeEngine(engine, pair, runs.filter((r) => r.engine === engine.id)));
    rows.push(...pairRows);
    printPairTable(pair, pairRows, options.runs);
    const reference = pairRows.find((r) => r.engine === pair.reference.id);
    const held = reference.medianSeconds !== null && reference.medianSeconds >= options.targetSeconds;
    console.log(`  ${pair.reference.label}'s median window ${fmt(reference.medianSeconds, 2)} s: target ≥ ${options.targetSeconds} s ` +
      `${held ? 'held' : options.quick ? 'not applied (quick mode)' : `NOT held (${pair.iters === 1_000_000 ? 'the top of the ladder' : 'rerun with a larger --iters'})`}`);
    const v86Run = runs.find((r) => r.pair === pair.id && r.engine.startsWith('v86'));
    if (v86Run) {
      const counted = v86Run.summary.windowInstructions;
      console.log(`  window instructions: ${group(pair.windowInstructions)} from hvdbg's calibration vs ${group(counted)} counted by v86 ` +
        `(${((pair.windowInstructions - counted) / counted * 100).toFixed(3)} %)`);
    }
    pair.medianReferenceSeconds = reference.medianSeconds;
  }
  console.log('');
  printColumnNotes();
  console.log('');
  const ratios = reportRatios(rows, options);

  let debuggerBench = null;
  if (options.includeDebugger) {
    const translatorMips = rows.find((r) => r.engine === 'hvdbg')?.medianMips ?? null;
    const size = options.quick ? { iters: 1000, why: 'quick mode' } : debuggerIters(translatorMips, perIteration);
    debuggerBench = await runDebuggerBench(repoDir, {
      ...size, runs: options.quick ? 1 : options.runs, quick: options.quick, shared: options.sharedDir, cli: tools.cliPath, adapter: tools.adapterPath,
    });
  }
  const linuxBoot = options.includeLinux
    ? await benchLinuxBoot(repoDir, tools.cliPath, {
      qemu: Boolean(tools.peerQemuPath) && options.includeQemu, quick: options.quick,
      traceFile: options.includeTrace ? path.join(outDir, 'linux.hvtrace') : undefined,
    })
    : null;
  const elapsedSeconds = (performance.now() - began) / 1000;
  console.log(`bench took ${fmt(elapsedSeconds)} s; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
    `details in ${path.relative(repoDir, path.join(outDir, 'results.json'))}`);

  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'results.json'), JSON.stringify({
    date: new Date().toISOString(), host, hvdbgSource: source, loadAverage: os.loadavg(), v86Version: tools.v86Version,
    quick: options.quick, runsPerEngine: options.runs, targetSeconds: options.targetSeconds,
    calibration: { runs: counts, perIteration, overhead },
    pairs: pairs.map((p) => ({ id: p.id, iters: p.iters, why: p.why, windowInstructions: p.windowInstructions, reference: p.reference.id,
      medianReferenceSeconds: p.medianReferenceSeconds, sizing: sizing[p.id], members: p.members.map((e) => e.id) })),
    engines: rows, ratios, debuggerBench, linuxBoot, runs, elapsedSeconds,
  }, null, 2) + '\n');
  const failures = [
    ...(debuggerBench && debuggerBench.status !== 0 ? ['bench/debugger.mjs failed'] : []),
    ...(linuxBoot ?? []).filter((r) => r.seconds === null).map((r) => `Linux boot under ${r.label} failed`),
  ];
  if (failures.length) console.error(`\nBENCH FAILED: ${failures.join('; ')} (see above)`);
  return failures.length ? 1 : 0;
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
