// Values of the expression language: a DWARF type plus where the value lives (memory by linear or
// physical address, a register) or its computed bits; the built-in C types; reading scalars.
import { DW_ATE } from '../dwarf/constants.js';
import { resolveType, type DwarfType } from '../dwarf/types.js';
import { ExpressionError } from './lexer.js';

/** Where an lvalue lives. */
export type Place =
  | { space: 'linear' | 'physical'; address: number }
  | { space: 'register'; name: string };

/** A decoded event field: numbers, strings, lists and records (`args.cmd`). */
export type FieldValue = number | bigint | string | boolean | undefined | readonly FieldValue[] | { readonly [key: string]: FieldValue };

export interface Value {
  type: DwarfType;
  /** Where it lives, for lvalues (readable, assignable, addressable when in memory). */
  place?: Place;
  /** The bits of a computed scalar (integer, pointer, enum, bool), two's complement. */
  bits?: bigint;
  /** A computed floating-point value. */
  float?: number;
  /** A string literal or a decoded string field. */
  text?: string;
  /** A record of decoded event fields. */
  fields?: { readonly [key: string]: FieldValue };
}

/** What evaluation needs from the stopped machine and the debuggee's symbols. */
export interface EvalEnvironment {
  /** size bytes at an address; throws ExpressionError when they cannot be read. */
  readMemory(space: 'linear' | 'physical', address: number, size: number): Uint8Array;
  /** A register by lower-case name (eax, ax, al, eip, eflags, cs, cr0 …), or undefined. */
  register(name: string): Value | undefined;
  /** A variable, symbol or event field by name, or undefined. */
  lookup(name: string): Value | undefined;
  /** A type by C name ("struct point", "uint32_t"), or undefined. */
  findType(name: string): DwarfType | undefined;
}

const base = (name: string, size: number, encoding: number): DwarfType => ({ kind: 'base', offset: -1, name, size, encoding });

/** The C types every expression knows, whatever the debuggee declares. */
export const BUILTIN_TYPES: ReadonlyMap<string, DwarfType> = new Map([
  ['char', base('char', 1, DW_ATE.signed_char)], ['signed char', base('signed char', 1, DW_ATE.signed_char)],
  ['unsigned char', base('unsigned char', 1, DW_ATE.unsigned_char)], ['short', base('short', 2, DW_ATE.signed)],
  ['unsigned short', base('unsigned short', 2, DW_ATE.unsigned)], ['int', base('int', 4, DW_ATE.signed)],
  ['unsigned', base('unsigned int', 4, DW_ATE.unsigned)], ['unsigned int', base('unsigned int', 4, DW_ATE.unsigned)],
  ['long', base('long', 4, DW_ATE.signed)], ['unsigned long', base('unsigned long', 4, DW_ATE.unsigned)],
  ['long long', base('long long', 8, DW_ATE.signed)], ['unsigned long long', base('unsigned long long', 8, DW_ATE.unsigned)],
  ['_Bool', base('_Bool', 1, DW_ATE.boolean)], ['float', base('float', 4, DW_ATE.float)], ['double', base('double', 8, DW_ATE.float)],
  ['int8_t', base('int8_t', 1, DW_ATE.signed)], ['uint8_t', base('uint8_t', 1, DW_ATE.unsigned)],
  ['int16_t', base('int16_t', 2, DW_ATE.signed)], ['uint16_t', base('uint16_t', 2, DW_ATE.unsigned)],
  ['int32_t', base('int32_t', 4, DW_ATE.signed)], ['uint32_t', base('uint32_t', 4, DW_ATE.unsigned)],
  ['int64_t', base('int64_t', 8, DW_ATE.signed)], ['uint64_t', base('uint64_t', 8, DW_ATE.unsigned)],
  ['void', { kind: 'void', offset: -1, name: 'void' }],
]);

