// x87 FPU: instruction tests as bytes (assembly in the comments) run on a flat 32-bit protected-mode
// machine, plus the exact 80-bit conversions. Memory operands use [disp32] addressing into DATA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE, DATA, KSTACK_TOP } from './helpers/machine.js';
import { CR0_EM, CR0_MP, CR0_NE, CR0_TS, EAX, ESP, FLAG_CF, FLAG_PF, FLAG_ZF } from '../../engine/cpu/registers.js';
import { cpuidLeaf } from '../../engine/cpu/cpuid.js';
import { disassemble } from '../../engine/cpu/disasm/index.js';
import { decode } from '../../engine/cpu/decoder.js';
import {
  Cls, DOUBLE, Rc, X80, doubleFromBits, f80ToDouble, fmtBiased, fmtSig, roundToFormat, setDouble, setImage, type Fmt,
} from '../../engine/cpu/x87/float80.js';
import { binaryArith, Op, squareRoot } from '../../engine/cpu/x87/arith.js';

const MF = 16, NM = 7, GP = 13;
const le32 = (v: number) => [v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, (v >>> 24) & 0xFF];
/** ModRM [disp32] operand for reg field r at DATA + off. */
const mem = (r: number, off = 0) => [(r << 3) | 5, ...le32(DATA + off)];

/** A flat 32-bit ring-0 machine with CR0.NE set (native #MF), code at CODE. */
function machine(cr0Extra = CR0_NE): Machine {
  const m = new Machine();
  const cpu = m.enterProtected();
  cpu.cr0 |= cr0Extra;
  return m;
}
/** Writes code + HLT and runs it to the HLT (or into an exception handler's HLT). */
function run(m: Machine, code: number[]): void {
  m.write(CODE, [...code, 0xF4]); // … ; hlt
  const cpu = m.cpu;
  cpu.halted = false; cpu.eip = CODE; cpu.reg32[ESP] = KSTACK_TOP; cpu.lastException = undefined;
  m.run(10_000);
  assert.ok(m.cpu.halted, 'the program reached a HLT');
}
function putF64(m: Machine, off: number, v: number): void {
  const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, v, true);
  m.w32(DATA + off, b.getUint32(0, true)); m.w32(DATA + off + 4, b.getUint32(4, true));
}
function getF64(m: Machine, off: number): number {
  const b = new DataView(new ArrayBuffer(8)); b.setUint32(0, m.r32(DATA + off), true); b.setUint32(4, m.r32(DATA + off + 4), true);
  return b.getFloat64(0, true);
}
/** The 10 bytes at DATA + off as [sign/exponent, high, low] hex strings. */
function getF80(m: Machine, off: number): string[] {
  return [m.r16(DATA + off + 8), m.r32(DATA + off + 4), m.r32(DATA + off)].map((v) => v.toString(16).toUpperCase());
}
function putF80(m: Machine, off: number, sx: number, hi: number, lo: number): void {
  m.w32(DATA + off, lo); m.w32(DATA + off + 4, hi); m.w16(DATA + off + 8, sx);
}
const sw = (m: Machine) => m.cpu.fpu.statusWord();

test('fld1; fadd st,st; fistp dword: 1 + 1 = 2, and the stack is empty again', () => {
  const m = machine();
  run(m, [
    0xDB, 0xE3,           // fninit
    0xD9, 0xE8,           // fld1
    0xD8, 0xC0,           // fadd st,st(0)
    0xDB, ...mem(3),      // fistp dword [x]
  ]);
  assert.equal(m.r32(DATA), 2);
  assert.equal(m.cpu.fpu.top, 0);
  assert.equal(m.cpu.fpu.tagWord(), 0xFFFF);
  assert.equal(sw(m), 0);
});

test('integer forms: fild dword, fimul word, fiadd dword, fidivr word, fistp word', () => {
  const m = machine();
  m.w32(DATA, 7); m.w16(DATA + 4, 6); m.w32(DATA + 8, -2); m.w16(DATA + 12, 200);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDB, ...mem(0),      // fild dword [7]
    0xDE, ...mem(1, 4),   // fimul word [6]          → 42
    0xDA, ...mem(0, 8),   // fiadd dword [-2]        → 40
    0xDE, ...mem(7, 12),  // fidivr word [200]       → 200 / 40 = 5
    0xDF, ...mem(3, 16),  // fistp word [r]
  ]);
  assert.equal(m.r16(DATA + 16), 5);
});

test('register forms: fsub/fsubr/fdiv/fdivr with ST(i) as source and destination, and the P forms', () => {
  const m = machine();
  putF64(m, 0, 10); putF64(m, 8, 4);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDD, ...mem(0),      // fld qword [10]
    0xDD, ...mem(0, 8),   // fld qword [4]          st0=4 st1=10
    0xD8, 0xE1,           // fsub st,st(1)          st0 = 4 - 10 = -6
    0xDC, 0xE9,           // fsub st(1),st          st1 = 10 - (-6) = 16
    0xD8, 0xF9,           // fdivr st,st(1)         st0 = 16 / -6
    0xDD, ...mem(2, 16),  // fst qword [a]
    0xDE, 0xF9,           // fdivp st(1),st         st0 = 16 / (16/-6) = -6
    0xDD, ...mem(3, 24),  // fstp qword [b]
  ]);
  assert.equal(getF64(m, 16), 16 / -6);
  assert.equal(getF64(m, 24), -6);
  assert.equal(m.cpu.fpu.top, 0);
});

