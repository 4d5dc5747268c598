// The type graph: DWARF type DIEs (base, pointer/reference, struct/union/class with members and
// bit fields, array with subranges, enum with enumerators, typedef, const/volatile/restrict/atomic,
// subroutine types) turned into linked DwarfType objects, one per DIE (cycles through pointers are
// shared, not copied), and printed as C declarations ("const struct shape *", "int (*)(int)").
import { DW_AT, DW_FORM, DW_TAG } from './constants.js';
import { DwarfError } from './error.js';
import { evaluateValue } from './expression.js';
import type { Die, DwarfInfo } from './info.js';

export type TypeKind =
  | 'void' | 'base' | 'pointer' | 'reference' | 'struct' | 'union' | 'class' | 'array' | 'enum' | 'typedef'
  | 'const' | 'volatile' | 'restrict' | 'atomic' | 'function' | 'unspecified' | 'ptrToMember';

export interface Member {
  name?: string;             // absent for anonymous struct/union members
  type: DwarfType;
  offset: number;            // byte offset from the start of the enclosing struct
  bitSize?: number;          // bit fields only
  bitOffset?: number;        // bit fields: bits from the start of the struct (DW_AT_data_bit_offset)
  artificial?: boolean;
}

export interface Dimension {
  lower: number;             // C: 0
  count?: number;            // undefined: unknown (flexible or variable-length array)
}

export interface Enumerator { name: string; value: number | bigint }

export interface DwarfType {
  kind: TypeKind;
  offset: number;            // DIE offset (-1 for the implicit void)
  name?: string;
  size?: number;             // bytes
  encoding?: number;         // base types: DW_ATE_*
  target?: DwarfType;        // pointer/reference/typedef/qualifier target, array element, enum base, function return
  members?: Member[];        // struct/union/class
  dims?: Dimension[];        // array: outermost first
  enumerators?: Enumerator[];
  params?: DwarfType[];      // function
  variadic?: boolean;        // function
  declaration?: boolean;     // an incomplete (forward-declared) type
}

/** Types refer to types no deeper than this (deeper chains are malformed, and would exhaust the stack). */
const MAX_TYPE_DEPTH = 512;

export const VOID_TYPE: DwarfType = { kind: 'void', offset: -1, name: 'void' };

const QUALIFIERS: Partial<Record<number, TypeKind>> = {
  [DW_TAG.const_type]: 'const', [DW_TAG.volatile_type]: 'volatile', [DW_TAG.restrict_type]: 'restrict',
  [DW_TAG.atomic_type]: 'atomic',
};

/** Builds DwarfType objects for type DIEs on demand, memoised by DIE. */
export class TypeGraph {
  private readonly cache = new Map<Die, DwarfType>();
  private depth = 0;

  constructor(private readonly info: DwarfInfo) {}

  /** The type a DIE's DW_AT_type refers to (void when absent). */
  typeOfAttr(die: Die): DwarfType {
    const target = this.info.ref(die, DW_AT.type);
    return target ? this.typeOf(target) : VOID_TYPE;
  }

  /** The DwarfType of a type DIE. */
  typeOf(die: Die): DwarfType {
    const cached = this.cache.get(die);
    if (cached) return cached;
    if (this.depth >= MAX_TYPE_DEPTH) {
      throw new DwarfError(die.unit.section.name, die.offset, `type ${die.describe()} is nested more than ${MAX_TYPE_DEPTH} types deep`, die.unit.section.file);
    }
    this.depth++;
    try {
      return this.build(die);
    } catch (e) {
      this.cache.delete(die); // no half-built types left behind
      throw e;
    } finally {
      this.depth--;
    }
  }

