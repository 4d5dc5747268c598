// The virtualization-hole audit as a TranslationPolicy wrapped around a strategy's own (or none): each
// sensitive-unprivileged instruction gets a callout that runs it as before and then asks the
// trap-and-emulate model what a deprivileged run would have got wrong. Costs nothing until installed.
import type { Cpu } from '../../cpu/cpu.js';
import type { Instr } from '../../cpu/instr.js';
import { materializeFlags } from '../../cpu/flags.js';
import { FLAG_ZF } from '../../cpu/registers.js';
import type { Callout, TranslationPolicy } from '../../cpu/translate/policy.js';
import { calloutMnemonic } from '../bt/bt-translator.js';
import { revealedSegmentOf, trapAndEmulateProblem } from './trap-and-emulate-model.js';

/** Counts per mnemonic: how often it ran and how often trap-and-emulate would have been wrong. */
export interface AuditTally {
  mnemonic: string;
  executions: number;
  findings: number;
  firstProblem?: string;      // the first finding's text
  firstEip?: number;          // and its EIP
}

/** Receives each finding (the strategy turns it into an AuditEvent). */
export type FindingSink = (cpu: Cpu, i: Instr, mnemonic: string, problem: string) => void;

export class AuditPolicy implements TranslationPolicy {
  private readonly tallies = new Map<string, AuditTally>();

  /** inner: the strategy's policy the audit wraps (undefined = instructions run directly). */
  constructor(readonly inner: TranslationPolicy | undefined, private readonly sink: FindingSink) {}

  calloutFor(i: Instr, linearEip: number): Callout | undefined {
    const innerCallout = this.inner?.calloutFor(i, linearEip);
    if (i.entry.virt !== 'sensitive') return innerCallout;
    const mnemonic = calloutMnemonic(i);
    let tally = this.tallies.get(mnemonic);
    if (tally === undefined) { tally = { mnemonic, executions: 0, findings: 0 }; this.tallies.set(mnemonic, tally); }
    const t = tally, run = innerCallout, revealed = revealedSegmentOf(i);
    const destination = i.entry.handler === 'lar' || i.entry.handler === 'lsl' ? i.reg : -1;
    return (cpu, instr) => {
      const cplBefore = cpu.cpl, flagsBefore = materializeFlags(cpu);
      if (run !== undefined) run(cpu, instr); else instr.direct(cpu, instr);
      t.executions++;
      const flagsAfter = materializeFlags(cpu);
      const problem = trapAndEmulateProblem({
        handler: instr.entry.handler, mnemonic, revealedSegment: revealed, mode: cpu.mode,
        cplBefore, cplAfter: cpu.cpl, flagsBefore, flagsAfter, cr0: cpu.cr0, cr4: cpu.cr4,
        gdtr: { base: cpu.gdtrBase, limit: cpu.gdtrLimit }, idtr: { base: cpu.idtrBase, limit: cpu.idtrLimit },
        ldtrSelector: cpu.ldtrSel, trSelector: cpu.trSel,
        result: destination >= 0 && (flagsAfter & FLAG_ZF) !== 0 ? (instr.opSize32 ? cpu.reg32[destination] >>> 0 : cpu.reg16[destination << 1]) : undefined,
      });
      if (problem === undefined) return;
      t.findings++;
      if (t.firstProblem === undefined) { t.firstProblem = problem; t.firstEip = cpu.instrStart >>> 0; }
      this.sink(cpu, instr, mnemonic, problem);
    };
  }

  /** Tallies by mnemonic, most findings first. */
  tally(): AuditTally[] {
    return [...this.tallies.values()].map((t) => ({ ...t })).sort((a, b) => b.findings - a.findings || b.executions - a.executions);
  }
}
