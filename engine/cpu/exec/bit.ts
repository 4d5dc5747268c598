// Bit family: BT BTS BTR BTC (register and immediate bit offsets; memory operands address beyond the
// operand for register offsets), BSF, BSR.
import type { HandlerFactory } from '../dispatch.js';
import { materializeFlags } from '../flags.js';
import { FLAG_CF, FLAG_ZF } from '../registers.js';
import { operandSize, reader, writer } from './operands.js';

type BitOp = (v: number, mask: number) => number;
const BIT_OPS: Record<string, BitOp | undefined> = {
  bt: undefined, bts: (v, m) => v | m, btr: (v, m) => v & ~m, btc: (v, m) => v ^ m,
};

const bitTest: HandlerFactory = (entry, opSize32, isMem) => {
  const op = BIT_OPS[entry.handler];
  const size = operandSize(entry.operands[0], opSize32);
  const bits = size * 8;
  const immediate = entry.operands[1][0] === 'I';
  const offsetOf = immediate ? undefined : reader(entry.operands[1], opSize32, isMem);
  const rd = reader(entry.operands[0], opSize32, false), wr = writer(entry.operands[0], opSize32, false);
  const setCf = (cpu: import('../cpu.js').Cpu, bit: number) => {
    materializeFlags(cpu);
    cpu.flags = (cpu.flags & ~FLAG_CF) | (bit ? FLAG_CF : 0);
  };
  return (cpu, i) => {
    const raw = immediate ? i.imm : offsetOf!(cpu, i);
    if (!isMem) {
      const bit = raw & (bits - 1);
      const v = rd(cpu, i);
      setCf(cpu, (v >>> bit) & 1);
      if (op) wr(cpu, i, op(v, 1 << bit));
      return;
    }
    let off = cpu.ea(i), bit: number;
    if (immediate) bit = raw & (bits - 1);
    else {
      const signed = size === 2 ? (raw << 16) >> 16 : raw | 0;
      const delta = Math.floor(signed / bits) * size;
      off = i.addrSize32 ? (off + delta) | 0 : (off + delta) & 0xFFFF;
      bit = signed & (bits - 1);
    }
    const v = size === 2 ? cpu.read16(i.seg, off) : cpu.read32(i.seg, off);
    setCf(cpu, (v >>> bit) & 1);
    if (op) { const r = op(v, 1 << bit); if (size === 2) cpu.write16(i.seg, off, r); else cpu.write32(i.seg, off, r); }
  };
};

const bitScan: HandlerFactory = (entry, opSize32, isMem) => {
  const forward = entry.handler === 'bsf';
  const rd = reader('Ev', opSize32, isMem), wr = writer('Gv', opSize32, isMem);
  const bits = opSize32 ? 32 : 16;
  return (cpu, i) => {
    const v = rd(cpu, i) & (bits === 32 ? -1 : 0xFFFF);
    materializeFlags(cpu);
    if (v === 0) { cpu.flags |= FLAG_ZF; return; } // destination unchanged (P6 behaviour)
    cpu.flags &= ~FLAG_ZF;
    wr(cpu, i, forward ? 31 - Math.clz32(v & -v) : 31 - Math.clz32(v));
  };
};

export const BIT_HANDLERS: Record<string, HandlerFactory> = {
  bt: bitTest, bts: bitTest, btr: bitTest, btc: bitTest, bsf: bitScan, bsr: bitScan,
};
