// How a typed value reads in the Variables view, hovers and watches: numbers in decimal (pointers and
// registers in hex), chars with their glyph, enums by name, strings behind char pointers, and the
// children of structs, arrays and pointers for expanding.
import { DW_ATE } from './dwarf/constants.js';
import { resolveType, typeName } from './dwarf/types.js';
import { ExpressionError } from './expression/lexer.js';
import { fieldValue } from './expression/evaluator.js';
import { byteSize, describeType, floatValue, scalarBits, type EvalEnvironment, type Value } from './expression/value.js';

/** Most array elements listed as children, and most characters of a string preview. */
export const MAX_CHILDREN = 256, MAX_STRING = 80;

export interface DisplayedValue {
  /** The value as one line. */
  text: string;
  /** The C type ("struct point *"). */
  type: string;
  /** The value's children (members, elements, the pointee), when it has any. */
  children?: () => { name: string; value: Value }[];
  /** Linear address of the value, for memory references. */
  address?: number;
  /** Why the value could not be read (text then shows it in angle brackets). */
  error?: string;
}

/** Formats v; unreadable values become a text in angle brackets, never a throw. */
export function displayValue(v: Value, env: EvalEnvironment): DisplayedValue {
  const type = v.fields ? 'event fields' : v.text !== undefined ? 'string' : typeName(v.type);
  const address = v.place && v.place.space === 'linear' ? v.place.address : undefined;
  try {
    return { ...describe(v, env), type, address };
  } catch (error) {
    if (error instanceof ExpressionError) return { text: `<${error.message}>`, type, address, error: error.message };
    throw error;
  }
}

const hex = (n: bigint | number): string => `0x${BigInt.asUintN(32, BigInt(n)).toString(16).padStart(8, '0')}`;

function describe(v: Value, env: EvalEnvironment): Omit<DisplayedValue, 'type' | 'address'> {
  if (v.text !== undefined) return { text: JSON.stringify(v.text) };
  if (v.fields) {
    const fields = v.fields;
    const names = Object.keys(fields);
    return {
      text: `{${names.slice(0, 6).map((n) => `${n}: ${formatField(fields[n])}`).join(', ')}${names.length > 6 ? ', …' : ''}}`,
      children: () => names.map((name) => ({ name, value: fieldValue(fields[name]) })),
    };
  }
  const r = resolveType(v.type);
  switch (r.kind) {
    case 'base': {
      if (r.encoding === DW_ATE.float) return { text: String(floatValue(v, env)) };
      const bits = scalarBits(v, env);
      if (r.encoding === DW_ATE.boolean) return { text: bits !== 0n ? 'true' : 'false' };
      if (v.place?.space === 'register' || (v.place === undefined && r.name?.startsWith('uint32'))) return { text: hex(bits) };
      if (r.size === 1 && (r.encoding === DW_ATE.signed_char || r.encoding === DW_ATE.unsigned_char)) return { text: `${bits} ${charText(Number(bits))}` };
      return { text: bits.toString() };
    }
    case 'enum': {
      const bits = scalarBits(v, env);
      const name = r.enumerators?.find((e) => BigInt(e.value) === bits)?.name;
      return { text: name ?? bits.toString() };
    }
    case 'pointer': case 'reference': {
      const bits = scalarBits(v, env);
      const target = r.target ? resolveType(r.target) : undefined;
      const pointee = { name: '*', value: { type: r.target!, place: { space: 'linear' as const, address: Number(BigInt.asUintN(32, bits)) } } };
      if (bits === 0n) return { text: 'NULL' };
      if (target && target.kind === 'base' && target.size === 1) return { text: `${hex(bits)} ${stringPreview(Number(bits), env)}` };
      if (!target || target.kind === 'void' || target.kind === 'function') return { text: hex(bits) };
      return { text: hex(bits), children: () => [pointee] };
    }
    case 'struct': case 'union': case 'class': {
      const members = r.members ?? [];
      return {
        text: `{${members.slice(0, 4).map((m) => `${m.name ?? '…'} = ${brief(memberValue(v, m.offset, m.type), env)}`).join(', ')}${members.length > 4 ? ', …' : ''}}`,
        children: () => members.map((m, k) => ({ name: m.name ?? `<anonymous ${k}>`, value: memberValue(v, m.offset, m.type) })),
      };
    }
    case 'array': {
      const dims = r.dims ?? [];
      const count = dims[0]?.count;
      const element = dims.length > 1 ? { ...r, dims: dims.slice(1), size: undefined } : r.target!;
      const size = byteSize(element) ?? 1;
      const at = (k: number): Value => {
        if (!v.place || v.place.space === 'register') throw new ExpressionError('the array is not in memory');
        return { type: element, place: { space: v.place.space, address: (v.place.address + k * size) >>> 0 } };
      };
      const shown = Math.min(count ?? 0, MAX_CHILDREN);
      const elementResolved = resolveType(element);
      if (elementResolved.kind === 'base' && elementResolved.size === 1 && v.place?.space === 'linear') {
        return { text: stringPreview(v.place.address, env, count), children: () => range(shown).map((k) => ({ name: `[${k}]`, value: at(k) })) };
      }
      return {
        text: `[${count ?? '?'}] {${range(Math.min(shown, 6)).map((k) => brief(at(k), env)).join(', ')}${shown > 6 ? ', …' : ''}}`,
        children: () => range(shown).map((k) => ({ name: `[${k}]`, value: at(k) })),
      };
    }
    case 'function': return { text: v.place && v.place.space !== 'register' ? hex(v.place.address) : '<function>' };
    default: return { text: `<${describeType(v.type)}>` };
  }
}