test('fsqrt is correctly rounded; fsin/fcos/fsincos/fptan/fpatan are within 1 ulp of the JS functions', () => {
  const m = machine();
  m.w32(DATA, 2); m.w32(DATA + 4, 6);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDB, ...mem(0),      // fild dword [2]
    0xD9, 0xFA,           // fsqrt
    0xDD, ...mem(3, 16),  // fstp qword [sqrt2]
    0xD9, 0xEB,           // fldpi
    0xDA, ...mem(6, 4),   // fidiv dword [6]        π/6
    0xD9, 0xC0,           // fld st(0)
    0xD9, 0xFE,           // fsin
    0xDD, ...mem(3, 24),  // fstp qword [sin]
    0xD9, 0xC0,           // fld st(0)
    0xD9, 0xFF,           // fcos
    0xDD, ...mem(3, 32),  // fstp qword [cos]
    0xD9, 0xFB,           // fsincos               st0 = cos, st1 = sin
    0xDE, 0xF9,           // fdivp st(1),st        tan = sin / cos
    0xDD, ...mem(3, 40),  // fstp qword [tan]
    0xD9, 0xE8,           // fld1
    0xD9, 0xE8,           // fld1
    0xD9, 0xF3,           // fpatan                atan2(1, 1) = π/4
    0xDD, ...mem(3, 48),  // fstp qword [atan]
    0xD9, 0xE8,           // fld1
    0xD9, 0xF2,           // fptan                 st0 = 1.0, st1 = tan(1)
    0xDD, ...mem(3, 56),  // fstp qword [one]
    0xDD, ...mem(3, 64),  // fstp qword [tan1]
  ]);
  assert.equal(getF64(m, 16), Math.SQRT2);
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= Math.abs(b) * 2 ** -50, `${a} vs ${b}`);
  close(getF64(m, 24), 0.5);
  close(getF64(m, 32), Math.sqrt(3) / 2);
  close(getF64(m, 40), 1 / Math.sqrt(3));
  assert.equal(getF64(m, 48), Math.PI / 4);
  assert.equal(getF64(m, 56), 1);
  close(getF64(m, 64), Math.tan(1));
  assert.equal(m.cpu.fpu.top, 0);
});

test('f2xm1, fyl2x, fyl2xp1, fscale, fxtract, frndint', () => {
  const m = machine();
  putF64(m, 0, 0.5); putF64(m, 8, 24); putF64(m, 16, 2.5);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDD, ...mem(0),      // fld qword [0.5]
    0xD9, 0xF0,           // f2xm1                 √2 − 1
    0xDD, ...mem(3, 32),  // fstp qword
    0xD9, 0xE8,           // fld1                  y = 1
    0xDD, ...mem(0, 8),   // fld qword [24]        x = 24
    0xD9, 0xF1,           // fyl2x                 log2(24)
    0xDD, ...mem(3, 40),  // fstp qword
    0xDD, ...mem(0, 8),   // fld qword [24]
    0xD9, 0xF4,           // fxtract               st0 = 1.5, st1 = 4
    0xDD, ...mem(3, 48),  // fstp qword [1.5]
    0xDD, ...mem(3, 56),  // fstp qword [4]
    0xD9, 0xE8,           // fld1
    0xD9, 0xE8,           // fld1
    0xD8, 0xC0,           // fadd st,st(0)         st0 = 2 (scale), st1 = 1
    0xD9, 0xC9,           // fxch st(1)
    0xD9, 0xFD,           // fscale                1 · 2^2 = 4
    0xDD, ...mem(3, 64),  // fstp qword
    0xDD, 0xD8,           // fstp st(0)            (pop the 2)
    0xDD, ...mem(0, 16),  // fld qword [2.5]
    0xD9, 0xFC,           // frndint               nearest-even: 2
    0xDD, ...mem(3, 72),  // fstp qword
  ]);
  assert.ok(Math.abs(getF64(m, 32) - 0.41421356237309504880) < 1e-16); // √2 − 1
  assert.ok(Math.abs(getF64(m, 40) - Math.log2(24)) < 1e-15);
  assert.equal(getF64(m, 48), 1.5);
  assert.equal(getF64(m, 56), 4);
  assert.equal(getF64(m, 64), 4);
  assert.equal(getF64(m, 72), 2);
  assert.equal(m.cpu.fpu.top, 0);
});

test('fprem and fprem1: remainders and the quotient bits in C0 (Q2), C3 (Q1), C1 (Q0)', () => {
  const m = machine();
  m.w32(DATA, 3); m.w32(DATA + 4, 11);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDB, ...mem(0),      // fild dword [3]
    0xDB, ...mem(0, 4),   // fild dword [11]
    0xD9, 0xF8,           // fprem                 11 = 3·3 + 2
    0xDF, 0xE0,           // fnstsw ax
    0x66, 0x89, 0x05, ...le32(DATA + 16), // mov [w1],ax
    0xDD, ...mem(3, 24),  // fstp qword [r1]
    0xDB, ...mem(0, 4),   // fild dword [11]
    0xD9, 0xF5,           // fprem1                11 = 3·4 − 1
    0xDF, 0xE0,           // fnstsw ax
    0xDD, ...mem(3, 32),  // fstp qword [r2]
  ]);
  assert.equal(getF64(m, 24), 2);
  assert.equal(m.r16(DATA + 16) & 0x4700, 0x4200); // Q = 3 = 011: C3 = 1, C1 = 1, C0 = 0, C2 = 0
  assert.equal(getF64(m, 32), -1);
  assert.equal(m.cpu.reg16[EAX << 1] & 0x4700, 0x0100); // Q = 4 = 100: C0 = 1
});

test('fprem with an exponent difference of 64 or more is partial: C2 = 1 until the loop completes', () => {
  const m = machine();
  putF64(m, 0, 2 ** 200 + 2 ** 150); putF64(m, 8, 3);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDD, ...mem(0, 8),   // fld qword [3]
    0xDD, ...mem(0),      // fld qword [big]
    0xD9, 0xF8,           // again: fprem
    0xDF, 0xE0,           // fnstsw ax
    0xF6, 0xC4, 0x04,     // test ah,4              C2
    0x75, 0xF7,           // jnz again
    0xDD, ...mem(3, 16),  // fstp qword [r]
  ]);
  const exact = Number((2n ** 200n + 2n ** 150n) % 3n);
  assert.equal(getF64(m, 16), exact);
});

