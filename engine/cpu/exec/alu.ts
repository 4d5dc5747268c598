// Integer ALU family: ADD OR ADC SBB AND SUB XOR CMP TEST, INC DEC NOT NEG — all through lazy flags.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import type { Handler } from '../instr.js';
import { getCF, LazyOp, setLazy, setLazyKeepCF, setResultFlags } from '../flags.js';
import { operandSize, reader, truncate, writer } from './operands.js';

/** dst op src → result (already truncated), setting flags. */
type BinaryOp = (cpu: Cpu, dst: number, src: number, size: number) => number;

const OPS: Record<string, BinaryOp> = {
  add: (cpu, d, s, size) => { const r = truncate(d + s, size); setLazy(cpu, LazyOp.Add, size, d, s, r); return r; },
  adc: (cpu, d, s, size) => {
    const c = getCF(cpu);
    const r = truncate(d + s + c, size);
    setLazy(cpu, LazyOp.Adc, size, d, s, r); cpu.lazyCarryIn = c; return r;
  },
  sub: (cpu, d, s, size) => { const r = truncate(d - s, size); setLazy(cpu, LazyOp.Sub, size, d, s, r); return r; },
  sbb: (cpu, d, s, size) => {
    const c = getCF(cpu);
    const r = truncate(d - s - c, size);
    setLazy(cpu, LazyOp.Sbb, size, d, s, r); cpu.lazyCarryIn = c; return r;
  },
  and: (cpu, d, s, size) => { const r = truncate(d & s, size); setResultFlags(cpu, size, r, 0); return r; },
  or: (cpu, d, s, size) => { const r = truncate(d | s, size); setResultFlags(cpu, size, r, 0); return r; },
  xor: (cpu, d, s, size) => { const r = truncate(d ^ s, size); setResultFlags(cpu, size, r, 0); return r; },
};
OPS.cmp = OPS.sub;
OPS.test = OPS.and;

const NO_WRITEBACK = new Set(['cmp', 'test']);

/** Two-operand ALU instruction: a read-modify-write of operand 0 with operand 1. */
const binary: HandlerFactory = (entry, opSize32, isMem) => {
  const op = OPS[entry.handler];
  const [dstKind, srcKind] = entry.operands;
  const size = operandSize(dstKind, opSize32);
  const src = reader(srcKind, opSize32, isMem);
  const writes = !NO_WRITEBACK.has(entry.handler);
  const dstIsMem = isMem && (dstKind[0] === 'E');
  if (dstIsMem) {
    // Resolve the linear address once for the read and the write.
    const rd = size === 1 ? (c: Cpu, l: number) => c.readLin8(l) : size === 2 ? (c: Cpu, l: number) => c.readLin16(l) : (c: Cpu, l: number) => c.readLin32(l);
    const wr = size === 1 ? (c: Cpu, l: number, v: number) => c.writeLin8(l, v) : size === 2 ? (c: Cpu, l: number, v: number) => c.writeLin16(l, v) : (c: Cpu, l: number, v: number) => c.writeLin32(l, v);
    return (cpu, i) => {
      const lin = cpu.linear(i.seg, cpu.ea(i), size, writes);
      const r = op(cpu, rd(cpu, lin), truncate(src(cpu, i), size), size);
      if (writes) wr(cpu, lin, r);
    };
  }
  const dst = reader(dstKind, opSize32, isMem);
  const put = writes ? writer(dstKind, opSize32, isMem) : undefined;
  if (writes && size === 4 && !isMem && dstKind[0] === 'G' && srcKind[0] === 'E') {
    return (cpu, i) => { cpu.reg32[i.reg] = op(cpu, cpu.reg32[i.reg], cpu.reg32[i.rm], 4); };
  }
  return put
    ? (cpu, i) => { put(cpu, i, op(cpu, dst(cpu, i), truncate(src(cpu, i), size), size)); }
    : (cpu, i) => { op(cpu, dst(cpu, i), truncate(src(cpu, i), size), size); };
};

/** Read-modify-write of a single operand through fn(cpu, value, size) → result. */
export function unaryRmw(entry: { operands: readonly string[] }, opSize32: boolean, isMem: boolean,
  fn: (cpu: Cpu, v: number, size: number) => number): Handler {
  const kind = entry.operands[0];
  const size = operandSize(kind, opSize32);
  if (isMem && kind[0] === 'E') {
    return (cpu, i) => {
      const lin = cpu.linear(i.seg, cpu.ea(i), size, true);
      const v = size === 1 ? cpu.readLin8(lin) : size === 2 ? cpu.readLin16(lin) : cpu.readLin32(lin);
      const r = fn(cpu, v, size);
      if (size === 1) cpu.writeLin8(lin, r); else if (size === 2) cpu.writeLin16(lin, r); else cpu.writeLin32(lin, r);
    };
  }
  const rd = reader(kind, opSize32, isMem);
  const wr = writer(kind, opSize32, isMem);
  return (cpu, i) => wr(cpu, i, fn(cpu, rd(cpu, i), size));
}

const inc: HandlerFactory = (e, o, m) => unaryRmw(e, o, m, (cpu, v, size) => {
  const r = truncate(v + 1, size); setLazyKeepCF(cpu, LazyOp.Inc, size, v, r); return r;
});
const dec: HandlerFactory = (e, o, m) => unaryRmw(e, o, m, (cpu, v, size) => {
  const r = truncate(v - 1, size); setLazyKeepCF(cpu, LazyOp.Dec, size, v, r); return r;
});
const not: HandlerFactory = (e, o, m) => unaryRmw(e, o, m, (_cpu, v, size) => truncate(~v, size));
const neg: HandlerFactory = (e, o, m) => unaryRmw(e, o, m, (cpu, v, size) => {
  const r = truncate(-v, size); setLazy(cpu, LazyOp.Sub, size, 0, v, r); return r;
});

export const ALU_HANDLERS: Record<string, HandlerFactory> = {
  add: binary, or: binary, adc: binary, sbb: binary, and: binary, sub: binary, xor: binary, cmp: binary, test: binary,
  inc, dec, not, neg,
};
