// The engines the benchmark compares, how each is started on a kernel, and how one run of each is
// checked (the guest's BENCH lines and checksum) and turned into numbers.
import path from 'node:path';
import { cpuAt, runMeasured } from './measure.mjs';

/** A run that did not produce the expected guest output or summary; the message carries that output. */
export class BenchRunError extends Error {}

/**
 * Where things are: { repoDir, cliPath, peerV86Path, peerQemuPath? }. Returns the engine list, in run
 * order: hvdbg's translator (the default) and interpreter (--no-translate), v86's interpreter and JIT,
 * QEMU TCG when qemu-system-i386 is installed, and hvdbg's translator with a full event trace.
 */
export function defineEngines({ repoDir, cliPath, peerV86Path, peerQemuPath, traceFile }, { includeV86Jit }) {
  const v86Env = { ...process.env, NODE_PATH: joinPaths(path.join(repoDir, 'node_modules'), process.env.NODE_PATH) };
  const v86Args = (kernel, extra) => ['--import', path.join(repoDir, 'bench/lib/v86-resolve.mjs'), peerV86Path, kernel, '--json', ...extra];
  const hvdbg = (id, label, extra, traced) => ({
    id, label, traceFile: traced,
    command: (kernel) => [process.execPath, [cliPath, 'run', kernel, '--json', ...extra], process.env],
    summary: hvdbgSummary, span: hvdbgSpan,
  });
  const engines = [
    hvdbg('hvdbg', 'hvdbg translator', []),
    hvdbg('hvdbg-interp', 'hvdbg interpreter', ['--no-translate']),
    {
      id: 'v86', label: 'v86 interpreter (--no-jit)',
      command: (kernel) => [process.execPath, v86Args(kernel, ['--no-jit']), v86Env],
      summary: v86Summary, span: v86Span,
    },
  ];
  if (includeV86Jit) {
    engines.push({
      id: 'v86-jit', label: 'v86 JIT',
      command: (kernel) => [process.execPath, v86Args(kernel, []), v86Env],
      summary: v86Summary, span: v86Span,
    });
  }
  if (peerQemuPath) {
    engines.push({
      id: 'qemu-tcg', label: 'QEMU TCG',
      command: (kernel, { windowInstructions }) => [process.execPath, [peerQemuPath, kernel, String(windowInstructions)], process.env],
      measureChildNamed: 'qemu-system-i386',   // CPU time and RSS of the emulator, not of its node wrapper
      summary: qemuSummary, span: qemuSpan,
    });
  }
  if (traceFile) engines.push(hvdbg('hvdbg-trace', 'hvdbg translator + trace', ['--trace', traceFile], traceFile));
  return engines;
}

function joinPaths(first, rest) {
  return rest ? `${first}${path.delimiter}${rest}` : first;
}

/**
 * Runs engine on kernel, checks it printed `BENCH START iters=<iters>`, `BENCH DONE result=<expected>`
 * and HALT and exited 0, and returns its measurement: MIPS over the engine's measured span in wall
 * time (mips) and in the child's CPU time (cpuMips), the BENCH START→DONE window as seen arriving on
 * stdout (windowWallSeconds, windowCpuSeconds), and the engine's own summary.
 */
export async function runEngine(engine, { kernel, iters, expected, cwd, timeoutMs, windowInstructions = 0 }) {
  const [command, args, env] = engine.command(kernel, { windowInstructions });
  const run = await runMeasured(command, args, { cwd, env, timeoutMs, measureChildNamed: engine.measureChildNamed });
  const fail = (why) => new BenchRunError(`${engine.label} on ${kernel} (ITERS=${iters}): ${why}\n` +
    `command: ${[command, ...args].join(' ')}\nexit: ${run.exitCode ?? run.signal}${run.timedOut ? ' (timed out)' : ''}\n` +
    `--- stdout ---\n${tail(run.stdout)}\n--- stderr ---\n${tail(run.stderr)}`);

  if (run.timedOut) throw fail(`no end after ${timeoutMs / 1000} s`);
  const startLine = run.lines.find((l) => l.text.startsWith('BENCH START'));
  const doneLine = run.lines.find((l) => l.text.startsWith('BENCH DONE'));
  const haltLine = run.lines.find((l) => l.text === 'HALT');
  if (!startLine) throw fail('the guest printed no "BENCH START" line');
  if (startLine.text !== `BENCH START iters=${iters}`) throw fail(`expected "BENCH START iters=${iters}", got "${startLine.text}"`);
  if (!doneLine) throw fail('the guest printed no "BENCH DONE" line');
  if (doneLine.text !== `BENCH DONE result=${expected}`) throw fail(`expected "BENCH DONE result=${expected}", got "${doneLine.text}"`);
  if (!haltLine) throw fail('the guest printed no "HALT" line');
  if (run.exitCode !== 0) throw fail(`exit status ${run.exitCode ?? run.signal}, expected 0`);
  let summary;
  try {
    summary = engine.summary(run, expected);
  } catch (error) {
    throw fail(error.message);
  }
  const lines = { start: startLine, done: doneLine, halt: haltLine };
  const span = engine.span(summary, lines, run.cpuSamples);
  return {
    engine: engine.id,
    mips: span.instructions / span.wallSeconds / 1e6,
    cpuMips: span.cpuSeconds > 0 ? span.instructions / span.cpuSeconds / 1e6 : null,
    span,
    windowWallSeconds: (doneLine.t - startLine.t) / 1000,
    windowCpuSeconds: startLine.cpu !== null && doneLine.cpu !== null ? doneLine.cpu - startLine.cpu : null,
    processWallSeconds: (run.exitedAt - run.spawnedAt) / 1000,
    peakRssMiB: run.peakRssKb === null ? null : run.peakRssKb / 1024,
    summary,
  };
}

