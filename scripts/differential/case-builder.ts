// Assembles one test instruction for the generator: prefixes, opcode, ModRM/SIB/displacement with a
// memory operand steered into the scratch buffer (by solving the effective address for a free
// register or the displacement), immediates, and the register/scratch/EFLAGS state it starts from.
import type { IsaEntry } from '../../engine/cpu/isa/index.js';
import { mnemonicFor } from '../../engine/cpu/isa/index.js';
import { SCRATCH, SCRATCH_SIZE, SEL, segmentBase } from './layout.js';
import type { Rng } from './rng.js';
import { DEFAULT_SREGS, type Fixup, type TestCase } from './test-case.js';
import { le16, le32 } from './x86.js';

export const ESP = 4, EBP = 5, ESI = 6, EDI = 7, EAX = 0, ECX = 1, EDX = 2, EBX = 3;
/** Segment-override prefixes by segment register index (ES, CS, SS, DS, FS, GS). */
export const SEG_PREFIX = [0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65];
const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
export type SegName = typeof SEG_NAMES[number];

/** Options for a memory operand. */
export interface MemoryOptions {
  size: number;            // bytes accessed from the effective address
  lo?: number;             // lowest scratch offset of the first byte (default 0)
  hi?: number;             // highest scratch offset of the first byte (default SCRATCH_SIZE - 16)
  allowOverride?: boolean; // a segment-override prefix may be added (default true)
}

export class CaseBuilder {
  prefixes: number[] = [];                 // prefix bytes, in order
  opcode: number[];                        // 1 or 2 opcode bytes
  modrm?: { mod: number; reg: number; rm: number }; // ModRM fields, when the row has one
  sib?: number;                            // SIB byte
  disp: number[] = [];                     // displacement bytes
  imm: number[] = [];                      // immediate bytes (all immediates, in order)
  regs: number[];                          // EAX..EDI before the instruction
  pinned = new Set<number>([ESP]);         // registers whose value is fixed (the solver leaves them)
  scratch: Uint8Array;                     // scratch memory before the instruction
  eflags: number;                          // EFLAGS before the instruction
  sregs: TestCase['sregs'] = {};           // selectors the prologue loads
  fixups: Fixup[] = [];                    // resume addresses to fill in
  immFixups: number[] = [];                // offsets inside imm that take the resume address
  tagged = false;                          // a fall-through marker follows
  opSize32 = true;                         // effective operand size is 32 bits
  addr32 = true;                           // effective address size is 32 bits
  memOffset?: number;                      // scratch offset of the memory operand
  implicitMemory = false;                  // accesses memory without a ModRM operand (strings, XLAT)
  memSeg = 3;                              // segment register of the memory operand

  constructor(readonly rng: Rng, readonly row: IsaEntry) {
    this.opcode = row.opcode >= 0x100 ? [0x0F, row.opcode & 0xFF] : [row.opcode];
    this.regs = Array.from({ length: 8 }, () => rng.value());
    this.regs[ESP] = (SCRATCH + 48 + 4 * rng.range(0, 8) + (rng.chance(0.05) ? rng.range(1, 3) : 0)) >>> 0;
    this.scratch = randomScratch(rng);
    // Arithmetic flags and DF at random, plus AC/ID/IOPL sometimes; never TF, IF or NT.
    let f = 0x2 | (rng.u32() & 0x8D5);
    if (rng.chance(0.2)) f |= rng.u32() & 0x243000;
    this.eflags = f >>> 0;
  }

  get opSize(): 1 | 2 | 4 { return this.opSize32 ? 4 : 2; }

  /** Adds the operand-size prefix (16-bit operands). */
  useOpSize16(): void { this.prefixes.push(0x66); this.opSize32 = false; }
  /** Adds the address-size prefix (16-bit addressing). */
  useAddr16(): void { this.prefixes.push(0x67); this.addr32 = false; }

  /** Selector segment register seg holds when the instruction starts. */
  selector(seg: number): number {
    const name = SEG_NAMES[seg];
    return (name === 'cs' || name === 'ss' ? undefined : this.sregs[name]) ?? DEFAULT_SREGS[name];
  }

  /** Sets register reg (and pins it). */
  set(reg: number, value: number): void { this.regs[reg] = value >>> 0; this.pinned.add(reg); }

  /** Writes a little-endian value into the initial scratch memory. */
  poke(offset: number, size: number, value: number): void {
    for (let k = 0; k < size; k++) this.scratch[offset + k] = (value >>> (8 * k)) & 0xFF;
  }
  peek(offset: number, size: number): number {
    let v = 0;
    for (let k = size - 1; k >= 0; k--) v = (v * 256) + this.scratch[offset + k];
    return v >>> 0;
  }

