// The human-readable summary `hvdbg run` prints on stderr: why the guest stopped, instructions,
// wall time and speed, and VM exits per reason; --stats adds load, output, vCPU and rate details.
import { formatBytes } from '../../engine/boot/boot-error.js';
import { exitReasonName } from '../../engine/hv/exit-reasons.js';
import { describeRunStop, exitsByCount, mips, totalExits, type RunDetail, type RunReport } from './run-report.js';

/** The summary as lines (without trailing newlines). */
export function formatSummary(report: RunReport, stats: boolean): string[] {
  const lines = [`hvdbg: ${describeRunStop(report.stop)}`];
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(14)}${value}`);
  field('exit status', String(report.exitStatus));
  field('instructions', String(report.instructions));
  field('wall time', `${report.wallSeconds.toFixed(3)} s (${mips(report).toFixed(2)} MIPS)`);
  if (stats && report.detail) lines.push(...formatDetail(report, report.detail));
  const total = totalExits(report);
  field('VM exits', stats && total > 0 ? `${total} (one per ${(report.instructions / total).toFixed(1)} instructions)` : String(total));
  if (total > 0) lines.push(...formatExitTable(report, total, stats));
  return lines;
}

function formatDetail(report: RunReport, d: RunDetail): string[] {
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(14)}${value}`);
  field('guest RAM', formatBytes(report.memoryBytes));
  field('command line', report.commandLine);
  field('entry point', hex8(d.entry));
  d.loadedRanges.forEach((r, k) => {
    field(k === 0 ? 'loaded' : '', `${hex8(r.start)}-${hex8(r.start + r.size - 1)}  ${r.description}`);
  });
  field('symbols', String(d.symbols));
  field('guest output', `${report.output.serial} bytes serial, ${report.output.debugcon} bytes debugcon`);
  const c = d.cpu, g = c.registers;
  field('vCPU at stop', `${c.mode} mode, CPL ${c.cpl}, CS:EIP ${c.cs.toString(16).padStart(4, '0')}:${hex8(c.eip, false)}, ` +
    `EFLAGS ${hex8(c.eflags, false)}, CR0 ${hex8(c.cr0, false)}, CR3 ${hex8(c.cr3, false)}`);
  field('', ['eax', 'ebx', 'ecx', 'edx'].map((r) => `${r.toUpperCase()} ${hex8(g[r], false)}`).join('  '));
  field('', ['esi', 'edi', 'ebp', 'esp'].map((r) => `${r.toUpperCase()} ${hex8(g[r], false)}`).join('  '));
  return lines;
}

function formatExitTable(report: RunReport, total: number, stats: boolean): string[] {
  const head = `    ${'reason'.padStart(6)}  ${'name'.padEnd(26)}${'count'.padStart(10)}`;
  const lines = [stats ? `${head}${'per second'.padStart(13)}${'per M instr'.padStart(13)}${'share'.padStart(8)}` : head];
  for (const [reason, count] of exitsByCount(report)) {
    let line = `    ${String(reason).padStart(6)}  ${exitReasonName(reason).padEnd(26)}${String(count).padStart(10)}`;
    if (stats) {
      const perSecond = report.wallSeconds > 0 ? (count / report.wallSeconds).toFixed(0) : '-';
      const perMillion = report.instructions > 0 ? (count * 1e6 / report.instructions).toFixed(1) : '-';
      line += `${perSecond.padStart(13)}${perMillion.padStart(13)}${`${(100 * count / total).toFixed(1)}%`.padStart(8)}`;
    }
    lines.push(line);
  }
  return lines;
}

function hex8(n: number, prefix = true): string {
  return (prefix ? '0x' : '') + (n >>> 0).toString(16).padStart(8, '0');
}
