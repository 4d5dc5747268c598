// The facts of one finished `hvdbg run`, gathered once and rendered by summary.ts (text) and
// summary-json.ts (--json).
import type { LoadedRange } from '../../engine/boot/elf-load.js';
import { describeStop } from '../../engine/hv/stop-reason.js';
import type { CpuSnapshot } from './cpu-snapshot.js';
import type { RunStop } from './run-loop.js';

export interface RunReport {
  kernel: string;                        // kernel path as given
  memoryBytes: number;                   // guest RAM
  commandLine: string;                   // multiboot command line the kernel received
  stop: RunStop;                         // why the run ended
  exitStatus: number;                    // the process exit status
  instructions: number;                  // retired instructions
  wallSeconds: number;                   // wall time of the run (loading excluded)
  exits: ReadonlyMap<number, number>;    // VM exits by VT-x basic exit reason
  output: { serial: number; debugcon: number }; // guest output bytes by device
  detail?: RunDetail;                    // present with --stats
}

/** What --stats adds. */
export interface RunDetail {
  entry: number;               // physical entry point
  loadedRanges: LoadedRange[]; // what the loader wrote
  symbols: number;             // number of ELF symbols
  cpu: CpuSnapshot;            // vCPU state at the end
}

/** Millions of instructions per second (0 when no time was measured). */
export function mips(report: RunReport): number {
  return report.wallSeconds > 0 ? report.instructions / report.wallSeconds / 1e6 : 0;
}

/** Total VM exits. */
export function totalExits(report: RunReport): number {
  let total = 0;
  for (const count of report.exits.values()) total += count;
  return total;
}

/** Exit reasons, most frequent first (ties by reason number). */
export function exitsByCount(report: RunReport): Array<[number, number]> {
  return [...report.exits].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

/** The stop as one line a person reads. */
export function describeRunStop(stop: RunStop): string {
  if (stop.kind !== 'interrupted') return describeStop(stop);
  switch (stop.cause) {
    case 'SIGINT': return 'interrupted (SIGINT, Ctrl-C)';
    case 'SIGTERM': return 'terminated (SIGTERM)';
    case 'stdout closed': return 'stopped: standard output was closed';
  }
}