  /** Scratch offset of the current stack top. */
  get stackOffset(): number { return this.regs[ESP] - SCRATCH; }

  /** Offset for linear address SCRATCH + off as seen through segment seg (its selector's base). */
  segOffset(seg: number, off: number): number {
    return (SCRATCH + off - segmentBase(this.selector(seg))) >>> 0;
  }

  /** Whether segment seg can reach the scratch through a 16-bit offset. */
  windowed(seg: number): boolean {
    const s = this.selector(seg);
    return s === SEL.window || s === SEL.expandDown;
  }

  /** Picks a register-form r/m operand (mod = 3). */
  registerRm(reg: number, rm: number): void { this.modrm = { mod: 3, reg, rm }; }

  /**
   * Encodes a memory r/m operand whose effective address lands in the scratch buffer, choosing the
   * addressing form at random and solving the address for a free register or the displacement.
   * Returns the scratch offset of the first byte accessed.
   */
  memoryRm(reg: number, options: MemoryOptions): number {
    const lo = options.lo ?? 0, hi = options.hi ?? SCRATCH_SIZE - 16;
    for (let attempt = 0; attempt < 40; attempt++) {
      const saved = { regs: this.regs.slice(), pinned: new Set(this.pinned), prefixes: this.prefixes.slice() };
      const off = this.rng.range(lo, hi);
      const ok = this.addr32 ? this.solve32(reg, off, options) : this.solve16(reg, off, options);
      if (ok) { this.memOffset = off; return off; }
      this.regs = saved.regs; this.pinned = saved.pinned; this.prefixes = saved.prefixes;
    }
    // Fallback: an absolute address (no registers involved).
    const off = this.rng.range(lo, hi);
    if (this.addr32) {
      this.modrm = { mod: 0, reg, rm: 5 }; this.sib = undefined; this.memSeg = 3;
      this.disp = le32(this.segOffset(3, off));
    } else {
      if (!this.windowed(3)) { this.prefixes.push(SEG_PREFIX[4]); this.memSeg = 4; } else this.memSeg = 3;
      this.modrm = { mod: 0, reg, rm: 6 }; this.sib = undefined;
      this.disp = le16(this.segOffset(this.memSeg, off));
    }
    this.memOffset = off;
    return off;
  }

  /** Picks the segment of a memory operand: the default, sometimes an override prefix. */
  private chooseSegment(defaultSeg: number, options: MemoryOptions, need16: boolean): number {
    let seg = defaultSeg;
    if (options.allowOverride !== false && this.rng.chance(0.2)) seg = this.rng.range(0, 5);
    if (need16 && !this.windowed(seg)) seg = 4; // FS is the window segment
    if (seg !== defaultSeg) this.prefixes.push(SEG_PREFIX[seg]);
    this.memSeg = seg;
    return seg;
  }

  private solve32(reg: number, off: number, options: MemoryOptions): boolean {
    const rng = this.rng;
    const mod = rng.range(0, 2);
    let rm = rng.range(0, 7);
    let base = -1, index = -1, scale = 0;
    this.sib = undefined;
    if (rm === 4) {
      scale = rng.range(0, 3); index = rng.range(0, 7); base = rng.range(0, 7);
      this.sib = (scale << 6) | (index << 3) | base;
      if (index === 4) index = -1;
      if (base === 5 && mod === 0) base = -1;
    } else if (rm === 5 && mod === 0) {
      base = -1;
    } else base = rm;
    const defaultSeg = base === ESP || base === EBP ? 2 : 3;
    const seg = this.chooseSegment(defaultSeg, options, false);
    const target = this.segOffset(seg, off);
    const dispSize = mod === 1 ? 1 : (mod === 2 || (mod === 0 && base === -1)) ? 4 : 0;
    let disp = dispSize === 1 ? rng.range(-128, 127) : dispSize === 4 ? (rng.chance(0.5) ? rng.range(-300, 300) : rng.u32()) : 0;
    const val = (r: number): number => (r < 0 ? 0 : this.regs[r]);
    const free = (r: number): boolean => r >= 0 && !this.pinned.has(r);
    if (base >= 0 && base === index) {
      if (!free(base)) { if (dispSize !== 4) return false; disp = (target - val(base) - (val(index) << scale)) | 0; }
      else {
        // base + (base << scale) = base * (1 + 2^scale): odd factors are invertible modulo 2^32.
        const m = 1 + (1 << scale);
        const want = (target - disp) >>> 0;
        if (m % 2 === 0 && want % 2 !== 0) return false;
        if (m % 2 === 0) this.regs[base] = ((want >>> 1) + (rng.chance(0.5) ? 0x80000000 : 0)) >>> 0;
        else this.regs[base] = Math.imul(want, inverseOdd(m)) >>> 0;
      }
    } else if (free(base)) {
      this.regs[base] = (target - ((val(index) << scale) >>> 0) - disp) >>> 0;
    } else if (free(index)) {
      const diff = (target - val(base) - disp) >>> 0;
      if (diff % (1 << scale) !== 0) return false;
      this.regs[index] = ((diff >>> scale) + (scale ? (rng.u32() << (32 - scale)) : 0)) >>> 0;
    } else if (dispSize === 4) {
      disp = (target - val(base) - ((val(index) << scale) >>> 0)) | 0;
    } else return false;
    const ea = (val(base) + ((val(index) << scale) >>> 0) + disp) >>> 0;
    if (ea !== target) return false;
    if (base >= 0) this.pinned.add(base);
    if (index >= 0) this.pinned.add(index);
    this.modrm = { mod, reg, rm };
    this.disp = dispSize === 1 ? [disp & 0xFF] : dispSize === 4 ? le32(disp >>> 0) : [];
    return true;
  }

