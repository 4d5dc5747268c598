// DWARF expressions: decoding and printing, the stack machine (constants, arithmetic, stack
// operations, registers, memory, frame base, CFA, branches), location kinds, pieces, and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DW_OP } from '../../../engine/debug/dwarf/constants.js';
import { DwarfError } from '../../../engine/debug/dwarf/error.js';
import {
  decodeExpression, describeExpression, evaluateLocation, evaluateValue, type ExpressionContext,
} from '../../../engine/debug/dwarf/expression.js';
import { ByteWriter } from './helpers/writer.js';

const REGS = [0x11, 0x22, 0x33, 0x44, 0x7000, 0x7100, 0x66, 0x77, 0x1234, 0x202]; // eax..edi, eip, eflags
const MEMORY = new Map<number, number>([[0x7100, 0xDEADBEEF], [0x7104, 0x00C0FFEE], [0x804a000, 42]]);
const ctx: ExpressionContext = {
  readRegister: (r) => { if (r >= REGS.length) throw new Error(`no register ${r}`); return REGS[r]; },
  readMemory: (a, size) => {
    const v = MEMORY.get(a);
    if (v === undefined) throw new Error(`unmapped ${a.toString(16)}`);
    return size >= 4 ? v : v & ((1 << (size * 8)) - 1);
  },
  frameBase: () => 0x7108,
  callFrameCfa: () => 0x7200,
};

/** Evaluates and returns the value on top (for expressions that compute a value). */
const value = (e: Uint8Array, c: ExpressionContext = ctx) => evaluateValue(e, c);
const lit = (n: number) => DW_OP.lit0 + n;
const op = (...parts: (number | number[])[]) => Uint8Array.from(parts.flat());
const uleb = (v: number | bigint) => Array.from(new ByteWriter().uleb(v).finish());
const sleb = (v: number | bigint) => Array.from(new ByteWriter().sleb(v).finish());

test('literals and constants of every size, signed ones wrapped to the 32-bit generic type', () => {
  assert.equal(value(op(DW_OP.lit0)), 0n);
  assert.equal(value(op(DW_OP.lit31)), 31n);
  assert.equal(value(op(DW_OP.const1u, 0xFF)), 0xFFn);
  assert.equal(value(op(DW_OP.const1s, 0xFF)), 0xFFFF_FFFFn);
  assert.equal(value(op(DW_OP.const2u, 0x34, 0x12)), 0x1234n);
  assert.equal(value(op(DW_OP.const2s, 0xFE, 0xFF)), 0xFFFF_FFFEn);
  assert.equal(value(op(DW_OP.const4u, 0x78, 0x56, 0x34, 0x12)), 0x12345678n);
  assert.equal(value(op(DW_OP.const4s, 0xFF, 0xFF, 0xFF, 0xFF)), 0xFFFF_FFFFn);
  assert.equal(value(op(DW_OP.const8u, [1, 0, 0, 0, 1, 0, 0, 0])), 1n, 'truncated to the address size');
  assert.equal(value(op(DW_OP.const8s, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), { ...ctx, addressSize: 8 }), 2n ** 64n - 1n);
  assert.equal(value(op(DW_OP.constu, uleb(624485))), 624485n);
  assert.equal(value(op(DW_OP.consts, sleb(-2))), 0xFFFF_FFFEn);
  assert.equal(value(op(DW_OP.addr, [0x00, 0xA0, 0x04, 0x08])), 0x804A000n);
  assert.equal(value(op(DW_OP.addr, [0x00, 0xA0, 0x04, 0x08]), { ...ctx, bias: 0x1000 }), 0x804B000n, 'load bias applied');
});

