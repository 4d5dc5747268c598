// x87 exponent, remainder and transcendental instructions: FSCALE, FXTRACT, FPREM, FPREM1 (exact,
// on the 80-bit images) and FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1 (on doubles).
import type { HandlerFactory } from '../dispatch.js';
import { nanOrInvalid } from './arith.js';
import {
  Cls, DE, EXTENDED, IE, PE, Rc, SF, X80, ZE, bitLength, copyX80, fmtBiased, fmtFlags, fmtRoundedUp, fmtSig,
  imageParts, roundToFormat, setDouble, setFromBig, setImage, setIndefinite,
} from './float80.js';
import type { Fpu } from './fpu.js';
import { esc, Esc } from './escape.js';

const A = new X80(), B = new X80(), R = new X80(), R2 = new X80();
const TWO63 = 2 ** 63;

function isDenormal(x: X80): boolean { return x.cls === Cls.Denormal; }
function neg(x: X80): boolean { return (x.sx & 0x8000) !== 0; }

/** Normalised parts of a finite non-zero image: value = m · 2^(E − 63), m with bit 63 set. */
function normalised(x: X80): { m: bigint; E: number } {
  const { m, e } = imageParts(x);
  const len = bitLength(m);
  return { m: m << BigInt(64 - len), E: e + len - 1 };
}

/** ST(0) and ST(1) for a two-operand instruction; false (after the underflow response) when one is empty. */
function readPair(f: Fpu, dest: number, pops: number): boolean {
  if (f.isEmpty(0) || f.isEmpty(1)) { f.stackUnderflow(dest, pops); return false; }
  f.read(0, A); f.read(1, B);
  return true;
}

// ---- FSCALE, FXTRACT ----

const fscale: HandlerFactory = () => esc(Esc.Numeric, (_cpu, _i, f) => {
  if (!readPair(f, 0, 0)) return;
  f.setC1(false);
  const special = nanOrInvalid(A, B, R);
  if (special >= 0) { if (!f.raise(special)) f.write(0, R); return; }
  if ((isDenormal(A) || isDenormal(B)) && f.raise(DE)) return;
  if (B.cls === Cls.Inf) {
    const up = !neg(B);
    if ((A.cls === Cls.Zero && up) || (A.cls === Cls.Inf && !up)) { if (!f.raise(IE)) f.writeIndefinite(0); return; }
    if (A.cls === Cls.Zero || A.cls === Cls.Inf) return;
    setImage(R, (A.sx & 0x8000) | (up ? 0x7FFF : 0), up ? 0x80000000 : 0, 0);
    f.write(0, R);
    return;
  }
  if (A.cls === Cls.Zero || A.cls === Cls.Inf) return;
  const n = Math.max(-(1 << 20), Math.min(1 << 20, Math.trunc(B.val)));
  const { m, e } = imageParts(A);
  roundToFormat(neg(A), m, e + n, EXTENDED, f.rc as Rc);
  setImage(R, (A.sx & 0x8000) | fmtBiased, Number(fmtSig >> 32n), Number(fmtSig & 0xFFFFFFFFn));
  f.raise(fmtFlags, 0); // OE/UE/PE are post-computation: the result is delivered even when unmasked
  f.setC1(fmtRoundedUp);
  f.write(0, R);
});

/** Push-two-results instructions: ST(0) empty → underflow, ST(7) full → overflow; masked: push, and both become the indefinite. */
function checkPushTwo(f: Fpu): boolean {
  const underflow = f.isEmpty(0);
  if (!underflow && f.isEmpty(7)) return true;
  f.setC1(!underflow);
  if (f.raise(IE | SF)) return false;
  f.top = (f.top - 1) & 7;
  f.writeIndefinite(0); f.writeIndefinite(1);
  return false;
}

const fxtract: HandlerFactory = () => esc(Esc.Numeric, (_cpu, _i, f) => {
  if (!checkPushTwo(f)) return;
  f.read(0, A);
  f.setC1(false);
  const special = nanOrInvalid(A, undefined, R);
  if (special >= 0) { if (!f.raise(special)) { f.write(0, R); f.push(R); } return; }
  if (A.cls === Cls.Zero) {
    if (f.raise(ZE)) return;
    setImage(R2, 0xFFFF, 0x80000000, 0); // −∞
    copyX80(R, A);
  } else if (A.cls === Cls.Inf) {
    setImage(R2, 0x7FFF, 0x80000000, 0);
    copyX80(R, A);
  } else {
    if (isDenormal(A) && f.raise(DE)) return;
    const { m, E } = normalised(A);
    setDouble(R2, E);
    setFromBig(R, neg(A), m, -63);
  }
  f.write(0, R2);
  f.push(R);
});

// ---- FPREM, FPREM1 ----

