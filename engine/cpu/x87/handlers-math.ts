// x87 arithmetic and comparison: FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR in every form (m32, m64, m16int,
// m32int, ST(i), the P forms), FCOM/FUCOM/FICOM (and P/PP), FCOMI/FUCOMI(P), FTST, FXAM, FCHS, FABS,
// FSQRT, FRNDINT.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import { materializeFlags } from '../flags.js';
import { ARITH_FLAGS, FLAG_CF, FLAG_PF, FLAG_ZF } from '../registers.js';
import { binaryArith, Cmp, compareFlags, compareX80, nanOrInvalid, Op, roundedUp, squareRoot } from './arith.js';
import { Cls, DE, IE, PE, Rc, SF, X80, intInexact, intRoundedUp, roundToInteger, setDouble, setFromBig, setImage } from './float80.js';
import type { Fpu } from './fpu.js';
import { esc, Esc } from './escape.js';
import { loaderFor, memKind } from './handlers-data.js';

const A = new X80(), B = new X80(), R = new X80();

const OPS: Record<string, Op> = { fadd: Op.Add, fsub: Op.Sub, fsubr: Op.SubR, fmul: Op.Mul, fdiv: Op.Div, fdivr: Op.DivR };

/** fiadd → fadd, fsubrp → fsubr. */
function baseOp(mnemonic: string): Op {
  const base = mnemonic.startsWith('fi') ? 'f' + mnemonic.slice(2) : mnemonic.endsWith('p') ? mnemonic.slice(0, -1) : mnemonic;
  return OPS[base];
}

const farith: HandlerFactory = (entry, _o32, isMem) => {
  const op = baseOp(entry.mnemonic);
  if (isMem) {
    const load = loaderFor(memKind(entry.operands));
    return esc(Esc.Numeric, (cpu, i, f) => {
      load(cpu, i.seg, cpu.ea(i), B);
      if (f.isEmpty(0)) { f.stackUnderflow(0); return; }
      f.read(0, A);
      const flags = binaryArith(op, A, B, f.cw, R);
      if (f.raise(flags)) return;
      f.setC1(roundedUp);
      f.write(0, R);
    });
  }
  const toSti = entry.operands[0] === 'STi';
  const pop = entry.mnemonic.endsWith('p');
  return esc(Esc.Numeric, (_cpu, i, f) => {
    const d = toSti ? i.rm : 0, s = toSti ? 0 : i.rm;
    if (f.isEmpty(d) || f.isEmpty(s)) { f.stackUnderflow(d, pop ? 1 : 0); return; }
    f.read(d, A); f.read(s, B);
    const flags = binaryArith(op, A, B, f.cw, R);
    if (f.raise(flags)) return;
    f.setC1(roundedUp);
    f.write(d, R);
    if (pop) f.pop();
  });
};

/** C3 C2 C0 of a comparison (greater 000, less 001, equal 100, unordered 111). */
function setCompareCodes(f: Fpu, c: Cmp): void {
  f.setCC(c === Cmp.Equal || c === Cmp.Unordered ? 1 : 0, c === Cmp.Unordered ? 1 : 0, 0,
    c === Cmp.Less || c === Cmp.Unordered ? 1 : 0);
}

/** ZF PF CF of FCOMI (greater 000, less 001, equal 100, unordered 111); OF SF AF cleared. */
function setCompareEflags(cpu: Cpu, c: Cmp): void {
  materializeFlags(cpu);
  const bits = c === Cmp.Less ? FLAG_CF : c === Cmp.Equal ? FLAG_ZF : c === Cmp.Unordered ? FLAG_ZF | FLAG_PF | FLAG_CF : 0;
  cpu.flags = (cpu.flags & ~ARITH_FLAGS) | bits;
}

