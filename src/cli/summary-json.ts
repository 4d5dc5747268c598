// The --json summary of `hvdbg run`: one object on one line (the last line on stderr), with the
// fields docs/cli.md documents; exit reasons are keyed by EXIT_REASON_KEYS.
import { EXIT_REASON_KEYS } from '../../engine/hv/exit-reasons.js';
import { describeRunStop, exitsByCount, mips, totalExits, type RunReport } from './run-report.js';

/** The summary object (stable field names: scripts depend on them). */
export function summaryObject(report: RunReport, stats: boolean): Record<string, unknown> {
  const exits: Record<string, number> = {};
  for (const [reason, count] of exitsByCount(report)) exits[EXIT_REASON_KEYS[reason] ?? `reason_${reason}`] = count;
  const out: Record<string, unknown> = {
    kernel: report.kernel,
    memoryBytes: report.memoryBytes,
    commandLine: report.commandLine,
    stop: { ...report.stop, message: describeRunStop(report.stop) },
    exitStatus: report.exitStatus,
    instructions: report.instructions,
    wallSeconds: round(report.wallSeconds, 6),
    mips: round(mips(report), 3),
    exits,
    exitsTotal: totalExits(report),
    output: { ...report.output },
  };
  if (stats && report.detail) {
    const d = report.detail;
    out.stats = {
      entry: d.entry,
      loadedRanges: d.loadedRanges.map((r) => ({ ...r })),
      symbols: d.symbols,
      cpu: d.cpu,
      exitsPerSecond: Object.fromEntries(Object.entries(exits).map(([k, n]) => [k, report.wallSeconds > 0 ? round(n / report.wallSeconds, 1) : 0])),
    };
  }
  return out;
}

/** The --json line. */
export function formatJsonSummary(report: RunReport, stats: boolean): string {
  return JSON.stringify(summaryObject(report, stats));
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