export const INT = BUILTIN_TYPES.get('int')!;
export const UINT32 = BUILTIN_TYPES.get('uint32_t')!;
export const UINT64 = BUILTIN_TYPES.get('uint64_t')!;
export const INT64 = BUILTIN_TYPES.get('int64_t')!;
export const DOUBLE = BUILTIN_TYPES.get('double')!;
export const STRING_TYPE: DwarfType = { kind: 'unspecified', offset: -1, name: 'string' };
export const FIELDS_TYPE: DwarfType = { kind: 'unspecified', offset: -1, name: 'fields' };

/** A pointer to target. */
export function pointerTo(target: DwarfType): DwarfType { return { kind: 'pointer', offset: -1, size: 4, target }; }

/** True for types whose values are single numbers (integers, bools, enums, pointers). */
export function isIntegral(t: DwarfType): boolean {
  const r = resolveType(t);
  return (r.kind === 'base' && r.encoding !== DW_ATE.float) || r.kind === 'enum' || r.kind === 'pointer' || r.kind === 'reference';
}

export function isFloat(t: DwarfType): boolean { const r = resolveType(t); return r.kind === 'base' && r.encoding === DW_ATE.float; }

export function isSigned(t: DwarfType): boolean {
  const r = resolveType(t);
  if (r.kind === 'enum') return r.target ? isSigned(r.target) : true;
  return r.kind === 'base' && (r.encoding === DW_ATE.signed || r.encoding === DW_ATE.signed_char);
}

/** Byte size of a resolved type (arrays: element size × counts), or undefined when unknown. */
export function byteSize(t: DwarfType): number | undefined {
  const r = resolveType(t);
  if (r.kind === 'array') {
    if (r.size !== undefined) return r.size;
    const element = r.target ? byteSize(r.target) : undefined;
    if (element === undefined || !r.dims) return undefined;
    let n = element;
    for (const d of r.dims) { if (d.count === undefined) return undefined; n *= d.count; }
    return n;
  }
  if (r.kind === 'pointer' || r.kind === 'reference') return r.size ?? 4;
  if (r.kind === 'enum') return r.size ?? (r.target ? byteSize(r.target) : 4);
  return r.size;
}

/** bits truncated to size bytes, sign-extended when signed. */
export function fitBits(bits: bigint, size: number, signed: boolean): bigint {
  const width = BigInt(size * 8);
  return signed ? BigInt.asIntN(Number(width), bits) : BigInt.asUintN(Number(width), bits);
}

/** Little-endian bytes as an unsigned bigint. */
export function bytesToBits(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let k = bytes.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]);
  return v;
}

/** The scalar content of an integral value (read from its place when needed). */
export function scalarBits(v: Value, env: EvalEnvironment): bigint {
  if (v.bits !== undefined) return v.bits;
  if (v.float !== undefined) return BigInt(Math.trunc(v.float));
  if (!isIntegral(v.type)) throw new ExpressionError(`a ${describeType(v.type)} is not a number`);
  const size = byteSize(v.type) ?? 4;
  if (!v.place) throw new ExpressionError('the value has no content');
  if (v.place.space === 'register') {
    const reg = env.register(v.place.name);
    if (!reg || reg.bits === undefined) throw new ExpressionError(`register ${v.place.name} is not available`);
    return fitBits(reg.bits, size, isSigned(v.type));
  }
  return fitBits(bytesToBits(env.readMemory(v.place.space, v.place.address, size)), size, isSigned(v.type));
}

/** The floating-point content of a float value. */
export function floatValue(v: Value, env: EvalEnvironment): number {
  if (v.float !== undefined) return v.float;
  if (!isFloat(v.type)) return Number(scalarBits(v, env));
  if (!v.place || v.place.space === 'register') throw new ExpressionError('the floating-point value has no content');
  const size = byteSize(v.type) ?? 8;
  const view = new DataView(env.readMemory(v.place.space, v.place.address, size).slice().buffer);
  return size === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
}

/** A short C-like name of a type for messages. */
export function describeType(t: DwarfType): string {
  const r = resolveType(t);
  if (r.kind === 'pointer') return `${r.target ? describeType(r.target) : 'void'} *`;
  return (t.name ?? r.name) ? `${r.kind === 'struct' || r.kind === 'union' || r.kind === 'enum' ? `${r.kind} ` : ''}${t.name ?? r.name}` : r.kind;
}