test('FCOMI/FUCOMIP set ZF PF CF; OF SF AF are cleared', () => {
  const m = machine();
  putF64(m, 0, 1); putF64(m, 8, 2);
  const flags = (a: number, b: number, op: number[]) => {
    putF64(m, 0, a); putF64(m, 8, b);
    run(m, [
      0xDB, 0xE3,           // fninit
      0xDD, ...mem(0, 8),   // fld qword [b]
      0xDD, ...mem(0),      // fld qword [a]         st0 = a, st1 = b
      0x31, 0xC0,           // xor eax,eax            (ZF PF set: must be replaced)
      ...op,
    ]);
    return m.cpu.getEflags() & (FLAG_ZF | FLAG_PF | FLAG_CF | 0x890);
  };
  const fcomi = [0xDB, 0xF1];  // fcomi st,st(1)
  const fucomip = [0xDF, 0xE9]; // fucomip st,st(1)
  assert.equal(flags(1, 2, fcomi), FLAG_CF);
  assert.equal(flags(3, 2, fcomi), 0);
  assert.equal(flags(2, 2, fucomip), FLAG_ZF);
  assert.equal(m.cpu.fpu.top, 7, 'fucomip popped once');
  assert.equal(flags(NaN, 2, fucomip), FLAG_ZF | FLAG_PF | FLAG_CF);
  assert.equal(sw(m) & 1, 0, 'a quiet NaN is not invalid for FUCOMI');
  assert.equal(flags(NaN, 2, fcomi), FLAG_ZF | FLAG_PF | FLAG_CF);
  assert.equal(sw(m) & 1, 1, 'FCOMI with a NaN raises IE');
});

test('FNSTSW AX after FCOM/FCOMPP/FTST/FICOM: C3 C2 C0 = 000, 001, 100, 111', () => {
  const m = machine();
  const codes = (a: number, b: number) => {
    putF64(m, 0, a); putF64(m, 8, b);
    run(m, [
      0xDB, 0xE3,           // fninit
      0xDD, ...mem(0, 8),   // fld qword [b]
      0xDD, ...mem(0),      // fld qword [a]
      0xDE, 0xD9,           // fcompp
      0xDF, 0xE0,           // fnstsw ax
    ]);
    assert.equal(m.cpu.fpu.top, 0);
    return m.cpu.reg16[0] & 0x4500;
  };
  assert.equal(codes(3, 2), 0x0000);
  assert.equal(codes(1, 2), 0x0100);
  assert.equal(codes(2, 2), 0x4000);
  assert.equal(codes(NaN, 2), 0x4500);
  m.w32(DATA + 16, -5);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xD9, 0xEE,           // fldz
    0xD9, 0xE4,           // ftst                   equal
    0xDF, 0xE0,           // fnstsw ax
    0x89, 0xC3,           // mov ebx,eax
    0xDA, ...mem(2, 16),  // ficom dword [-5]       0 > −5
    0xDF, 0xE0,           // fnstsw ax
    0x9E,                 // sahf                   C0 → CF, C3 → ZF
  ]);
  assert.equal(m.cpu.reg32[3] & 0x4500, 0x4000);
  assert.equal(m.cpu.reg16[0] & 0x4500, 0);
  assert.equal(m.cpu.getEflags() & (FLAG_CF | FLAG_ZF), 0);
});

test('FXAM classifies empty, zero, normal, infinity, NaN, denormal and unsupported, with the sign in C1', () => {
  const m = machine();
  const fxam = (sx: number, hi: number, lo: number, empty = false) => {
    putF80(m, 0, sx, hi, lo);
    run(m, [
      0xDB, 0xE3,                     // fninit
      ...(empty ? [] : [0xDB, ...mem(5)]), // fld tbyte [x]
      0xD9, 0xE5,                     // fxam
      0xDF, 0xE0,                     // fnstsw ax
    ]);
    return (m.cpu.reg16[0] & 0x4700).toString(16);
  };
  assert.equal(fxam(0, 0, 0, true), '4100');                 // empty: C3 C0
  assert.equal(fxam(0x8000, 0, 0), '4200');                  // −0: C3, C1
  assert.equal(fxam(0x3FFF, 0x80000000, 0), '400');          // 1.0: C2
  assert.equal(fxam(0xFFFF, 0x80000000, 0), '700');          // −∞: C2 C0, C1
  assert.equal(fxam(0x7FFF, 0xC0000000, 0), '100');          // QNaN: C0
  assert.equal(fxam(0, 0, 1), '4400');                       // denormal: C3 C2
  assert.equal(fxam(0x4000, 0x40000000, 0), '0');            // unnormal: unsupported
});

test('stack underflow with IE masked: IE+SF, C1=0, the QNaN indefinite is the result', () => {
  const m = machine();
  run(m, [
    0xDB, 0xE3,           // fninit
    0xD8, 0xC1,           // fadd st,st(1)          both empty
    0xDD, ...mem(3),      // fstp qword [x]         the indefinite
    0xDD, ...mem(3, 8),   // fstp qword [y]         empty again: stores the indefinite too
    0xDB, ...mem(3, 16),  // fistp dword [z]        integer indefinite
  ]);
  assert.deepEqual([m.r32(DATA + 4), m.r32(DATA)], [0xFFF80000, 0]);
  assert.deepEqual([m.r32(DATA + 12), m.r32(DATA + 8)], [0xFFF80000, 0]);
  assert.equal(m.r32(DATA + 16), 0x80000000);
  assert.equal(sw(m) & 0x0241, 0x41); // IE, SF, C1 = 0
  assert.equal(m.cpu.lastException, undefined);
});

