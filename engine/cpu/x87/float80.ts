// The x87 80-bit extended format (sign, 15-bit biased exponent, 64-bit significand with an explicit
// integer bit) and exact conversions between it, JS doubles, the IEEE memory formats and integers.

/** Rounding control (FCW bits 10–11). */
export const enum Rc { Nearest = 0, Down = 1, Up = 2, Chop = 3 }

/** Exception bits, as in the status word (and the masks in the control word). */
export const IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20, SF = 0x40;

/** Classes of an 80-bit value, as the arithmetic, FXAM and the tag word need them. */
export const enum Cls { Zero, Normal, Denormal, Inf, QNaN, SNaN, Unsupported }

/** One extended value: the exact 80-bit image plus the double the arithmetic works with. */
export class X80 {
  sx = 0;              // sign (bit 15) and biased exponent (bits 0–14)
  hi = 0;              // significand bits 63–32 (bit 63 = explicit integer bit)
  lo = 0;              // significand bits 31–0
  val = 0;             // nearest double (NaN for NaNs and unsupported encodings)
  cls = Cls.Zero;      // class of the image
  srcDenormal = false; // loaded from a single/double denormal (a #D source even though now normal)
}

/** An IEEE binary format: significand bits (with the integer bit) and normal exponent range. */
export interface Fmt { readonly p: number; readonly emin: number; readonly emax: number; readonly expBits: number }
export const SINGLE: Fmt = { p: 24, emin: -126, emax: 127, expBits: 8 };
export const DOUBLE: Fmt = { p: 53, emin: -1022, emax: 1023, expBits: 11 };
export const EXTENDED: Fmt = { p: 64, emin: -16382, emax: 16383, expBits: 15 };

/** POW2[e + 1074] = 2^e exactly, for every e a double can hold (−1074 … 1023). */
const POW2 = new Float64Array(2098);
POW2[1074] = 1;
for (let k = 1075; k < 2098; k++) POW2[k] = POW2[k - 1] * 2;
for (let k = 1073; k >= 0; k--) POW2[k] = POW2[k + 1] / 2;
export function pow2(e: number): number {
  return e > 1023 ? Infinity : e < -1074 ? 0 : POW2[e + 1074];
}

const dv = new DataView(new ArrayBuffer(8));
const TWO32 = 4294967296;

/** Class of an 80-bit image. */
export function classify(sx: number, hi: number, lo: number): Cls {
  const exp = sx & 0x7FFF;
  if (exp === 0) return (hi | lo) === 0 ? Cls.Zero : Cls.Denormal; // pseudo-denormals count as denormals
  if (!(hi & 0x80000000)) return Cls.Unsupported;                  // unnormal, pseudo-infinity, pseudo-NaN
  if (exp !== 0x7FFF) return Cls.Normal;
  if ((hi & 0x7FFFFFFF) === 0 && lo === 0) return Cls.Inf;
  return (hi & 0x40000000) ? Cls.QNaN : Cls.SNaN;
}

/** Sets x to an 80-bit image; its double view is the nearest double. */
export function setImage(x: X80, sx: number, hi: number, lo: number): void {
  x.sx = sx & 0xFFFF; x.hi = hi >>> 0; x.lo = lo >>> 0;
  x.cls = classify(x.sx, x.hi, x.lo);
  x.val = f80ToDouble(x.sx, x.hi, x.lo);
  x.srcDenormal = false;
}

/** Sets x to a double (every double is exactly representable in extended). NaN payloads come from the bits. */
export function setDouble(x: X80, v: number): void {
  dv.setFloat64(0, v, true);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const sign = (hi >>> 31) << 15;
  const e = (hi >>> 20) & 0x7FF;
  const fh = hi & 0xFFFFF;
  x.val = v; x.srcDenormal = false;
  if (e === 0x7FF) {
    x.sx = sign | 0x7FFF; x.hi = (0x80000000 | (fh << 11) | (lo >>> 21)) >>> 0; x.lo = (lo << 11) >>> 0;
    x.cls = classify(x.sx, x.hi, x.lo);
    return;
  }
  if (e === 0) {
    if ((fh | lo) === 0) { x.sx = sign; x.hi = 0; x.lo = 0; x.cls = Cls.Zero; return; }
    // Subnormal double f·2^−1074: normalise into the 64-bit significand.
    const msb = fh ? 32 + 31 - Math.clz32(fh) : 31 - Math.clz32(lo);
    const s = 63 - msb;
    let h: number, l: number;
    if (s >= 32) { h = lo << (s - 32); l = 0; } else { h = (fh << s) | (lo >>> (32 - s)); l = lo << s; }
    x.sx = sign | (msb - 1074 + 16383); x.hi = h >>> 0; x.lo = l >>> 0; x.cls = Cls.Normal;
    return;
  }
  x.sx = sign | (e - 1023 + 16383);
  x.hi = (0x80000000 | (fh << 11) | (lo >>> 21)) >>> 0;
  x.lo = (lo << 11) >>> 0;
  x.cls = Cls.Normal;
}

