// x87 arithmetic on the double views: JS rounds to nearest, the exact sign of the rounding error
// (error-free transformations, BigInt when out of their safe range) then gives the x87's rounding
// control, precision control (24/53 bits), #P, #U, #O and C1; NaNs follow the x87 propagation rules.
import {
  Cls, DE, IE, OE, PE, Rc, UE, ZE, X80, copyX80, doubleBits, doubleFromBits, encHi, encLo, pow2, setDouble, setImage, setIndefinite,
} from './float80.js';

/** Sign of (exact result − rounded result) of the last add/mul/div/sqrt: −1, 0 or +1. */
let errSign = 0;
/** Round-up outcome (C1) of the last finish / binaryArith. */
export let roundedUp = false;

const SPLIT = 134217729; // 2^27 + 1
const SAFE_HI = 2 ** 990, SAFE_LO = 2 ** -900;

/** Exact a·b − p for p = fl(a·b) (Dekker); valid when safeProduct(a, b, p). */
function twoProductError(a: number, b: number, p: number): number {
  const ca = SPLIT * a, ah = ca - (ca - a), al = a - ah;
  const cb = SPLIT * b, bh = cb - (cb - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
function safeProduct(a: number, b: number, p: number): boolean {
  const ap = Math.abs(p);
  return ap >= SAFE_LO && ap < Infinity && Math.abs(a) < SAFE_HI && Math.abs(b) < SAFE_HI;
}

/** A finite double as m·2^e with m a BigInt. */
function decompose(v: number): { m: bigint; e: number } {
  doubleBits(v);
  const neg = encHi >>> 31, exp = (encHi >>> 20) & 0x7FF;
  let m = (BigInt(encHi & 0xFFFFF) << 32n) | BigInt(encLo);
  if (exp !== 0) m |= 1n << 52n;
  return { m: neg ? -m : m, e: (exp === 0 ? 1 : exp) - 1075 };
}

/** Exact sign of x − y·z for finite doubles. */
function residualSign(x: number, y: number, z: number): number {
  const p = y * z;
  if (safeProduct(y, z, p) && Math.abs(x) < SAFE_HI) return Math.sign((x - p) - twoProductError(y, z, p));
  const a = decompose(x), b = decompose(y), c = decompose(z);
  const eb = b.e + c.e, e0 = Math.min(a.e, eb);
  const d = (a.m << BigInt(a.e - e0)) - ((b.m * c.m) << BigInt(eb - e0));
  return d === 0n ? 0 : d > 0n ? 1 : -1;
}

export function add(a: number, b: number): number {
  const s = a + b;
  if (!Number.isFinite(s)) { errSign = 0; return s; }
  const bb = s - a;
  errSign = Math.sign((a - (s - bb)) + (b - bb));
  return s;
}
export function mul(a: number, b: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || a === 0 || b === 0) { errSign = 0; return p; }
  errSign = safeProduct(a, b, p) ? Math.sign(twoProductError(a, b, p)) : -residualSign(p, a, b);
  return p;
}
export function div(a: number, b: number): number {
  const q = a / b;
  if (!Number.isFinite(q) || a === 0 || !Number.isFinite(b) || b === 0) { errSign = 0; return q; }
  errSign = q === 0 ? Math.sign(a) * Math.sign(b) : residualSign(a, q, b) * Math.sign(b);
  return q;
}
export function sqrt(a: number): number {
  const s = Math.sqrt(a);
  errSign = Number.isFinite(s) && s > 0 ? residualSign(a, s, s) : 0;
  return s;
}

function stepAway(v: number, away: boolean): number {
  doubleBits(v);
  let lo = encLo, hi = encHi;
  if (away) { lo = (lo + 1) >>> 0; if (lo === 0) hi = (hi + 1) >>> 0; } else { if (lo === 0) hi = (hi - 1) >>> 0; lo = (lo - 1) >>> 0; }
  return doubleFromBits(hi, lo);
}
function nextUp(v: number): number { return v === 0 ? pow2(-1074) : v > 0 ? stepAway(v, true) : stepAway(v, false); }
function nextDown(v: number): number { return -nextUp(-v); }

/** Unbiased exponent of a finite non-zero double (true exponent for subnormals). */
function exponentOf(v: number): number {
  doubleBits(v);
  const exp = (encHi >>> 20) & 0x7FF;
  if (exp) return exp - 1023;
  const fh = encHi & 0xFFFFF;
  return (fh ? 32 + 31 - Math.clz32(fh) : 31 - Math.clz32(encLo)) - 1074;
}

/**
 * Applies rc and the precision (53 or 24 significand bits) to r = the round-to-nearest double of a
 * finite operation, whose error sign is errSign. Returns the result and its flags (PE, UE, OE);
 * sets roundedUp. An infinite r here means the operation overflowed.
 */
export function finish(r: number, rc: Rc, bits: 53 | 24): { v: number; flags: number } {
  const s = errSign;
  if (!Number.isFinite(r)) return overflow(r < 0, rc, bits);
  if (bits === 53) {
    roundedUp = false;
    if (s === 0) return { v: r, flags: 0 };
    let v = r;
    if (rc === Rc.Down) { if (s < 0) v = nextDown(r); }
    else if (rc === Rc.Up) { if (s > 0) v = nextUp(r); }
    else if (rc === Rc.Chop) { if ((r > 0 && s < 0) || (r < 0 && s > 0)) v = r > 0 ? nextDown(r) : nextUp(r); }
    roundedUp = Math.abs(v) > Math.abs(r) || (v === r && ((r > 0 && s < 0) || (r < 0 && s > 0)));
    if (!Number.isFinite(v)) return overflow(v < 0, rc, bits);
    let flags = PE;
    if (Math.abs(v) < 2 ** -1022 || Math.abs(r) < 2 ** -1022) flags |= UE;
    return { v, flags };
  }
  // 24-bit precision: round r·2^−ulpExp to an integer, breaking exact ties with the error sign.
  if (r === 0 && s === 0) { roundedUp = false; return { v: r, flags: 0 }; }
  let k = r === 0 ? -1074 : exponentOf(r);
  // r a power of two with the exact value just inside it: the exact value lies in the binade below.
  if (r !== 0 && Math.abs(r) === pow2(k) && ((r > 0 && s < 0) || (r < 0 && s > 0))) k -= 1;
  const ulpExp = Math.max(k - 23, -1074);
  const ulp = pow2(ulpExp);
  const t = r / ulp;
  let fl = Math.floor(t);
  let frac = t - fl;
  if (frac === 0 && s < 0) { fl -= 1; frac = 1; } // just below an integer
  const inexact = frac !== 0 || s !== 0;
  if (!inexact) { roundedUp = false; return { v: r, flags: 0 }; }
  const above = frac > 0.5 || (frac === 0.5 && s > 0), tie = frac === 0.5 && s === 0;
  let n: number;
  switch (rc) {
    case Rc.Nearest: n = above || (tie && fl % 2 !== 0) ? fl + 1 : fl; break;
    case Rc.Down: n = fl; break;
    case Rc.Up: n = fl + 1; break;
    default: n = t >= 0 ? fl : fl + 1;
  }
  const v = n * ulp;
  if (!Number.isFinite(v)) return overflow(v < 0, rc, bits);
  // |exact| lies strictly between |fl| and |fl + 1| units (or just above fl when frac = 0, s > 0).
  roundedUp = Math.abs(n) > Math.abs(t) || (n === t && s !== 0 && Math.sign(s) !== Math.sign(t));
  let flags = PE;
  if (k < -1022) flags |= UE;
  return { v: v === 0 && r < 0 ? -0 : v, flags };
}

function overflow(neg: boolean, rc: Rc, bits: 53 | 24): { v: number; flags: number } {
  const toInf = rc === Rc.Nearest || (rc === Rc.Down && neg) || (rc === Rc.Up && !neg);
  roundedUp = toInf;
  const max = bits === 53 ? Number.MAX_VALUE : (2 ** 24 - 1) * 2 ** (1023 - 23);
  const v = toInf ? Infinity : max;
  return { v: neg ? -v : v, flags: OE | PE };
}

export const enum Op { Add, Sub, SubR, Mul, Div, DivR }

function isNaNCls(c: Cls): boolean { return c === Cls.QNaN || c === Cls.SNaN; }

/** Operand checks shared by every arithmetic instruction: unsupported → IE, NaNs propagated. Returns flags or −1 to continue. */
export function nanOrInvalid(a: X80, b: X80 | undefined, out: X80): number {
  if (a.cls === Cls.Unsupported || b?.cls === Cls.Unsupported) { setIndefinite(out); return IE; }
  if (isNaNCls(a.cls) || (b !== undefined && isNaNCls(b.cls))) return propagateNaN(a, b, out);
  return -1;
}

/** The x87 NaN rules (SDM table 4-7): SNaN → IE; the QNaN, or of two NaNs the larger significand. */
export function propagateNaN(a: X80, b: X80 | undefined, out: X80): number {
  const aNaN = isNaNCls(a.cls), bNaN = b !== undefined && isNaNCls(b.cls);
  const flags = a.cls === Cls.SNaN || b?.cls === Cls.SNaN ? IE : 0;
  let pick: X80;
  if (aNaN && bNaN) {
    const ah = a.hi | 0x40000000, bh = b!.hi | 0x40000000;
    if (a.cls !== b!.cls) pick = a.cls === Cls.QNaN ? a : b!;
    else if (ah !== bh) pick = (ah >>> 0) > (bh >>> 0) ? a : b!;
    else if (a.lo !== b!.lo) pick = a.lo > b!.lo ? a : b!;
    else pick = a.sx <= b!.sx ? a : b!;
  } else pick = aNaN ? a : b!;
  setImage(out, pick.sx, (pick.hi | 0x40000000) >>> 0, pick.lo);
  return flags;
}

function isDenormal(x: X80): boolean { return x.cls === Cls.Denormal || x.srcDenormal; }

/**
 * out = a op b with the x87's special cases, rounding (cw) and flags. Returns the exception bits;
 * with an unmasked IE/DE/ZE the caller must leave the destination unchanged.
 */
export function binaryArith(op: Op, a: X80, b: X80, cw: number, out: X80): number {
  const special = nanOrInvalid(a, b, out);
  if (special >= 0) { roundedUp = false; return special; }
  let flags = isDenormal(a) || isDenormal(b) ? DE : 0;
  roundedUp = false;
  if (flags & ~cw & DE) return flags;
  let x = a.val, y = b.val;
  if (op === Op.SubR || op === Op.DivR) { const t = x; x = y; y = t; }
  const rc = ((cw >> 10) & 3) as Rc;
  let r: number;
  switch (op) {
    case Op.Add: r = add(x, y); break;
    case Op.Sub: case Op.SubR: r = add(x, -y); break;
    case Op.Mul: r = mul(x, y); break;
    default: r = div(x, y);
  }
  if (Number.isNaN(r)) { setIndefinite(out); return flags | IE; }
  if ((op === Op.Div || op === Op.DivR) && y === 0 && Number.isFinite(x) && x !== 0) { setDouble(out, r); return flags | ZE; }
  if (!Number.isFinite(x) || !Number.isFinite(y)) { setDouble(out, r); return flags; }
  if (r === 0 && errSign === 0 && (op === Op.Add || op === Op.Sub || op === Op.SubR) && rc === Rc.Down) {
    const y2 = op === Op.Add ? y : -y;
    if (!(Object.is(x, 0) && Object.is(y2, 0))) r = -0; // exact zero sums are −0 when rounding down
  }
  const res = finish(r, rc, ((cw >> 8) & 3) === 0 ? 24 : 53);
  setDouble(out, res.v);
  return flags | res.flags | tinyUnmasked(res.v, cw);
}

/** With UE unmasked, a tiny result raises UE even when exact (SDM 4.9.1.5). */
function tinyUnmasked(v: number, cw: number): number {
  return !(cw & UE) && v !== 0 && Math.abs(v) < 2 ** -1022 ? UE : 0;
}

/** out = √a with the x87 rules (−0 → −0, negative → IE). */
export function squareRoot(a: X80, cw: number, out: X80): number {
  const special = nanOrInvalid(a, undefined, out);
  roundedUp = false;
  if (special >= 0) return special;
  const flags = isDenormal(a) ? DE : 0;
  if (flags & ~cw) return flags;
  const x = a.val;
  if (x === 0 || x === Infinity) { copyX80(out, a); return flags; }
  if (x < 0) { setIndefinite(out); return flags | IE; }
  const res = finish(sqrt(x), ((cw >> 10) & 3) as Rc, ((cw >> 8) & 3) === 0 ? 24 : 53);
  setDouble(out, res.v);
  return flags | res.flags;
}

/** Comparison outcome. */
export const enum Cmp { Less, Equal, Greater, Unordered }

/** Exact comparison of two images (NaN/unsupported → Unordered); the x87 compares in full extended range. */
export function compareX80(a: X80, b: X80): Cmp {
  if (a.cls >= Cls.QNaN || b.cls >= Cls.QNaN) return Cmp.Unordered;
  const az = a.cls === Cls.Zero, bz = b.cls === Cls.Zero;
  if (az && bz) return Cmp.Equal;
  const an = (a.sx & 0x8000) !== 0, bn = (b.sx & 0x8000) !== 0;
  if (az) return bn ? Cmp.Greater : Cmp.Less;
  if (bz) return an ? Cmp.Less : Cmp.Greater;
  if (an !== bn) return an ? Cmp.Less : Cmp.Greater;
  let mag: number;
  const ae = a.sx & 0x7FFF, be = b.sx & 0x7FFF;
  if (ae !== be) mag = ae < be ? -1 : 1;
  else if (a.hi !== b.hi) mag = a.hi < b.hi ? -1 : 1;
  else if (a.lo !== b.lo) mag = a.lo < b.lo ? -1 : 1;
  else return Cmp.Equal;
  if (an) mag = -mag;
  return mag < 0 ? Cmp.Less : Cmp.Greater;
}

/** Flags a comparison raises: IE for SNaN/unsupported (any NaN unless unordered compare), DE for denormals. */
export function compareFlags(a: X80, b: X80, quietNaNsOk: boolean): number {
  let f = 0;
  const bad = (c: Cls) => c === Cls.Unsupported || c === Cls.SNaN || (!quietNaNsOk && c === Cls.QNaN);
  if (bad(a.cls) || bad(b.cls)) f |= IE;
  if (isDenormal(a) || isDenormal(b)) f |= DE;
  return f;
}
