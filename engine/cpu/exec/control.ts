// Control-transfer family (near): Jcc, JMP, CALL, RET, LOOPcc, JCXZ, INT n/INT3/INTO/INT1, BOUND;
// far transfers and IRET are delegated to far-transfer.ts.
import type { Cpu } from '../cpu.js';
import type { Instr } from '../instr.js';
import type { HandlerFactory } from '../dispatch.js';
import { testCondition, getZF, getOF } from '../flags.js';
import { ECX, FLAG_IOPL, FLAG_VM } from '../registers.js';
import { CpuFault, fault, Vector } from '../fault.js';
import { deliverInterrupt } from '../interrupts.js';
import { reader } from './operands.js';
import { farCall, farJump, farReturn, interruptReturn } from './far-transfer.js';
import { CS } from '../registers.js';

/** Sets EIP to target, truncated to the operand size, checking the CS limit. */
export function jumpNear(cpu: Cpu, target: number, opSize32: boolean): void {
  const t = opSize32 ? target >>> 0 : target & 0xFFFF;
  if (t > cpu.segLimit[CS]) fault(Vector.GP, 0, `jump target 0x${t.toString(16)} beyond CS limit`);
  cpu.eip = t | 0;
}

const jcc: HandlerFactory = (entry, opSize32) => {
  const cc = entry.opcode & 0xF;
  return (cpu, i) => { if (testCondition(cpu, cc)) jumpNear(cpu, cpu.eip + i.imm, opSize32); };
};

const jmp: HandlerFactory = (entry, opSize32, isMem) => {
  if (entry.operands[0][0] === 'J') return (cpu, i) => jumpNear(cpu, cpu.eip + i.imm, opSize32);
  const rd = reader(entry.operands[0], opSize32, isMem);
  return (cpu, i) => jumpNear(cpu, rd(cpu, i), opSize32);
};

const call: HandlerFactory = (entry, opSize32, isMem) => {
  const rel = entry.operands[0][0] === 'J';
  const rd = rel ? undefined : reader(entry.operands[0], opSize32, isMem);
  return (cpu, i) => {
    const target = rd ? rd(cpu, i) : cpu.eip + i.imm;
    const t = opSize32 ? target >>> 0 : target & 0xFFFF;
    if (t > cpu.segLimit[CS]) fault(Vector.GP, 0, `call target 0x${t.toString(16)} beyond CS limit`);
    if (opSize32) cpu.push32(cpu.eip); else cpu.push16(cpu.eip);
    cpu.eip = t | 0;
  };
};

const ret: HandlerFactory = (entry, opSize32) => {
  const hasImm = entry.operands.length > 0;
  return (cpu, i) => {
    const sp = cpu.reg32[4];
    const target = opSize32 ? cpu.pop32() : cpu.pop16();
    try { jumpNear(cpu, target, opSize32); } catch (e) { cpu.reg32[4] = sp; throw e; }
    if (hasImm) {
      if (cpu.stackSize32) cpu.reg32[4] = (cpu.reg32[4] + i.imm) | 0; else cpu.reg16[8] = cpu.reg16[8] + i.imm;
    }
  };
};

const loop: HandlerFactory = (entry, opSize32) => {
  const kind = entry.opcode; // E0 loopne, E1 loope, E2 loop
  return (cpu, i) => {
    let count: number;
    if (i.addrSize32) { count = cpu.reg32[ECX] = (cpu.reg32[ECX] - 1) | 0; } else { count = cpu.reg16[ECX << 1] = (cpu.reg16[ECX << 1] - 1) & 0xFFFF; }
    let take = count !== 0;
    if (kind === 0xE0) take = take && !getZF(cpu);
    else if (kind === 0xE1) take = take && getZF(cpu);
    if (take) jumpNear(cpu, cpu.eip + i.imm, opSize32);
  };
};

const jcxz: HandlerFactory = (_e, opSize32) => (cpu, i) => {
  const count = i.addrSize32 ? cpu.reg32[ECX] : cpu.reg16[ECX << 1];
  if (count === 0) jumpNear(cpu, cpu.eip + i.imm, opSize32);
};

/** INT n from software: V86 mode with IOPL < 3 faults; otherwise through the IVT/IDT. */
function softwareInterrupt(cpu: Cpu, vector: number, i: Instr): void {
  if ((cpu.flags & FLAG_VM) && (cpu.flags & FLAG_IOPL) !== FLAG_IOPL) fault(Vector.GP, 0, `INT ${vector} in V86 mode with IOPL < 3`);
  if (!cpu.env.softwareInterrupt(vector, i)) deliverInterrupt(cpu, vector, true, undefined);
}

const int: HandlerFactory = () => (cpu, i) => softwareInterrupt(cpu, i.imm & 0xFF, i);
// INT3 and INTO are not IOPL-sensitive in V86 mode (SDM INT n pseudocode: "VM = 1 and IOPL < 3 AND
// INT n"); they still check the gate DPL like any software interrupt.
const int3: HandlerFactory = () => (cpu, i) => { if (!cpu.env.softwareInterrupt(Vector.BP, i)) deliverInterrupt(cpu, Vector.BP, true, undefined); };
const into: HandlerFactory = () => (cpu, i) => { if (getOF(cpu) && !cpu.env.softwareInterrupt(Vector.OF, i)) deliverInterrupt(cpu, Vector.OF, true, undefined); };
/** INT1 (ICEBP) delivers #DB as a hardware event: no gate-DPL check. */
const int1: HandlerFactory = () => (cpu, i) => { if (!cpu.env.softwareInterrupt(Vector.DB, i)) deliverInterrupt(cpu, Vector.DB, false, undefined); };

const bound: HandlerFactory = (_e, opSize32) => (cpu, i) => {
  const off = cpu.ea(i);
  const idx = opSize32 ? cpu.reg32[i.reg] : (cpu.reg16[i.reg << 1] << 16) >> 16;
  let lo: number, hi: number;
  if (opSize32) { lo = cpu.read32(i.seg, off); hi = cpu.read32(i.seg, off + 4); }
  else { lo = (cpu.read16(i.seg, off) << 16) >> 16; hi = (cpu.read16(i.seg, i.addrSize32 ? off + 2 : (off + 2) & 0xFFFF) << 16) >> 16; }
  if (idx < lo || idx > hi) throw new CpuFault(Vector.BR, undefined, `BOUND: index ${idx} outside [${lo}, ${hi}]`);
};

export const CONTROL_HANDLERS: Record<string, HandlerFactory> = {
  jcc, jmp, call, ret, loop, jcxz, int, int3, into, int1, bound,
  callf: (e, o) => farCall(e, o),
  jmpf: (e, o) => farJump(e, o),
  retf: (e, o) => farReturn(e, o),
  iret: (_e, o) => interruptReturn(o),
};
