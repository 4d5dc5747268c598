// x87 data transfer: FLD/FST/FSTP (m32, m64, m80, ST(i)), FILD/FIST/FISTP, FBLD/FBSTP, the
// constants (FLD1 … FLDZ), FXCH, FCMOVcc, FFREE/FFREEP.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import { getCF, getPF, getZF } from '../flags.js';
import {
  Cls, DE, DOUBLE, IE, PE, Rc, SF, SINGLE, UE, X80, doubleBits, encHi, encLo, encodeFloat, fmtFlags, fmtRoundedUp, fmtTiny,
  imageParts, intInexact, intRoundedUp, isExactDouble, roundToFormat, roundToInteger, setImage, type Fmt,
} from './float80.js';
import { esc, Esc } from './escape.js';
import {
  readBcd, readDouble, readExtended, readInteger, readSingle, writeBcd, writeBcdIndefinite, writeDoubleBits,
  writeExtended, writeInteger,
} from './memory.js';

const A = new X80(), B = new X80();
const f32 = new DataView(new ArrayBuffer(4));

/** Reads a memory operand of an x87 operand kind into x. */
export type Loader = (cpu: Cpu, seg: number, off: number, x: X80) => void;
export function loaderFor(kind: string): Loader {
  switch (kind) {
    case 'Mfs': return readSingle;
    case 'Mfd': return readDouble;
    case 'Mft': return readExtended;
    case 'Mwi': return (c, s, o, x) => readInteger(c, s, o, 2, x);
    case 'Mdi': return (c, s, o, x) => readInteger(c, s, o, 4, x);
    case 'Mqi': return (c, s, o, x) => readInteger(c, s, o, 8, x);
    case 'Mtb': return readBcd;
    default: throw new Error(`x87: no loader for operand kind ${kind}`);
  }
}

/** The memory operand kind of a row (the operand whose kind starts with M). */
export function memKind(operands: readonly string[]): string {
  return operands.find((o) => o[0] === 'M') ?? '';
}

// ---- loads ----

const fld: HandlerFactory = (entry, _o32, isMem) => {
  if (!isMem) {
    return esc(Esc.Numeric, (_cpu, i, f) => {
      if (!f.isEmpty(7)) { f.stackOverflow(); return; }
      f.setC1(false);
      if (f.isEmpty(i.rm)) {
        if (f.raise(IE | SF)) return;
        f.top = (f.top - 1) & 7; f.writeIndefinite(0);
        return;
      }
      f.read(i.rm, A); f.push(A);
    });
  }
  const kind = memKind(entry.operands);
  const load = loaderFor(kind);
  const extended = kind === 'Mft';
  return esc(Esc.Numeric, (cpu, i, f) => {
    load(cpu, i.seg, cpu.ea(i), A);
    if (!f.isEmpty(7)) { f.stackOverflow(); return; }
    f.setC1(false);
    let flags = 0;
    if (!extended) {
      if (A.cls === Cls.SNaN) { flags |= IE; A.hi = (A.hi | 0x40000000) >>> 0; A.cls = Cls.QNaN; }
      if (A.srcDenormal) flags |= DE;
    }
    if (flags && f.raise(flags)) return;
    f.push(A);
  });
};

/** FILD and FBLD: exact conversions, so only a stack overflow can happen. */
const fild: HandlerFactory = (entry) => {
  const load = loaderFor(memKind(entry.operands));
  return esc(Esc.Numeric, (cpu, i, f) => {
    load(cpu, i.seg, cpu.ea(i), A);
    if (!f.isEmpty(7)) { f.stackOverflow(); return; }
    f.setC1(false);
    f.push(A);
  });
};

// ---- stores ----

/** Result of toFloatFormat: the bits (outLo, or outHi:outLo), flags (IE, PE, UE, OE) and the C1 round-up outcome. */
let outHi = 0, outLo = 0, storeFlags = 0, storeUp = false;

function setBits(single: boolean, neg: boolean, hi: number, lo: number): void {
  const sign = neg ? 0x80000000 : 0;
  if (single) { outLo = (hi | sign) >>> 0; outHi = 0; } else { outHi = (hi | sign) >>> 0; outLo = lo >>> 0; }
}

