// Per-handler generation strategies: which rows are generated, and the values each instruction needs
// to be interesting and safe — shift counts, divisors, bit offsets, selectors, stack contents that
// return to the snapshot, string pointers and counts inside the scratch buffer.
import type { IsaEntry } from '../../engine/cpu/isa/index.js';
import { CaseBuilder, EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP, SEG_PREFIX, type MemoryOptions } from './case-builder.js';
import { ERROR_CODE_VECTORS, SCRATCH, SEL } from './layout.js';
import type { Rng } from './rng.js';
import { le16 } from './x86.js';

export interface Strategy {
  rows?: (row: IsaEntry) => boolean;        // which of the handler's rows to generate (default all)
  opSize16?: number;                        // probability of a 0x66 prefix on size-variable rows (default 0.25)
  addr16?: number;                          // probability of a 0x67 prefix when r/m may be memory (default 0.08)
  memory?: number;                          // probability of a memory r/m when both forms exist (default 0.5)
  memoryRange?: (b: CaseBuilder) => Partial<MemoryOptions>; // where the memory operand may lie
  regField?: (b: CaseBuilder) => number;    // ModRM.reg for G/S/C/D operands
  rmReg?: (b: CaseBuilder) => number;       // register for a register-form r/m
  imm8?: (b: CaseBuilder) => number;        // value of an 8-bit immediate
  imm16?: (b: CaseBuilder) => number;       // value of a 16-bit immediate
  before?: (b: CaseBuilder) => void;        // after prefixes, before operands
  after?: (b: CaseBuilder) => void;         // after operands
  custom?: (b: CaseBuilder) => void;        // replaces the generic operand encoding
}

/** Value of register rm as an operand of size bytes (8-bit: AL..BH). */
export function regValue(regs: number[], rm: number, size: number): number {
  if (size === 1) return rm < 4 ? regs[rm] & 0xFF : (regs[rm - 4] >>> 8) & 0xFF;
  return size === 2 ? regs[rm] & 0xFFFF : regs[rm] >>> 0;
}

const shiftCount = (b: CaseBuilder): number => (b.rng.chance(0.8) ? b.rng.range(0, 33) : b.rng.u32() & 0xFF);
const setCl = (b: CaseBuilder): void => {
  if (b.row.operands.includes('CL') && !b.pinned.has(ECX)) b.regs[ECX] = ((b.regs[ECX] & ~0xFF) | shiftCount(b)) >>> 0;
};
const shift: Strategy = { imm8: shiftCount, after: setCl };
const notEsp = (b: CaseBuilder): number => b.rng.pick([0, 1, 2, 3, 5, 6, 7]);

/** Selectors to load into DS/ES/FS/GS: mostly valid, plus every kind the checks must refuse. */
function dataSelector(rng: Rng): number {
  if (rng.chance(0.1)) return rng.u32() & 0xFFFF;
  return rng.pick([SEL.data, SEL.data, SEL.data, SEL.window, SEL.expandDown, SEL.dataDpl3, SEL.readOnly, SEL.codeReadable,
    SEL.codeExecOnly, SEL.code, 0, 3, SEL.notPresent, SEL.tss, SEL.ldt, SEL.callGate, SEL.data16, 0x78, SEL.data | 3,
    SEL.dataDpl3 | 3, SEL.data | 4, SEL.conforming]);
}
/** Selectors for SS: only the flat data segment may succeed (the harness needs its stack). */
function stackSelector(rng: Rng): number {
  return rng.pick([SEL.data, SEL.data, SEL.data, SEL.data | 3, 0, SEL.notPresent, SEL.readOnly, SEL.dataDpl3, SEL.code, 0x78, SEL.data | 4]);
}
/** Selectors for far transfers: the flat code segments, and ones that must fault (never gates or TSSs). */
function codeSelector(rng: Rng): number {
  return rng.pick([SEL.code, SEL.code, SEL.code, SEL.code, SEL.codeReadable, SEL.codeExecOnly, SEL.conforming, SEL.conforming | 2,
    SEL.code | 3, SEL.codeReadable | 2, SEL.data, 0, SEL.ldt, 0x78, SEL.notPresent]);
}
/** Any selector, for LAR/LSL/VERR/VERW/ARPL. */
function anySelector(rng: Rng): number {
  return rng.chance(0.8) ? rng.range(0, 0x7F) : rng.u32() & 0xFFFF;
}
/** Flags POPF/IRET may load: anything but TF, IF (no interrupts or traps in the harness) and VM. */
function poppedFlags(rng: Rng): number { return (rng.u32() & ~0x20300) >>> 0; }

