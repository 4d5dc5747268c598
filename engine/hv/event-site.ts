// Where in the guest a VM event happened: the fields every event carries (vCPU, time, CS:EIP, CPL,
// mode, the instruction's bytes), and the one function that reads them off a CPU.
import type { Cpu } from '../cpu/cpu.js';
import type { Instr } from '../cpu/instr.js';
import { CS } from '../cpu/registers.js';

/** The guest state at an event. */
export interface EventSite {
  vcpu: number;               // vCPU index
  instructions: number;       // retired-instruction count of this vCPU at the event
  cs: number;                 // guest CS selector
  eip: number;                // guest EIP of the instruction that caused it (or that was interrupted)
  cpl: number;                // current privilege level
  mode: 'real' | 'protected' | 'v86';
  instructionBytes: number[]; // bytes of that instruction (empty when no instruction caused it)
}

/** The site of an event on cpu (vCPU index vcpu), caused by instruction i when there is one. */
export function eventSite(cpu: Cpu, vcpu: number, i?: Instr): EventSite {
  return {
    vcpu, instructions: cpu.instructionsNow, cs: cpu.segSel[CS], eip: cpu.instrStart >>> 0,
    cpl: cpu.cpl, mode: cpu.mode, instructionBytes: i ? i.bytes.slice() : [],
  };
}