test('stack overflow with IE masked: IE+SF, C1=1, the indefinite is pushed', () => {
  const m = machine();
  run(m, [0xDB, 0xE3, ...Array(9).fill([0xD9, 0xE8]).flat()]); // fninit; fld1 × 9
  assert.equal(sw(m) & 0x0241, 0x0241);
  assert.ok(Number.isNaN(m.cpu.fpu.val[m.cpu.fpu.phys(0)]));
  assert.equal(m.cpu.fpu.top, 7);
  assert.equal(m.cpu.fpu.tagWord(), 0x8000, 'R7 special (the indefinite), the rest valid');
});

test('an unmasked exception raises #MF at the next waiting instruction, which is the one that faults', () => {
  const m = machine();
  m.w16(DATA, 0x037E); // all masked but IM
  run(m, [
    0xDB, 0xE3,           // fninit
    0xD9, ...mem(5),      // fldcw [0x037E]
    0xD8, 0xC1,           // fadd st,st(1)          underflow: unmasked, nothing written
    0xDF, 0xE0,           // fnstsw ax              non-waiting: no #MF yet
    0x9B,                 // fwait                  #MF here
  ]);
  assert.ok(m.inHandler(MF));
  assert.equal(m.cpu.lastException?.vector, MF);
  assert.match(m.cpu.lastException?.detail ?? '', /invalid operation \(stack underflow\)/);
  assert.equal(m.stack(1)[0], CODE + 12, 'the saved EIP is the FWAIT');
  assert.equal(m.cpu.reg16[0] & 0x80C1, 0x80C1, 'B, ES, SF, IE');
  assert.equal(m.cpu.fpu.tagWord(), 0xFFFF, 'the destination was not written');
  assert.equal(m.cpu.fpu.fip, CODE + 8, 'FIP is the FADD');
  assert.equal(m.cpu.fpu.fop, 0x0C1, 'FOP = D8 C1 without the ESC bits');
});

test('unmasked divide-by-zero: the destination is unchanged, #MF on the next FP instruction; FNCLEX clears it', () => {
  const m = machine();
  m.w16(DATA, 0x037B); // ZM clear
  putF64(m, 8, 5);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xD9, ...mem(5),      // fldcw [0x037B]
    0xDD, ...mem(0, 8),   // fld qword [5]
    0xD9, 0xEE,           // fldz
    0xDE, 0xF9,           // fdivp st(1),st         5 / 0: unmasked #Z
    0xDB, 0xE2,           // fnclex
    0xD9, 0xD0,           // fnop                   no #MF
    0xDD, ...mem(3, 16),  // fstp qword
    0xDD, ...mem(3, 24),  // fstp qword
  ]);
  assert.equal(m.cpu.lastException, undefined);
  assert.equal(getF64(m, 16), 0, 'no pop happened: the zero is still on top');
  assert.equal(getF64(m, 24), 5);
});

test('FLDCW unmasking a flag that is already set makes the next waiting instruction fault', () => {
  const m = machine();
  m.w16(DATA, 0x037E);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDD, ...mem(3, 8),   // fstp qword [x]         masked underflow: IE set
    0xD9, ...mem(5),      // fldcw [0x037E]         IE unmasked now: ES
    0xD9, 0xE8,           // fld1                   #MF
  ]);
  assert.ok(m.inHandler(MF));
  assert.equal(m.stack(1)[0], CODE + 14);
});

test('CR0.NE = 0: FERR# is signalled through fpu.onFerr (once) and execution goes on', () => {
  const m = machine(0);
  let ferr = 0;
  m.cpu.fpu.onFerr = () => { ferr++; };
  m.w16(DATA, 0x037E);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xD9, ...mem(5),      // fldcw [0x037E]
    0xD8, 0xC1,           // fadd st,st(1)          unmasked underflow
    0x9B,                 // fwait                  FERR#
    0xD9, 0xD0,           // fnop
  ]);
  assert.equal(ferr, 1);
  assert.equal(m.cpu.lastException, undefined);
  assert.equal(m.cpu.fpu.ferrAsserted, true);
});

test('#NM: CR0.EM or CR0.TS on an x87 instruction; WAIT only with MP and TS', () => {
  for (const [bits, code, faults] of [
    [CR0_EM, [0xD9, 0xE8], true],   // fld1
    [CR0_TS, [0xDB, 0xE3], true],   // fninit
    [CR0_TS, [0x9B], false],        // fwait: MP = 0
    [CR0_TS | CR0_MP, [0x9B], true],
    [CR0_EM, [0x9B], false],
    [CR0_TS, [0x0F, 0xAE, ...mem(0)], true], // fxsave
  ] as Array<[number, number[], boolean]>) {
    const m = machine(CR0_NE | bits);
    run(m, code);
    assert.equal(m.inHandler(NM), faults, `cr0 bits ${bits.toString(16)}, ${code.map((b) => b.toString(16)).join(' ')}`);
    if (faults) assert.equal(m.stack(1)[0], CODE);
  }
});