function memberValue(v: Value, offset: number, type: Value['type']): Value {
  if (!v.place || v.place.space === 'register') throw new ExpressionError('the structure is not in memory');
  return { type, place: { space: v.place.space, address: (v.place.address + offset) >>> 0 } };
}

/** One short word for a value inside a preview. */
function brief(v: Value, env: EvalEnvironment): string {
  try {
    const r = resolveType(v.type);
    if (r.kind === 'struct' || r.kind === 'union' || r.kind === 'class') return '{…}';
    if (r.kind === 'array') return '[…]';
    return describe(v, env).text;
  } catch (error) {
    if (error instanceof ExpressionError) return '?';
    throw error;
  }
}

function range(n: number): number[] { return Array.from({ length: n }, (_, k) => k); }

function charText(c: number): string {
  const code = c & 0xFF;
  if (code >= 0x20 && code < 0x7F) return `'${String.fromCharCode(code)}'`;
  const escapes: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r' };
  return `'${escapes[code] ?? `\\x${code.toString(16).padStart(2, '0')}`}'`;
}

/** The C string at a linear address, quoted (stops at NUL, the limit or unreadable memory). */
function stringPreview(address: number, env: EvalEnvironment, limit = MAX_STRING): string {
  let text = '';
  for (let k = 0; k < Math.min(limit, MAX_STRING); k++) {
    let byte: number;
    try { byte = env.readMemory('linear', address + k, 1)[0]; } catch { return `${JSON.stringify(text)}…<unreadable>`; }
    if (byte === 0) return JSON.stringify(text);
    text += String.fromCharCode(byte);
  }
  return `${JSON.stringify(text)}…`;
}

function formatField(f: unknown): string {
  if (typeof f === 'number') return Number.isInteger(f) && f > 9 ? `0x${(f >>> 0).toString(16)}` : String(f);
  if (typeof f === 'string') return JSON.stringify(f);
  if (typeof f === 'bigint') return `0x${f.toString(16)}`;
  if (Array.isArray(f)) return `[${f.map(formatField).join(', ')}]`;
  if (f && typeof f === 'object') return '{…}';
  return String(f);
}