  private build(die: Die): DwarfType {
    const t: DwarfType = { kind: 'unspecified', offset: die.offset, name: die.name };
    this.cache.set(die, t); // before the children: cycles (struct list { struct list *next; }) end here
    const size = die.num(DW_AT.byte_size);
    if (size !== undefined) t.size = size;
    if (die.flag(DW_AT.declaration)) t.declaration = true;
    const qualifier = QUALIFIERS[die.tag];
    switch (die.tag) {
      case DW_TAG.base_type:
        t.kind = 'base';
        t.encoding = die.num(DW_AT.encoding);
        break;
      case DW_TAG.unspecified_type:
        t.kind = die.name === 'void' ? 'void' : 'unspecified';
        break;
      case DW_TAG.pointer_type: case DW_TAG.reference_type: case DW_TAG.rvalue_reference_type:
        t.kind = die.tag === DW_TAG.pointer_type ? 'pointer' : 'reference';
        t.target = this.typeOfAttr(die);
        t.size ??= die.unit.addressSize;
        break;
      case DW_TAG.ptr_to_member_type:
        t.kind = 'ptrToMember';
        t.target = this.typeOfAttr(die);
        break;
      case DW_TAG.typedef:
        t.kind = 'typedef';
        t.target = this.typeOfAttr(die);
        break;
      case DW_TAG.structure_type: case DW_TAG.union_type: case DW_TAG.class_type:
        t.kind = die.tag === DW_TAG.structure_type ? 'struct' : die.tag === DW_TAG.union_type ? 'union' : 'class';
        t.members = this.members(die);
        break;
      case DW_TAG.array_type:
        t.kind = 'array';
        t.target = this.typeOfAttr(die);
        t.dims = die.children.filter((c) => c.tag === DW_TAG.subrange_type || c.tag === DW_TAG.enumeration_type)
          .map((c) => this.dimension(c));
        if (t.dims.length === 0) t.dims.push({ lower: 0 });
        if (t.size === undefined) {
          const n = t.dims.reduce<number | undefined>((acc, d) => (acc === undefined || d.count === undefined ? undefined : acc * d.count), 1);
          const elem = sizeOf(t.target);
          if (n !== undefined && elem !== undefined) t.size = n * elem;
        }
        break;
      case DW_TAG.enumeration_type:
        t.kind = 'enum';
        if (die.has(DW_AT.type)) t.target = this.typeOfAttr(die);
        t.enumerators = die.children.filter((c) => c.tag === DW_TAG.enumerator).map((c) => ({
          name: c.name ?? '', value: enumValue(c),
        }));
        break;
      case DW_TAG.subroutine_type:
        t.kind = 'function';
        t.target = this.typeOfAttr(die);
        t.params = die.children.filter((c) => c.tag === DW_TAG.formal_parameter).map((c) => this.typeOfAttr(c));
        t.variadic = die.children.some((c) => c.tag === DW_TAG.unspecified_parameters);
        break;
      default:
        if (qualifier) {
          t.kind = qualifier;
          t.target = this.typeOfAttr(die);
          if (t.size === undefined) t.size = sizeOf(t.target);
          break;
        }
        throw new DwarfError(die.unit.section.name, die.offset, `${die.describe()} is not a type`, die.unit.section.file);
    }
    return t;
  }

  private members(die: Die): Member[] {
    const out: Member[] = [];
    for (const c of die.children) {
      if (c.tag !== DW_TAG.member && c.tag !== DW_TAG.inheritance) continue;
      if (c.flag(DW_AT.external) || c.flag(DW_AT.declaration)) continue; // C++ static members have no offset
      const type = this.typeOfAttr(c);
      const m: Member = { type, offset: 0 };
      const name = c.name ?? (c.tag === DW_TAG.inheritance ? `<base ${typeName(type)}>` : undefined);
      if (name !== undefined) m.name = name;
      if (c.flag(DW_AT.artificial)) m.artificial = true;
      const loc = c.attr(DW_AT.data_member_location);
      let byteOffset = 0;
      if (loc) {
        if (loc.cls === 'block') {
          // DWARF 2 style: an expression applied to the struct's address (usually DW_OP_plus_uconst N)
          byteOffset = Number(evaluateValue(loc.value as Uint8Array, { addressSize: die.unit.addressSize, initialStack: [0] },
            { section: die.unit.section.name, offset: loc.offset, file: die.unit.section.file }));
        } else if (typeof loc.value === 'number') byteOffset = loc.value;
      }
      const bitSize = c.num(DW_AT.bit_size);
      const dataBitOffset = c.num(DW_AT.data_bit_offset);
      if (dataBitOffset !== undefined) { // DWARF 4+: bits from the start of the struct
        m.offset = Math.floor(dataBitOffset / 8);
        if (bitSize !== undefined) { m.bitSize = bitSize; m.bitOffset = dataBitOffset; }
        else m.offset = dataBitOffset / 8;
      } else if (bitSize !== undefined) {
        m.bitSize = bitSize;
        const oldBitOffset = c.num(DW_AT.bit_offset);
        if (oldBitOffset !== undefined) {
          // DWARF 2/3: DW_AT_bit_offset counts from the most significant bit of a storage unit of
          // DW_AT_byte_size bytes at the member's byte offset (little-endian target).
          const storage = c.num(DW_AT.byte_size) ?? sizeOf(type) ?? 4;
          m.bitOffset = byteOffset * 8 + storage * 8 - oldBitOffset - bitSize;
        } else m.bitOffset = byteOffset * 8;
        m.offset = Math.floor(m.bitOffset / 8);
      } else m.offset = byteOffset;
      out.push(m);
    }
    return out;
  }