test('arithmetic and logic: plus, minus, mul, div (signed), mod, neg, abs, not, and, or, xor, shifts', () => {
  const bin = (a: number, b: number, o: number) => value(op(DW_OP.constu, uleb(a >>> 0), DW_OP.constu, uleb(b >>> 0), o));
  assert.equal(bin(5, 3, DW_OP.plus), 8n);
  assert.equal(bin(3, 5, DW_OP.minus), 0xFFFF_FFFEn);
  assert.equal(bin(6, 7, DW_OP.mul), 42n);
  assert.equal(bin(-7, 2, DW_OP.div), 0xFFFF_FFFDn, '-7 / 2 = -3 (signed, truncating)');
  assert.equal(bin(7, 3, DW_OP.mod), 1n);
  assert.equal(bin(0xF0, 0x3C, DW_OP.and), 0x30n);
  assert.equal(bin(0xF0, 0x0F, DW_OP.or), 0xFFn);
  assert.equal(bin(0xFF, 0x0F, DW_OP.xor), 0xF0n);
  assert.equal(bin(1, 31, DW_OP.shl), 0x8000_0000n);
  assert.equal(bin(1, 32, DW_OP.shl), 0n);
  assert.equal(bin(0x8000_0000, 4, DW_OP.shr), 0x0800_0000n);
  assert.equal(bin(0x8000_0000, 4, DW_OP.shra), 0xF800_0000n);
  assert.equal(value(op(lit(5), DW_OP.neg)), 0xFFFF_FFFBn);
  assert.equal(value(op(DW_OP.consts, sleb(-9), DW_OP.abs)), 9n);
  assert.equal(value(op(DW_OP.lit0, DW_OP.not)), 0xFFFF_FFFFn);
  assert.equal(value(op(lit(1), DW_OP.plus_uconst, uleb(0x1000))), 0x1001n);
  for (const [o, expect] of [[DW_OP.eq, 0n], [DW_OP.ne, 1n], [DW_OP.lt, 1n], [DW_OP.le, 1n], [DW_OP.gt, 0n], [DW_OP.ge, 0n]] as const) {
    assert.equal(value(op(DW_OP.consts, sleb(-1), lit(1), o)), expect, `-1 ${o.toString(16)} 1 (signed comparison)`);
  }
});

test('stack operations: dup, drop, swap, over, pick, rot', () => {
  assert.equal(value(op(lit(3), DW_OP.dup, DW_OP.plus)), 6n);
  assert.equal(value(op(lit(1), lit(2), DW_OP.drop)), 1n);
  assert.equal(value(op(lit(1), lit(2), DW_OP.swap)), 1n);
  assert.equal(value(op(lit(1), lit(2), DW_OP.swap, DW_OP.minus)), 1n, '2 - 1');
  assert.equal(value(op(lit(7), lit(2), DW_OP.over)), 7n);
  assert.equal(value(op(lit(9), lit(8), lit(7), DW_OP.pick, 2)), 9n);
  // rot: top -> third, second -> top, third -> second; [1 2 3] -> [3 1 2] (bottom to top)
  assert.equal(value(op(lit(1), lit(2), lit(3), DW_OP.rot)), 2n);
  assert.equal(value(op(lit(1), lit(2), lit(3), DW_OP.rot, DW_OP.drop)), 1n);
  assert.equal(value(op(lit(1), lit(2), lit(3), DW_OP.rot, DW_OP.drop, DW_OP.drop)), 3n);
});

test('registers: reg0-reg7 and regx name a register; breg0-breg7 and bregx add an offset to one', () => {
  for (let r = 0; r < 8; r++) {
    assert.deepEqual(evaluateLocation(op(DW_OP.reg0 + r), ctx), { kind: 'register', reg: r });
    assert.equal(value(op(DW_OP.breg0 + r, sleb(-4))), BigInt((REGS[r] - 4) >>> 0));
  }
  assert.deepEqual(evaluateLocation(op(DW_OP.regx, uleb(9)), ctx), { kind: 'register', reg: 9 });
  assert.equal(value(op(DW_OP.bregx, uleb(8), sleb(0x10))), 0x1244n);
  assert.deepEqual(evaluateLocation(op((DW_OP.breg0 + 5), sleb(-8)), ctx), { kind: 'memory', address: 0x70F8 });
});

