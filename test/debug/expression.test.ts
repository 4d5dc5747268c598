// Unit tests of the debugger's expression language on a synthetic machine: C arithmetic and
// comparisons, registers, memory in both spaces, structs, arrays and pointers, event fields, and the
// messages for text that does not parse or cannot be evaluated.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateText, isTrue } from '../../engine/debug/expression/evaluator';
import { ExpressionError } from '../../engine/debug/expression/lexer';
import { parseExpression } from '../../engine/debug/expression/parser';
import { BUILTIN_TYPES, scalarBits, type EvalEnvironment, type FieldValue, type Value } from '../../engine/debug/expression/value';
import type { DwarfType } from '../../engine/debug/dwarf/types';

const INT = BUILTIN_TYPES.get('int')!;
const POINT: DwarfType = { kind: 'struct', offset: 1, name: 'point', size: 8, members: [
  { name: 'x', type: INT, offset: 0 }, { name: 'y', type: INT, offset: 4 },
] };
const POINTS: DwarfType = { kind: 'array', offset: 2, target: POINT, dims: [{ lower: 0, count: 3 }] };
const POINT_PTR: DwarfType = { kind: 'pointer', offset: 3, size: 4, target: POINT };

/** 64 KiB of linear memory (physical = linear + 0x100000), three points at 0x100, a pointer at 0x200. */
function machine(fields: Record<string, FieldValue> = {}): EvalEnvironment {
  const memory = new Uint8Array(0x10000);
  const view = new DataView(memory.buffer);
  [[1, 2], [3, 4], [-5, 6]].forEach(([x, y], k) => { view.setInt32(0x100 + k * 8, x, true); view.setInt32(0x104 + k * 8, y, true); });
  view.setUint32(0x200, 0x108, true);
  return {
    readMemory(space, address, size) {
      const at = space === 'physical' ? address - 0x100000 : address;
      if (at < 0 || at + size > memory.length) throw new ExpressionError(`${space} 0x${address.toString(16)} is not mapped`);
      return memory.slice(at, at + size);
    },
    register: (name) => (name === 'eax' ? { type: BUILTIN_TYPES.get('uint32_t')!, bits: 0xFFFFFFF0n, place: { space: 'register', name } } : undefined),
    lookup(name): Value | undefined {
      if (name in fields) return undefined;
      if (name === 'points') return { type: POINTS, place: { space: 'linear', address: 0x100 } };
      if (name === 'current') return { type: POINT_PTR, place: { space: 'linear', address: 0x200 } };
      return undefined;
    },
    findType: (name) => (name === 'struct point' ? POINT : BUILTIN_TYPES.get(name)),
  };
}

const number = (text: string, env = machine()): bigint => scalarBits(evaluateText(text, env), env);

describe('expression language', () => {
  it('computes C arithmetic with C types', () => {
    assert.equal(number('1 + 2 * 3'), 7n);
    assert.equal(number('(1 + 2) * 3'), 9n);
    assert.equal(number('-7 / 2'), -3n);
    assert.equal(number('0x10 | 3 << 4'), 0x30n | 0x10n);
    assert.equal(number('~0u'), 0xFFFFFFFFn);
    assert.equal(number('(char)0x141'), 0x41n);
    assert.equal(number('5 > 3 && 2 != 2 || 1'), 1n);
    assert.equal(number('1 ? 10 : 20'), 10n);
    assert.equal(number('sizeof(struct point)'), 8n);
    assert.equal(number("'A'"), 65n);
  });

  it('reads registers, structs, arrays, pointers and both address spaces', () => {
    assert.equal(number('$eax + 0x10'), 0n, 'unsigned 32-bit wrap-around');
    assert.equal(number('eax >> 4'), 0x0FFFFFFFn);
    assert.equal(number('points[2].x'), -5n);
    assert.equal(number('current->y'), 4n);
    assert.equal(number('(*current).x + points[0].y'), 5n);
    assert.equal(number('&points[1]'), 0x108n);
    assert.equal(number('current - &points[0]'), 1n, 'pointer difference in elements');
    assert.equal(number('(current + 1)->x'), -5n);
    assert.equal(number('lin:0x200'), 0x108n);
    assert.equal(number('phys:0x100200'), 0x108n);
    assert.equal(number('((struct point *)0x110)->y'), 6n);
  });

  it('compares event fields, numbers and strings', () => {
    const env = machine({});
    const fields: Record<string, FieldValue> = { port: 0x3f8, value: 10, args: { 0: 4, cmd: 'send' }, name: 'sched_op', new: 0x80000011 };
    const holds = (text: string): boolean => {
      const e: EvalEnvironment = {
        ...env,
        lookup: (n) => {
          if (!(n in fields)) return env.lookup(n);
          const f = fields[n];
          if (typeof f === 'string') return { type: BUILTIN_TYPES.get('void')!, text: f };
          if (typeof f === 'number') return { type: BUILTIN_TYPES.get('uint32_t')!, bits: BigInt(f) };
          return { type: BUILTIN_TYPES.get('void')!, fields: f as Record<string, FieldValue> };
        },
      };
      return isTrue(evaluateText(text, e), e);
    };
    assert.equal(holds('port == 0x3f8 && value == 10'), true);
    assert.equal(holds('port == 0x3f9'), false);
    assert.equal(holds('args.cmd == "send"'), true);
    assert.equal(holds('args[0] == 4'), true);
    assert.equal(holds('name != "sched_op"'), false);
    assert.equal(holds('new & 0x80000000'), true);
  });

  it('names the problem in text that does not parse or cannot be evaluated', () => {
    assert.throws(() => parseExpression('port =='), /ends too early/);
    assert.throws(() => parseExpression('a $ b'), /unexpected "\$" at column 3/);
    assert.throws(() => parseExpression('(1 + 2'), /expected "\)"/);
    assert.throws(() => parseExpression(''), /empty/);
    assert.throws(() => number('1 / 0'), /division by zero/);
    assert.throws(() => number('nosuch + 1'), /no variable, symbol or register named "nosuch"/);
    assert.throws(() => number('points[0].z'), /has no member "z"/);
    assert.throws(() => number('*(int *)0x20000'), /linear 0x20000 is not mapped/);
    assert.throws(() => number('(struct nope *)0'), /no type named "struct nope"/);
    assert.throws(() => number('current.x'), /use -> on a pointer/);
  });
});