  private solve16(reg: number, off: number, options: MemoryOptions): boolean {
    const rng = this.rng;
    const mod = rng.range(0, 2);
    const rm = rng.range(0, 7);
    const pairs: number[][] = [[EBX, ESI], [EBX, EDI], [EBP, ESI], [EBP, EDI], [ESI], [EDI], [EBP], [EBX]];
    let used = pairs[rm];
    if (rm === 6 && mod === 0) used = [];
    const defaultSeg = used.includes(EBP) ? 2 : 3;
    const seg = this.chooseSegment(defaultSeg, options, true);
    const target = this.segOffset(seg, off);
    if (target > 0xFFFF) return false;
    const dispSize = mod === 1 ? 1 : (mod === 2 || used.length === 0) ? 2 : 0;
    let disp = dispSize === 1 ? rng.range(-128, 127) : dispSize === 2 ? rng.range(0, 0xFFFF) : 0;
    const freeReg = used.find((r) => !this.pinned.has(r));
    const sumOthers = (except: number): number => used.filter((r) => r !== except).reduce((a, r) => a + (this.regs[r] & 0xFFFF), 0);
    if (freeReg !== undefined) {
      const low = (target - sumOthers(freeReg) - disp) & 0xFFFF;
      this.regs[freeReg] = ((this.regs[freeReg] & 0xFFFF0000) | low) >>> 0;
    } else if (dispSize === 2) {
      disp = (target - sumOthers(-1)) & 0xFFFF;
    } else return false;
    if (((sumOthers(-1) + disp) & 0xFFFF) !== target) return false;
    for (const r of used) this.pinned.add(r);
    this.modrm = { mod, reg, rm };
    this.disp = dispSize === 1 ? [disp & 0xFF] : dispSize === 2 ? le16(disp) : [];
    return true;
  }

  /** The instruction's bytes. */
  bytes(): number[] {
    const out = [...this.prefixes, ...this.opcode];
    if (this.modrm) out.push((this.modrm.mod << 6) | (this.modrm.reg << 3) | this.modrm.rm);
    if (this.sib !== undefined) out.push(this.sib);
    out.push(...this.disp, ...this.imm);
    return out;
  }

  /** The finished case. */
  build(index: number, facts: TestCase['facts']): TestCase {
    const bytes = this.bytes();
    const immStart = bytes.length - this.imm.length;
    const fixups = [...this.fixups, ...this.immFixups.map((o): Fixup => ({ in: 'bytes', offset: immStart + o }))];
    return {
      index, row: this.row, mnemonic: mnemonicFor(this.row, this.opSize32), bytes, prefixes: this.prefixes.slice(), regs: this.regs.map((r) => r >>> 0),
      eflags: this.eflags, sregs: this.sregs, scratch: this.scratch, tagged: this.tagged, fixups, facts,
    };
  }
}

/** Multiplicative inverse of an odd number modulo 2^32. */
function inverseOdd(m: number): number {
  let x = m;
  for (let k = 0; k < 5; k++) x = Math.imul(x, 2 - Math.imul(m, x));
  return x >>> 0;
}

/** Initial scratch bytes: random, or runs drawn from a small alphabet so compares find equal data. */
function randomScratch(rng: Rng): Uint8Array {
  const s = new Uint8Array(SCRATCH_SIZE);
  const alphabet = [rng.u32() & 0xFF, rng.u32() & 0xFF, 0, 0xFF];
  const style = rng.below(3);
  for (let k = 0; k < s.length; k++) {
    s[k] = style === 0 ? rng.u32() & 0xFF : style === 1 ? rng.pick(alphabet) : (rng.chance(0.9) ? alphabet[0] : rng.u32() & 0xFF);
  }
  return s;
}