/** Converts x to a single or a double with rc (FST/FSTP m32/m64); cw decides whether an exact tiny result is UE. */
function toFloatFormat(x: X80, fmt: Fmt, rc: Rc, cw: number): void {
  const neg = (x.sx & 0x8000) !== 0;
  const single = fmt === SINGLE;
  storeFlags = 0; storeUp = false;
  switch (x.cls) {
    case Cls.Zero: setBits(single, neg, 0, 0); return;
    case Cls.Inf: setBits(single, neg, single ? 0x7F800000 : 0x7FF00000, 0); return;
    case Cls.SNaN: case Cls.QNaN: // payload truncated, quiet bit set
      if (x.cls === Cls.SNaN) storeFlags = IE;
      if (single) setBits(true, neg, 0x7FC00000 | ((x.hi >>> 8) & 0x7FFFFF), 0);
      else setBits(false, neg, 0x7FF80000 | ((x.hi >>> 11) & 0xFFFFF), (x.hi << 21) | (x.lo >>> 11));
      return;
    case Cls.Unsupported: // invalid: the indefinite of the format
      storeFlags = IE;
      setBits(single, true, single ? 0x7FC00000 : 0x7FF80000, 0);
      return;
    default: break;
  }
  if (isExactDouble(x.sx, x.hi, x.lo)) {
    const v = x.val;
    if (!single) { doubleBits(v); outHi = encHi; outLo = encLo; return; }
    if (Math.fround(v) === v && Math.abs(v) >= 2 ** -126) {
      f32.setFloat32(0, v, true);
      outLo = f32.getUint32(0, true); outHi = 0;
      return;
    }
  }
  const { m, e } = imageParts(x);
  roundToFormat(neg, m, e, fmt, rc);
  encodeFloat(neg, fmt);
  outHi = encHi; outLo = encLo;
  storeFlags = fmtFlags | (fmtTiny && !(cw & UE) ? UE : 0);
  storeUp = fmtRoundedUp;
}

const fst: HandlerFactory = (entry, _o32, isMem) => {
  const pop = entry.mnemonic === 'fstp';
  if (!isMem) {
    return esc(Esc.Numeric, (_cpu, i, f) => {
      f.setC1(false);
      if (f.isEmpty(0)) { f.stackUnderflow(i.rm, pop ? 1 : 0); return; }
      f.read(0, A); f.write(i.rm, A);
      if (pop) f.pop();
    });
  }
  const kind = memKind(entry.operands);
  const fmt = kind === 'Mfs' ? SINGLE : DOUBLE;
  return esc(Esc.Numeric, (cpu, i, f) => {
    const off = cpu.ea(i);
    f.setC1(false);
    if (f.isEmpty(0)) {
      if (!(f.cw & IE)) { f.raise(IE | SF); return; }
      if (kind === 'Mft') writeExtended(cpu, i.seg, off, 0xFFFF, 0xC0000000, 0);
      else if (kind === 'Mfs') cpu.write32(i.seg, off, 0xFFC00000 | 0);
      else writeDoubleBits(cpu, i.seg, off, 0xFFF80000 | 0, 0);
      f.raise(IE | SF);
      if (pop) f.pop();
      return;
    }
    f.read(0, A);
    if (kind === 'Mft') {
      writeExtended(cpu, i.seg, off, A.sx, A.hi, A.lo);
      if (pop) f.pop();
      return;
    }
    toFloatFormat(A, fmt, f.rc as Rc, f.cw);
    const flags = storeFlags, up = storeUp;
    if (flags & ~f.cw & (IE | 0x18)) { f.raise(flags); return; } // unmasked IE/OE/UE: memory unchanged
    if (fmt === SINGLE) cpu.write32(i.seg, off, outLo | 0);
    else writeDoubleBits(cpu, i.seg, off, outHi | 0, outLo | 0);
    f.raise(flags);
    f.setC1(up);
    if (pop) f.pop();
  });
};

const INT_INDEFINITE: Record<number, number | bigint> = { 2: 0x8000, 4: 0x80000000, 8: 1n << 63n };
function fitsInteger(v: number | bigint, size: number): boolean {
  if (typeof v === 'number') return size === 2 ? v >= -32768 && v <= 32767 : size === 4 ? v >= -2147483648 && v <= 2147483647 : true;
  return size === 8 && v >= -(1n << 63n) && v < (1n << 63n);
}

const fist: HandlerFactory = (entry) => {
  const pop = entry.mnemonic === 'fistp';
  const kind = memKind(entry.operands);
  const size = kind === 'Mwi' ? 2 : kind === 'Mdi' ? 4 : 8;
  return esc(Esc.Numeric, (cpu, i, f) => {
    const off = cpu.ea(i);
    f.setC1(false);
    if (f.isEmpty(0)) {
      if (!(f.cw & IE)) { f.raise(IE | SF); return; }
      writeInteger(cpu, i.seg, off, size, INT_INDEFINITE[size]);
      f.raise(IE | SF);
      if (pop) f.pop();
      return;
    }
    f.read(0, A);
    let v: number | bigint = 0;
    let ok = A.cls !== Cls.Inf && A.cls < Cls.QNaN;
    if (ok) { v = roundToInteger(A, f.rc as Rc); ok = fitsInteger(v, size); }
    if (!ok) {
      if (!(f.cw & IE)) { f.raise(IE); return; }
      writeInteger(cpu, i.seg, off, size, INT_INDEFINITE[size]);
      f.raise(IE);
    } else {
      writeInteger(cpu, i.seg, off, size, v);
      if (intInexact) { f.raise(PE); f.setC1(intRoundedUp); }
    }
    if (pop) f.pop();
  });
};

