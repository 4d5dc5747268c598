// Data-movement family: MOV, XCHG, LEA, MOVZX/MOVSX, CBW/CWD, CMOVcc, SETcc, XLAT, BSWAP, CMPXCHG,
// XADD, CMPXCHG8B.
import type { HandlerFactory } from '../dispatch.js';
import { LazyOp, setLazy, testCondition } from '../flags.js';
import { EAX, EBX, ECX, EDX } from '../registers.js';
import { operandSize, reader, truncate, writer } from './operands.js';

const mov: HandlerFactory = (entry, opSize32, isMem) => {
  const [d, s] = entry.operands;
  if (!isMem && opSize32 && d === 'Gv' && s === 'Ev') return (cpu, i) => { cpu.reg32[i.reg] = cpu.reg32[i.rm]; };
  if (!isMem && opSize32 && d === 'Ev' && s === 'Gv') return (cpu, i) => { cpu.reg32[i.rm] = cpu.reg32[i.reg]; };
  if (opSize32 && d === 'Zv') return (cpu, i) => { cpu.reg32[i.reg] = i.imm; };
  const rd = reader(s, opSize32, isMem);
  const wr = writer(d, opSize32, isMem);
  return (cpu, i) => wr(cpu, i, rd(cpu, i));
};

const xchg: HandlerFactory = (entry, opSize32, isMem) => {
  const [a, b] = entry.operands;
  const size = operandSize(a, opSize32);
  const ra = reader(a, opSize32, isMem), wa = writer(a, opSize32, isMem);
  const rb = reader(b, opSize32, isMem), wb = writer(b, opSize32, isMem);
  if (isMem) {
    return (cpu, i) => {
      const lin = cpu.linear(i.seg, cpu.ea(i), size, true);
      const m = size === 1 ? cpu.readLin8(lin) : size === 2 ? cpu.readLin16(lin) : cpu.readLin32(lin);
      const r = rb(cpu, i);
      if (size === 1) cpu.writeLin8(lin, r); else if (size === 2) cpu.writeLin16(lin, r); else cpu.writeLin32(lin, r);
      wb(cpu, i, m);
    };
  }
  return (cpu, i) => { const x = ra(cpu, i); wa(cpu, i, rb(cpu, i)); wb(cpu, i, x); };
};

const lea: HandlerFactory = (_e, opSize32) => opSize32
  ? (cpu, i) => { cpu.reg32[i.reg] = cpu.ea(i); }
  : (cpu, i) => { cpu.reg16[i.reg << 1] = cpu.ea(i); };

const movzx: HandlerFactory = (entry, opSize32, isMem) => {
  const rd = reader(entry.operands[1], opSize32, isMem);
  const wr = writer('Gv', opSize32, isMem);
  return (cpu, i) => wr(cpu, i, rd(cpu, i));
};

const movsx: HandlerFactory = (entry, opSize32, isMem) => {
  const src = entry.operands[1];
  const rd = reader(src, opSize32, isMem);
  const wr = writer('Gv', opSize32, isMem);
  const shift = src === 'Eb' ? 24 : 16;
  return (cpu, i) => wr(cpu, i, (rd(cpu, i) << shift) >> shift);
};

const cbw: HandlerFactory = (_e, opSize32) => opSize32
  ? (cpu) => { cpu.reg32[EAX] = (cpu.reg32[EAX] << 16) >> 16; }
  : (cpu) => { cpu.reg16[0] = (cpu.reg8[0] << 24) >> 24; };

const cwd: HandlerFactory = (_e, opSize32) => opSize32
  ? (cpu) => { cpu.reg32[EDX] = cpu.reg32[EAX] >> 31; }
  : (cpu) => { cpu.reg16[EDX << 1] = (cpu.reg16[0] & 0x8000) ? 0xFFFF : 0; };

const cmovcc: HandlerFactory = (entry, opSize32, isMem) => {
  const cc = entry.opcode & 0xF;
  const rd = reader('Ev', opSize32, isMem);
  const wr = writer('Gv', opSize32, isMem);
  // The source is read (and may fault) whether or not the condition holds.
  return (cpu, i) => { const v = rd(cpu, i); if (testCondition(cpu, cc)) wr(cpu, i, v); };
};