/** FCOM/FCOMP/FCOMPP, FUCOM*, FICOM*, FCOMI*, FUCOMI*, FTST: one factory, the row says which. */
function comparison(entry: { mnemonic: string; operands: readonly string[] }, isMem: boolean, toEflags: boolean): ReturnType<HandlerFactory> {
  const m = entry.mnemonic;
  const pops = m.endsWith('pp') ? 2 : m.endsWith('p') ? 1 : 0;
  const quiet = m.startsWith('fu');
  const test = m === 'ftst';
  const load = isMem ? loaderFor(memKind(entry.operands)) : undefined;
  return esc(Esc.Numeric, (cpu, i, f) => {
    if (load) load(cpu, i.seg, cpu.ea(i), B);
    const src = isMem || test ? -1 : i.rm;
    f.setC1(false);
    if (f.isEmpty(0) || (src >= 0 && f.isEmpty(src))) {
      if (f.raise(IE | SF)) return;
      if (toEflags) setCompareEflags(cpu, Cmp.Unordered); else setCompareCodes(f, Cmp.Unordered);
      for (let k = 0; k < pops; k++) f.pop();
      return;
    }
    f.read(0, A);
    if (test) setImage(B, 0, 0, 0); else if (src >= 0) f.read(src, B);
    if (f.raise(compareFlags(A, B, quiet))) return;
    const c = compareX80(A, B);
    if (toEflags) setCompareEflags(cpu, c); else setCompareCodes(f, c);
    for (let k = 0; k < pops; k++) f.pop();
  });
}
const fcom: HandlerFactory = (entry, _o32, isMem) => comparison(entry, isMem, false);
const fcomi: HandlerFactory = (entry, _o32, isMem) => comparison(entry, isMem, true);

/** FXAM codes C3 C2 C0 by class. */
const FXAM_CODES: Record<Cls, [number, number, number]> = {
  [Cls.Unsupported]: [0, 0, 0], [Cls.QNaN]: [0, 0, 1], [Cls.SNaN]: [0, 0, 1], [Cls.Normal]: [0, 1, 0],
  [Cls.Inf]: [0, 1, 1], [Cls.Zero]: [1, 0, 0], [Cls.Denormal]: [1, 1, 0],
};
const fxam: HandlerFactory = () => esc(Esc.Numeric, (_cpu, _i, f) => {
  f.read(0, A);
  const sign = (A.sx >> 15) & 1;
  if (f.isEmpty(0)) { f.setCC(1, 0, sign, 1); return; }
  const [c3, c2, c0] = FXAM_CODES[A.cls];
  f.setCC(c3, c2, sign, c0);
});

/** FCHS and FABS change only the sign bit of the image (NaNs included, no exceptions). */
const fsign: HandlerFactory = (entry) => {
  const chs = entry.mnemonic === 'fchs';
  return esc(Esc.Numeric, (_cpu, _i, f) => {
    if (f.isEmpty(0)) { f.stackUnderflow(0); return; }
    f.read(0, A);
    setImage(A, chs ? A.sx ^ 0x8000 : A.sx & 0x7FFF, A.hi, A.lo);
    f.write(0, A);
    f.setC1(false);
  });
};

const fsqrt: HandlerFactory = () => esc(Esc.Numeric, (_cpu, _i, f) => {
  if (f.isEmpty(0)) { f.stackUnderflow(0); return; }
  f.read(0, A);
  if (f.raise(squareRoot(A, f.cw, R))) return;
  f.setC1(roundedUp);
  f.write(0, R);
});

/** FRNDINT: rounds ST(0) to an integer with RC, exactly over the whole extended range. */
const frndint: HandlerFactory = () => esc(Esc.Numeric, (_cpu, _i, f) => {
  if (f.isEmpty(0)) { f.stackUnderflow(0); return; }
  f.read(0, A);
  f.setC1(false);
  const special = nanOrInvalid(A, undefined, R);
  if (special >= 0) { if (!f.raise(special)) f.write(0, R); return; }
  if (A.cls === Cls.Inf || A.cls === Cls.Zero) return;
  if (A.cls === Cls.Denormal && f.raise(DE)) return;
  const v = roundToInteger(A, f.rc as Rc);
  if (typeof v === 'number') setDouble(R, v); else setFromBig(R, v < 0n, v < 0n ? -v : v);
  if (intInexact) { f.raise(PE); f.setC1(intRoundedUp); }
  f.write(0, R);
});

export const X87_MATH_HANDLERS: Record<string, HandlerFactory> = {
  farith, fcom, fcomi, ftst: fcom, fxam, fsign, fsqrt, frndint,
};
