// Reads a live process's CPU time, peak resident set and children from Linux /proc; every reader
// returns null (or nothing) off Linux or once the process has gone.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

/** The fields of /proc/<pid>/stat after the command name, and the name; or null. */
function readStat(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const open = stat.indexOf('('), close = stat.lastIndexOf(')');
  // After "(comm) ": state is field 3 (index 0 here), ppid field 4, utime field 14, stime field 15.
  return { name: stat.slice(open + 1, close), fields: stat.slice(close + 2).split(' ') };
}

/** CPU seconds (user + system, all threads) a live process has used so far, or null. */
export function processCpuSeconds(pid) {
  const stat = readStat(pid);
  if (!stat) return null;
  const utime = Number(stat.fields[11]), stime = Number(stat.fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLOCK_TICKS : null;
}

/** Peak resident set (VmHWM, KiB) of a live process, or null. */
export function peakRssKb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * The pid of a child of parentPid whose command name starts with name (the kernel keeps 15
 * characters of it), or null. Scans /proc, so callers stop asking once they have found it.
 */
export function findChildProcess(parentPid, name) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const wanted = name.slice(0, 15);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat && Number(stat.fields[1]) === parentPid && stat.name.startsWith(wanted)) return Number(entry);
  }
  return null;
}