  private dimension(c: Die): Dimension {
    if (c.tag === DW_TAG.enumeration_type) { // array indexed by an enum
      const t = this.typeOf(c);
      return { lower: 0, count: t.enumerators?.length };
    }
    const lower = c.num(DW_AT.lower_bound) ?? 0;
    const countAttr = c.attr(DW_AT.count);
    if (countAttr && countAttr.cls === 'constant') return { lower, count: c.num(DW_AT.count) };
    const upper = c.attr(DW_AT.upper_bound);
    if (upper && upper.cls === 'constant') {
      // data forms are unsigned: an all-ones upper bound means "no elements" (int x[0])
      const u = c.num(DW_AT.upper_bound);
      const allOnes = u === undefined || (upper.form !== DW_FORM.sdata && u === 0xFFFF_FFFF);
      return { lower, count: allOnes ? 0 : Math.max(0, u - lower + 1) };
    }
    return { lower }; // unknown: flexible array member or a runtime bound
  }
}

function enumValue(c: Die): number | bigint {
  const a = c.attr(DW_AT.const_value);
  if (!a) return 0;
  if (typeof a.value === 'number' || typeof a.value === 'bigint') return a.value;
  if (a.value instanceof Uint8Array) { // data16 or a block: little-endian
    let v = 0n;
    for (let k = a.value.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(a.value[k]);
    return v;
  }
  return 0;
}

/** Byte size of a type, looking through typedefs and qualifiers; undefined when unknown. */
export function sizeOf(t: DwarfType | undefined): number | undefined {
  for (let k = 0; t && k < 64; k++) {
    if (t.size !== undefined) return t.size;
    if (t.kind === 'void') return undefined;
    if (t.kind === 'typedef' || t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'atomic') t = t.target;
    else return undefined;
  }
  return undefined;
}

/** Strips typedefs and qualifiers. */
export function resolveType(t: DwarfType): DwarfType {
  for (let k = 0; k < 64; k++) {
    if ((t.kind === 'typedef' || t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'atomic') && t.target) t = t.target;
    else return t;
  }
  return t;
}

/** The type as C writes it: "unsigned int", "const struct shape *", "u8 [2][3]", "int (*)(const struct shape *)". */
export function typeName(t: DwarfType): string {
  return declare(t, '', 0);
}

function declare(t: DwarfType | undefined, inner: string, depth: number): string {
  const sp = (s: string) => (s ? ` ${s}` : '');
  if (!t) return `void${sp(inner)}`;
  if (depth > 32) return `…${sp(inner)}`;
  const wrap = (target: DwarfType | undefined, s: string) =>
    target && (target.kind === 'array' || target.kind === 'function') ? `(${s})` : s;
  switch (t.kind) {
    case 'void': return `void${sp(inner)}`;
    case 'base': case 'typedef': case 'unspecified': return `${t.name ?? '?'}${sp(inner)}`;
    case 'struct': case 'union': case 'class': case 'enum':
      return `${t.kind} ${t.name ?? '{...}'}${sp(inner)}`;
    case 'pointer': return declare(t.target, wrap(t.target, `*${inner}`), depth + 1);
    case 'reference': return declare(t.target, wrap(t.target, `&${inner}`), depth + 1);
    case 'ptrToMember': return declare(t.target, `::*${inner}`, depth + 1);
    case 'const': case 'volatile': case 'restrict': case 'atomic': {
      const q = t.kind === 'atomic' ? '_Atomic' : t.kind;
      const target = t.target;
      if (target && target.kind === 'pointer') { // "char *const p": the qualifier binds to the pointer
        return declare(target.target, wrap(target.target, `*${q}${sp(inner)}`), depth + 1);
      }
      return `${q} ${declare(target, inner, depth + 1)}`;
    }
    case 'array': {
      const dims = (t.dims ?? []).map((d) => `[${d.count ?? ''}]`).join('');
      return declare(t.target, `${inner}${dims}`, depth + 1);
    }
    case 'function': {
      const params = (t.params ?? []).map((p) => typeName(p));
      if (t.variadic) params.push('...');
      return declare(t.target, `${inner}(${params.length ? params.join(', ') : 'void'})`, depth + 1);
    }
  }
}