test('m80 loads and stores are bit-exact for every class; FST m64 rounds and flags what it loses', () => {
  const m = machine();
  const patterns: Array<[number, number, number]> = [
    [0x4000, 0xC90FDAA2, 0x2168C235], // π
    [0x0000, 0x00000000, 0x00000001], // smallest denormal
    [0x0000, 0x80000000, 0x00000000], // pseudo-denormal
    [0x4000, 0x40000000, 0x00000000], // unnormal
    [0x7FFF, 0x80000000, 0x00000001], // SNaN
    [0xFFFF, 0xC0000000, 0x00000000], // indefinite
    [0x7FFF, 0x80000000, 0x00000000], // +∞
    [0x7FFE, 0xFFFFFFFF, 0xFFFFFFFF], // largest finite
    [0x8000, 0x00000000, 0x00000000], // −0
    [0x3FFF, 0x80000000, 0x00000001], // 1 + 2^−63
  ];
  for (const [sx, hi, lo] of patterns) {
    putF80(m, 0, sx, hi, lo);
    run(m, [
      0xDB, 0xE3,           // fninit
      0xDB, ...mem(5),      // fld tbyte [x]
      0xD9, 0xC0,           // fld st(0)
      0xDB, ...mem(7, 16),  // fstp tbyte [y]
      0xDB, ...mem(7, 32),  // fstp tbyte [z]
    ]);
    const want = [sx, hi, lo].map((v) => v.toString(16).toUpperCase());
    assert.deepEqual(getF80(m, 16), want);
    assert.deepEqual(getF80(m, 32), want);
    assert.equal(sw(m) & 0x3F, 0, 'FLD/FSTP m80 raise nothing');
  }
  const toDouble = (sx: number, hi: number, lo: number) => {
    putF80(m, 0, sx, hi, lo);
    run(m, [0xDB, 0xE3, 0xDB, ...mem(5), 0xDD, ...mem(3, 16)]); // fninit; fld tbyte; fstp qword
    return [getF64(m, 16), sw(m) & 0x3F] as const;
  };
  assert.deepEqual(toDouble(0x4000, 0xC90FDAA2, 0x2168C235), [Math.PI, 0x20]);     // PE
  assert.deepEqual(toDouble(0x4D00, 0x80000000, 0), [Infinity, 0x28]);              // 2^3329: OE PE
  assert.deepEqual(toDouble(0x0001, 0x80000000, 0), [0, 0x30]);                      // 2^−16382: UE PE
  assert.deepEqual(toDouble(0x3FFF, 0x80000000, 0x00000400), [1, 0x20]);            // tie → even
  assert.deepEqual(toDouble(0x3FFF, 0x80000000, 0x00000C00), [1 + 2 ** -51, 0x20]);   // tie → even (up)
  assert.deepEqual(toDouble(0x3FFF - 1060, 0xC0000000, 0), [1.5 * 2 ** -1060, 0]);  // double subnormal, exact
  const [snan, flags] = toDouble(0x7FFF, 0x80000000, 0x00000800);
  assert.ok(Number.isNaN(snan));
  assert.equal(flags, 1, 'SNaN → IE');
  assert.deepEqual([m.r32(DATA + 20), m.r32(DATA + 16)], [0x7FF80000, 1], 'quieted, payload kept');
});

test('FST m32 honours the rounding control; FLD m32/m64 of an SNaN raises IE, of a denormal DE', () => {
  const m = machine();
  putF64(m, 0, 1 + 2 ** -30);
  const rounded = (rc: number) => {
    m.w16(DATA + 8, 0x037F | (rc << 10));
    run(m, [0xDB, 0xE3, 0xD9, ...mem(5, 8), 0xDD, ...mem(0), 0xD9, ...mem(3, 16)]); // fninit; fldcw; fld qword; fstp dword
    return m.r32(DATA + 16).toString(16);
  };
  assert.equal(rounded(0), '3f800000'); // nearest
  assert.equal(rounded(2), '3f800001'); // up
  assert.equal(rounded(3), '3f800000'); // chop
  m.w32(DATA, 0x7F800001); // single SNaN
  run(m, [0xDB, 0xE3, 0xD9, ...mem(0), 0xD9, ...mem(3, 16)]);
  assert.equal(m.r32(DATA + 16), 0x7FC00001);
  assert.equal(sw(m) & 0x3F, 1);
  m.w32(DATA, 1); // single denormal
  run(m, [0xDB, 0xE3, 0xD9, ...mem(0), 0xDD, ...mem(3, 16)]);
  assert.equal(getF64(m, 16), 2 ** -149);
  assert.equal(sw(m) & 0x3F, 2);
});

test('FILD/FISTP m64 and FBLD/FBSTP are exact beyond 2^53', () => {
  const m = machine();
  const big = (1n << 62n) + 1n;
  m.w32(DATA, Number(big & 0xFFFFFFFFn)); m.w32(DATA + 4, Number(big >> 32n));
  m.w32(DATA + 8, 0); m.w32(DATA + 12, 0x80000000); // −2^63
  const bcd = [0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80]; // −123456789012345678
  m.write(DATA + 32, bcd);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDF, ...mem(5),      // fild qword [2^62+1]
    0xDF, ...mem(7, 16),  // fistp qword [a]
    0xDF, ...mem(5, 8),   // fild qword [−2^63]
    0xDF, ...mem(7, 24),  // fistp qword [b]
    0xDF, ...mem(4, 32),  // fbld tbyte [bcd]
    0xDF, ...mem(6, 48),  // fbstp tbyte [c]
  ]);
  assert.deepEqual([m.r32(DATA + 20), m.r32(DATA + 16)], [0x40000000, 1]);
  assert.deepEqual([m.r32(DATA + 28), m.r32(DATA + 24)], [0x80000000, 0]);
  assert.deepEqual([...Array(10).keys()].map((k) => m.r8(DATA + 48 + k)), bcd);
  assert.equal(sw(m) & 0x3F, 0);
});

test('FIST rounding control, out-of-range integer indefinite, FBSTP of a too-large value', () => {
  const m = machine();
  const fist = (v: number, rc: number) => {
    putF64(m, 0, v); m.w16(DATA + 8, 0x037F | (rc << 10));
    run(m, [0xDB, 0xE3, 0xD9, ...mem(5, 8), 0xDD, ...mem(0), 0xDB, ...mem(3, 16)]); // fninit; fldcw; fld; fistp dword
    return [m.r32(DATA + 16) | 0, sw(m) & 0x23f] as const;
  };
  assert.deepEqual(fist(2.5, 0), [2, 0x20]);
  assert.deepEqual(fist(3.5, 0), [4, 0x220]);  // rounded up: C1
  assert.deepEqual(fist(-2.5, 1), [-3, 0x220]);
  assert.deepEqual(fist(-2.7, 3), [-2, 0x20]);
  assert.deepEqual(fist(2.1, 2), [3, 0x220]);
  assert.deepEqual(fist(7, 0), [7, 0]);
  assert.deepEqual(fist(2 ** 31, 0), [-2147483648, 0x1]); // IE, integer indefinite
  putF64(m, 0, 1e18);
  run(m, [0xDB, 0xE3, 0xDD, ...mem(0), 0xDF, ...mem(6, 16)]); // fbstp
  assert.deepEqual([...Array(10).keys()].map((k) => m.r8(DATA + 16 + k)), [0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF]);
  assert.equal(sw(m) & 1, 1);
});