/** The quiet NaN "real indefinite" (negative, 0xFFFF C000000000000000). */
export function setIndefinite(x: X80): void {
  x.sx = 0xFFFF; x.hi = 0xC0000000; x.lo = 0; x.val = NaN; x.cls = Cls.QNaN; x.srcDenormal = false;
}

export function copyX80(to: X80, from: X80): void {
  to.sx = from.sx; to.hi = from.hi; to.lo = from.lo; to.val = from.val; to.cls = from.cls; to.srcDenormal = from.srcDenormal;
}

/** True when the image equals its double view exactly (so integer and store fast paths may use val). */
export function isExactDouble(sx: number, hi: number, lo: number): boolean {
  const exp = sx & 0x7FFF;
  if (exp === 0) return (hi | lo) === 0;
  return (hi & 0x80000000) !== 0 && (lo & 0x7FF) === 0 && exp >= 16383 - 1022 && exp <= 16383 + 1023;
}

/** Nearest double of an 80-bit image (round to nearest even; NaN for NaNs and unsupported encodings). */
export function f80ToDouble(sx: number, hi: number, lo: number): number {
  const exp = sx & 0x7FFF, neg = (sx & 0x8000) !== 0;
  hi >>>= 0; lo >>>= 0;
  let v: number;
  if (exp === 0) v = 0; // zero, or an extended denormal (below 2^−16382: nearest double is 0)
  else if (!(hi & 0x80000000)) return NaN;
  else if (exp === 0x7FFF) {
    if ((hi & 0x7FFFFFFF) !== 0 || lo !== 0) return NaN;
    v = Infinity;
  } else {
    const e = exp - 16383;
    if (e > 1023) v = Infinity;
    else if (e >= -1022) v = ((hi * TWO32 + lo) * POW2[1074 - 63]) * POW2[e + 1074]; // one rounding, exact scalings
    else {
      // Subnormal double: round the 64-bit significand once at the 2^−1074 grid.
      const shift = -1011 - e;
      const q = shift > 66 ? 0n : roundShift(toBig(hi, lo), shift, Rc.Nearest, false);
      v = Number(q) * POW2[0];
    }
  }
  return neg ? -v : v;
}

export function toBig(hi: number, lo: number): bigint { return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0); }

/** Bit length of a non-negative BigInt. */
export function bitLength(m: bigint): number {
  let n = 0;
  while (m >= 1n << 64n) { m >>= 64n; n += 64; }
  const hi = Number(m >> 32n), lo = Number(m & 0xFFFFFFFFn);
  return n + (hi ? 64 - Math.clz32(hi) : lo ? 32 - Math.clz32(lo) : 0);
}

/** Inexact (remainder ≠ 0) and round-up outcome of the last roundShift. */
export let shiftInexact = false;
export let shiftRoundedUp = false;

/** m >> shift rounded by rc (neg = the value is negative, for the directed modes). */
export function roundShift(m: bigint, shift: number, rc: Rc, neg: boolean): bigint {
  if (shift <= 0) { shiftInexact = false; shiftRoundedUp = false; return m << BigInt(-shift); }
  const s = BigInt(shift);
  const kept = m >> s, rem = m & ((1n << s) - 1n), half = 1n << (s - 1n);
  shiftInexact = rem !== 0n;
  let up = false;
  if (shiftInexact) {
    switch (rc) {
      case Rc.Nearest: up = rem > half || (rem === half && (kept & 1n) === 1n); break;
      case Rc.Down: up = neg; break;
      case Rc.Up: up = !neg; break;
      default: up = false;
    }
  }
  shiftRoundedUp = up;
  return up ? kept + 1n : kept;
}