test('frame base, CFA and memory: fbreg, call_frame_cfa, deref, deref_size', () => {
  assert.deepEqual(evaluateLocation(op(DW_OP.fbreg, sleb(-20)), ctx), { kind: 'memory', address: 0x7108 - 20 });
  assert.deepEqual(evaluateLocation(op(DW_OP.call_frame_cfa), ctx), { kind: 'memory', address: 0x7200 });
  assert.equal(value(op((DW_OP.breg0 + 5), sleb(0), DW_OP.deref)), 0xDEADBEEFn);
  assert.equal(value(op((DW_OP.breg0 + 5), sleb(4), DW_OP.deref_size, 2)), 0xC0FFEEn & 0xFFFFn);
  assert.equal(value(op(DW_OP.addr, [0x00, 0xA0, 0x04, 0x08], DW_OP.deref)), 42n);
});

test('location kinds: stack_value, implicit_value, empty, pieces of registers and memory', () => {
  assert.deepEqual(evaluateLocation(op(DW_OP.breg0, sleb(1), DW_OP.stack_value), ctx), { kind: 'value', value: 0x12n });
  assert.deepEqual(evaluateLocation(new Uint8Array(0), ctx), { kind: 'empty' });
  const implicit = evaluateLocation(op(DW_OP.implicit_value, 2, 0xAB, 0xCD), ctx);
  assert.equal(implicit.kind, 'implicit');
  assert.deepEqual(implicit.kind === 'implicit' && Array.from(implicit.bytes), [0xAB, 0xCD]);
  // a 64-bit value split between eax (low) and edx (high), then a piece in memory, then an optimised-out piece
  const loc = evaluateLocation(op(DW_OP.reg0, DW_OP.piece, 4, (DW_OP.reg0 + 2), DW_OP.piece, 4, DW_OP.fbreg, sleb(-8), DW_OP.piece, 2, DW_OP.piece, 2), ctx);
  assert.deepEqual(loc, {
    kind: 'pieces', pieces: [
      { sizeBits: 32, bitOffset: 0, location: { kind: 'register', reg: 0 } },
      { sizeBits: 32, bitOffset: 0, location: { kind: 'register', reg: 2 } },
      { sizeBits: 16, bitOffset: 0, location: { kind: 'memory', address: 0x7100 } },
      { sizeBits: 16, bitOffset: 0, location: { kind: 'empty' } },
    ],
  });
  const bits = evaluateLocation(op((DW_OP.reg0 + 3), DW_OP.bit_piece, uleb(5), uleb(3), lit(1), DW_OP.stack_value, DW_OP.piece, 1), ctx);
  assert.deepEqual(bits, {
    kind: 'pieces', pieces: [
      { sizeBits: 5, bitOffset: 3, location: { kind: 'register', reg: 3 } },
      { sizeBits: 8, bitOffset: 0, location: { kind: 'value', value: 1n } },
    ],
  });
});

