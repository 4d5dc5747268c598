// Memory images of the FPU state: the FSTENV/FLDENV environment (14 or 28 bytes, real-mode and
// protected-mode layouts), FSAVE/FRSTOR (environment + eight 80-bit registers) and FXSAVE/FXRSTOR
// (512 bytes, 16-byte aligned).
import type { Cpu } from '../cpu.js';
import { fault, Vector } from '../fault.js';
import type { Fpu } from './fpu.js';
import { probeWrite } from './memory.js';

/** Environment size in bytes for an operand size. */
export function envSize(op32: boolean): number { return op32 ? 28 : 14; }

/** True when the environment uses the protected-mode layout (selectors and offsets). */
function protectedLayout(cpu: Cpu): boolean { return cpu.protectedMode && !cpu.v86; }

/** Writes the environment at seg:off (the caller has probed the whole area). */
export function storeEnvironment(cpu: Cpu, f: Fpu, seg: number, off: number, op32: boolean): void {
  const at = (k: number) => (off + k) | 0;
  const sw = f.statusWord(), tw = f.tagWord();
  if (protectedLayout(cpu)) {
    if (op32) {
      cpu.write32(seg, at(0), 0xFFFF0000 | f.cw); cpu.write32(seg, at(4), 0xFFFF0000 | sw);
      cpu.write32(seg, at(8), 0xFFFF0000 | tw); cpu.write32(seg, at(12), f.fip);
      cpu.write32(seg, at(16), f.fcs | (f.fop << 16)); cpu.write32(seg, at(20), f.fdp);
      cpu.write32(seg, at(24), 0xFFFF0000 | f.fds);
    } else {
      const w = [f.cw, sw, tw, f.fip, f.fcs, f.fdp, f.fds];
      w.forEach((v, k) => cpu.write16(seg, at(2 * k), v & 0xFFFF));
    }
    return;
  }
  // Real and V86 mode: 20-bit linear instruction and operand addresses, FOP beside the top bits.
  const ip = ((f.fcs << 4) + f.fip) >>> 0, dp = ((f.fds << 4) + f.fdp) >>> 0;
  if (op32) {
    cpu.write32(seg, at(0), 0xFFFF0000 | f.cw); cpu.write32(seg, at(4), 0xFFFF0000 | sw);
    cpu.write32(seg, at(8), 0xFFFF0000 | tw); cpu.write32(seg, at(12), 0xFFFF0000 | (ip & 0xFFFF));
    cpu.write32(seg, at(16), ((ip >>> 16) << 12) | f.fop); cpu.write32(seg, at(20), 0xFFFF0000 | (dp & 0xFFFF));
    cpu.write32(seg, at(24), (dp >>> 16) << 12);
  } else {
    const w = [f.cw, sw, tw, ip, (((ip >>> 16) & 0xF) << 12) | f.fop, dp, ((dp >>> 16) & 0xF) << 12];
    w.forEach((v, k) => cpu.write16(seg, at(2 * k), v & 0xFFFF));
  }
}

/** An environment read from memory, applied only once every byte has been read. */
interface Environment { cw: number; sw: number; tw: number; fip: number; fcs: number; fop: number; fdp: number; fds: number }

export function readEnvironment(cpu: Cpu, seg: number, off: number, op32: boolean): Environment {
  const at = (k: number) => (off + k) | 0;
  const word = (k: number) => (op32 ? cpu.read32(seg, at(4 * k)) : cpu.read16(seg, at(2 * k))) >>> 0;
  const w = [0, 1, 2, 3, 4, 5, 6].map(word);
  if (protectedLayout(cpu)) {
    return {
      cw: w[0] & 0xFFFF, sw: w[1] & 0xFFFF, tw: w[2] & 0xFFFF, fip: op32 ? w[3] : w[3] & 0xFFFF,
      fcs: w[4] & 0xFFFF, fop: op32 ? (w[4] >>> 16) & 0x7FF : 0, fdp: op32 ? w[5] : w[5] & 0xFFFF, fds: w[6] & 0xFFFF,
    };
  }
  const ip = op32 ? (w[3] & 0xFFFF) | ((w[4] >>> 12) << 16) : (w[3] & 0xFFFF) | (((w[4] >>> 12) & 0xF) << 16);
  const dp = op32 ? (w[5] & 0xFFFF) | ((w[6] >>> 12) << 16) : (w[5] & 0xFFFF) | (((w[6] >>> 12) & 0xF) << 16);
  return { cw: w[0] & 0xFFFF, sw: w[1] & 0xFFFF, tw: w[2] & 0xFFFF, fip: ip >>> 0, fcs: 0, fop: w[4] & 0x7FF, fdp: dp >>> 0, fds: 0 };
}

export function applyEnvironment(f: Fpu, env: Environment): void {
  f.setControlWord(env.cw);
  f.setStatusWord(env.sw);
  f.setTagWord(env.tw);
  f.fip = env.fip; f.fcs = env.fcs; f.fop = env.fop; f.fdp = env.fdp; f.fds = env.fds;
}

