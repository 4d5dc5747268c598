// Runs one benchmark child process and timestamps, from the outside, when each line of its stdout
// arrives, together with the child's CPU time at that moment (Linux /proc), the same way for every engine.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (getconf CLK_TCK; 100 on Linux). */
const CLOCK_TICKS = readClockTicks();

function readClockTicks() {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** CPU seconds (user + system, all threads) a live process has used so far, or null off Linux or after it exited. */
export function processCpuSeconds(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // Fields after the command name "(...)": state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]), stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLOCK_TICKS : null;
}

/** Peak resident set (VmHWM, KiB) of a live process, or null. */
function peakRssKb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** How often the child's CPU time is sampled while it runs, for cpuAt(). */
const CPU_SAMPLE_MS = 10;

/**
 * Spawns command with args and resolves when it exits to
 * { exitCode, signal, lines: [{ text, t, cpu }], cpuSamples: [{ t, cpu }], stdout, stderr, spawnedAt, exitedAt, timedOut,
 * peakRssKb } (stopAtLine: a text whose line ends the child with SIGTERM; peakRssKb: the child's highest VmHWM seen by the 10 ms sampler, or null),
 * where a line's t (performance.now() ms) and cpu (child CPU seconds or null) are taken when the chunk
 * holding the line's first byte arrived, and cpuSamples follow the child's CPU time every 10 ms.
 */
export function runMeasured(command, args, { cwd, env, timeoutMs, stopAtLine }) {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    const stdoutChunks = [], stderrChunks = [];
    let partial = '', lineOpen = false, lineT = 0, lineCpu = null, timedOut = false;

    const cpuSamples = [];
    let peakRss = null;                        // highest VmHWM seen while sampling
    const sampleCpu = () => {
      const cpu = processCpuSeconds(child.pid);
      if (cpu !== null) cpuSamples.push({ t: performance.now(), cpu });
      const rss = peakRssKb(child.pid);
      if (rss !== null) peakRss = Math.max(peakRss ?? 0, rss);
    };
    const sampler = setInterval(sampleCpu, CPU_SAMPLE_MS);
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGTERM'); }, timeoutMs);

    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk) => {
      const t = performance.now();
      const cpu = processCpuSeconds(child.pid);
      if (cpu !== null) cpuSamples.push({ t, cpu });
      stdoutChunks.push(chunk);
      let start = 0;
      while (start < chunk.length) {
        if (!lineOpen) { lineOpen = true; lineT = t; lineCpu = cpu; }
        const newline = chunk.indexOf('\n', start);
        if (newline < 0) { partial += chunk.slice(start); break; }
        partial += chunk.slice(start, newline);
        lines.push({ text: partial.replace(/\r$/, ''), t: lineT, cpu: lineCpu });
        if (stopAtLine !== undefined && partial.includes(stopAtLine)) child.kill('SIGTERM'); // e.g. QEMU never exits
        partial = '';
        lineOpen = false;
        start = newline + 1;
      }
    });
    child.stderr.setEncoding('latin1');
    child.stderr.on('data', (chunk) => stderrChunks.push(chunk));

    child.on('error', (error) => { clearTimeout(timer); clearInterval(sampler); reject(error); });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      if (lineOpen) lines.push({ text: partial, t: lineT, cpu: lineCpu });
      resolve({
        exitCode, signal, timedOut, lines, cpuSamples, spawnedAt, exitedAt: performance.now(), peakRssKb: peakRss,
        stdout: stdoutChunks.join(''), stderr: stderrChunks.join(''),
      });
    });
  });
}

/** The child's CPU seconds at time t (performance.now() ms), interpolated between samples; null outside them. */
export function cpuAt(samples, t) {
  if (samples.length === 0 || t < samples[0].t || t > samples[samples.length - 1].t) return null;
  const hi = samples.findIndex((s) => s.t >= t);
  if (hi <= 0) return samples[Math.max(hi, 0)].cpu;
  const a = samples[hi - 1], b = samples[hi];
  return b.t === a.t ? b.cpu : a.cpu + (b.cpu - a.cpu) * (t - a.t) / (b.t - a.t);
}
