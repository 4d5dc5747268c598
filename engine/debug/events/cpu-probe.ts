// The debugger's CPU probe: wraps a vCPU's environment (its strategy) and its setEflags so port I/O,
// MSR accesses, control-register writes, mode switches (CR0.PE/PG and EFLAGS.VM), exceptions and
// interrupt deliveries are reported as events under every strategy — installed only while needed.
import type { Cpu } from '../../cpu/cpu.js';
import type { CpuEnvironment } from '../../cpu/environment.js';
import type { Instr } from '../../cpu/instr.js';
import { CR0_PE, CR0_PG, FLAG_VM } from '../../cpu/registers.js';
import { eventSite } from '../../hv/event-site.js';
import type { CpuModeName, ProbeEvent } from './debug-event.js';

/** The mode a CR0 value (and EFLAGS.VM) puts the CPU in. */
export function modeOf(cr0: number, v86: boolean): CpuModeName {
  if (!(cr0 & CR0_PE)) return 'real';
  if (v86) return 'v86';
  return cr0 & CR0_PG ? 'paging' : 'protected';
}

/** A probe on one CPU: `remove()` puts the original environment back. */
export interface InstalledProbe { remove(): void }

/** Wraps cpu.env; every observation goes to report. */
export function installCpuProbe(cpu: Cpu, vcpu: number, report: (event: ProbeEvent) => void): InstalledProbe {
  const inner = cpu.env;
  const site = (i?: Instr) => eventSite(cpu, vcpu, i);
  // Delegate every method of the strategy, bound to it, then override the observed ones.
  const probe: Record<string, unknown> = {};
  for (let proto = inner as object; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const member = (inner as unknown as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof member === 'function' && !(name in probe)) probe[name] = member.bind(inner);
    }
  }
  const wrapped = probe as unknown as CpuEnvironment;
  Object.assign(probe, {
    ioIn(port: number, size: 1 | 2 | 4, i: Instr): number {
      const value = inner.ioIn(port, size, i);
      report({ kind: 'port-io', ...site(i), port, size, direction: 'in', value });
      return value;
    },
    ioOut(port: number, size: 1 | 2 | 4, value: number, i: Instr): void {
      report({ kind: 'port-io', ...site(i), port, size, direction: 'out', value });
      inner.ioOut(port, size, value, i);
    },
    msrAccess(index: number, write: boolean, value: bigint | undefined, i: Instr): void {
      report({ kind: 'msr', ...site(i), index, write, value });
      inner.msrAccess(index, write, value, i);
    },
    crWrite(n: number, value: number, i: Instr): number {
      const written = inner.crWrite(n, value, i);
      const old = n === 0 ? cpu.cr0 : n === 2 ? cpu.cr2 : n === 3 ? cpu.cr3 : cpu.cr4;
      report({ kind: 'cr-write', ...site(i), cr: n, old: old >>> 0, new: written >>> 0 });
      if (n === 0) {
        const from = modeOf(old, cpu.v86), to = modeOf(written, cpu.v86);
        if (from !== to) report({ kind: 'mode-switch', ...site(i), from, to });
      }
      return written;
    },
    exception(vector: number, errorCode: number | undefined, detail: string): boolean {
      report({ kind: 'cpu-exception', ...site(), vector, errorCode, detail, cr2: cpu.cr2 >>> 0 });
      return inner.exception(vector, errorCode, detail);
    },
    externalInterrupt(vector: number): void {
      report({ kind: 'cpu-interrupt', ...site(), vector, source: 'external' });
      inner.externalInterrupt(vector);
    },
    softwareInterrupt(vector: number, i: Instr): boolean {
      report({ kind: 'cpu-interrupt', ...site(i), vector, source: 'software' });
      return inner.softwareInterrupt(vector, i);
    },
  });
  cpu.env = wrapped;
  const removeVmWatch = watchVirtual8086Switches(cpu, vcpu, report);
  return {
    remove: () => {
      if (cpu.env === wrapped) cpu.env = inner;
      removeVmWatch();
    },
  };
}

/**
 * Entering and leaving virtual-8086 mode changes EFLAGS.VM, and every instruction that does so (IRET
 * to V86, an interrupt or exception out of V86, a task switch, SYSENTER) goes through cpu.setEflags:
 * this shadows it on the instance and reports each VM change as a mode switch, at the instruction
 * that caused it. Returns the function that puts the original method back.
 */
function watchVirtual8086Switches(cpu: Cpu, vcpu: number, report: (event: ProbeEvent) => void): () => void {
  const original = cpu.setEflags;
  const watched = (value: number): void => {
    const wasV86 = cpu.v86;
    if (wasV86 === ((value & FLAG_VM) !== 0)) { original.call(cpu, value); return; }
    const before = eventSite(cpu, vcpu); // where the switching instruction ran, in the mode it ran in
    original.call(cpu, value);
    const from = modeOf(cpu.cr0, wasV86), to = modeOf(cpu.cr0, cpu.v86);
    if (from !== to) report({ kind: 'mode-switch', ...before, from, to });
  };
  cpu.setEflags = watched;
  // Put back by assignment, never `delete`: deleting a property can leave the Cpu object in V8's
  // slow dictionary mode for the rest of the run.
  return () => { if (cpu.setEflags === watched) cpu.setEflags = original; };
}
