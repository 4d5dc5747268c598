// Evaluates an expression tree against a stopped machine: registers, memory (linear or physical),
// the debuggee's variables and types, and a stopped event's decoded fields; C's arithmetic on 8- to
// 64-bit integers, pointer arithmetic, casts, *, &, [], ., -> and comparisons of strings.
import { resolveType, type DwarfType } from '../dwarf/types.js';
import type { Expr, TypeSpec } from './ast.js';
import { ExpressionError } from './lexer.js';
import { parseExpression } from './parser.js';
import {
  BUILTIN_TYPES, DOUBLE, FIELDS_TYPE, INT, INT64, STRING_TYPE, UINT32, UINT64, byteSize, describeType, fitBits, floatValue,
  isFloat, isIntegral, isSigned, pointerTo, scalarBits, type EvalEnvironment, type FieldValue, type Value,
} from './value.js';

/** Parses and evaluates text; throws ExpressionError with a message a person reads. */
export function evaluateText(text: string, env: EvalEnvironment): Value {
  return evaluate(parseExpression(text, (name) => env.findType(name) !== undefined && env.lookup(name) === undefined), env);
}

/** True when a condition value holds (nonzero number, nonempty string). */
export function isTrue(v: Value, env: EvalEnvironment): boolean {
  if (v.text !== undefined) return v.text !== '';
  if (v.fields) return true;
  if (isFloat(v.type)) return floatValue(v, env) !== 0;
  return scalarBits(v, env) !== 0n;
}

export function evaluate(e: Expr, env: EvalEnvironment): Value {
  switch (e.kind) {
    case 'number': return { type: e.value > 0xFFFFFFFFn ? UINT64 : e.value > 0x7FFFFFFFn || e.unsigned ? UINT32 : INT, bits: e.value };
    case 'float': return { type: DOUBLE, float: e.value };
    case 'string': return { type: STRING_TYPE, text: e.text };
    case 'name': return lookupName(e.name, env);
    case 'space': {
      const address = Number(BigInt.asUintN(32, scalarBits(evaluate(e.address, env), env)));
      return { type: UINT32, place: { space: e.space, address } };
    }
    case 'unary': return unary(e.op, evaluate(e.operand, env), env);
    case 'binary': return binary(e.op, e.left, e.right, env);
    case 'conditional': return isTrue(evaluate(e.test, env), env) ? evaluate(e.then, env) : evaluate(e.otherwise, env);
    case 'cast': return cast(typeOf(e.type, env), evaluate(e.operand, env), env);
    case 'sizeof': {
      const t = e.type ? typeOf(e.type, env) : evaluate(e.operand!, env).type;
      const size = byteSize(t);
      if (size === undefined) throw new ExpressionError(`the size of ${describeType(t)} is not known`);
      return { type: UINT32, bits: BigInt(size) };
    }
    case 'index': return index(evaluate(e.target, env), evaluate(e.index, env), env);
    case 'member': return member(evaluate(e.target, env), e.member, e.arrow, env);
  }
}

function lookupName(name: string, env: EvalEnvironment): Value {
  if (name.startsWith('$')) {
    const reg = env.register(name.slice(1).toLowerCase());
    if (reg) return reg;
    throw new ExpressionError(`no register named ${name}`);
  }
  const found = env.lookup(name) ?? env.register(name.toLowerCase());
  if (found) return found;
  throw new ExpressionError(`no variable, symbol or register named "${name}" here`);
}

/** The DwarfType a cast or sizeof names. */
export function typeOf(spec: TypeSpec, env: EvalEnvironment): DwarfType {
  let t = env.findType(spec.name) ?? BUILTIN_TYPES.get(spec.name);
  if (!t) throw new ExpressionError(`no type named "${spec.name}"`);
  for (let k = 0; k < spec.pointers; k++) t = pointerTo(t);
  return t;
}

function integer(v: Value, env: EvalEnvironment): bigint {
  if (v.text !== undefined) throw new ExpressionError(`the string "${v.text}" is not a number`);
  if (v.fields) throw new ExpressionError('a record of fields is not a number (pick a field with ".")');
  return scalarBits(v, env);
}

/** Pointer value an array or pointer value stands for (arrays decay to their first element). */
function asPointer(v: Value, env: EvalEnvironment): { address: number; target: DwarfType } | undefined {
  const r = resolveType(v.type);
  if (r.kind === 'array') {
    if (!v.place || v.place.space !== 'linear') throw new ExpressionError('the array is not in linear memory');
    const element = elementType(r);
    return { address: v.place.address, target: element };
  }
  if (r.kind === 'pointer' || r.kind === 'reference') {
    return { address: Number(BigInt.asUintN(32, scalarBits(v, env))), target: r.target ?? BUILTIN_TYPES.get('void')! };
  }
  return undefined;
}

/** The element type of an array type (an array of the inner dimensions when it has several). */
function elementType(array: DwarfType): DwarfType {
  const dims = array.dims ?? [];
  if (dims.length > 1) return { ...array, dims: dims.slice(1), size: undefined };
  return array.target ?? INT;
}