const BCD_LIMIT = 10n ** 18n;
const fbstp: HandlerFactory = () => esc(Esc.Numeric, (cpu, i, f) => {
  const off = cpu.ea(i);
  f.setC1(false);
  if (f.isEmpty(0)) {
    if (!(f.cw & IE)) { f.raise(IE | SF); return; }
    writeBcdIndefinite(cpu, i.seg, off);
    f.raise(IE | SF);
    f.pop();
    return;
  }
  f.read(0, A);
  let mag = -1n;
  if (A.cls !== Cls.Inf && A.cls < Cls.QNaN) {
    const v = roundToInteger(A, f.rc as Rc);
    const big = typeof v === 'bigint' ? v : BigInt(v);
    mag = big < 0n ? -big : big;
    if (mag >= BCD_LIMIT) mag = -1n;
  }
  if (mag < 0n) {
    if (!(f.cw & IE)) { f.raise(IE); return; }
    writeBcdIndefinite(cpu, i.seg, off);
    f.raise(IE);
  } else {
    writeBcd(cpu, i.seg, off, (A.sx & 0x8000) !== 0, mag);
    if (intInexact) { f.raise(PE); f.setC1(intRoundedUp); }
  }
  f.pop();
});

// ---- constants ----

/** The constants as 80-bit images rounded to nearest, and whether that rounding went up (for RC). */
const CONSTANTS: Record<string, [sx: number, hi: number, lo: number, nearestUp: boolean]> = {
  fld1: [0x3FFF, 0x80000000, 0, false],
  fldz: [0, 0, 0, false],
  fldl2t: [0x4000, 0xD49A784B, 0xCD1B8AFE, false],
  fldl2e: [0x3FFF, 0xB8AA3B29, 0x5C17F0BC, true],
  fldpi: [0x4000, 0xC90FDAA2, 0x2168C235, true],
  fldlg2: [0x3FFD, 0x9A209A84, 0xFBCFF799, true],
  fldln2: [0x3FFE, 0xB17217F7, 0xD1CF79AC, true],
};

const fconst: HandlerFactory = (entry) => {
  const [sx, hi, lo, nearestUp] = CONSTANTS[entry.mnemonic];
  return esc(Esc.Numeric, (_cpu, _i, f) => {
    if (!f.isEmpty(7)) { f.stackOverflow(); return; }
    const rc = f.rc as Rc;
    // The internal constants carry more bits; directed rounding picks the neighbour of the nearest.
    let l = lo;
    if (nearestUp && (rc === Rc.Down || rc === Rc.Chop)) l = lo - 1;
    else if (!nearestUp && lo !== 0 && rc === Rc.Up) l = lo + 1;
    setImage(A, sx, hi, l);
    f.setC1(false);
    f.push(A);
  });
};

// ---- register moves ----

const fxch: HandlerFactory = () => esc(Esc.Numeric, (_cpu, i, f) => {
  f.setC1(false);
  if (f.isEmpty(0) || f.isEmpty(i.rm)) {
    if (f.raise(IE | SF)) return;
    if (f.isEmpty(0)) f.writeIndefinite(0);
    if (f.isEmpty(i.rm)) f.writeIndefinite(i.rm);
  }
  f.read(0, A); f.read(i.rm, B);
  f.write(0, B); f.write(i.rm, A);
});

const CONDITIONS: Record<string, (cpu: Cpu) => boolean> = {
  fcmovb: (c) => getCF(c) !== 0, fcmove: (c) => getZF(c), fcmovbe: (c) => getCF(c) !== 0 || getZF(c), fcmovu: (c) => getPF(c),
  fcmovnb: (c) => getCF(c) === 0, fcmovne: (c) => !getZF(c), fcmovnbe: (c) => getCF(c) === 0 && !getZF(c), fcmovnu: (c) => !getPF(c),
};

const fcmov: HandlerFactory = (entry) => {
  const cond = CONDITIONS[entry.mnemonic];
  return esc(Esc.Numeric, (cpu, i, f) => {
    if (f.isEmpty(0) || f.isEmpty(i.rm)) { f.stackUnderflow(0); return; }
    f.setC1(false);
    if (cond(cpu)) { f.read(i.rm, A); f.write(0, A); }
  });
};

const ffree: HandlerFactory = (entry) => {
  const pop = entry.mnemonic === 'ffreep';
  return esc(Esc.Numeric, (_cpu, i, f) => {
    f.empty |= 1 << f.phys(i.rm);
    if (pop) f.pop();
  });
};

export const X87_DATA_HANDLERS: Record<string, HandlerFactory> = {
  fld, fild, fbld: fild, fst, fist, fbstp, fconst, fxch, fcmov, ffree,
};
