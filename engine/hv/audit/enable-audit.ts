// Switches the virtualization-hole audit on for every vCPU of a machine, under any strategy: wraps each
// CPU's translation policy in an AuditPolicy whose findings become AuditEvents on the vCPU's strategy
// (so vm.onEvent, the trace and the statistics see them). Off by default: nothing is wrapped.
import type { Cpu } from '../../cpu/cpu.js';
import { eventSite } from '../event-site.js';
import type { VmStrategy } from '../strategy.js';
import { AuditPolicy, type AuditTally } from './audit-policy.js';

/** What enableAudit needs from a machine (a Vm has it). */
export interface AuditableMachine {
  readonly vcpus: ReadonlyArray<{ readonly index: number; readonly cpu: Cpu; readonly strategy: VmStrategy }>;
}

/** The running audit: its tallies, and the switch that turns it off again. */
export interface Audit {
  /** Per mnemonic over every vCPU: executions, findings and the first finding. */
  tally(): AuditTally[];
  /** Restores each CPU's own translation policy. */
  disable(): void;
}

/** Turns the audit on (decoded code is dropped and rescanned with the audit's callouts). */
export function enableAudit(machine: AuditableMachine): Audit {
  const policies = machine.vcpus.map(({ index, cpu, strategy }) => {
    if (cpu.translationPolicy instanceof AuditPolicy) throw new Error(`the audit is already on for vCPU ${index}`);
    const policy = new AuditPolicy(cpu.translationPolicy, (c, i, mnemonic, problem) => {
      if (strategy.onEvent.hasListeners) strategy.onEvent.fire({ kind: 'audit', ...eventSite(c, index, i), mnemonic, problem });
    });
    cpu.translationPolicy = policy;
    return { cpu, policy };
  });
  return {
    tally: () => mergeTallies(policies.map((p) => p.policy.tally())),
    disable: () => { for (const { cpu, policy } of policies) if (cpu.translationPolicy === policy) cpu.translationPolicy = policy.inner; },
  };
}

function mergeTallies(perCpu: AuditTally[][]): AuditTally[] {
  const merged = new Map<string, AuditTally>();
  for (const t of perCpu.flat()) {
    const m = merged.get(t.mnemonic);
    if (m === undefined) { merged.set(t.mnemonic, { ...t }); continue; }
    m.executions += t.executions;
    m.findings += t.findings;
    if (m.firstProblem === undefined && t.firstProblem !== undefined) { m.firstProblem = t.firstProblem; m.firstEip = t.firstEip; }
  }
  return [...merged.values()].sort((a, b) => b.findings - a.findings || b.executions - a.executions);
}
