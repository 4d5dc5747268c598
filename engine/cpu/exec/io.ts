// Port I/O family: IN, OUT, INS, OUTS. Permission follows IOPL and the TSS I/O bitmap; the access
// itself goes to the CPU environment (the hypervisor), which turns it into an I/O VM exit.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import { fault, Vector } from '../fault.js';
import { systemRead16 } from '../descriptors.js';
import { EAX, EDX, FLAG_IOPL, ES } from '../registers.js';
import { operandSize } from './operands.js';
import { repeatString } from './string.js';

/** Raises #GP(0) unless the current privilege may access size bytes at port (SDM 19.5). */
export function checkIoPermission(cpu: Cpu, port: number, size: number): void {
  if (!cpu.protectedMode) return;
  if (!cpu.v86 && cpu.cpl <= ((cpu.flags & FLAG_IOPL) >> 12)) return;
  const tss32 = (cpu.trRights & 0x8) !== 0;
  if (!tss32 || cpu.trLimit < 0x67) fault(Vector.GP, 0, `I/O to port 0x${port.toString(16)} denied: CPL > IOPL and no I/O bitmap`);
  const bitmapBase = systemRead16(cpu, (cpu.trBase + 0x66) | 0);
  const byteOff = bitmapBase + (port >> 3);
  if (byteOff + 1 > cpu.trLimit) fault(Vector.GP, 0, `I/O to port 0x${port.toString(16)} denied: beyond the TSS I/O bitmap`);
  const bits = systemRead16(cpu, (cpu.trBase + byteOff) | 0);
  const mask = ((1 << size) - 1) << (port & 7);
  if (bits & mask) fault(Vector.GP, 0, `I/O to port 0x${port.toString(16)} denied by the TSS I/O bitmap`);
}

const inHandler: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[0], opSize32);
  const fromDx = entry.operands[1] === 'DX';
  return (cpu, i) => {
    const port = fromDx ? cpu.reg16[EDX << 1] : i.imm & 0xFF;
    checkIoPermission(cpu, port, size);
    const v = cpu.env.ioIn(port, size, i);
    if (size === 1) cpu.reg8[0] = v; else if (size === 2) cpu.reg16[0] = v; else cpu.reg32[EAX] = v;
  };
};

const outHandler: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[1], opSize32);
  const toDx = entry.operands[0] === 'DX';
  return (cpu, i) => {
    const port = toDx ? cpu.reg16[EDX << 1] : i.imm & 0xFF;
    checkIoPermission(cpu, port, size);
    const v = size === 1 ? cpu.reg8[0] : size === 2 ? cpu.reg16[0] : cpu.reg32[EAX];
    cpu.env.ioOut(port, size, v, i);
  };
};

const ins: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[0], opSize32);
  return (cpu, i) => {
    const port = cpu.reg16[EDX << 1];
    checkIoPermission(cpu, port, size);
    repeatString(cpu, i, size, false, (di) => {
      const v = cpu.env.ioIn(port, size, i);
      if (size === 1) cpu.write8(ES, di, v); else if (size === 2) cpu.write16(ES, di, v); else cpu.write32(ES, di, v);
    }, 'di');
  };
};

const outs: HandlerFactory = (entry, opSize32) => {
  const size = operandSize(entry.operands[1], opSize32);
  return (cpu, i) => {
    const port = cpu.reg16[EDX << 1];
    checkIoPermission(cpu, port, size);
    const seg = i.segOverride >= 0 ? i.segOverride : 3;
    repeatString(cpu, i, size, false, (si) => {
      const v = size === 1 ? cpu.read8(seg, si) : size === 2 ? cpu.read16(seg, si) : cpu.read32(seg, si);
      cpu.env.ioOut(port, size, v, i);
    }, 'si');
  };
};

export const IO_HANDLERS: Record<string, HandlerFactory> = { in: inHandler, out: outHandler, ins, outs };