test('typed stack (DWARF 5): deref_type, regval_type, const_type, convert, reinterpret and 64-bit arithmetic on a 32-bit target', () => {
  const U64 = 0x62, U32 = 0x69, S8 = 0x70;
  const types: Record<number, { size: number; signed: boolean }> = { [U64]: { size: 8, signed: false }, [U32]: { size: 4, signed: false }, [S8]: { size: 1, signed: true } };
  const typed: ExpressionContext = { ...ctx, baseType: (o) => types[o], readMemory: (a, size) => (a === 0x7110 && size === 8 ? 0x1_0000_0001n : ctx.readMemory!(a, size)) };
  // what gcc emits for `n << shift` with a 64-bit n: fbreg 8; deref_type 8 <u64>; breg2 0; convert <u32>; convert <u64>; shl; stack_value
  const shift = op(DW_OP.fbreg, 8, DW_OP.deref_type, 8, U64, DW_OP.breg0 + 2, 0, DW_OP.convert, U32, DW_OP.convert, U64, DW_OP.lit0 + 4, DW_OP.minus, DW_OP.shl, DW_OP.stack_value);
  // edx = 0x33: shift by 0x33 - 4 = 47 in 64 bits (a generic 32-bit shift would give 0)
  assert.deepEqual(evaluateLocation(shift, typed), { kind: 'value', value: (0x1_0000_0001n << 47n) & 0xFFFF_FFFF_FFFF_FFFFn });
  assert.deepEqual(evaluateLocation(op(DW_OP.regval_type, 3, U64, DW_OP.const_type, S8, 1, 0xFF, DW_OP.convert, U64, DW_OP.plus, DW_OP.stack_value), typed),
    { kind: 'value', value: 0x43n }, 'ebx + (u64)(signed char)-1 wraps in 64 bits');
  assert.deepEqual(evaluateLocation(op(DW_OP.lit0 + 1, DW_OP.neg, DW_OP.convert, U64, DW_OP.stack_value), typed),
    { kind: 'value', value: 0xFFFF_FFFFn }, 'the generic type converts without sign extension (unspecified signedness, as gdb)');
  assert.deepEqual(evaluateLocation(op(DW_OP.const_type, S8, 1, 0xFE, DW_OP.convert, U64, DW_OP.stack_value), typed),
    { kind: 'value', value: 0xFFFF_FFFF_FFFF_FFFEn }, 'a signed char -2 converts to 64 bits with its sign');
  assert.deepEqual(evaluateLocation(op(DW_OP.const_type, S8, 1, 0xFE, DW_OP.reinterpret, U64, DW_OP.stack_value), typed),
    { kind: 'value', value: 0xFEn }, 'reinterpret keeps the bits');
  assert.deepEqual(evaluateLocation(op(DW_OP.const_type, U64, 8, 0, 0, 0, 0, 0, 0, 0, 0x80, DW_OP.lit0 + 1, DW_OP.gt, DW_OP.stack_value), typed),
    { kind: 'value', value: 1n }, 'unsigned typed comparison');
  assert.deepEqual(evaluateLocation(op(DW_OP.const_type, U64, 8, 9, 0, 0, 0, 0, 0, 0, 0, DW_OP.convert, 0, DW_OP.stack_value), typed),
    { kind: 'value', value: 9n }, 'convert to the generic type (0)');
  assert.throws(() => evaluateLocation(op(DW_OP.lit0, DW_OP.convert, U64), ctx), /DW_OP_convert needs the base type at unit offset 0x62, but no type information is available here/);
});

test('branches: skip and bra, including a counting loop, and a step limit for endless loops', () => {
  // if (eax == 0x11) push 1 else push 2
  const cond = op(DW_OP.breg0, sleb(0), DW_OP.const1u, 0x11, DW_OP.eq, DW_OP.bra, 4, 0, lit(2), DW_OP.skip, 1, 0, lit(1));
  assert.equal(value(cond), 1n);
  // counter = 5; sum = 0; loop: sum += counter; counter--; while counter != 0
  const loop = op(lit(5), DW_OP.lit0, /* loop at 2: [counter sum] */ DW_OP.over, DW_OP.plus, DW_OP.swap, lit(1), DW_OP.minus,
    DW_OP.swap, DW_OP.over, DW_OP.bra, 0xF6, 0xFF /* -10: back to offset 2 */, DW_OP.swap, DW_OP.drop);
  assert.equal(value(loop), 15n);
  const forever = op(DW_OP.skip, 0xFD, 0xFF);
  assert.throws(() => value(forever), /did not finish within 100000 operations/);
  assert.throws(() => value(op(lit(1), DW_OP.skip, 5, 0)), /jumps to 0x9, which is not the start of an operation/);
});