/** Writes the resume address (and, for far transfers, a selector) where a return will pop it. */
function stackReturn(b: CaseBuilder, far: 'near' | 'far' | 'iret'): void {
  const top = b.stackOffset;
  b.fixups.push({ in: 'scratch', offset: top });
  if (far !== 'near') b.poke(top + 4, 4, (b.rng.u32() & 0xFFFF0000) | codeSelector(b.rng));
  if (far === 'iret') b.poke(top + 8, 4, poppedFlags(b.rng) | 2);
}

/** JMP/CALL through r/m: the register or memory operand holds the resume address. */
const indirect: Strategy = {
  opSize16: 0, rmReg: notEsp,
  after: (b) => {
    if (b.modrm!.mod === 3) { b.fixups.push({ in: 'reg', reg: b.modrm!.rm }); b.pinned.add(b.modrm!.rm); }
    else b.fixups.push({ in: 'scratch', offset: b.memOffset! });
  },
};
/** Far JMP/CALL: pointer operand (immediate or memory) = selector:resume. */
const far: Strategy = {
  opSize16: 0,
  after: (b) => {
    if (b.row.operands[0] === 'Ap') { b.imm = [0, 0, 0, 0, ...le16(codeSelector(b.rng))]; b.immFixups.push(0); }
    else { b.fixups.push({ in: 'scratch', offset: b.memOffset! }); b.poke(b.memOffset! + 4, 2, codeSelector(b.rng)); }
  },
};
const branch: Strategy = { opSize16: 0 };

/** DIV/IDIV: usually a dividend whose quotient fits; sometimes overflow or a zero divisor. */
function divisionAfter(b: CaseBuilder): void {
  const size = b.row.operands[0] === 'Eb' ? 1 : b.opSize;
  const rm = b.modrm!.rm, isMem = b.modrm!.mod !== 3;
  const divisor = isMem ? b.peek(b.memOffset!, size) : regValue(b.regs, rm, size);
  if (divisor === 0 || !b.rng.chance(0.7)) return;
  const signed = b.row.handler === 'idiv';
  if (size === 1) {
    if (b.pinned.has(EAX) || (!isMem && (rm === 0 || rm === 4))) return;
    const high = signed ? ((b.regs[EAX] & 0x80) ? 0xFF : 0) : b.rng.below(divisor);
    b.regs[EAX] = ((b.regs[EAX] & 0xFFFF00FF) | (high << 8)) >>> 0;
  } else {
    if (b.pinned.has(EDX) || (!isMem && (rm === EDX || rm === EAX))) return;
    const signBit = size === 2 ? 0x8000 : 0x80000000;
    const high = signed ? ((b.regs[EAX] & signBit) ? 0xFFFFFFFF : 0) : b.rng.below(divisor);
    b.regs[EDX] = size === 2 ? ((b.regs[EDX] & 0xFFFF0000) | (high & 0xFFFF)) >>> 0 : high >>> 0;
  }
}

