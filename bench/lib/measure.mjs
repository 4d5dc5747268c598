// Runs one benchmark child process and timestamps, from the outside, when each line of its stdout
// arrives, together with the measured process's CPU time at that moment (Linux /proc), the same way for every engine.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { findChildProcess, peakRssKb, processCpuSeconds } from './proc.mjs';

export { processCpuSeconds };

/** How often the measured process's CPU time and peak RSS are sampled while it runs, for cpuAt(). */
const CPU_SAMPLE_MS = 10;

/**
 * Spawns command with args and resolves when it exits to
 * { exitCode, signal, lines: [{ text, t, cpu }], cpuSamples: [{ t, cpu }], stdout, stderr, spawnedAt,
 * exitedAt, timedOut, peakRssKb, measuredPid }, where a line's t (performance.now() ms) and cpu (CPU
 * seconds of the measured process, or null) are taken when the chunk holding the line's first byte
 * arrived, cpuSamples follow that CPU time every 10 ms, and peakRssKb is the highest VmHWM the sampler
 * saw. The measured process is the child, or with measureChildNamed its own child of that command name
 * (a wrapper script's emulator, e.g. qemu-system-i386): CPU and RSS are that process's, null until it
 * appears. stopAtLine: a text whose line ends the child with SIGTERM (e.g. QEMU never exits by itself).
 */
export function runMeasured(command, args, { cwd, env, timeoutMs, stopAtLine, measureChildNamed }) {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    const stdoutChunks = [], stderrChunks = [];
    let partial = '', lineOpen = false, lineT = 0, lineCpu = null, timedOut = false;

    let measuredPid = measureChildNamed === undefined ? child.pid : null;
    const measuredCpu = () => {
      if (measuredPid === null) measuredPid = findChildProcess(child.pid, measureChildNamed);
      return measuredPid === null ? null : processCpuSeconds(measuredPid);
    };
    const cpuSamples = [];
    let peakRss = null;                        // highest VmHWM seen while sampling
    const sample = () => {
      const cpu = measuredCpu();
      if (cpu !== null) cpuSamples.push({ t: performance.now(), cpu });
      const rss = measuredPid === null ? null : peakRssKb(measuredPid);
      if (rss !== null) peakRss = Math.max(peakRss ?? 0, rss);
    };
    const sampler = setInterval(sample, CPU_SAMPLE_MS);
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGTERM'); }, timeoutMs);

    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk) => {
      const t = performance.now();
      const cpu = measuredCpu();
      if (cpu !== null) cpuSamples.push({ t, cpu });
      stdoutChunks.push(chunk);
      let start = 0;
      while (start < chunk.length) {
        if (!lineOpen) { lineOpen = true; lineT = t; lineCpu = cpu; }
        const newline = chunk.indexOf('\n', start);
        if (newline < 0) { partial += chunk.slice(start); break; }
        partial += chunk.slice(start, newline);
        lines.push({ text: partial.replace(/\r$/, ''), t: lineT, cpu: lineCpu });
        if (stopAtLine !== undefined && partial.includes(stopAtLine)) child.kill('SIGTERM');
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
        exitCode, signal, timedOut, lines, cpuSamples, spawnedAt, exitedAt: performance.now(), peakRssKb: peakRss, measuredPid,
        stdout: stdoutChunks.join(''), stderr: stderrChunks.join(''),
      });
    });
  });
}

/** The measured process's CPU seconds at time t (performance.now() ms), interpolated between samples; null outside them. */
export function cpuAt(samples, t) {
  if (samples.length === 0 || t < samples[0].t || t > samples[samples.length - 1].t) return null;
  const hi = samples.findIndex((s) => s.t >= t);
  if (hi <= 0) return samples[Math.max(hi, 0)].cpu;
  const a = samples[hi - 1], b = samples[hi];
  return b.t === a.t ? b.cpu : a.cpu + (b.cpu - a.cpu) * (t - a.t) / (b.t - a.t);
}
