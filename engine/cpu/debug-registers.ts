// Guest-visible debugging: DR0–DR3 breakpoints enabled in DR7 (execution, data write, data
// read/write) and single-step through EFLAGS.TF, raising #DB with DR6 set as the SDM describes.
// Active only while a guest arms them, so the ordinary execution path never pays for it.
import type { Cpu } from './cpu.js';
import { CpuFault, Vector } from './fault.js';
import { CR0_AM, CS, FLAG_AC, FLAG_RF, FLAG_TF } from './registers.js';
import { deliverException } from './interrupts.js';

const DR6_BS = 1 << 14;

/** Recomputes the checked-path flags (debugActive, watchData, alignmentCheck) after DR7, CR0 or EFLAGS change. */
export function updateDebugState(cpu: Cpu): void {
  const dr7 = cpu.dr[7];
  let watch = false, exec = false;
  for (let n = 0; n < 4; n++) {
    if (!((dr7 >> (n * 2)) & 3)) continue;
    if (((dr7 >>> (16 + n * 4)) & 3) === 0) exec = true; else watch = true;
  }
  cpu.watchData = watch;
  cpu.alignmentCheck = (cpu.cr0 & CR0_AM) !== 0 && (cpu.flags & FLAG_AC) !== 0;
  cpu.checkAccesses = watch || cpu.alignmentCheck || cpu.dataWatch !== undefined; // the debugger's watchpoints too
  // RF (set by a fault's IRET) must be cleared after the next instruction: the debug path does that.
  cpu.debugActive = exec || watch || (cpu.flags & (FLAG_TF | FLAG_RF)) !== 0;
}

/** Length in bytes covered by breakpoint n (DR7.LENn). */
function lengthOf(dr7: number, n: number): number { return [1, 2, 8, 4][(dr7 >>> (18 + n * 4)) & 3]; }

/** Called by Cpu.linear for each data access while data breakpoints are armed. */
export function noteDataAccess(cpu: Cpu, linear: number, size: number, write: boolean): void {
  const dr7 = cpu.dr[7];
  for (let n = 0; n < 4; n++) {
    if (!((dr7 >> (n * 2)) & 3)) continue;
    const rw = (dr7 >>> (16 + n * 4)) & 3;
    if (rw === 0 || rw === 2 || (rw === 1 && !write)) continue;
    const len = lengthOf(dr7, n);
    const start = (cpu.dr[n] & ~(len - 1)) >>> 0, lin = linear >>> 0;
    if (lin < start + len && lin + size > start) cpu.pendingDebugHits |= 1 << n;
  }
}

/** Execution breakpoint matching the instruction at CS:EIP (bit mask of DR0–DR3), unless RF is set. */
function executionHits(cpu: Cpu): number {
  if (cpu.flags & FLAG_RF) return 0;
  const dr7 = cpu.dr[7];
  const lin = (cpu.segBase[CS] + cpu.eip) >>> 0;
  let hits = 0;
  for (let n = 0; n < 4; n++) {
    if (((dr7 >> (n * 2)) & 3) && ((dr7 >>> (16 + n * 4)) & 3) === 0 && (cpu.dr[n] >>> 0) === lin) hits |= 1 << n;
  }
  return hits;
}

/**
 * Executes one instruction with the debug checks: a fault-class #DB before an execution
 * breakpoint, and a trap-class #DB after a single-stepped instruction or a data breakpoint hit.
 */
export function stepWithDebugChecks(cpu: Cpu, execute: () => void): void {
  const before = executionHits(cpu);
  if (before) {
    cpu.dr[6] = (cpu.dr[6] & ~0xF) | before;
    cpu.flags |= FLAG_RF; // the handler's IRET resumes without hitting the breakpoint again
    throw new CpuFault(Vector.DB, undefined, `debug-register execution breakpoint (DR6=0x${(cpu.dr[6] >>> 0).toString(16)})`);
  }
  const singleStep = (cpu.flags & FLAG_TF) !== 0;
  cpu.pendingDebugHits = 0;
  execute();
  if (cpu.flags & FLAG_RF) { cpu.flags &= ~FLAG_RF; updateDebugState(cpu); }
  const hits = cpu.pendingDebugHits;
  if (!singleStep && !hits) return;
  cpu.dr[6] = (cpu.dr[6] & ~0x400F) | hits | (singleStep ? DR6_BS : 0);
  cpu.instrStart = cpu.eip; // a trap: the handler returns to the next instruction
  deliverException(cpu, new CpuFault(Vector.DB, undefined, singleStep ? 'single-step trap (EFLAGS.TF)' : `debug-register data breakpoint (DR6=0x${(cpu.dr[6] >>> 0).toString(16)})`));
}