/** FNSAVE: environment + ST(0)…ST(7), then the state of FNINIT. */
export function fsave(cpu: Cpu, f: Fpu, seg: number, off: number, op32: boolean): void {
  const size = envSize(op32);
  probeWrite(cpu, seg, off, size + 80);
  storeEnvironment(cpu, f, seg, off, op32);
  for (let k = 0; k < 8; k++) {
    const r = f.phys(k), at = (off + size + 10 * k) | 0;
    cpu.write32(seg, at, f.lo[r]); cpu.write32(seg, (at + 4) | 0, f.hi[r]); cpu.write16(seg, (at + 8) | 0, f.sx[r]);
  }
  f.init();
}

/** FRSTOR: reads everything, then loads the environment and the registers (in ST order of the new TOP). */
export function frstor(cpu: Cpu, f: Fpu, seg: number, off: number, op32: boolean): void {
  const size = envSize(op32);
  const env = readEnvironment(cpu, seg, off, op32);
  const regs: Array<[number, number, number]> = [];
  for (let k = 0; k < 8; k++) {
    const at = (off + size + 10 * k) | 0;
    regs.push([cpu.read16(seg, (at + 8) | 0), cpu.read32(seg, (at + 4) | 0), cpu.read32(seg, at)]);
  }
  applyEnvironment(f, env);
  regs.forEach(([sx, hi, lo], k) => f.loadImage(f.phys(k), sx, hi, lo));
}

function checkAligned(cpu: Cpu, seg: number, off: number, write: boolean): void {
  const lin = cpu.linear(seg, off, 512, write);
  if (lin & 15) fault(Vector.GP, 0, `FXSAVE/FXRSTOR area at 0x${(lin >>> 0).toString(16)} is not 16-byte aligned`);
}

/** FXSAVE: the 512-byte image (x87 part; MXCSR kept as data; the XMM and reserved areas are not written). */
export function fxsave(cpu: Cpu, f: Fpu, seg: number, off: number): void {
  checkAligned(cpu, seg, off, true);
  probeWrite(cpu, seg, off, 512);
  const at = (k: number) => (off + k) | 0;
  let abridged = 0;
  for (let r = 0; r < 8; r++) if (!((f.empty >> r) & 1)) abridged |= 1 << r;
  cpu.write16(seg, at(0), f.cw); cpu.write16(seg, at(2), f.statusWord());
  cpu.write8(seg, at(4), abridged); cpu.write8(seg, at(5), 0); cpu.write16(seg, at(6), f.fop);
  cpu.write32(seg, at(8), f.fip); cpu.write16(seg, at(12), f.fcs); cpu.write16(seg, at(14), 0);
  cpu.write32(seg, at(16), f.fdp); cpu.write16(seg, at(20), f.fds); cpu.write16(seg, at(22), 0);
  cpu.write32(seg, at(24), f.mxcsr); cpu.write32(seg, at(28), 0); // MXCSR_MASK 0: no SSE (software assumes FFBFh)
  for (let k = 0; k < 8; k++) {
    const r = f.phys(k), base = 32 + 16 * k;
    cpu.write32(seg, at(base), f.lo[r]); cpu.write32(seg, at(base + 4), f.hi[r]); cpu.write16(seg, at(base + 8), f.sx[r]);
    cpu.write16(seg, at(base + 10), 0); cpu.write32(seg, at(base + 12), 0);
  }
}

/** FXRSTOR: reads the 512-byte image, then loads it (tags from the abridged tag byte). */
export function fxrstor(cpu: Cpu, f: Fpu, seg: number, off: number): void {
  checkAligned(cpu, seg, off, false);
  const at = (k: number) => (off + k) | 0;
  const cw = cpu.read16(seg, at(0)), sw = cpu.read16(seg, at(2)), abridged = cpu.read8(seg, at(4));
  const fop = cpu.read16(seg, at(6)), fip = cpu.read32(seg, at(8)), fcs = cpu.read16(seg, at(12));
  const fdp = cpu.read32(seg, at(16)), fds = cpu.read16(seg, at(20)), mxcsr = cpu.read32(seg, at(24));
  const regs: Array<[number, number, number]> = [];
  for (let k = 0; k < 8; k++) {
    const base = 32 + 16 * k;
    regs.push([cpu.read16(seg, at(base + 8)), cpu.read32(seg, at(base + 4)), cpu.read32(seg, at(base))]);
  }
  f.setControlWord(cw); f.setStatusWord(sw);
  f.empty = ~abridged & 0xFF;
  f.fop = fop & 0x7FF; f.fip = fip >>> 0; f.fcs = fcs; f.fdp = fdp >>> 0; f.fds = fds;
  f.mxcsr = mxcsr >>> 0;
  regs.forEach(([sx, hi, lo], k) => f.loadImage(f.phys(k), sx, hi, lo));
}