/** Flags (PE, UE, OE) and the round-up outcome (C1) of the last roundToFormat. */
export let fmtFlags = 0;
export let fmtRoundedUp = false;
/** Result of the last roundToFormat: biased exponent and significand (with the integer bit for extended). */
export let fmtBiased = 0;
export let fmtSig = 0n;
/** The last roundToFormat result was tiny (an unmasked UE is raised for it even when exact). */
export let fmtTiny = false;

/**
 * Rounds the finite non-zero value (−1)^neg · m · 2^e (m > 0, any length) to fmt with rc into
 * fmtBiased/fmtSig. Tininess is detected after rounding (with unbounded exponent), as the x87 does;
 * on overflow the result is infinity or the largest finite number, as rc says.
 */
export function roundToFormat(neg: boolean, m: bigint, e: number, fmt: Fmt, rc: Rc): void {
  const len = bitLength(m);
  const unbiased = e + len - 1;                 // exponent of the leading bit
  const bias = (1 << (fmt.expBits - 1)) - 1;
  let tiny = false;
  if (unbiased < fmt.emin) {
    const unbounded = roundShift(m, len - fmt.p, rc, neg);
    tiny = !(unbiased === fmt.emin - 1 && unbounded === 1n << BigInt(fmt.p));
  }
  const shift = len - fmt.p + (unbiased < fmt.emin ? fmt.emin - unbiased : 0);
  let sig = roundShift(m, shift, rc, neg);
  const inexact = shiftInexact;
  fmtRoundedUp = shiftRoundedUp;
  let biasedExp = unbiased < fmt.emin ? 0 : unbiased + bias;
  if (sig >= 1n << BigInt(fmt.p)) { sig >>= 1n; biasedExp += 1; }           // carry out of the significand
  else if (biasedExp === 0 && sig >= 1n << BigInt(fmt.p - 1)) biasedExp = 1; // denormal rounded up to normal
  fmtFlags = inexact ? PE : 0;
  fmtTiny = tiny;
  if (tiny && inexact) fmtFlags |= UE;
  const maxBiased = (1 << fmt.expBits) - 2;
  if (biasedExp > maxBiased) {
    fmtFlags |= OE | PE;
    const toInf = rc === Rc.Nearest || (rc === Rc.Down && neg) || (rc === Rc.Up && !neg);
    fmtRoundedUp = toInf;
    if (toInf) { biasedExp = maxBiased + 1; sig = fmt.p === 64 ? 1n << 63n : 0n; } else { biasedExp = maxBiased; sig = (1n << BigInt(fmt.p)) - 1n; }
  }
  fmtBiased = biasedExp;
  fmtSig = sig;
}

/** Last encoding result of encodeFloat: bits 31–0 and (for double) 63–32. */
export let encLo = 0;
export let encHi = 0;

/** Encodes sign + fmtBiased/fmtSig as a single (encLo) or a double (encHi:encLo). */
export function encodeFloat(neg: boolean, fmt: Fmt): void {
  const fracMask = (1n << BigInt(fmt.p - 1)) - 1n;
  const bits = (BigInt(neg ? 1 : 0) << BigInt(fmt.p - 1 + fmt.expBits)) | (BigInt(fmtBiased) << BigInt(fmt.p - 1)) | (fmtSig & fracMask);
  encLo = Number(bits & 0xFFFFFFFFn);
  encHi = Number(bits >> 32n);
}

/** Sets x to (−1)^neg · m · 2^e (m ≥ 0): exact when m fits in 64 bits and the exponent in range, else rounded by rc. */
export function setFromBig(x: X80, neg: boolean, m: bigint, e = 0, rc: Rc = Rc.Nearest): void {
  if (m === 0n) { setImage(x, neg ? 0x8000 : 0, 0, 0); return; }
  const len = bitLength(m);
  const unbiased = e + len - 1;
  if (len <= 64 && unbiased >= EXTENDED.emin && unbiased <= EXTENDED.emax) {
    const n = m << BigInt(64 - len);
    setImage(x, (neg ? 0x8000 : 0) | (unbiased + 16383), Number(n >> 32n), Number(n & 0xFFFFFFFFn));
    return;
  }
  roundToFormat(neg, m, e, EXTENDED, rc);
  setImage(x, (neg ? 0x8000 : 0) | fmtBiased, Number(fmtSig >> 32n), Number(fmtSig & 0xFFFFFFFFn));
}

