// `hvdbg run --audit`: the virtualization-hole audit's tally as text lines for the end-of-run summary.
import type { AuditTally } from '../../engine/hv/audit/audit-policy.js';

/** One line per audited mnemonic: executions, findings and the first finding with its EIP. */
export function formatAuditSummary(tally: readonly AuditTally[]): string[] {
  const lines = ['audit: sensitive-unprivileged instructions and what trap-and-emulate (kernel at ring 1) would get wrong'];
  if (tally.length === 0) lines.push('  (the guest ran no sensitive-unprivileged instruction)');
  const width = Math.max(0, ...tally.map((t) => t.mnemonic.length));
  for (const t of tally) {
    const counts = `${t.mnemonic.padEnd(width)}  ${String(t.executions).padStart(8)} run  ${String(t.findings).padStart(8)} wrong`;
    lines.push(t.firstProblem === undefined ? `  ${counts}` : `  ${counts}  first at 0x${(t.firstEip ?? 0).toString(16)}: ${t.firstProblem}`);
  }
  return lines;
}
