// The x87 FPU state: eight physical data registers (exact 80-bit images plus their double views),
// TOP, empty tags, control/status words, the last-instruction pointers and the FERR# hook.
import { classify, Cls, f80ToDouble, IE, SF, setDouble, setIndefinite, X80 } from './float80.js';

/** Status-word bits outside the exception flags. */
export const SW_ES = 0x80, SW_C0 = 0x100, SW_C1 = 0x200, SW_C2 = 0x400, SW_C3 = 0x4000, SW_B = 0x8000;
export const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;

/** Tag values (two bits per register in FTW). */
export const enum Tag { Valid = 0, Zero = 1, Special = 2, Empty = 3 }

const scratch = new X80();

export class Fpu {
  readonly val = new Float64Array(8);  // R0–R7 as doubles (what the arithmetic computes with)
  readonly sx = new Uint16Array(8);    // R0–R7 sign and biased exponent (the exact 80-bit image)
  readonly hi = new Uint32Array(8);    // R0–R7 significand bits 63–32
  readonly lo = new Uint32Array(8);    // R0–R7 significand bits 31–0
  empty = 0;                           // bit r set: physical register Rr is tagged empty
  top = 0;                             // TOP: ST(i) is R((top + i) & 7)
  cw = 0x0040;                         // control word (masks, PC bits 8–9, RC bits 10–11)
  sw = 0;                              // status word without TOP, ES and B (those are derived)
  fip = 0;                             // last non-control instruction: offset (EIP)
  fcs = 0;                             // … and its CS selector
  fop = 0;                             // … and its opcode (11 bits: low 3 bits of the first byte, ModRM)
  fdp = 0;                             // last memory operand: offset
  fds = 0;                             // … and its segment selector
  mxcsr = 0x1F80;                      // MXCSR image kept for FXSAVE/FXRSTOR (no SSE is modelled)
  ferrAsserted = false;                // FERR# is asserted (CR0.NE = 0 reporting)
  /** FERR# rises (an unmasked exception met a waiting instruction with CR0.NE = 0); the platform routes it to IRQ13. */
  onFerr?: () => void;

  constructor() { this.powerOn(); }

  /** State after RESET (SDM table 9-1): FCW 0040h, FSW 0, FTW 5555h (all registers +0.0, tagged zero). */
  powerOn(): void {
    this.val.fill(0); this.sx.fill(0); this.hi.fill(0); this.lo.fill(0);
    this.empty = 0; this.top = 0; this.cw = 0x0040; this.sw = 0;
    this.fip = 0; this.fcs = 0; this.fop = 0; this.fdp = 0; this.fds = 0;
    this.mxcsr = 0x1F80; this.ferrAsserted = false;
  }

  /** FNINIT: FCW 037Fh, FSW 0, all tags empty, pointers cleared; register contents kept. */
  init(): void {
    this.cw = 0x037F; this.sw = 0; this.top = 0; this.empty = 0xFF;
    this.fip = 0; this.fcs = 0; this.fop = 0; this.fdp = 0; this.fds = 0;
    this.ferrAsserted = false;
  }

  /** Physical register number of ST(i). */
  phys(i: number): number { return (this.top + i) & 7; }
  isEmpty(i: number): boolean { return ((this.empty >> ((this.top + i) & 7)) & 1) !== 0; }

  /** Rounding control and precision control from the control word. */
  get rc(): number { return (this.cw >> 10) & 3; }
  get pc(): number { return (this.cw >> 8) & 3; }

  /** Exception flags that are set and unmasked: an #MF (or FERR#) is pending. */
  pending(): number { return this.sw & ~this.cw & 0x3F; }

  /** The architectural status word (TOP, ES and B included). */
  statusWord(): number {
    let s = (this.sw & 0x477F) | (this.top << 11);
    if (this.pending()) s |= SW_ES | SW_B;
    return s;
  }
  setStatusWord(v: number): void {
    this.sw = v & 0x477F;
    this.top = (v >> 11) & 7;
  }
  setControlWord(v: number): void { this.cw = (v & 0x1F3F) | 0x0040; }

