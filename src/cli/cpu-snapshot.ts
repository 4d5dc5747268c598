// A plain-data copy of the vCPU state at the end of a run, for `hvdbg run --stats` (text and JSON).
import type { Cpu } from '../../engine/cpu/cpu.js';
import { CS, REG32_NAMES } from '../../engine/cpu/registers.js';

export interface CpuSnapshot {
  mode: 'real' | 'protected' | 'v86'; // operating mode
  cpl: number;                        // current privilege level
  cs: number;                         // CS selector
  eip: number;                        // EIP (unsigned)
  eflags: number;                     // EFLAGS (unsigned)
  cr0: number;                        // CR0 (unsigned)
  cr3: number;                        // CR3 (unsigned)
  registers: Record<string, number>;  // eax..edi (unsigned)
}

export function snapshotCpu(cpu: Cpu): CpuSnapshot {
  const registers: Record<string, number> = {};
  REG32_NAMES.forEach((name, k) => { registers[name] = cpu.reg32[k] >>> 0; });
  return {
    mode: cpu.mode, cpl: cpu.cpl, cs: cpu.segSel[CS], eip: cpu.eip >>> 0, eflags: cpu.getEflags() >>> 0,
    cr0: cpu.cr0 >>> 0, cr3: cpu.cr3 >>> 0, registers,
  };
}
