// Shift and rotate family: ROL ROR RCL RCR SHL SHR SAR, SHLD SHRD. CF and OF are computed eagerly,
// ZF/SF/PF lazily; a count of zero leaves every flag alone. Undefined flags follow docs/cpu.md.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import { getCF, materializeFlags, setResultFlags } from '../flags.js';
import { FLAG_CF, FLAG_OF, ECX } from '../registers.js';
import { operandSize, reader } from './operands.js';
import { unaryRmw } from './alu.js';

const MASK = [0, 0xFF, 0xFFFF, 0, 0xFFFFFFFF];

/** Computes (value, count) → result and sets flags; count already masked to 5 bits and nonzero. */
type ShiftOp = (cpu: Cpu, v: number, count: number, size: number) => number;

function setCfOf(cpu: Cpu, cf: number, of: number): void {
  materializeFlags(cpu);
  cpu.flags = (cpu.flags & ~(FLAG_CF | FLAG_OF)) | (cf ? FLAG_CF : 0) | (of ? FLAG_OF : 0);
}

const OPS: Record<string, ShiftOp> = {
  rol: (cpu, v, count, size) => {
    const bits = size * 8, c = count % bits;
    const u = (v & MASK[size]) >>> 0;
    const r = c === 0 ? u : ((u << c) | (u >>> (bits - c))) & MASK[size];
    const cf = r & 1;
    setCfOf(cpu, cf, ((r >>> (bits - 1)) & 1) ^ cf);
    return r;
  },
  ror: (cpu, v, count, size) => {
    const bits = size * 8, c = count % bits;
    const u = (v & MASK[size]) >>> 0;
    const r = c === 0 ? u : ((u >>> c) | (u << (bits - c))) & MASK[size];
    const top = (r >>> (bits - 1)) & 1;
    setCfOf(cpu, top, top ^ ((r >>> (bits - 2)) & 1));
    return r;
  },
  rcl: (cpu, v, count, size) => {
    const bits = size * 8, c = count % (bits + 1);
    let r = (v & MASK[size]) >>> 0, cf = getCF(cpu);
    for (let k = 0; k < c; k++) { const out = (r >>> (bits - 1)) & 1; r = ((r << 1) | cf) & MASK[size]; cf = out; }
    setCfOf(cpu, cf, ((r >>> (bits - 1)) & 1) ^ cf);
    return r;
  },
  rcr: (cpu, v, count, size) => {
    const bits = size * 8, c = count % (bits + 1);
    let r = (v & MASK[size]) >>> 0, cf = getCF(cpu);
    const of = ((r >>> (bits - 1)) & 1) ^ cf; // OF from the operand before rotation (defined for count 1)
    for (let k = 0; k < c; k++) { const out = r & 1; r = ((r >>> 1) | (cf << (bits - 1))) & MASK[size]; cf = out; }
    setCfOf(cpu, cf, of);
    return r;
  },
  shl: (cpu, v, count, size) => {
    const bits = size * 8;
    const u = (v & MASK[size]) >>> 0;
    const r = count >= 32 ? 0 : (u << count) & MASK[size];
    const cf = count > bits ? 0 : (u >>> (bits - count)) & 1;
    setResultFlags(cpu, size, r, (cf ? FLAG_CF : 0) | ((((r >>> (bits - 1)) & 1) ^ cf) ? FLAG_OF : 0));
    return r;
  },
  shr: (cpu, v, count, size) => {
    const bits = size * 8;
    const u = (v & MASK[size]) >>> 0;
    const r = count >= 32 ? 0 : u >>> count;
    const cf = count > bits ? 0 : (u >>> (count - 1)) & 1;
    setResultFlags(cpu, size, r, (cf ? FLAG_CF : 0) | (((u >>> (bits - 1)) & 1) ? FLAG_OF : 0));
    return r;
  },
  sar: (cpu, v, count, size) => {
    const bits = size * 8;
    const s = (v << (32 - bits)) >> (32 - bits);
    const r = (s >> Math.min(count, 31)) & MASK[size];
    const cf = (s >> Math.min(count - 1, 31)) & 1;
    setResultFlags(cpu, size, r, cf ? FLAG_CF : 0);
    return r;
  },
};

const shift: HandlerFactory = (entry, opSize32, isMem) => {
  const op = OPS[entry.handler];
  const countKind = entry.operands[1];
  const countOf: (cpu: Cpu, imm: number) => number = countKind === '1' ? () => 1 : countKind === 'CL' ? (cpu) => cpu.reg8[ECX << 2] & 0x1F : (_c, imm) => imm & 0x1F;
  let pendingImm = 0;
  const rmw = unaryRmw(entry, opSize32, isMem, (cpu, v, size) => {
    const count = countOf(cpu, pendingImm);
    return count === 0 ? v : op(cpu, v, count, size);
  });
  return (cpu, i) => { pendingImm = i.imm; rmw(cpu, i); };
};

/** SHLD/SHRD: double-precision shifts of operand 0 with bits from operand 1. */
const doubleShift: HandlerFactory = (entry, opSize32, isMem) => {
  const left = entry.handler === 'shld';
  const size = operandSize(entry.operands[0], opSize32);
  const bits = size * 8;
  const src = reader(entry.operands[1], opSize32, isMem);
  const byCl = entry.operands[2] === 'CL';
  let pending = { count: 0, fill: 0 };
  const rmw = unaryRmw(entry, opSize32, isMem, (cpu, v, sz) => {
    const { count, fill } = pending;
    if (count === 0) return v;
    const d = BigInt((v & MASK[sz]) >>> 0), f = BigInt((fill & MASK[sz]) >>> 0), w = BigInt(bits);
    const m = (1n << w) - 1n;
    let r: bigint, cf: bigint;
    const c = BigInt(count);
    if (left) {
      const combined = (d << w) | f;                 // dst:src, shifted left
      const shifted = combined << c;
      r = (shifted >> w) & m;
      cf = (combined >> (2n * w - c)) & 1n;
    } else {
      const combined = (f << w) | d;                 // src:dst, shifted right
      r = (combined >> c) & m;
      cf = (combined >> (c - 1n)) & 1n;
    }
    const res = Number(r) | 0;
    const ofBit = ((Number(r) >>> (bits - 1)) ^ ((v >>> (bits - 1)))) & 1;
    setResultFlags(cpu, sz, sz === 4 ? res : res & MASK[sz], (cf ? FLAG_CF : 0) | (ofBit ? FLAG_OF : 0));
    return res;
  });
  return (cpu, i) => {
    const count = (byCl ? cpu.reg8[ECX << 2] : i.imm) & 0x1F;
    pending = { count: count > bits ? count % bits : count, fill: src(cpu, i) };
    rmw(cpu, i);
  };
};

export const SHIFT_HANDLERS: Record<string, HandlerFactory> = {
  rol: shift, ror: shift, rcl: shift, rcr: shift, shl: shift, shr: shift, sar: shift,
  shld: doubleShift, shrd: doubleShift,
};