/** Partial remainder exactly as SDM FPREM/FPREM1 describe (reduction by at most 63 bits per step). */
function remainder(ieee: boolean): HandlerFactory {
  return () => esc(Esc.Numeric, (_cpu, _i, f) => {
    if (!readPair(f, 0, 0)) return;
    const special = nanOrInvalid(A, B, R);
    if (special >= 0) { f.setCC(undefined, 0, 0, undefined); if (!f.raise(special)) f.write(0, R); return; }
    if (A.cls === Cls.Inf || B.cls === Cls.Zero) { f.setCC(undefined, 0, 0, undefined); if (!f.raise(IE)) f.writeIndefinite(0); return; }
    if ((isDenormal(A) || isDenormal(B)) && f.raise(DE)) return;
    if (A.cls === Cls.Zero || B.cls === Cls.Inf) { f.setCC(0, 0, 0, 0); return; }
    const a = normalised(A), b = normalised(B);
    const d = a.E - b.E;
    if (d >= 64) {
      const n = (d & 31) | 32;
      const num = a.m << BigInt(n);
      const r = num - (num / b.m) * b.m;
      setFromBig(R, neg(A), r, a.E - 63 - n);
      f.write(0, R);
      f.setCC(0, 1, 0, 0);
      return;
    }
    if (d < 0 && (!ieee || d < -1)) { f.setCC(0, 0, 0, 0); return; }
    const e0 = Math.min(a.E, b.E) - 63;
    const num = a.m << BigInt(a.E - 63 - e0), den = b.m << BigInt(b.E - 63 - e0);
    let q = num / den;
    let r = num - q * den;
    if (ieee && (2n * r > den || (2n * r === den && (q & 1n) === 1n))) { q += 1n; r -= den; }
    const flip = r < 0n;
    setFromBig(R, neg(A) !== flip, flip ? -r : r, e0);
    f.write(0, R);
    const qb = Number(q & 7n);
    f.setCC((qb >> 1) & 1, 0, qb & 1, (qb >> 2) & 1);
  });
}

// ---- transcendentals ----

/** Writes a transcendental's double result (PE for every finite non-zero argument). */
function transResult(f: Fpu, st: number, r: number, exactArg: boolean): boolean {
  if (Number.isNaN(r)) { if (f.raise(IE)) return false; setIndefinite(R); f.write(st, R); return true; }
  if (!exactArg) f.raise(PE);
  setDouble(R, r); f.write(st, R);
  return true;
}

/** FSIN, FCOS, F2XM1 (FPTAN and FSINCOS below): ST(0) ← fn(ST(0)); |x| ≥ 2^63 sets C2 and leaves ST(0). */
function unary(fn: (x: number) => number, ranged: boolean): HandlerFactory {
  return () => esc(Esc.Numeric, (_cpu, _i, f) => {
    if (f.isEmpty(0)) { f.stackUnderflow(0); return; }
    f.read(0, A);
    f.setCC(undefined, 0, 0, undefined);
    const special = nanOrInvalid(A, undefined, R);
    if (special >= 0) { if (!f.raise(special)) f.write(0, R); return; }
    if (ranged && A.cls !== Cls.Inf && Math.abs(A.val) >= TWO63) { f.setCC(undefined, 1, undefined, undefined); return; }
    if (isDenormal(A) && f.raise(DE)) return;
    transResult(f, 0, fn(A.val), A.cls === Cls.Zero || A.cls === Cls.Inf);
  });
}

const f2xm1 = unary((x) => (x === -Infinity ? -1 : Math.expm1(x * Math.LN2)), false);

/** FPTAN (tan, then push 1.0) and FSINCOS (sin into ST(1), cos into ST(0)). */
function pushTwo(kind: 'fptan' | 'fsincos'): HandlerFactory {
  return () => esc(Esc.Numeric, (_cpu, _i, f) => {
    f.setCC(undefined, 0, 0, undefined);
    if (!checkPushTwo(f)) return;
    f.read(0, A);
    const special = nanOrInvalid(A, undefined, R);
    if (special >= 0) { if (!f.raise(special)) { f.write(0, R); f.push(R); } return; }
    if (A.cls === Cls.Inf) { if (!f.raise(IE)) { f.writeIndefinite(0); f.top = (f.top - 1) & 7; f.writeIndefinite(0); } return; }
    if (Math.abs(A.val) >= TWO63) { f.setCC(undefined, 1, undefined, undefined); return; }
    if (isDenormal(A) && f.raise(DE)) return;
    const x = A.val;
    const first = kind === 'fptan' ? Math.tan(x) : Math.sin(x);
    const second = kind === 'fptan' ? 1 : Math.cos(x);
    if (x !== 0) f.raise(PE);
    setDouble(R, first); f.write(0, R);
    setDouble(R2, second); f.push(R2);
  });
}

/** FPATAN, FYL2X, FYL2XP1: ST(1) ← fn(ST(1), ST(0)), then pop. */
function binary(fn: (y: number, x: number) => number, zeroDivide: (y: number, x: number) => boolean): HandlerFactory {
  return () => esc(Esc.Numeric, (_cpu, _i, f) => {
    if (!readPair(f, 1, 1)) return;
    f.setC1(false);
    const special = nanOrInvalid(A, B, R);
    if (special >= 0) { if (!f.raise(special)) { f.write(1, R); f.pop(); } return; }
    if ((isDenormal(A) || isDenormal(B)) && f.raise(DE)) return;
    const x = A.val, y = B.val;
    if (zeroDivide(y, x)) {
      if (f.raise(ZE)) return;
      setDouble(R, fn(y, x)); f.write(1, R); f.pop();
      return;
    }
    const r = fn(y, x);
    const exact = !Number.isFinite(x) || !Number.isFinite(y) || r === 0 || (x === 0 && y === 0);
    if (transResult(f, 1, r, exact)) f.pop();
  });
}

const fpatan = binary((y, x) => Math.atan2(y, x), () => false);
const fyl2x = binary((y, x) => y * Math.log2(x), (y, x) => x === 0 && y !== 0 && Number.isFinite(y));
const fyl2xp1 = binary((y, x) => y * (Math.log1p(x) / Math.LN2), () => false);

export const X87_SPECIAL_HANDLERS: Record<string, HandlerFactory> = {
  fscale, fxtract, fprem: remainder(false), fprem1: remainder(true),
  fsin: unary(Math.sin, true), fcos: unary(Math.cos, true), f2xm1, fptan: pushTwo('fptan'), fsincos: pushTwo('fsincos'),
  fpatan, fyl2x, fyl2xp1,
};