/** String instructions: ESI/EDI (or SI/DI) inside the scratch, a small count under REP. */
function stringOp(b: CaseBuilder): void {
  const rng = b.rng, h = b.row.handler;
  const usesEsi = h === 'movs' || h === 'cmps' || h === 'lods';
  const usesEdi = h === 'movs' || h === 'cmps' || h === 'stos' || h === 'scas';
  if (rng.chance(0.15)) b.useAddr16();
  const compare = h === 'cmps' || h === 'scas';
  const rep = rng.chance(compare ? 0.6 : 0.5);
  if (rep) b.prefixes.push(compare ? rng.pick([0xF2, 0xF3]) : rng.chance(0.9) ? 0xF3 : 0xF2);
  let srcSeg = 3;
  if (usesEsi && rng.chance(0.25)) srcSeg = rng.range(0, 5);
  if (rng.chance(0.1)) b.sregs.ds = rng.pick([SEL.window, SEL.expandDown, SEL.readOnly, SEL.codeReadable]);
  if (rng.chance(0.1) || !b.addr32) b.sregs.es = rng.pick([SEL.window, SEL.expandDown]);
  if (!b.addr32 && !b.windowed(srcSeg)) srcSeg = 4;
  if (usesEsi && srcSeg !== 3) b.prefixes.push(SEG_PREFIX[srcSeg]);
  const pointer = (seg: number): number => {
    const target = b.segOffset(seg, rng.range(40, 84));
    return b.addr32 ? target : ((rng.u32() & 0xFFFF0000) | (target & 0xFFFF)) >>> 0;
  };
  if (usesEsi) b.set(ESI, pointer(srcSeg));
  if (usesEdi) b.set(EDI, pointer(0));
  const count = rep ? rng.pick([0, 1, 2, 3, rng.range(0, 8), rng.range(0, 8)]) : rng.value();
  b.set(ECX, b.addr32 ? count : ((rng.u32() & 0xFFFF0000) | (count & 0xFFFF)) >>> 0);
  if (h === 'scas' && rng.chance(0.5)) b.regs[EAX] = b.peek((b.regs[EDI] - b.segOffset(0, 0)) & 0x7F, 4);
  b.implicitMemory = true;
}