const setcc: HandlerFactory = (entry, opSize32, isMem) => {
  const cc = entry.opcode & 0xF;
  const wr = writer('Eb', opSize32, isMem);
  return (cpu, i) => wr(cpu, i, testCondition(cpu, cc) ? 1 : 0);
};

const xlat: HandlerFactory = () => (cpu, i) => {
  const base = i.addrSize32 ? cpu.reg32[EBX] : cpu.reg16[EBX << 1];
  const off = i.addrSize32 ? (base + cpu.reg8[0]) | 0 : (base + cpu.reg8[0]) & 0xFFFF;
  cpu.reg8[0] = cpu.read8(i.segOverride >= 0 ? i.segOverride : 3, off);
};

const bswap: HandlerFactory = (_e, opSize32) => opSize32
  ? (cpu, i) => {
    const v = cpu.reg32[i.reg];
    cpu.reg32[i.reg] = ((v & 0xFF) << 24) | ((v & 0xFF00) << 8) | ((v >>> 8) & 0xFF00) | (v >>> 24);
  }
  : (cpu, i) => { cpu.reg16[i.reg << 1] = 0; }; // BSWAP with a 16-bit operand: result undefined; P6 gives 0

const cmpxchg: HandlerFactory = (entry, opSize32, isMem) => {
  const size = operandSize(entry.operands[0], opSize32);
  const rd = reader(entry.operands[0], opSize32, isMem), wr = writer(entry.operands[0], opSize32, isMem);
  const src = reader(entry.operands[1], opSize32, isMem);
  const acc = reader(size === 1 ? 'AL' : 'eAX', opSize32, false), accW = writer(size === 1 ? 'AL' : 'eAX', opSize32, false);
  return (cpu, i) => {
    const d = rd(cpu, i), a = acc(cpu, i);
    setLazy(cpu, LazyOp.Sub, size, a, d, truncate(a - d, size));
    if (a === d) wr(cpu, i, src(cpu, i));
    else { if (isMem) wr(cpu, i, d); accW(cpu, i, d); } // the destination is always written (locked cycle)
  };
};

const xadd: HandlerFactory = (entry, opSize32, isMem) => {
  const size = operandSize(entry.operands[0], opSize32);
  const rd = reader(entry.operands[0], opSize32, isMem), wr = writer(entry.operands[0], opSize32, isMem);
  const rs = reader(entry.operands[1], opSize32, isMem), ws = writer(entry.operands[1], opSize32, isMem);
  if (isMem) {
    // The address is formed once, before the source register (which may be part of it) changes.
    return (cpu, i) => {
      const lin = cpu.linear(i.seg, cpu.ea(i), size, true);
      const d = size === 1 ? cpu.readLin8(lin) : size === 2 ? cpu.readLin16(lin) : cpu.readLin32(lin);
      const s = rs(cpu, i);
      const r = truncate(d + s, size);
      if (size === 1) cpu.writeLin8(lin, r); else if (size === 2) cpu.writeLin16(lin, r); else cpu.writeLin32(lin, r);
      setLazy(cpu, LazyOp.Add, size, d, s, r);
      ws(cpu, i, d);
    };
  }
  return (cpu, i) => {
    const d = rd(cpu, i), s = rs(cpu, i);
    const r = truncate(d + s, size);
    setLazy(cpu, LazyOp.Add, size, d, s, r);
    ws(cpu, i, d);
    wr(cpu, i, r);
  };
};

const cmpxchg8b: HandlerFactory = () => (cpu, i) => {
  const off = cpu.ea(i);
  const lin = cpu.linear(i.seg, off, 8, true);
  const lo = cpu.readLin32(lin), hi = cpu.readLin32(lin + 4);
  cpu.getEflags();
  if (lo === cpu.reg32[EAX] && hi === cpu.reg32[EDX]) {
    cpu.writeLin32(lin, cpu.reg32[EBX]); cpu.writeLin32(lin + 4, cpu.reg32[ECX]);
    cpu.flags |= 0x40;
  } else {
    cpu.writeLin32(lin, lo); cpu.writeLin32(lin + 4, hi);
    cpu.reg32[EAX] = lo; cpu.reg32[EDX] = hi;
    cpu.flags &= ~0x40;
  }
};

export const DATA_HANDLERS: Record<string, HandlerFactory> = {
  mov, xchg, lea, movzx, movsx, cbw, cwd, cmovcc, setcc, xlat,
  bswap, cmpxchg, xadd, cmpxchg8b,
};