test('rounding control on arithmetic: 1/3 rounded down and up bracket the nearest by one ulp; PC=24 bits', () => {
  const m = machine();
  const third = (cw: number) => {
    m.w16(DATA + 8, cw); m.w32(DATA, 3);
    run(m, [
      0xDB, 0xE3,           // fninit
      0xD9, ...mem(5, 8),   // fldcw [cw]
      0xD9, 0xE8,           // fld1
      0xDA, ...mem(6),      // fidiv dword [3]
      0xDD, ...mem(3, 16),  // fstp qword
    ]);
    return getF64(m, 16);
  };
  const nearest = third(0x037F), down = third(0x077F), up = third(0x0B7F), chop = third(0x0F7F);
  assert.equal(nearest, 1 / 3);
  assert.ok(down <= nearest && nearest <= up && down === chop);
  assert.ok(down === nearest || up === nearest);
  assert.equal(up - down, 2 ** -54);
  assert.equal(third(0x007F), Math.fround(1 / 3), 'PC = single');
  assert.equal(third(0x0C7F) <= 1 / 3, true, 'chop with PC = single');
});

test('constants: FLDPI and FLDL2E are rounded by RC from the internal value', () => {
  const m = machine();
  const ld = (op: number, rc: number) => {
    m.w16(DATA, 0x037F | (rc << 10));
    run(m, [0xDB, 0xE3, 0xD9, ...mem(5), 0xD9, op, 0xDB, ...mem(7, 16)]); // fninit; fldcw; fldXX; fstp tbyte
    return getF80(m, 16).join(':');
  };
  assert.equal(ld(0xEB, 0), '4000:C90FDAA2:2168C235');
  assert.equal(ld(0xEB, 1), '4000:C90FDAA2:2168C234');
  assert.equal(ld(0xEA, 3), '3FFF:B8AA3B29:5C17F0BB');
  assert.equal(ld(0xE9, 2), '4000:D49A784B:CD1B8AFF');
  assert.equal(ld(0xEE, 0), '0:0:0');
});

test('FXCH, FCMOVcc, FCHS, FABS, FFREE, FINCSTP, FDECSTP', () => {
  const m = machine();
  putF64(m, 0, -3);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xD9, 0xE8,           // fld1                   st0 = 1
    0xDD, ...mem(0),      // fld qword [−3]         st0 = −3, st1 = 1
    0xD9, 0xC9,           // fxch st(1)             st0 = 1, st1 = −3
    0xF9,                 // stc
    0xDA, 0xC1,           // fcmovb st,st(1)        CF = 1: st0 = −3
    0xDB, 0xC1,           // fcmovnb st,st(1)       not taken
    0xD9, 0xE1,           // fabs                   3
    0xD9, 0xE0,           // fchs                   −3
    0xDD, ...mem(2, 16),  // fst qword [a]
    0xDD, 0xC1,           // ffree st(1)
    0xD9, 0xF7,           // fincstp                TOP moves, the freed register is ST(0)
    0xD9, 0xF6,           // fdecstp
  ]);
  assert.equal(getF64(m, 16), -3);
  const f = m.cpu.fpu;
  assert.equal(f.top, 6);
  assert.equal(f.isEmpty(1), true);
  assert.equal(f.isEmpty(0), false);
});

test('FNSTENV (32-bit protected layout) records FIP, FCS, FOP, FDP and masks every exception', () => {
  const m = machine();
  putF64(m, 0, 2);
  run(m, [
    0xDB, 0xE3,           // fninit
    0xDD, ...mem(0),      // fld qword [2]
    0xD9, ...mem(6, 64),  // fnstenv [env]
  ]);
  const env = [...Array(7).keys()].map((k) => m.r32(DATA + 64 + 4 * k));
  assert.deepEqual(env, [0xFFFF037F, 0xFFFF3800, 0xFFFF3FFF, CODE + 2, m.cpu.segSel[1] | (0x505 << 16), DATA, (0xFFFF0000 | m.cpu.segSel[3]) >>> 0]);
  assert.equal(m.cpu.fpu.cw, 0x037F);
  m.cpu.fpu.cw = 0x0340;
  run(m, [0xD9, ...mem(6, 64)]); // fnstenv
  assert.equal(m.cpu.fpu.cw, 0x037F);
});

test('FNSAVE/FRSTOR round trip: registers bit-exact in stack order, FNSAVE reinitialises', () => {
  const m = machine();
  const big = (1n << 62n) + 1n;
  m.w32(DATA, Number(big & 0xFFFFFFFFn)); m.w32(DATA + 4, Number(big >> 32n));
  run(m, [
    0xDB, 0xE3,           // fninit
    0xD9, 0xEB,           // fldpi
    0xDF, ...mem(5),      // fild qword [2^62+1]
    0xD9, 0xE8,           // fld1
    0xDD, ...mem(6, 64),  // fnsave [s]
  ]);
  const f = m.cpu.fpu;
  assert.equal(f.tagWord(), 0xFFFF, 'FNINIT after FNSAVE');
  assert.equal(f.cw, 0x037F);
  assert.equal(m.r16(DATA + 72), 0x03FF, 'tag word: R5–R7 valid, R0–R4 empty');
  assert.deepEqual(getF80(m, 64 + 28), ['3FFF', '80000000', '0'], 'ST(0) = 1');
  run(m, [
    0xD9, 0xEE,           // fldz                   (something to overwrite)
    0xDD, ...mem(4, 64),  // frstor [s]
    0xDD, 0xD8,           // fstp st(0)             drop the 1
    0xDF, ...mem(7, 16),  // fistp qword [a]
    0xDB, ...mem(7, 32),  // fstp tbyte [pi]
  ]);
  assert.deepEqual([m.r32(DATA + 20), m.r32(DATA + 16)], [0x40000000, 1]);
  assert.deepEqual(getF80(m, 32), ['4000', 'C90FDAA2', '2168C235']);
  assert.equal(f.tagWord(), 0xFFFF);
});