  /** Tag of physical register r computed from its contents (as FSTENV/FSAVE store it). */
  tagOf(r: number): Tag {
    if ((this.empty >> r) & 1) return Tag.Empty;
    const c = classify(this.sx[r], this.hi[r], this.lo[r]);
    return c === Cls.Zero ? Tag.Zero : c === Cls.Normal ? Tag.Valid : Tag.Special;
  }
  tagWord(): number {
    let t = 0;
    for (let r = 0; r < 8; r++) t |= this.tagOf(r) << (2 * r);
    return t;
  }
  /** Loading FTW only distinguishes empty from non-empty; the other tags follow the contents. */
  setTagWord(t: number): void {
    let e = 0;
    for (let r = 0; r < 8; r++) if (((t >> (2 * r)) & 3) === Tag.Empty) e |= 1 << r;
    this.empty = e;
  }

  /** Copies ST(i) into x. */
  read(i: number, x: X80): void {
    const r = (this.top + i) & 7;
    x.sx = this.sx[r]; x.hi = this.hi[r]; x.lo = this.lo[r]; x.val = this.val[r];
    x.cls = classify(x.sx, x.hi, x.lo); x.srcDenormal = false;
  }
  /** Stores x into ST(i) and tags it non-empty. */
  write(i: number, x: X80): void { this.writePhys((this.top + i) & 7, x); }
  writePhys(r: number, x: X80): void {
    this.sx[r] = x.sx; this.hi[r] = x.hi; this.lo[r] = x.lo; this.val[r] = x.val;
    this.empty &= ~(1 << r);
  }
  /** Stores a raw 80-bit image into physical register r (FRSTOR, FXRSTOR); the tag is not changed. */
  loadImage(r: number, sx: number, hi: number, lo: number): void {
    this.sx[r] = sx; this.hi[r] = hi >>> 0; this.lo[r] = lo >>> 0; this.val[r] = f80ToDouble(sx, hi, lo);
  }
  writeDouble(i: number, v: number): void { setDouble(scratch, v); this.write(i, scratch); }
  writeIndefinite(i: number): void { setIndefinite(scratch); this.write(i, scratch); }

  /** Decrements TOP and stores x into the new ST(0) (the caller has checked for overflow). */
  push(x: X80): void { this.top = (this.top - 1) & 7; this.write(0, x); }
  /** Tags ST(0) empty and increments TOP. */
  pop(): void { this.empty |= 1 << this.top; this.top = (this.top + 1) & 7; }

  /** Sets the condition codes: each argument 0 or 1 (undefined = keep). */
  setCC(c3: number | undefined, c2: number | undefined, c1: number | undefined, c0: number | undefined): void {
    let s = this.sw;
    if (c0 !== undefined) s = c0 ? s | SW_C0 : s & ~SW_C0;
    if (c1 !== undefined) s = c1 ? s | SW_C1 : s & ~SW_C1;
    if (c2 !== undefined) s = c2 ? s | SW_C2 : s & ~SW_C2;
    if (c3 !== undefined) s = c3 ? s | SW_C3 : s & ~SW_C3;
    this.sw = s;
  }
  setC1(v: boolean): void { this.sw = v ? this.sw | SW_C1 : this.sw & ~SW_C1; }

  /** Stack underflow (an operand register is empty): IE+SF, C1=0; masked: ST(dest) gets the indefinite, then `pops` pops. */
  stackUnderflow(dest: number | undefined, pops = 0): void {
    this.setC1(false);
    if (this.raise(IE | SF)) return;
    if (dest !== undefined) this.writeIndefinite(dest);
    for (let k = 0; k < pops; k++) this.pop();
  }
  /** Stack overflow (a push onto a non-empty ST(7)): IE+SF, C1=1; masked: the indefinite is pushed. */
  stackOverflow(): void {
    this.setC1(true);
    if (this.raise(IE | SF)) return;
    this.top = (this.top - 1) & 7;
    this.writeIndefinite(0);
  }

  /**
   * Records exception flags; returns true when one of them is unmasked and belongs to `blocking`
   * (the exceptions that leave the destination unchanged: by default IE, DE and ZE).
   */
  raise(bits: number, blocking = 0x07): boolean {
    this.sw |= bits;
    return (bits & ~this.cw & blocking & 0x3F) !== 0;
  }
}