function unary(op: string, v: Value, env: EvalEnvironment): Value {
  switch (op) {
    case '&': {
      if (!v.place || v.place.space === 'register') throw new ExpressionError('only a value in memory has an address');
      if (v.place.space === 'physical') throw new ExpressionError('a physical location has no linear address to point to');
      return { type: pointerTo(v.type), bits: BigInt(v.place.address) };
    }
    case '*': {
      const p = asPointer(v, env);
      if (!p) throw new ExpressionError(`cannot dereference a ${describeType(v.type)}`);
      if (resolveType(p.target).kind === 'void') throw new ExpressionError('cannot dereference a void pointer (cast it first)');
      return { type: p.target, place: { space: 'linear', address: p.address } };
    }
    case '!': return { type: INT, bits: isTrue(v, env) ? 0n : 1n };
    case '+': return promote(v, env);
    case '-': {
      if (isFloat(v.type)) return { type: DOUBLE, float: -floatValue(v, env) };
      const p = promote(v, env);
      return { type: p.type, bits: fitBits(-p.bits!, byteSize(p.type)!, isSigned(p.type)) };
    }
    case '~': {
      const p = promote(v, env);
      return { type: p.type, bits: fitBits(~p.bits!, byteSize(p.type)!, isSigned(p.type)) };
    }
  }
  throw new ExpressionError(`unknown operator ${op}`);
}

/** Integer promotion: at least int; 64-bit stays 64-bit. */
function promote(v: Value, env: EvalEnvironment): Value {
  const bits = integer(v, env);
  const size = byteSize(v.type) ?? 4;
  if (size > 4) return { type: isSigned(v.type) ? INT64 : UINT64, bits };
  if (size === 4 && !isSigned(v.type)) return { type: UINT32, bits };
  return { type: INT, bits: fitBits(bits, 4, true) };
}

function binary(op: string, leftExpr: Expr, rightExpr: Expr, env: EvalEnvironment): Value {
  if (op === '&&') return { type: INT, bits: isTrue(evaluate(leftExpr, env), env) && isTrue(evaluate(rightExpr, env), env) ? 1n : 0n };
  if (op === '||') return { type: INT, bits: isTrue(evaluate(leftExpr, env), env) || isTrue(evaluate(rightExpr, env), env) ? 1n : 0n };
  const left = evaluate(leftExpr, env), right = evaluate(rightExpr, env);
  if (left.text !== undefined || right.text !== undefined) {
    if (op !== '==' && op !== '!=') throw new ExpressionError(`strings can only be compared with == and !=`);
    const equal = left.text !== undefined && right.text !== undefined ? left.text === right.text : false;
    return { type: INT, bits: (op === '==') === equal ? 1n : 0n };
  }
  if (op === '+' || op === '-') {
    const lp = asPointer(left, env), rp = asPointer(right, env);
    if (lp && !rp) return pointerStep(lp, op === '+' ? integer(right, env) : -integer(right, env));
    if (rp && !lp && op === '+') return pointerStep(rp, integer(left, env));
    if (lp && rp && op === '-') {
      const size = BigInt(byteSize(lp.target) ?? 1) || 1n;
      return { type: INT, bits: fitBits((BigInt(lp.address) - BigInt(rp.address)) / size, 4, true) };
    }
  }
  if (isFloat(left.type) || isFloat(right.type) || left.float !== undefined || right.float !== undefined) {
    return floatBinary(op, floatValue(left, env), floatValue(right, env));
  }
  const a = promote(left, env), b = promote(right, env);
  const size = Math.max(byteSize(a.type)!, byteSize(b.type)!);
  const unsigned = (byteSize(a.type) === size && !isSigned(a.type)) || (byteSize(b.type) === size && !isSigned(b.type));
  const type = size > 4 ? (unsigned ? UINT64 : INT64) : unsigned ? UINT32 : INT;
  const x = fitBits(a.bits!, size, !unsigned), y = fitBits(b.bits!, size, !unsigned);
  const bool = (c: boolean): Value => ({ type: INT, bits: c ? 1n : 0n });
  const result = (bits: bigint): Value => ({ type, bits: fitBits(bits, size, !unsigned) });
  switch (op) {
    case '+': return result(x + y);
    case '-': return result(x - y);
    case '*': return result(x * y);
    case '/': if (y === 0n) throw new ExpressionError('division by zero'); return result(x / y);
    case '%': if (y === 0n) throw new ExpressionError('division by zero'); return result(x % y);
    case '&': return result(x & y);
    case '|': return result(x | y);
    case '^': return result(x ^ y);
    case '<<': return { type: a.type, bits: fitBits(a.bits! << (y & 63n), byteSize(a.type)!, isSigned(a.type)) };
    case '>>': return { type: a.type, bits: fitBits(a.bits! >> (y & 63n), byteSize(a.type)!, isSigned(a.type)) };
    case '==': return bool(x === y);
    case '!=': return bool(x !== y);
    case '<': return bool(x < y);
    case '>': return bool(x > y);
    case '<=': return bool(x <= y);
    case '>=': return bool(x >= y);
  }
  throw new ExpressionError(`unknown operator ${op}`);
}