export const STRATEGIES: Readonly<Record<string, Strategy>> = {
  // ALU, logic, data movement: the generic encoding does it all.
  add: {}, or: {}, adc: {}, sbb: {}, and: {}, sub: {}, xor: {}, cmp: {}, test: {}, inc: {}, dec: {}, not: {}, neg: {},
  mov: {}, xchg: {}, lea: {}, cmovcc: {}, setcc: {}, movzx: {}, movsx: {}, xadd: {}, cbw: {}, cwd: {},
  mul: {}, imul1: {}, imul2: {}, imul3: {},
  div: { after: divisionAfter }, idiv: { after: divisionAfter },
  daa: {}, das: {}, aaa: {}, aas: {}, salc: {},
  aam: { imm8: (b) => b.rng.pick([10, 10, 10, 0, 1, 16, b.rng.u32() & 0xFF]) },
  aad: { imm8: (b) => b.rng.pick([10, 10, 10, 0, 1, 16, b.rng.u32() & 0xFF]) },
  rol: shift, ror: shift, rcl: shift, rcr: shift, shl: shift, shr: shift, sar: shift, shld: shift, shrd: shift,
  bt: bitStrategy(), bts: bitStrategy(), btr: bitStrategy(), btc: bitStrategy(),
  bsf: { after: zeroSource }, bsr: { after: zeroSource },
  bswap: { opSize16: 0 },
  cmpxchg: { after: (b) => {
    if (!b.rng.chance(0.5)) return;
    const size = b.row.operands[0] === 'Eb' ? 1 : b.opSize;
    if (b.modrm!.mod === 3) { if (!b.pinned.has(EAX)) b.regs[EAX] = regValue(b.regs, b.modrm!.rm, size); }
    else b.poke(b.memOffset!, size, regValue(b.regs, EAX, size));
  } },
  cmpxchg8b: { opSize16: 0, after: (b) => {
    if (b.rng.chance(0.5)) { b.poke(b.memOffset!, 4, b.regs[EAX]); b.poke(b.memOffset! + 4, 4, b.regs[EDX]); }
  } },
  xlat: { custom: (b) => {
    const rng = b.rng;
    if (rng.chance(0.15)) b.useAddr16();
    let seg = 3;
    if (rng.chance(0.25)) seg = rng.range(0, 5);
    if (!b.addr32 && !b.windowed(seg)) seg = 4;
    if (seg !== 3) b.prefixes.push(SEG_PREFIX[seg]);
    const target = b.segOffset(seg, rng.range(0, 127));
    const base = (target - (b.regs[EAX] & 0xFF)) >>> 0;
    b.set(EBX, b.addr32 ? base : ((rng.u32() & 0xFFFF0000) | (base & 0xFFFF)) >>> 0);
    b.pinned.add(EAX);
    b.implicitMemory = true;
  } },
  movs: { custom: stringOp }, cmps: { custom: stringOp }, stos: { custom: stringOp }, lods: { custom: stringOp },
  scas: { custom: stringOp },
  // Stack.
  push: {}, pusha: {}, popa: {}, pushf: {},
  pop: { memoryRange: () => ({ hi: 100 }), after: (b) => {
    const seg = b.row.operands[0];
    if (/^[ECSDFG]S$/.test(seg)) b.poke(b.stackOffset, 4, (b.rng.u32() & 0xFFFF0000) | (seg === 'SS' ? stackSelector(b.rng) : dataSelector(b.rng)));
  } },
  popf: { after: (b) => b.poke(b.stackOffset, 4, poppedFlags(b.rng)) },
  enter: {
    before: (b) => b.set(EBP, SCRATCH + b.rng.range(40, 100)),
    imm16: (b) => (b.rng.chance(0.7) ? b.rng.range(0, 64) : b.rng.u32() & 0xFFFF),
    imm8: (b) => b.rng.pick([0, 0, 1, 2, 3, 4, 0x20, 0x21]),
  },
  leave: { before: (b) => b.set(EBP, SCRATCH + b.rng.range(8, 100)) },
  // Flags.
  sahf: {}, lahf: {}, clc: {}, stc: {}, cmc: {}, cld: {}, std: {}, cli: {},
  // Control transfer: every path ends at the snapshot.
  jcc: branch, jmp: { opSize16: 0, rmReg: notEsp, after: (b) => { if (b.row.operands[0] === 'Ev') indirect.after!(b); } },
  call: { opSize16: 0, rmReg: notEsp, after: (b) => { if (b.row.operands[0] === 'Ev') indirect.after!(b); } },
  loop: { ...branch, addr16: 0, before: (b) => { if (b.rng.chance(0.2)) b.useAddr16(); b.regs[ECX] = b.rng.pick([0, 1, 2, 0x10000, 0x10001, b.rng.value()]); } },
  jcxz: { ...branch, addr16: 0, before: (b) => { if (b.rng.chance(0.3)) b.useAddr16(); b.regs[ECX] = b.rng.pick([0, 1, 0x10000, 0xFFFF0000, b.rng.value()]); } },
  ret: { opSize16: 0, imm16: (b) => (b.rng.chance(0.7) ? b.rng.range(0, 16) : b.rng.u32() & 0xFFFF), after: (b) => stackReturn(b, 'near') },
  retf: { opSize16: 0, imm16: (b) => (b.rng.chance(0.7) ? b.rng.range(0, 16) : b.rng.u32() & 0xFFFF), after: (b) => {
    stackReturn(b, 'far');
    // A return to an outer ring pops SS:ESP after the parameters: keep them inside the scratch.
    if (b.peek(b.stackOffset + 4, 2) & 3 && b.imm.length) b.imm = le16(4 * b.rng.range(0, 3));
  } },
  iret: { opSize16: 0, after: (b) => stackReturn(b, 'iret') },
  jmpf: far, callf: far,
  int3: {}, into: {}, int1: {}, ud2: {},
  int: { imm8: (b) => { let v; do v = b.rng.u32() & 0xFF; while (ERROR_CODE_VECTORS.has(v)); return v; } },
  bound: { after: (b) => {
    if (!b.rng.chance(0.6)) return;
    const size = b.opSize, v = regValue(b.regs, b.modrm!.reg, size);
    b.poke(b.memOffset!, size, v - b.rng.range(0, 3)); b.poke(b.memOffset! + size, size, v + b.rng.range(-1, 3));
  } },
  nop: {}, pause: {}, fwait: {},
  // Segments and descriptor tables.
  movsr: {
    regField: (b) => (b.row.opcode === 0x8E ? b.rng.pick([0, 2, 3, 3, 4, 5, 1, 6]) : b.rng.pick([0, 1, 2, 3, 4, 5, 6])),
    rmReg: notEsp,
    after: (b) => {
      if (b.row.opcode !== 0x8E) return;
      const sel = b.modrm!.reg === 2 ? stackSelector(b.rng) : dataSelector(b.rng);
      if (b.modrm!.mod !== 3) b.poke(b.memOffset!, 2, sel);
      else if (!b.pinned.has(b.modrm!.rm)) b.regs[b.modrm!.rm] = ((b.regs[b.modrm!.rm] & 0xFFFF0000) | sel) >>> 0;
    },
  },
  lseg: { after: (b) => b.poke(b.memOffset! + b.opSize, 2, b.row.opcode === 0x1B2 ? stackSelector(b.rng) : dataSelector(b.rng)) },
  arpl: {}, sldt: {}, str: {}, smsw: {}, sgdt: {}, sidt: {}, invlpg: {}, invd: {}, wbinvd: {},
  lar: selectorSource(), lsl: selectorSource(), verr: selectorSource(), verw: selectorSource(),
  movcr: { rows: (r) => r.opcode === 0x120, regField: (b) => b.rng.pick([0, 0, 2, 3, 4, 1, 5]) },
  movdr: { rows: (r) => r.opcode === 0x121, regField: (b) => b.rng.range(0, 7) },
};

