// Multiply/divide family: MUL, IMUL (one-, two- and three-operand), DIV, IDIV with #DE.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import { setResultFlags } from '../flags.js';
import { FLAG_CF, FLAG_OF, EAX, EDX } from '../registers.js';
import { fault, Vector } from '../fault.js';
import { operandSize, reader, writer } from './operands.js';

/** Sets CF=OF=overflow and the lazy ZF/SF/PF from the low half (P6 behaviour for the undefined ones). */
function mulFlags(cpu: Cpu, size: number, low: number, overflow: boolean): void {
  setResultFlags(cpu, size, low, overflow ? FLAG_CF | FLAG_OF : 0);
}

const mul: HandlerFactory = (entry, opSize32, isMem) => {
  const size = operandSize(entry.operands[0], opSize32);
  const rd = reader(entry.operands[0], opSize32, isMem);
  return (cpu, i) => {
    const s = rd(cpu, i);
    if (size === 1) {
      const r = cpu.reg8[0] * (s & 0xFF);
      cpu.reg16[0] = r; mulFlags(cpu, 1, r & 0xFF, r > 0xFF);
    } else if (size === 2) {
      const r = cpu.reg16[0] * (s & 0xFFFF);
      cpu.reg16[0] = r; cpu.reg16[EDX << 1] = r >>> 16; mulFlags(cpu, 2, r & 0xFFFF, r > 0xFFFF);
    } else {
      const r = BigInt(cpu.reg32[EAX] >>> 0) * BigInt(s >>> 0);
      const lo = Number(r & 0xFFFFFFFFn) | 0, hi = Number(r >> 32n) | 0;
      cpu.reg32[EAX] = lo; cpu.reg32[EDX] = hi; mulFlags(cpu, 4, lo, hi !== 0);
    }
  };
};

const imul1: HandlerFactory = (entry, opSize32, isMem) => {
  const size = operandSize(entry.operands[0], opSize32);
  const rd = reader(entry.operands[0], opSize32, isMem);
  return (cpu, i) => {
    const s = rd(cpu, i);
    if (size === 1) {
      const r = ((cpu.reg8[0] << 24) >> 24) * ((s << 24) >> 24);
      cpu.reg16[0] = r; mulFlags(cpu, 1, r & 0xFF, r !== ((r << 24) >> 24));
    } else if (size === 2) {
      const r = ((cpu.reg16[0] << 16) >> 16) * ((s << 16) >> 16);
      cpu.reg16[0] = r; cpu.reg16[EDX << 1] = r >> 16; mulFlags(cpu, 2, r & 0xFFFF, r !== ((r << 16) >> 16));
    } else {
      const r = BigInt(cpu.reg32[EAX]) * BigInt(s | 0);
      const lo = Number(BigInt.asIntN(32, r)), hi = Number(BigInt.asIntN(32, r >> 32n));
      cpu.reg32[EAX] = lo; cpu.reg32[EDX] = hi; mulFlags(cpu, 4, lo, BigInt(lo) !== r);
    }
  };
};

/** Signed multiply truncated to size: returns [low, overflowed]. */
function imulTrunc(a: number, b: number, size: number): [number, boolean] {
  if (size === 2) {
    const r = ((a << 16) >> 16) * ((b << 16) >> 16);
    return [r & 0xFFFF, r !== ((r << 16) >> 16)];
  }
  const lo = Math.imul(a, b);
  const exact = (a | 0) * (b | 0);
  return [lo, exact !== lo]; // a rounded product beyond 2^53 still differs from the int32 result
}

const imul2: HandlerFactory = (_e, opSize32, isMem) => {
  const size = opSize32 ? 4 : 2;
  const src = reader('Ev', opSize32, isMem);
  const dst = reader('Gv', opSize32, isMem), wr = writer('Gv', opSize32, isMem);
  return (cpu, i) => {
    const [r, of] = imulTrunc(dst(cpu, i), src(cpu, i), size);
    wr(cpu, i, r); mulFlags(cpu, size, r, of);
  };
};

const imul3: HandlerFactory = (_e, opSize32, isMem) => {
  const size = opSize32 ? 4 : 2;
  const src = reader('Ev', opSize32, isMem), wr = writer('Gv', opSize32, isMem);
  return (cpu, i) => {
    const [r, of] = imulTrunc(src(cpu, i), i.imm, size);
    wr(cpu, i, r); mulFlags(cpu, size, r, of);
  };
};

const div: HandlerFactory = (entry, opSize32, isMem) => {
  const size = operandSize(entry.operands[0], opSize32);
  const rd = reader(entry.operands[0], opSize32, isMem);
  return (cpu, i) => {
    const s = rd(cpu, i) >>> 0;
    if (s === 0) fault(Vector.DE, undefined, 'divide by zero');
    if (size === 1) {
      const n = cpu.reg16[0], q = Math.floor(n / s);
      if (q > 0xFF) fault(Vector.DE, undefined, 'quotient too large');
      cpu.reg8[0] = q; cpu.reg8[1] = n % s;
    } else if (size === 2) {
      const n = ((cpu.reg16[EDX << 1] << 16) | cpu.reg16[0]) >>> 0, q = Math.floor(n / s);
      if (q > 0xFFFF) fault(Vector.DE, undefined, 'quotient too large');
      cpu.reg16[0] = q; cpu.reg16[EDX << 1] = n % s;
    } else {
      const n = (BigInt(cpu.reg32[EDX] >>> 0) << 32n) | BigInt(cpu.reg32[EAX] >>> 0), d = BigInt(s);
      const q = n / d;
      if (q > 0xFFFFFFFFn) fault(Vector.DE, undefined, 'quotient too large');
      cpu.reg32[EAX] = Number(q) | 0; cpu.reg32[EDX] = Number(n % d) | 0;
    }
  };
};

const idiv: HandlerFactory = (entry, opSize32, isMem) => {
  const size = operandSize(entry.operands[0], opSize32);
  const rd = reader(entry.operands[0], opSize32, isMem);
  return (cpu, i) => {
    const raw = rd(cpu, i);
    if ((raw & [0, 0xFF, 0xFFFF, 0, -1][size]) === 0) fault(Vector.DE, undefined, 'divide by zero');
    if (size === 1) {
      const n = (cpu.reg16[0] << 16) >> 16, d = (raw << 24) >> 24, q = Math.trunc(n / d);
      if (q > 127 || q < -128) fault(Vector.DE, undefined, 'quotient out of range');
      cpu.reg8[0] = q; cpu.reg8[1] = n % d;
    } else if (size === 2) {
      const n = (cpu.reg16[EDX << 1] << 16) | cpu.reg16[0], d = (raw << 16) >> 16, q = Math.trunc(n / d);
      if (q > 32767 || q < -32768) fault(Vector.DE, undefined, 'quotient out of range');
      cpu.reg16[0] = q; cpu.reg16[EDX << 1] = n % d;
    } else {
      const n = (BigInt(cpu.reg32[EDX]) << 32n) | BigInt(cpu.reg32[EAX] >>> 0), d = BigInt(raw | 0);
      const q = n / d;
      if (q > 0x7FFFFFFFn || q < -0x80000000n) fault(Vector.DE, undefined, 'quotient out of range');
      cpu.reg32[EAX] = Number(q); cpu.reg32[EDX] = Number(n % d);
    }
  };
};

export const MULDIV_HANDLERS: Record<string, HandlerFactory> = { mul, imul1, imul2, imul3, div, idiv };