test('16-bit (66-prefixed) FNSTENV/FLDENV use the 14-byte layout', () => {
  const m = machine();
  run(m, [
    0xDB, 0xE3,                 // fninit
    0xD9, 0xE8,                 // fld1
    0x66, 0xD9, ...mem(6, 64),  // fnstenv [env14]
    0x66, 0xD9, ...mem(4, 64),  // fldenv [env14]
  ]);
  const words = [...Array(7).keys()].map((k) => m.r16(DATA + 64 + 2 * k));
  assert.deepEqual(words.slice(0, 4), [0x037F, 0x3800, 0x3FFF, (CODE + 2) & 0xFFFF]);
  assert.equal(m.r16(DATA + 64 + 14), 0, 'nothing beyond 14 bytes');
  assert.equal(m.cpu.fpu.top, 7);
});

test('FXSAVE layout (abridged tags, pointers, registers in 16-byte slots); FXRSTOR round trip; #GP if misaligned', () => {
  const m = machine();
  const area = 0x200;
  run(m, [
    0xDB, 0xE3,                     // fninit
    0xD9, 0xE8,                     // fld1
    0xD9, 0xEE,                     // fldz
    0x0F, 0xAE, ...mem(0, area),    // fxsave [area]
  ]);
  const at = DATA + area;
  assert.equal(m.r16(at), 0x037F);
  assert.equal(m.r16(at + 2), 0x3000, 'TOP = 6');
  assert.equal(m.r8(at + 4), 0xC0, 'R6 and R7 valid');
  assert.equal(m.r16(at + 6), 0x1EE, 'FOP of FLDZ (D9 EE)');
  assert.equal(m.r32(at + 8), CODE + 4, 'FIP of FLDZ');
  assert.equal(m.r32(at + 24), 0x1F80, 'MXCSR');
  assert.deepEqual([m.r32(at + 48), m.r32(at + 52), m.r16(at + 56)], [0, 0x80000000, 0x3FFF], 'ST(1) = 1.0 at offset 48');
  assert.deepEqual([m.r32(at + 32), m.r32(at + 36), m.r16(at + 40)], [0, 0, 0], 'ST(0) = +0');
  run(m, [
    0xDB, 0xE3,                     // fninit
    0x0F, 0xAE, ...mem(1, area),    // fxrstor [area]
    0xDE, 0xC1,                     // faddp st(1),st
    0xDB, ...mem(3, 16),            // fistp dword
  ]);
  assert.equal(m.r32(DATA + 16), 1);
  assert.equal(m.cpu.fpu.tagWord(), 0xFFFF);
  run(m, [0x0F, 0xAE, ...mem(0, area + 8)]); // fxsave [misaligned]
  assert.ok(m.inHandler(GP));
});

test('CPUID.1:EDX reports FPU (bit 0) and FXSR (bit 24)', () => {
  const edx = cpuidLeaf(1, 0)[3];
  assert.equal(edx & 1, 1);
  assert.equal((edx >>> 24) & 1, 1);
});

test('decoding: register forms that depend on ModRM.rm, and the holes between them are #UD', () => {
  const mnemonic = (...bytes: number[]) => decode((o) => bytes[o], true, () => () => undefined).entry.mnemonic;
  assert.equal(mnemonic(0xD9, 0xE0), 'fchs');
  assert.equal(mnemonic(0xD9, 0xE8), 'fld1');
  assert.equal(mnemonic(0xDB, 0xE2), 'fnclex');
  assert.equal(mnemonic(0xDB, 0xE3), 'fninit');
  assert.equal(mnemonic(0xDF, 0xE0), 'fnstsw');
  assert.equal(mnemonic(0xDE, 0xD9), 'fcompp');
  assert.equal(mnemonic(0xDC, 0xE9), 'fsub');
  assert.equal(mnemonic(0x0F, 0xAE, 0x00), 'fxsave');
  for (const bytes of [[0xD9, 0xE2], [0xD9, 0xD1], [0xDB, 0xE5], [0xDE, 0xD8], [0xDF, 0xE1], [0xD9, 0x08], [0xDB, 0x08]]) {
    const m = machine();
    run(m, bytes);
    assert.ok(m.inHandler(6), `${bytes.map((b) => b.toString(16)).join(' ')} is #UD`);
  }
});

test('x87 instructions disassemble with st, st(i), ax and size keywords', () => {
  assert.equal(disassemble(Uint8Array.of(0x66, 0xDD, 0x30), 0, true).text, 'fnsave fpustate94 ptr [eax]');
  assert.equal(disassemble(Uint8Array.of(0xDC, 0xC3), 0, true).text, 'fadd st(3),st');
  assert.equal(disassemble(Uint8Array.of(0xDF, 0xE0), 0, true).text, 'fnstsw ax');
  assert.equal(disassemble(Uint8Array.of(0xDB, 0x28), 0, true).text, 'fld tbyte ptr [eax]');
  assert.equal(disassemble(Uint8Array.of(0xD9, 0xE8), 0, true).length, 2);
});