/**
 * hvdbg's span is its run loop as its summary reports it (all retired instructions, boot included:
 * about 0.1 M of them). The loop ends with the flush that carries HALT, so its CPU time is the
 * child's CPU time over the wallSeconds before HALT arrived (sampled every 10 ms, interpolated).
 */
function hvdbgSpan(summary, lines, cpuSamples) {
  const end = lines.halt.t, begin = end - summary.runSeconds * 1000;
  const cpuBegin = cpuAt(cpuSamples, begin), cpuEnd = lines.halt.cpu ?? cpuAt(cpuSamples, end);
  return {
    what: 'run loop (hvdbg --json)', instructions: summary.instructions, wallSeconds: summary.runSeconds,
    cpuSeconds: cpuBegin !== null && cpuEnd !== null ? cpuEnd - cpuBegin : null,
  };
}

/**
 * v86's span is its bench window as the peer script measures it (its exact instruction counter,
 * timestamps when each BENCH line's first byte reaches COM1). v86 writes every byte to stdout at
 * once, so the child's CPU time at the two lines' arrival bounds the same window.
 */
function v86Span(summary, lines) {
  return {
    what: 'bench window (run-v86.mjs)', instructions: summary.windowInstructions, wallSeconds: summary.windowSeconds,
    cpuSeconds: lines.start.cpu !== null && lines.done.cpu !== null ? lines.done.cpu - lines.start.cpu : null,
  };
}

/**
 * QEMU's span is the peer script's BENCH START→DONE window on its serial stdout, over the calibrated
 * count; its CPU time is qemu-system-i386's own (all its threads) when the two lines reach us.
 */
function qemuSpan(summary, lines) {
  return {
    what: 'bench window (run-qemu-tcg.mjs)', instructions: summary.windowInstructions, wallSeconds: summary.windowSeconds,
    cpuSeconds: lines.start.cpu !== null && lines.done.cpu !== null ? lines.done.cpu - lines.start.cpu : null,
  };
}

/** run-qemu-tcg.mjs: one JSON object on the last line of stdout. */
function qemuSummary(run) {
  const json = lastJsonLine(run.stdout, 'stdout');
  if (typeof json.bench_ms !== 'number' || !(json.bench_ms > 0)) throw new Error('QEMU summary has no bench window');
  if (typeof json.bench_mips !== 'number') throw new Error('QEMU summary has no MIPS (the window instruction count was not passed)');
  return { windowInstructions: json.bench_mips * json.bench_ms * 1000, windowSeconds: json.bench_ms / 1000, runMips: json.bench_mips };
}

function tail(text, max = 4000) {
  return text.length > max ? `[... ${text.length - max} bytes before]\n${text.slice(-max)}` : text;
}

function lastJsonLine(text, where) {
  const line = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`no JSON summary line on ${where}`);
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new Error(`unreadable JSON summary on ${where}: ${error.message}`);
  }
}

/** hvdbg run --json: one JSON object on the last line of stderr. */
function hvdbgSummary(run) {
  const json = lastJsonLine(run.stderr, 'stderr');
  if (json.stop?.kind !== 'halted') throw new Error(`run stopped with ${JSON.stringify(json.stop)}, expected a halt`);
  for (const key of ['instructions', 'wallSeconds', 'mips']) {
    if (typeof json[key] !== 'number') throw new Error(`JSON summary has no numeric "${key}"`);
  }
  return { instructions: json.instructions, runSeconds: json.wallSeconds, runMips: json.mips };
}

/** run-v86.mjs --json: one JSON object on the last line of stdout, after the guest's output. */
function v86Summary(run, expected) {
  const json = lastJsonLine(run.stdout, 'stdout');
  if (json.end_reason !== 'halt') throw new Error(`v86 run ended with "${json.end_reason}", expected "halt"`);
  if (json.bench_result_line !== `BENCH DONE result=${expected}`) throw new Error(`v86 summary saw "${json.bench_result_line}"`);
  return {
    version: json.v86_version,
    instructions: json.total_instructions, runSeconds: json.total_ms / 1000, runMips: json.total_mips,
    windowInstructions: json.bench_instructions, windowSeconds: json.bench_ms / 1000, windowMips: json.bench_mips,
    windowSecondHalfMips: json.bench_steady_mips ?? null,
  };
}
