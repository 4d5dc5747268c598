// Multiprocessor bring-up and scheduling of vCPUs: the start-up state of an application processor
// (parked until INIT, then START-UP), and the deterministic round-robin the Vm's run loop uses to
// interleave running vCPUs in fixed quanta of retired instructions.
import type { Cpu } from '../../cpu/cpu.js';
import { CS, FLAG_IF } from '../../cpu/registers.js';

/** Most vCPUs a machine may have (the CLI's --cpus and VmConfig.cpus are checked against it). */
export const MAX_CPUS = 8;

/**
 * Retired instructions a running vCPU gets before the next running vCPU takes over. Fixed, so two
 * runs of the same guest interleave identically whatever budgets the host slices the run into.
 */
export const SMP_QUANTUM = 1000;

/**
 * Where a vCPU is in its life: `running` executes (it may still sit in HLT waiting for an interrupt);
 * `wait-for-sipi` is parked — an application processor after power-on or after INIT, which runs
 * nothing until a START-UP IPI names its first page.
 */
export type VcpuRunState = 'running' | 'wait-for-sipi';

/** Checks a vCPU count (VmConfig.cpus, --cpus). */
export function checkCpuCount(cpus: number): void {
  if (!Number.isInteger(cpus) || cpus < 1) throw new RangeError(`the number of CPUs must be a whole number from 1 to ${MAX_CPUS} (got ${cpus})`);
  if (cpus > MAX_CPUS) throw new RangeError(`at most ${MAX_CPUS} CPUs are supported (got ${cpus})`);
}

/** INIT: the processor goes back to its power-on state and (as an AP) waits for a START-UP IPI. */
export function initCpu(cpu: Cpu): void {
  cpu.resetToRealMode();
  // resetToRealMode keeps segment caches and descriptor tables a protected-mode run left behind;
  // INIT gives real-mode caches (limit 64 KiB) and the reset GDTR/IDTR.
  for (let s = 0; s < 6; s++) {
    cpu.segLimit[s] = 0xFFFF;
    cpu.segRights[s] = s === CS ? 0x9B : 0x93;
    cpu.updateSegHints(s);
  }
  cpu.gdtrBase = 0; cpu.gdtrLimit = 0xFFFF;
  cpu.idtrBase = 0; cpu.idtrLimit = 0x3FF;
  cpu.interruptShadow = false;
  cpu.stopRequested = false;
}

/**
 * START-UP with vector v: real mode at CS:IP = (v × 0x100):0000, so the first instruction is at
 * physical v × 0x1000 (vector 0x08 → 0x8000), as a real AP starts.
 */
export function startCpu(cpu: Cpu, vector: number): void {
  initCpu(cpu);
  cpu.loadRealSegment(CS, (vector & 0xFF) << 8);
  cpu.updateSegHints(CS);
  cpu.eip = 0;
  cpu.instrStart = 0;
}

/** What the scheduler needs to know of one vCPU. */
export interface SchedulableVcpu {
  cpu: Cpu;
  state: VcpuRunState;
  /** True when an interrupt for this vCPU is pending (its own local APIC, plus ExtINT on the BSP). */
  interruptPending(): boolean;
}

/** Whether a vCPU can retire an instruction (or take an interrupt) now. */
export function isRunnable(v: SchedulableVcpu): boolean {
  const cpu = v.cpu;
  if (v.state !== 'running' || cpu.shutdown) return false;
  if (!cpu.halted) return true;
  return (cpu.flags & FLAG_IF) !== 0 && v.interruptPending();
}

/** Whether anything could still wake a vCPU: it is running, or halted with interrupts enabled. */
export function canWake(v: SchedulableVcpu): boolean {
  return v.state === 'running' && !v.cpu.shutdown && (!v.cpu.halted || (v.cpu.flags & FLAG_IF) !== 0);
}

/**
 * Deterministic round-robin over vCPUs: the current one keeps running until it used its quantum,
 * halted or parked; then the next runnable one in index order gets a fresh quantum.
 */
export class RoundRobin {
  /** Index of the vCPU whose quantum is under way. */
  current = 0;
  /** Instructions left in its quantum. */
  left: number;

  constructor(readonly quantum = SMP_QUANTUM) { this.left = quantum; }

  /** The vCPU to run next, or -1 when none is runnable. */
  pick(vcpus: readonly SchedulableVcpu[]): number {
    if (this.left > 0 && isRunnable(vcpus[this.current])) return this.current;
    for (let k = 1; k <= vcpus.length; k++) {
      const n = (this.current + k) % vcpus.length;
      if (isRunnable(vcpus[n])) {
        this.current = n;
        this.left = this.quantum;
        return n;
      }
    }
    return -1;
  }

  /** The current vCPU retired n instructions. */
  charge(n: number): void { this.left -= n; }

  /** Ends the current quantum (the vCPU halted or parked). */
  yieldCurrent(): void { this.left = 0; }

  saveState(): { current: number; left: number } { return { current: this.current, left: this.left }; }
  loadState(s: { current: number; left: number }): void { this.current = s.current; this.left = s.left; }
}