test('80-bit ↔ double conversions: exact round trips, NaN payloads, double subnormals', () => {
  const x = new X80();
  for (const v of [1, -2.5, Math.PI, 5e-324, 2 ** -1030 * 3, Number.MAX_VALUE, -0, Infinity]) {
    setDouble(x, v);
    assert.ok(Object.is(f80ToDouble(x.sx, x.hi, x.lo), v), `${v}`);
  }
  setDouble(x, 5e-324);
  assert.deepEqual([x.sx, x.hi, x.lo], [16383 - 1074, 0x80000000, 0]);
  setImage(x, 0x3FFF, 0xFFFFFFFF, 0xFFFFFFFF); // just below 2: rounds to 2
  assert.equal(x.val, 2);
  setImage(x, 0x7FFF, 0xA0000000, 0);
  assert.equal(x.cls, Cls.SNaN);
  setImage(x, 0x43FE, 0xFFFFFFFF, 0xFFFFF800); // (2 − 2^−52)·2^1023: the largest double, exactly
  assert.equal(x.val, Number.MAX_VALUE);
  setImage(x, 0x43FE, 0xFFFFFFFF, 0xFFFFFC00); // half an ulp above it: a tie that rounds to even, 2^1024 = ∞
  assert.equal(x.val, Infinity);
});

test('add/sub/mul/div/sqrt under every RC and PC match exact BigInt rounding (seeded random operands)', () => {
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF; return seed / 0x80000000; };
  const operand = () => {
    const k = rnd();
    const e = k < 0.1 ? Math.floor(rnd() * 2098) - 1074 : k < 0.2 ? Math.floor(rnd() * 40) - 1060 : Math.floor(rnd() * 200) - 100;
    const v = (1 + rnd()) * 2 ** e;
    return rnd() < 0.5 ? -v : v;
  };
  const parts = (v: number) => { // v = m · 2^e exactly
    const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, v, true);
    const hi = b.getUint32(4, true), exp = (hi >>> 20) & 0x7FF;
    let m = (BigInt(hi & 0xFFFFF) << 32n) | BigInt(b.getUint32(0, true));
    if (exp) m |= 1n << 52n;
    return { m: v < 0 ? -m : m, e: (exp || 1) - 1075 };
  };
  /** Exact result as sign, magnitude and exponent (a quotient gets 200 extra bits and a sticky bit). */
  const exact = (op: Op, x: number, y: number) => {
    const a = parts(x), b = parts(y);
    if (op === Op.Add || op === Op.Sub) {
      const bm = op === Op.Sub ? -b.m : b.m, e0 = Math.min(a.e, b.e);
      const s = (a.m << BigInt(a.e - e0)) + (bm << BigInt(b.e - e0));
      return { neg: s < 0n, m: s < 0n ? -s : s, e: e0 };
    }
    const am = a.m < 0n ? -a.m : a.m, bm = b.m < 0n ? -b.m : b.m, neg = (a.m < 0n) !== (b.m < 0n);
    if (op === Op.Mul) return { neg, m: am * bm, e: a.e + b.e };
    const num = am << 200n;
    return { neg, m: ((num / bm) << 1n) | (num % bm ? 1n : 0n), e: a.e - b.e - 201 };
  };
  const EXT_EXPONENT_SINGLE: Fmt = { p: 24, emin: -1022, emax: 1023, expBits: 11 }; // PC=24: significand only
  const reference = (r: { neg: boolean; m: bigint; e: number }, rc: Rc, fmt: Fmt) => {
    roundToFormat(r.neg, r.m, r.e, fmt, rc);
    if (fmtBiased >= 0x7FF) return r.neg ? -Infinity : Infinity;
    const sig = fmt.p === 24 ? fmtSig << 29n : fmtSig;
    const bits = (BigInt(fmtBiased) << 52n) | (sig & ((1n << 52n) - 1n));
    const v = doubleFromBits(Number(bits >> 32n), Number(bits & 0xFFFFFFFFn));
    return r.neg ? -v : v;
  };
  const a = new X80(), b = new X80(), out = new X80();
  let checked = 0;
  for (let t = 0; t < 150; t++) {
    const x = operand(), y = operand();
    for (const op of [Op.Add, Op.Sub, Op.Mul, Op.Div]) {
      const r = exact(op, x, y);
      if (r.m === 0n) continue;
      for (const rc of [Rc.Nearest, Rc.Down, Rc.Up, Rc.Chop]) {
        for (const pc of [0, 3]) {
          setDouble(a, x); setDouble(b, y);
          binaryArith(op, a, b, 0x3F | (pc << 8) | (rc << 10), out);
          const want = reference(r, rc, pc === 0 ? EXT_EXPONENT_SINGLE : DOUBLE);
          if (pc === 0 && Math.abs(want) < 2 ** -1022) continue; // 24-bit rounding of double subnormals: see docs
          assert.ok(Object.is(out.val, want), `op ${op} rc ${rc} pc ${pc}: ${x} ${y} → ${out.val}, want ${want}`);
          checked++;
        }
      }
    }
    const s = Math.abs(x), sp = parts(s);
    let m = sp.m, e = sp.e;
    if (e % 2) { m <<= 1n; e -= 1; }
    const big = m << 240n;
    let root = 1n << BigInt(Math.ceil(big.toString(2).length / 2));
    for (;;) { const next = (root + big / root) >> 1n; if (next >= root) break; root = next; }
    for (const rc of [Rc.Nearest, Rc.Down, Rc.Up, Rc.Chop]) {
      setDouble(a, s);
      squareRoot(a, 0x37F | (rc << 10), out);
      const want = reference({ neg: false, m: (root << 1n) | (root * root === big ? 0n : 1n), e: e / 2 - 121 }, rc, DOUBLE);
      assert.ok(Object.is(out.val, want), `sqrt rc ${rc}: ${s} → ${out.val}, want ${want}`);
      checked++;
    }
  }
  assert.ok(checked > 4000);
});
