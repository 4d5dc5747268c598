// Random 32-bit x86 programs for the interpreter/translator differential: a loop whose body is a
// random mix of ALU, shift, multiply, move, extend, LEA, stack, flag, bit and SETcc/CMOVcc
// instructions (register and [EBX+disp8] memory forms, 8/16/32-bit) with forward Jcc and JMP skips.
// EBX (the data base) and ESP are never destinations, so every memory access stays in the data area.

/** A small deterministic PRNG (xorshift32), so a failing seed can be replayed. */
export class Rng {
  constructor(private state: number) { if (this.state === 0) this.state = 0x9E3779B9; }
  next(): number { let x = this.state; x ^= x << 13; x ^= x >>> 17; x ^= x << 5; this.state = x; return x >>> 0; }
  below(n: number): number { return this.next() % n; }
  pick<T>(items: readonly T[]): T { return items[this.below(items.length)]; }
}

const DEST = [0, 1, 2, 5, 6, 7];           // EAX ECX EDX EBP ESI EDI
const DEST8 = [0, 1, 2, 4, 5, 6];          // AL CL DL AH CH DH (never BL/BH: EBX is the base)
const ALU = [0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38]; // add or adc sbb and sub xor cmp (row bases)
const COUNTER_DISP = 0x7C;                 // [EBX+0x7C] holds the loop counter

const modrmReg = (reg: number, rm: number): number => 0xC0 | (reg << 3) | rm;
const modrmMem = (reg: number): number => 0x40 | (reg << 3) | 3;   // [EBX+disp8]

function dataDisp(r: Rng): number { return r.below(COUNTER_DISP / 4) * 4; }
function anyReg(r: Rng): number { return r.below(8); }

/** One random instruction (never a control transfer). */
function instruction(r: Rng): number[] {
  const d = r.pick(DEST), s = anyReg(r), op = r.pick(ALU);
  switch (r.below(24)) {
    case 0: return [op | 1, modrmReg(s, d)];                                   // alu r/m32, r32
    case 1: return [op | 3, modrmMem(d), dataDisp(r)];                         // alu r32, [ebx+d]
    case 2: return [op | 1, modrmMem(s), dataDisp(r)];                         // alu [ebx+d], r32
    case 3: return [op, modrmReg(r.below(8), r.pick(DEST8))];                  // alu r/m8, r8
    case 4: return [0x66, op | 1, modrmReg(s, d)];                             // alu r/m16, r16
    case 5: return [0x83, modrmReg(r.below(8), d), r.below(256)];              // alu r32, imm8
    case 6: return [0x81, modrmReg(r.below(8), d), r.below(256), r.below(256), r.below(256), r.below(256)];
    case 7: return [r.below(2) ? 0x40 | d : 0x48 | d];                         // inc/dec r32
    case 8: return [0xC1, modrmReg(r.pick([0, 1, 2, 3, 4, 5, 7]), d), r.below(40)]; // rol..sar r32, imm8
    case 9: return [0xD3, modrmReg(r.pick([0, 1, 4, 5, 7]), d)];               // shifts by CL
    case 10: return [0xB8 | d, r.below(256), r.below(256), r.below(256), r.below(256)]; // mov r32, imm32
    case 11: return r.below(2) ? [0x8B, modrmReg(d, s)] : [0x8B, modrmMem(d), dataDisp(r)]; // mov r32, r/m32
    case 12: return [0x89, modrmMem(s), dataDisp(r)];                          // mov [ebx+d], r32
    case 13: return [0x0F, r.pick([0xB6, 0xB7, 0xBE, 0xBF]), modrmReg(d, s)];  // movzx/movsx
    case 14: return [0x8D, 0x44 | (d << 3), (r.below(4) << 6) | (r.pick([0, 1, 2, 3, 5, 6, 7]) << 3) | anyReg(r), r.below(256)]; // lea r32, [b+i*s+d8]
    case 15: return r.below(2) ? [0x0F, 0xAF, modrmReg(d, s)] : [0x6B, modrmReg(d, s), r.below(256)]; // imul
    case 16: return [0xF7, modrmReg(r.pick([2, 3, 4, 5]), r.pick(DEST))];      // not/neg/mul/imul r32
    case 17: return [0x0F, 0x90 | r.below(16), modrmReg(0, r.pick(DEST8))];   // setcc r8
    case 18: return [0x0F, 0x40 | r.below(16), modrmReg(d, s)];                // cmovcc r32, r32
    case 19: return [0x0F, r.pick([0xA3, 0xAB, 0xB3, 0xBB]), modrmReg(s, d)];  // bt/bts/btr/btc r32, r32
    case 20: return [r.pick([0xF8, 0xF9, 0xF5, 0x99, 0x98, 0x9F])];            // clc stc cmc cdq cwde lahf
    case 21: return [0x87, modrmReg(d, r.pick(DEST))];                         // xchg r32, r32
    case 22: return [0x0F, r.pick([0xA4, 0xAC]), modrmReg(s, d), r.below(32)]; // shld/shrd r32, r32, imm8
    default: return [0x0F, 0xC8 | d];                                          // bswap r32
  }
}

/** A program: [EBX+0x7C] = iterations; loop: body; dec dword [EBX+0x7C]; jnz loop; hlt. */
export function randomProgram(r: Rng, bodyLength: number, iterations: number): number[] {
  const body: number[][] = [];
  let pushed = 0;
  for (let k = 0; k < bodyLength; k++) {
    const roll = r.below(16);
    if (roll === 0) { body.push([0x50 | anyReg(r)]); pushed++; continue; }           // push r32
    if (roll === 1 && pushed > 0) { body.push([0x58 | r.pick(DEST)]); pushed--; continue; } // pop r32
    body.push(instruction(r));
  }
  while (pushed-- > 0) body.push([0x58 | r.pick(DEST)]);
  // Forward Jcc over the next one to three instructions, at random places.
  // A skipped range never holds another Jcc, so its length is the sum of the body instructions.
  const withSkips: number[][] = [];
  let skipFreeFrom = 0;
  for (let k = 0; k < body.length; k++) {
    if (r.below(6) === 0 && k >= skipFreeFrom && k + 3 < body.length) {
      const skipped = 1 + r.below(3);
      skipFreeFrom = k + skipped;
      if (!body.slice(k, k + skipped).some(isStack)) {
        const length = body.slice(k, k + skipped).reduce((n, b) => n + b.length, 0);
        withSkips.push(r.below(4) === 0 ? [0xEB, length] : [0x70 | r.below(16), length]); // JMP or Jcc rel8
      }
    }
    withSkips.push(body[k]);
  }
  const loop = withSkips.flat();
  const jnzLength = 6, decLength = 3;
  const back = -(loop.length + decLength + jnzLength);
  return [
    0xC7, 0x43, COUNTER_DISP, iterations & 0xFF, (iterations >> 8) & 0xFF, 0, 0, // mov dword [ebx+0x7C], iterations
    ...loop,
    0xFF, 0x4B, COUNTER_DISP,                                                      // dec dword [ebx+0x7C]
    0x0F, 0x85, back & 0xFF, (back >> 8) & 0xFF, (back >> 16) & 0xFF, (back >>> 24) & 0xFF, // jnz loop
    0xF4,                                                                          // hlt
  ];
}

function isStack(bytes: readonly number[]): boolean { return bytes.length === 1 && (bytes[0] & 0xF0) === 0x50; }