function floatBinary(op: string, x: number, y: number): Value {
  const bool = (c: boolean): Value => ({ type: INT, bits: c ? 1n : 0n });
  switch (op) {
    case '+': return { type: DOUBLE, float: x + y };
    case '-': return { type: DOUBLE, float: x - y };
    case '*': return { type: DOUBLE, float: x * y };
    case '/': return { type: DOUBLE, float: x / y };
    case '==': return bool(x === y);
    case '!=': return bool(x !== y);
    case '<': return bool(x < y);
    case '>': return bool(x > y);
    case '<=': return bool(x <= y);
    case '>=': return bool(x >= y);
  }
  throw new ExpressionError(`operator ${op} does not apply to floating-point values`);
}

function pointerStep(p: { address: number; target: DwarfType }, count: bigint): Value {
  const size = BigInt(byteSize(p.target) ?? 1) || 1n;
  return { type: pointerTo(p.target), bits: BigInt.asUintN(32, BigInt(p.address) + count * size) };
}

function cast(type: DwarfType, v: Value, env: EvalEnvironment): Value {
  const r = resolveType(type);
  if (r.kind === 'struct' || r.kind === 'union' || r.kind === 'array') {
    if (!v.place) throw new ExpressionError(`only a value in memory can be viewed as a ${describeType(type)}`);
    return { type, place: v.place };
  }
  if (isFloat(type)) return { type, float: floatValue(v, env) };
  if (!isIntegral(type)) throw new ExpressionError(`cannot cast to ${describeType(type)}`);
  const array = resolveType(v.type).kind === 'array' ? asPointer(v, env) : undefined;
  const bits = array ? BigInt(array.address) : integer(v, env);
  return { type, bits: fitBits(bits, byteSize(type) ?? 4, isSigned(type)) };
}

function index(target: Value, at: Value, env: EvalEnvironment): Value {
  if (target.fields !== undefined || Array.isArray(target.fields)) return member(target, String(integer(at, env)), false, env);
  const p = asPointer(target, env);
  if (!p) throw new ExpressionError(`cannot index a ${describeType(target.type)}`);
  const size = byteSize(p.target);
  if (size === undefined) throw new ExpressionError(`the size of ${describeType(p.target)} is not known`);
  const address = Number(BigInt.asUintN(32, BigInt(p.address) + integer(at, env) * BigInt(size)));
  return { type: p.target, place: { space: 'linear', address } };
}

function member(target: Value, name: string, arrow: boolean, env: EvalEnvironment): Value {
  if (target.fields) {
    if (!(name in target.fields)) throw new ExpressionError(`the event has no field "${name}" (it has ${Object.keys(target.fields).join(', ')})`);
    return fieldValue(target.fields[name]);
  }
  let base = target;
  if (arrow) base = unary('*', target, env);
  const r = resolveType(base.type);
  if (r.kind !== 'struct' && r.kind !== 'union' && r.kind !== 'class') {
    throw new ExpressionError(`"${name}": ${describeType(base.type)} has no members${arrow || r.kind !== 'pointer' ? '' : ' (use -> on a pointer)'}`);
  }
  const found = findMember(r, name);
  if (!found) throw new ExpressionError(`${describeType(base.type)} has no member "${name}"`);
  if (!base.place || base.place.space === 'register') throw new ExpressionError('the structure is not in memory');
  return { type: found.type, place: { space: base.place.space, address: (base.place.address + found.offset) >>> 0 } };
}

/** A member by name, looking into anonymous struct/union members too; offset from the outer start. */
export function findMember(t: DwarfType, name: string): { type: DwarfType; offset: number } | undefined {
  for (const m of t.members ?? []) {
    if (m.name === name) return { type: m.type, offset: m.offset };
    if (m.name === undefined) {
      const inner = findMember(resolveType(m.type), name);
      if (inner) return { type: inner.type, offset: m.offset + inner.offset };
    }
  }
  return undefined;
}

/** An event field as a Value. */
export function fieldValue(f: FieldValue): Value {
  if (typeof f === 'string') return { type: STRING_TYPE, text: f };
  if (typeof f === 'boolean') return { type: INT, bits: f ? 1n : 0n };
  if (typeof f === 'number') {
    if (!Number.isInteger(f)) return { type: DOUBLE, float: f };
    return { type: f < 0 ? INT64 : f > 0xFFFFFFFF ? UINT64 : UINT32, bits: BigInt(f) };
  }
  if (typeof f === 'bigint') return { type: UINT64, bits: f };
  if (f === undefined) throw new ExpressionError('the field has no value in this event');
  const record: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(f)) record[k] = v as FieldValue;
  return { type: FIELDS_TYPE, fields: record };
}