test('decoding and printing: operands of every shape', () => {
  const e = op(DW_OP.fbreg, sleb(-20), DW_OP.addr, [0x20, 0xA0, 0x04, 0x08], DW_OP.bregx, uleb(5), sleb(8), DW_OP.piece, 4,
    DW_OP.implicit_value, 2, 1, 2, DW_OP.entry_value, 1, DW_OP.reg0, DW_OP.const_type, uleb(0x30), 1, 7, DW_OP.regval_type, 0, 0x30,
    DW_OP.deref_type, 4, 0x30, DW_OP.convert, 0x30, DW_OP.bit_piece, 3, 1, DW_OP.implicit_pointer, [0x10, 0, 0, 0], sleb(-1), DW_OP.call_frame_cfa);
  assert.deepEqual(decodeExpression(e).map((o) => o.op), [
    DW_OP.fbreg, DW_OP.addr, DW_OP.bregx, DW_OP.piece, DW_OP.implicit_value, DW_OP.entry_value, DW_OP.const_type,
    DW_OP.regval_type, DW_OP.deref_type, DW_OP.convert, DW_OP.bit_piece, DW_OP.implicit_pointer, DW_OP.call_frame_cfa,
  ]);
  assert.equal(describeExpression(op(DW_OP.fbreg, sleb(-20))), 'DW_OP_fbreg -20');
  assert.equal(describeExpression(op(DW_OP.addr, [0x20, 0xA0, 0x04, 0x08], DW_OP.deref)), 'DW_OP_addr 0x804a020; DW_OP_deref');
  assert.equal(describeExpression(op((DW_OP.breg0 + 4), sleb(4), (DW_OP.reg0 + 3), lit(7), DW_OP.implicit_value, 1, 0xFF)), 'DW_OP_breg4 4; DW_OP_reg3; DW_OP_lit7; DW_OP_implicit_value [ff]');
});

test('errors name the operation and its offset; nothing is silently guessed', () => {
  const expectError = (e: Uint8Array, re: RegExp, offset?: number, c: ExpressionContext = ctx) =>
    assert.throws(() => evaluateLocation(e, c, { section: '.debug_info', offset: 0x100 }), (err: unknown) => {
      assert.ok(err instanceof DwarfError, String(err));
      assert.equal(err.section, '.debug_info');
      assert.match(err.message, re);
      if (offset !== undefined) assert.equal(err.offset, 0x100 + offset);
      return true;
    });
  expectError(op(lit(1), 0x01), /unknown DWARF expression operation 0x1/, 1);
  expectError(op(DW_OP.plus), /DW_OP_plus needs 2 values but the stack holds 0/, 0);
  expectError(op(lit(1), DW_OP.drop, DW_OP.drop), /DW_OP_drop needs a value but the stack is empty/, 2);
  expectError(op(lit(1), DW_OP.lit0, DW_OP.div), /DW_OP_div by zero/, 2);
  expectError(op(lit(1), DW_OP.lit0, DW_OP.mod), /DW_OP_mod by zero/);
  expectError(op(lit(1), DW_OP.pick, 3), /DW_OP_pick 3 but the stack holds 1/);
  expectError(op(DW_OP.const4u, 1, 2), /truncated/, 1);
  expectError(op(DW_OP.reg0, lit(1)), /follows a register or implicit location/);
  expectError(op(lit(1), DW_OP.stack_value, lit(2)), /DW_OP_stack_value must end the expression/);
  expectError(op(DW_OP.fbreg, 0), /needs the frame base/, 0, { readRegister: ctx.readRegister });
  expectError(op(DW_OP.call_frame_cfa), /needs call frame information/, 0, {});
  expectError(op(DW_OP.breg0, 0), /register 0 is needed but no registers are available/, 0, {});
  expectError(op(lit(1), DW_OP.deref), /memory is needed/, 1, {});
  assert.deepEqual(evaluateLocation(op(DW_OP.entry_value, 1, DW_OP.reg0, DW_OP.stack_value), ctx), { kind: 'empty', reason: 'DW_OP_entry_value: the value at function entry is not known' });
  expectError(op(DW_OP.call2, 0, 0), /DW_OP_call2 is not supported/);
  expectError(op(lit(1), DW_OP.deref_size, 9), /dereference size 9/);
  assert.deepEqual(evaluateLocation(op(lit(1), lit(2)), ctx), { kind: 'memory', address: 2 }, 'two values left: the top is the result');
});

test('errors from the injected memory reader propagate (the caller decides what unreadable means)', () => {
  assert.throws(() => value(op(lit(4), DW_OP.deref)), /unmapped 4/);
});
