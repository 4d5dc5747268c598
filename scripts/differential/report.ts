// Text report of a differential run: the agreement line, then the disagreements grouped by mnemonic
// (and explanation) with one worked example each: bytes, disassembly, state before, both results.
import { disassemble } from '../../engine/cpu/disasm/index.js';
import { REG_NAMES, SREG_NAMES, flagNames, hex, type Difference } from './compare.js';
import { resolvedState } from './image.js';
import { SCRATCH, SCRATCH_SIZE } from './layout.js';
import type { Disagreement, RunResult } from './run.js';
import { DEFAULT_SREGS } from './test-case.js';

export function summaryLine(r: RunResult): string {
  const pct = r.count ? (100 * r.agree) / r.count : 100;
  return `differential: ${r.count} instructions, ${r.agree} agree (${pct.toFixed(2)} %)`;
}

/** A group of disagreements with the same mnemonic and the same explanation (or none). */
export interface DisagreementGroup {
  key: string;
  mnemonic: string;
  explanation?: string;     // explanation id, undefined = unexplained
  items: Disagreement[];
}

export function groupDisagreements(list: readonly Disagreement[]): DisagreementGroup[] {
  const groups = new Map<string, DisagreementGroup>();
  for (const d of list) {
    const id = d.explanations.length ? d.explanations.map((x) => x.id).join(' + ') : undefined;
    const only = d.modes.length === 1 ? ` [${d.modes[0]} handlers only]` : '';
    const key = `${d.case.mnemonic}${only} / ${id ?? 'UNEXPLAINED'}`;
    let g = groups.get(key);
    if (!g) { g = { key, mnemonic: d.case.mnemonic + only, explanation: id, items: [] }; groups.set(key, g); }
    g.items.push(d);
  }
  return [...groups.values()].sort((a, b) => Number(!!a.explanation) - Number(!!b.explanation) || b.items.length - a.items.length);
}

function diffText(d: Difference): string {
  const extra = d.field.endsWith('eflags') && d.bits ? `  [${flagNames(d.bits)}]` : '';
  return `${d.field}: qemu ${d.qemu}, hvdbg ${d.ours}${extra}`;
}

/** A worked example of one disagreement, several lines, indented by pad. */
export function describe(d: Disagreement, pad = '    '): string {
  const { regs, scratch, bytes } = resolvedState(d.case, d.placement);
  const dis = disassemble(Uint8Array.from(bytes), d.placement.instr, true).text;
  const lines = [
    `case #${d.case.index}: ${bytes.map((b) => hex(b, 2)).join(' ')}   ${dis}   (at ${hex(d.placement.instr)})`,
    `before: ${regs.map((v, r) => `${REG_NAMES[r]}=${hex(v)}`).join(' ')}`,
    `        eflags=${hex(d.case.eflags)} [${flagNames(d.case.eflags)}]` +
      Object.entries(d.case.sregs).map(([s, v]) => ` ${s}=${hex(v!, 4)}`).join('') +
      `  (defaults ${SREG_NAMES.map((s) => `${s}=${hex(DEFAULT_SREGS[s as keyof typeof DEFAULT_SREGS], 2)}`).join(' ')})`,
    `        scratch ${hex(SCRATCH)}: ${hexRows(scratch)}`,
    ...d.diffs.map((x) => `=> ${diffText(x)}`),
  ];
  if (d.rules.length) lines.push(`   (masked as undefined: ${d.rules.join('; ')})`);
  if (d.corrections.length) lines.push(`   (QEMU's result corrected: ${d.corrections.join(', ')})`);
  for (const x of d.explanations) lines.push(`   explanation [${x.id}]: ${x.text}`);
  return lines.map((l) => pad + l).join('\n');
}

function hexRows(bytes: Uint8Array): string {
  const rows: string[] = [];
  for (let k = 0; k < SCRATCH_SIZE; k += 32) rows.push(Array.from(bytes.slice(k, k + 32), (b) => hex(b, 2)).join(''));
  return rows.join('\n' + ' '.repeat(30));
}

/** The full report: summary, then every group with its count and first example. */
export function formatReport(r: RunResult, examplesPerGroup = 1): string {
  const out = [summaryLine(r)];
  out.push(`  seed ${r.seed}, ${r.seconds.toFixed(1)} s, ${r.qemu} (-cpu pentium3, TCG); hvdbg handlers: ${r.modes.join(' and ')}`);
  if (r.corrected.size) {
    out.push(`  QEMU results corrected to the SDM (corrections.ts): ${[...r.corrected].map(([id, n]) => `${id} ${n}`).join(', ')}`);
  }
  const groups = groupDisagreements(r.disagreements);
  const unexplained = r.disagreements.filter((d) => d.explanations.length === 0).length;
  if (groups.length) out.push(`disagreements: ${r.disagreements.length} (${unexplained} unexplained) in ${groups.length} groups`);
  for (const g of groups) {
    out.push(`  ${g.mnemonic}: ${g.items.length} — ${g.explanation ? `explained [${g.explanation}]` : 'UNEXPLAINED (suspected hvdbg bug)'}`);
    for (const d of g.items.slice(0, examplesPerGroup)) out.push(describe(d));
  }
  return out.join('\n');
}

/** One line per mnemonic: cases, how many raised an exception in QEMU, how many agreed. */
export function formatCoverage(r: RunResult): string {
  const rows = [...r.coverage.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const out = [`coverage: ${rows.length} mnemonics (cases / raised an exception in QEMU / agreed)`];
  for (let k = 0; k < rows.length; k += 4) {
    out.push('  ' + rows.slice(k, k + 4).map(([m, t]) => `${m.padEnd(10)} ${String(t.cases).padStart(5)} ${String(t.faulted).padStart(5)} ${String(t.agree).padStart(5)}`).join('   '));
  }
  return out.join('\n');
}

/** Every disagreement as plain data (for `--json`): the case, both results' differences, explanations. */
export function jsonReport(r: RunResult): object {
  return {
    count: r.count, agree: r.agree, seed: r.seed, seconds: r.seconds, qemu: r.qemu, modes: r.modes,
    disagreements: r.disagreements.map((d) => ({
      index: d.case.index, mnemonic: d.case.mnemonic, bytes: resolvedState(d.case, d.placement).bytes.map((b) => hex(b, 2)).join(' '),
      modes: d.modes, explanations: d.explanations.map((x) => x.id), corrections: d.corrections, rules: d.rules,
      vector: d.ours?.faultVector, diffs: d.diffs.map((x) => ({ field: x.field, qemu: x.qemu, hvdbg: x.ours, bits: x.bits })),
    })),
  };
}
