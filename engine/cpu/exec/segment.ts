// Segment-register family: MOV to/from Sreg, LDS/LES/LFS/LGS/LSS, ARPL.
import type { HandlerFactory } from '../dispatch.js';
import { loadSegment } from '../descriptors.js';
import { fault, Vector } from '../fault.js';
import { materializeFlags } from '../flags.js';
import { CS, SS, FLAG_ZF } from '../registers.js';
import { reader, writer } from './operands.js';

const movsr: HandlerFactory = (entry, opSize32, isMem) => {
  if (entry.operands[0] === 'Sw') {
    const rd = reader('Ew', opSize32, isMem);
    return (cpu, i) => {
      if (i.reg === CS || i.reg > 5) fault(Vector.UD, undefined, i.reg === CS ? 'MOV to CS' : `MOV to segment register ${i.reg}`);
      loadSegment(cpu, i.reg, rd(cpu, i));
      if (i.reg === SS) cpu.interruptShadow = true;
    };
  }
  // MOV r/m, Sreg: a register destination with a 32-bit operand size gets the zero-extended selector.
  const wr = writer(isMem ? 'Ew' : 'Ev', opSize32, isMem);
  return (cpu, i) => {
    if (i.reg > 5) fault(Vector.UD, undefined, `MOV from segment register ${i.reg}`);
    wr(cpu, i, cpu.segSel[i.reg]);
  };
};

const LSEG_TARGET: Record<number, number> = { 0xC4: 0, 0xC5: 3, 0x1B2: 2, 0x1B4: 4, 0x1B5: 5 };

const lseg: HandlerFactory = (entry, opSize32) => {
  const seg = LSEG_TARGET[entry.opcode];
  const wr = writer('Gv', opSize32, true);
  return (cpu, i) => {
    const off = cpu.ea(i);
    const offset = opSize32 ? cpu.read32(i.seg, off) : cpu.read16(i.seg, off);
    const sel = cpu.read16(i.seg, i.addrSize32 ? (off + (opSize32 ? 4 : 2)) | 0 : (off + (opSize32 ? 4 : 2)) & 0xFFFF);
    loadSegment(cpu, seg, sel);
    if (seg === SS) cpu.interruptShadow = true;
    wr(cpu, i, offset);
  };
};

const arpl: HandlerFactory = (_e, opSize32, isMem) => {
  const rd = reader('Ew', opSize32, isMem), wr = writer('Ew', opSize32, isMem);
  return (cpu, i) => {
    if (!cpu.protectedMode || cpu.v86) fault(Vector.UD, undefined, `ARPL is not valid in ${cpu.mode} mode`);
    const dst = rd(cpu, i), src = cpu.reg16[i.reg << 1];
    materializeFlags(cpu);
    if ((dst & 3) < (src & 3)) { wr(cpu, i, (dst & ~3) | (src & 3)); cpu.flags |= FLAG_ZF; } else cpu.flags &= ~FLAG_ZF;
  };
};

export const SEGMENT_HANDLERS: Record<string, HandlerFactory> = { movsr, lseg, arpl };