/** BT/BTS/BTR/BTC: a small register bit offset keeps a memory operand's bit inside the scratch. */
function bitStrategy(): Strategy {
  return {
    memoryRange: () => ({ lo: 16, hi: 96 }),
    imm8: (b) => b.rng.u32() & 0xFF,
    regField: (b) => {
      const r = notEsp(b);
      if (b.row.operands[1] === 'Gv') {
        const bit = b.rng.range(-64, 120);
        b.set(r, b.opSize32 ? bit >>> 0 : ((b.rng.u32() & 0xFFFF0000) | (bit & 0xFFFF)) >>> 0);
      }
      return r;
    },
  };
}

function zeroSource(b: CaseBuilder): void {
  if (!b.rng.chance(0.2)) return;
  if (b.modrm!.mod !== 3) b.poke(b.memOffset!, b.opSize, 0);
  else if (!b.pinned.has(b.modrm!.rm) && b.modrm!.rm !== ESP) {
    b.regs[b.modrm!.rm] = b.opSize === 2 ? (b.regs[b.modrm!.rm] & 0xFFFF0000) >>> 0 : 0;
  }
}

/** LAR/LSL/VERR/VERW: the source (register or memory) is a selector. */
function selectorSource(): Strategy {
  return {
    rmReg: notEsp,
    after: (b) => {
      const sel = anySelector(b.rng);
      if (b.modrm!.mod !== 3) b.poke(b.memOffset!, 2, sel);
      else if (!b.pinned.has(b.modrm!.rm)) b.regs[b.modrm!.rm] = ((b.regs[b.modrm!.rm] & 0xFFFF0000) | sel) >>> 0;
    },
  };
}

