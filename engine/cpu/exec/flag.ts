// Flag family: PUSHF/POPF (with their IOPL and V86 rules), SAHF/LAHF, CLC/STC/CMC, CLI/STI, CLD/STD.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import { materializeFlags } from '../flags.js';
import { FLAG_CF, FLAG_DF, FLAG_IF, FLAG_IOPL, FLAG_RF, FLAG_VM, FLAG_VIF, FLAG_VIP } from '../registers.js';
import { fault, Vector } from '../fault.js';

function iopl(cpu: Cpu): number { return (cpu.flags & FLAG_IOPL) >> 12; }

const pushf: HandlerFactory = (_e, opSize32) => (cpu) => {
  if (cpu.v86 && iopl(cpu) < 3) fault(Vector.GP, 0, 'PUSHF in V86 mode with IOPL < 3');
  const f = cpu.getEflags() & ~(FLAG_VM | FLAG_RF);
  if (opSize32) cpu.push32(f); else cpu.push16(f);
};

const popf: HandlerFactory = (_e, opSize32) => (cpu) => {
  if (cpu.v86 && iopl(cpu) < 3) fault(Vector.GP, 0, 'POPF in V86 mode with IOPL < 3');
  const v = opSize32 ? cpu.pop32() : cpu.pop16();
  const old = cpu.getEflags();
  // Bits POPF may change: everything architectural except VM, RF, VIF, VIP; IOPL only at CPL 0;
  // IF only when CPL <= IOPL. A real-mode CPU behaves as CPL 0.
  let mask = 0x3F7FD5 & ~(FLAG_VM | FLAG_RF | FLAG_VIF | FLAG_VIP);
  if (!opSize32) mask &= 0xFFFF;
  if (cpu.protectedMode && cpu.cpl > 0) mask &= ~FLAG_IOPL;
  if (cpu.protectedMode && cpu.cpl > iopl(cpu)) mask &= ~FLAG_IF;
  if (cpu.v86) mask &= ~FLAG_IOPL;
  cpu.setEflags((old & ~mask) | (v & mask));
};

const sahf: HandlerFactory = () => (cpu) => {
  materializeFlags(cpu);
  cpu.flags = (cpu.flags & ~0xD5) | (cpu.reg8[1] & 0xD5);
};
const lahf: HandlerFactory = () => (cpu) => { cpu.reg8[1] = (materializeFlags(cpu) & 0xD5) | 2; };

function setFlag(bit: number, value: boolean | 'toggle'): HandlerFactory {
  return () => (cpu) => {
    materializeFlags(cpu);
    if (value === 'toggle') cpu.flags ^= bit; else if (value) cpu.flags |= bit; else cpu.flags &= ~bit;
  };
}

/** CLI/STI are IOPL-sensitive: at CPL > IOPL (or in V86 with IOPL < 3) they raise #GP. */
function checkIopl(cpu: Cpu, what: string): void {
  if (cpu.protectedMode && cpu.cpl > iopl(cpu)) fault(Vector.GP, 0, `${what} at CPL ${cpu.cpl} with IOPL ${iopl(cpu)}`);
}
const cli: HandlerFactory = () => (cpu) => { checkIopl(cpu, 'CLI'); cpu.flags &= ~FLAG_IF; };
const sti: HandlerFactory = () => (cpu) => {
  checkIopl(cpu, 'STI');
  if (!(cpu.flags & FLAG_IF)) cpu.interruptShadow = true;
  cpu.flags |= FLAG_IF;
};

export const FLAG_HANDLERS: Record<string, HandlerFactory> = {
  pushf, popf, sahf, lahf, cli, sti,
  clc: setFlag(FLAG_CF, false), stc: setFlag(FLAG_CF, true), cmc: setFlag(FLAG_CF, 'toggle'),
  cld: setFlag(FLAG_DF, false), std: setFlag(FLAG_DF, true),
};