/** Magnitude and exponent of a finite non-zero image: value = m · 2^e (m the 64-bit significand). */
export function imageParts(x: X80): { m: bigint; e: number } {
  const exp = x.sx & 0x7FFF;
  return { m: toBig(x.hi, x.lo), e: (exp === 0 ? 1 : exp) - 16383 - 63 };
}

/** Whether the last roundToInteger was inexact / increased the magnitude. */
export let intInexact = false;
export let intRoundedUp = false;

/** Rounds a finite value to an integer with rc; a number when |result| < 2^53, else a BigInt (signed). */
export function roundToInteger(x: X80, rc: Rc): number | bigint {
  const neg = (x.sx & 0x8000) !== 0;
  if (isExactDouble(x.sx, x.hi, x.lo)) {
    const v = x.val;
    let r: number;
    switch (rc) {
      case Rc.Nearest: {
        const fl = Math.floor(v), d = v - fl;
        r = d > 0.5 ? fl + 1 : d < 0.5 ? fl : (fl % 2 === 0 ? fl : fl + 1);
        break;
      }
      case Rc.Down: r = Math.floor(v); break;
      case Rc.Up: r = Math.ceil(v); break;
      default: r = Math.trunc(v);
    }
    intInexact = r !== v;
    intRoundedUp = Math.abs(r) > Math.abs(v);
    if (Math.abs(r) < 2 ** 53) return r === 0 && neg ? -0 : r;
    return BigInt(r);
  }
  const { m, e } = imageParts(x);
  let mag: bigint;
  if (e >= 0) { mag = m << BigInt(e); intInexact = false; intRoundedUp = false; }
  else if (-e > 66) { mag = roundTiny(rc, neg); intInexact = true; intRoundedUp = mag !== 0n; }
  else { mag = roundShift(m, -e, rc, neg); intInexact = shiftInexact; intRoundedUp = shiftRoundedUp; }
  if (mag < 1n << 53n) { const n = Number(mag); return neg ? -n : n; }
  return neg ? -mag : mag;
}

/** A non-zero value far below 1/2 rounded to an integer magnitude (0 or 1). */
function roundTiny(rc: Rc, neg: boolean): bigint {
  return (rc === Rc.Down && neg) || (rc === Rc.Up && !neg) ? 1n : 0n;
}

/** Bits of a double (lo, hi words) into encLo/encHi. */
export function doubleBits(v: number): void {
  dv.setFloat64(0, v, true);
  encLo = dv.getUint32(0, true); encHi = dv.getUint32(4, true);
}

/** The double whose bits are hi:lo. */
export function doubleFromBits(hi: number, lo: number): number {
  dv.setUint32(0, lo >>> 0, true); dv.setUint32(4, hi >>> 0, true);
  return dv.getFloat64(0, true);
}

/** Loads an IEEE single (bits) into x exactly; NaN payloads and denormal sources are kept track of. */
export function setSingleBits(x: X80, bits: number): void {
  const exp = (bits >>> 23) & 0xFF, frac = bits & 0x7FFFFF, sign = (bits >>> 31) << 15;
  if (exp === 0xFF && frac !== 0) {
    setImage(x, sign | 0x7FFF, (0x80000000 | (frac << 8)) >>> 0, 0);
    return;
  }
  dv.setUint32(0, bits >>> 0, true);
  setDouble(x, dv.getFloat32(0, true));
  x.srcDenormal = exp === 0 && frac !== 0;
}

/** Loads an IEEE double (hi:lo bits) into x exactly; NaN payloads kept. */
export function setDoubleBits(x: X80, hi: number, lo: number): void {
  const exp = (hi >>> 20) & 0x7FF, fh = hi & 0xFFFFF;
  if (exp === 0x7FF && (fh | lo) !== 0) {
    setImage(x, ((hi >>> 31) << 15) | 0x7FFF, (0x80000000 | (fh << 11) | (lo >>> 21)) >>> 0, (lo << 11) >>> 0);
    return;
  }
  setDouble(x, doubleFromBits(hi, lo));
  x.srcDenormal = exp === 0 && (fh | lo) !== 0;
}
