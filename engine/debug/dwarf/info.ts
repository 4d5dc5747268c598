// .debug_info (and DWARF 4 .debug_types): unit headers of DWARF 2-5 and the tree of debugging
// information entries (DIEs) of each unit, with every attribute decoded into its DWARF class
// (address, string, constant, block, flag, reference, section offset). Indirect forms are resolved
// here: strx through .debug_str_offsets, addrx through .debug_addr, rnglistx/loclistx through the
// offset tables of .debug_rnglists/.debug_loclists, strp/line_strp through .debug_str/.debug_line_str.
import { readAbbrevTable, type AbbrevTable } from './abbrev.js';
import { DW_AT, DW_FORM, DW_UT, attrName, formName, tagName } from './constants.js';
import { DwarfError, hexOf } from './error.js';
import { DwarfReader, stringAt, type Section } from './reader.js';
import type { DwarfSections } from './sections.js';

/** The DWARF class of a decoded attribute value. */
export type AttrClass = 'address' | 'block' | 'constant' | 'flag' | 'reference' | 'signature' | 'string' | 'secoffset';

export interface Attr {
  at: number;                                  // DW_AT_*
  form: number;                                // DW_FORM_* as written (after DW_FORM_indirect)
  cls: AttrClass;
  value: number | bigint | string | boolean | Uint8Array;
  offset: number;                              // where the value is in its section (for errors)
}

export class Die {
  parent: Die | undefined;
  readonly children: Die[] = [];
  constructor(readonly unit: Unit, readonly offset: number, readonly tag: number, readonly attrs: Attr[]) {}

  attr(at: number): Attr | undefined {
    for (const a of this.attrs) if (a.at === at) return a;
    return undefined;
  }
  has(at: number): boolean { return this.attr(at) !== undefined; }

  /** A string attribute's value (undefined when absent or of another class). */
  str(at: number): string | undefined {
    const a = this.attr(at);
    return a && a.cls === 'string' ? a.value as string : undefined;
  }
  /** A constant, address or section offset as a number (bigints that fit are converted). */
  num(at: number): number | undefined {
    const a = this.attr(at);
    if (!a) return undefined;
    if (typeof a.value === 'number') return a.value;
    if (typeof a.value === 'bigint' && a.value >= BigInt(Number.MIN_SAFE_INTEGER) && a.value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(a.value);
    if (typeof a.value === 'boolean') return a.value ? 1 : 0;
    return undefined;
  }
  /** A flag (true for DW_FORM_flag_present). */
  flag(at: number): boolean {
    const a = this.attr(at);
    return a !== undefined && (a.value === true || (typeof a.value === 'number' && a.value !== 0));
  }
  get name(): string | undefined { return this.str(DW_AT.name); }
  get tagName(): string { return tagName(this.tag); }

  /** A readable location for error messages: ".debug_info DIE 0x2c (DW_TAG_variable)". */
  describe(): string { return `DIE ${hexOf(this.offset)} (${tagName(this.tag)})`; }
}

export interface Unit {
  section: Section;            // .debug_info or .debug_types
  offset: number;              // offset of the unit header
  end: number;                 // offset of the next unit
  version: number;             // 2..5
  unitType: number;            // DW_UT_* (DWARF 4 and older: compile, or type for .debug_types)
  is64: boolean;               // 64-bit DWARF format
  addressSize: number;
  abbrevOffset: number;
  typeSignature?: bigint;      // type units
  typeOffset?: number;         // type units: absolute offset of the type DIE
  dwoId?: bigint;              // skeleton and split units
  root: Die | undefined;       // the unit DIE (undefined for an empty unit)
  /** DW_AT_str_offsets_base and friends, with the DWARF 5 defaults. */
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  loclistsBase: number;
  /** The base address for location and range lists: the unit's DW_AT_low_pc (0 when absent). */
  baseAddress: number;
  /** Every DIE of the unit by offset. */
  dies: Map<number, Die>;
}

/** Parses every unit of .debug_info (and .debug_types) and resolves their indirect forms. */
export class DwarfInfo {
  readonly units: Unit[] = [];
  private readonly abbrevCache = new Map<number, AbbrevTable>();
  private readonly bySignature = new Map<bigint, Unit>();

  constructor(readonly sections: DwarfSections) {
    for (const section of [sections.info, sections.types]) {
      const r = new DwarfReader(section);
      while (!r.atEnd) {
        const unit = this.readUnit(r, section === sections.types);
        this.units.push(unit);
        if (unit.typeSignature !== undefined) this.bySignature.set(unit.typeSignature, unit);
        r.seek(unit.end);
      }
    }
  }

  /** The DIE at an absolute offset in .debug_info (or in the given unit's section). */
  dieAt(offset: number, section: Section = this.sections.info): Die | undefined {
    const unit = this.unitAt(offset, section);
    return unit?.dies.get(offset);
  }

  /** The unit whose bytes contain offset (units are stored in section order). */
  unitAt(offset: number, section: Section = this.sections.info): Unit | undefined {
    let lo = 0, hi = this.units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, u = this.units[mid];
      if (u.section !== section) { // .debug_types units follow the .debug_info ones
        if (section === this.sections.info) hi = mid - 1; else lo = mid + 1;
      } else if (offset < u.offset) hi = mid - 1;
      else if (offset >= u.end) lo = mid + 1;
      else return u;
    }
    return undefined;
  }

  /** The DIE a reference attribute points to; throws when it points nowhere. */
  ref(die: Die, at: number): Die | undefined {
    const a = die.attr(at);
    if (!a) return undefined;
    let target: Die | undefined;
    if (a.cls === 'signature') {
      const unit = this.bySignature.get(a.value as bigint);
      target = unit && unit.typeOffset !== undefined ? unit.dies.get(unit.typeOffset) : undefined;
      if (!target) throw new DwarfError(die.unit.section.name, a.offset, `${attrName(at)} of ${die.describe()}: no type unit has signature ${hexOf(a.value as bigint)}`, die.unit.section.file);
      return target;
    }
    if (a.cls !== 'reference') return undefined;
    const section = a.form === DW_FORM.ref_addr ? this.sections.info : die.unit.section;
    target = this.dieAt(a.value as number, section);
    if (!target) {
      throw new DwarfError(die.unit.section.name, a.offset, `${attrName(at)} of ${die.describe()} refers to ${hexOf(a.value as number)}, which is not the start of a DIE`, die.unit.section.file);
    }
    return target;
  }

  private abbrevs(offset: number): AbbrevTable {
    let t = this.abbrevCache.get(offset);
    if (!t) { t = readAbbrevTable(this.sections.abbrev, offset); this.abbrevCache.set(offset, t); }
    return t;
  }

  private readUnit(r: DwarfReader, inTypes: boolean): Unit {
    const start = r.pos;
    const { length, is64 } = r.initialLength();
    const end = r.pos + length;
    if (end > r.end) throw r.error(`unit length ${hexOf(length)} runs past the end of the section (size ${hexOf(r.end)})`, start);
    const u = r.sub(r.pos, end);
    const version = u.u16();
    if (version < 2 || version > 5) throw u.error(`unsupported DWARF version ${version} in the unit header (2 to 5 are supported)`, u.pos - 2);
    let unitType: number = inTypes ? DW_UT.type : DW_UT.compile;
    let addressSize: number, abbrevOffset: number;
    if (version >= 5) {
      unitType = u.u8();
      addressSize = u.u8();
      abbrevOffset = u.offset(is64);
    } else {
      abbrevOffset = u.offset(is64);
      addressSize = u.u8();
    }
    if (![1, 2, 4, 8].includes(addressSize)) throw u.error(`unsupported address size ${addressSize} in the unit header`, version >= 5 ? start + (is64 ? 12 : 4) + 3 : u.pos - 1);
    const unit: Unit = {
      section: r.section, offset: start, end, version, unitType, is64, addressSize, abbrevOffset, root: undefined,
      strOffsetsBase: is64 ? 16 : 8, addrBase: 8, rnglistsBase: is64 ? 20 : 12, loclistsBase: is64 ? 20 : 12,
      baseAddress: 0, dies: new Map(),
    };
    if (unitType === DW_UT.type || unitType === DW_UT.split_type) {
      unit.typeSignature = u.u64Big();
      unit.typeOffset = start + u.offset(is64);
    } else if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) {
      unit.dwoId = u.u64Big();
    } else if (unitType !== DW_UT.compile && unitType !== DW_UT.partial) {
      throw u.error(`unknown unit type ${unitType} (DW_UT_*)`, start + (is64 ? 12 : 4) + 2);
    }
    if (abbrevOffset >= this.sections.abbrev.bytes.length) {
      throw u.error(`abbreviation offset ${hexOf(abbrevOffset)} is outside ${this.sections.abbrev.name} (size ${hexOf(this.sections.abbrev.bytes.length)})`, start + (is64 ? 12 : 4) + (version >= 5 ? 4 : 2));
    }
    this.readDies(u, unit, this.abbrevs(abbrevOffset));
    return unit;
  }

  private readDies(r: DwarfReader, unit: Unit, abbrevs: AbbrevTable): void {
    const stack: Die[] = [];
    while (!r.atEnd) {
      const at = r.pos;
      const code = r.uleb();
      if (code === 0) { // end of a sibling chain (or padding after the unit DIE)
        stack.pop();
        continue;
      }
      const abbrev = abbrevs.get(code);
      if (!abbrev) throw r.error(`abbreviation code ${code} is not in the abbreviation table at ${hexOf(unit.abbrevOffset)}`, at);
      const raw: Attr[] = [];
      for (const spec of abbrev.attrs) raw.push(readAttr(r, unit, spec.at, spec.form, spec.implicitConst));
      const die = new Die(unit, at, abbrev.tag, raw);
      if (!unit.root) {
        unit.root = die;
        this.setBases(unit, die);
      }
      for (let k = 0; k < raw.length; k++) raw[k] = this.resolve(unit, raw[k]);
      if (unit.root === die) {
        const low = die.attr(DW_AT.low_pc);
        if (low && low.cls === 'address') unit.baseAddress = low.value as number;
      }
      unit.dies.set(at, die);
      const parent = stack[stack.length - 1];
      if (parent) { die.parent = parent; parent.children.push(die); }
      else if (unit.root !== die) throw r.error(`${die.describe()} follows the end of the unit DIE's children`, at);
      if (abbrev.hasChildren) stack.push(die);
    }
  }

  private setBases(unit: Unit, root: Die): void {
    const base = (at: number, alt?: number): number | undefined => {
      const a = root.attr(at) ?? (alt === undefined ? undefined : root.attr(alt));
      return a && typeof a.value === 'number' ? a.value : undefined;
    };
    unit.strOffsetsBase = base(DW_AT.str_offsets_base) ?? unit.strOffsetsBase;
    unit.addrBase = base(DW_AT.addr_base, DW_AT.GNU_addr_base) ?? unit.addrBase;
    unit.rnglistsBase = base(DW_AT.rnglists_base) ?? unit.rnglistsBase;
    unit.loclistsBase = base(DW_AT.loclists_base) ?? unit.loclistsBase;
  }

  /** Turns index and offset forms into the strings, addresses and absolute offsets they stand for. */
  private resolve(unit: Unit, a: Attr): Attr {
    const s = this.sections;
    const from = () => `${formName(a.form)} of ${attrName(a.at)} at ${unit.section.name} offset ${hexOf(a.offset)}`;
    switch (a.form) {
      case DW_FORM.strp: return { ...a, value: stringAt(s.str, a.value as number, from()) };
      case DW_FORM.line_strp: return { ...a, value: stringAt(s.lineStr, a.value as number, from()) };
      case DW_FORM.strx: case DW_FORM.strx1: case DW_FORM.strx2: case DW_FORM.strx3: case DW_FORM.strx4:
      case DW_FORM.GNU_str_index: {
        const size = unit.is64 ? 8 : 4;
        const r = new DwarfReader(s.strOffsets);
        const pos = unit.strOffsetsBase + (a.value as number) * size;
        if (pos + size > s.strOffsets.bytes.length) throw r.error(`string index ${a.value} (${from()}) is past the end of the section (size ${hexOf(s.strOffsets.bytes.length)})`, Math.min(pos, s.strOffsets.bytes.length));
        r.seek(pos);
        return { ...a, value: stringAt(s.str, r.offset(unit.is64), from()) };
      }
      case DW_FORM.addrx: case DW_FORM.addrx1: case DW_FORM.addrx2: case DW_FORM.addrx3: case DW_FORM.addrx4:
      case DW_FORM.GNU_addr_index:
        return { ...a, value: readIndexedAddress(s.addr, unit, a.value as number, from()) };
      case DW_FORM.rnglistx: return { ...a, value: readListOffset(s.rnglists, unit.rnglistsBase, unit, a.value as number, from()) };
      case DW_FORM.loclistx: return { ...a, value: readListOffset(s.loclists, unit.loclistsBase, unit, a.value as number, from()) };
      default: return a;
    }
  }
}

/** The address at index in .debug_addr for a unit (DW_FORM_addrx*, DW_OP_addrx, DW_LLE_*x). */
export function readIndexedAddress(addr: Section, unit: Unit, index: number, from: string): number {
  const r = new DwarfReader(addr);
  const pos = unit.addrBase + index * unit.addressSize;
  if (pos + unit.addressSize > addr.bytes.length) {
    throw r.error(`address index ${index} (${from}) is past the end of the section (size ${hexOf(addr.bytes.length)})`, Math.min(pos, addr.bytes.length));
  }
  r.seek(pos);
  return r.address(unit.addressSize);
}

/** The absolute offset of list number index in .debug_rnglists/.debug_loclists (offsets are relative to base). */
function readListOffset(section: Section, base: number, unit: Unit, index: number, from: string): number {
  const size = unit.is64 ? 8 : 4;
  const r = new DwarfReader(section);
  const pos = base + index * size;
  if (pos + size > section.bytes.length) throw r.error(`list index ${index} (${from}) is past the end of the section (size ${hexOf(section.bytes.length)})`, Math.min(pos, section.bytes.length));
  r.seek(pos);
  return base + r.offset(unit.is64);
}

/** Reads one attribute value of the given form (the raw value: indexes and offsets are resolved later). */
function readAttr(r: DwarfReader, unit: Unit, at: number, form: number, implicitConst?: number): Attr {
  const offset = r.pos;
  const make = (cls: AttrClass, value: Attr['value']): Attr => ({ at, form, cls, value, offset });
  switch (form) {
    case DW_FORM.addr: return make('address', r.address(unit.addressSize));
    case DW_FORM.addrx: case DW_FORM.GNU_addr_index: return make('address', r.uleb());
    case DW_FORM.addrx1: return make('address', r.u8());
    case DW_FORM.addrx2: return make('address', r.u16());
    case DW_FORM.addrx3: return make('address', r.u24());
    case DW_FORM.addrx4: return make('address', r.u32());
    case DW_FORM.block1: return make('block', r.block(r.u8()));
    case DW_FORM.block2: return make('block', r.block(r.u16()));
    case DW_FORM.block4: return make('block', r.block(r.u32()));
    case DW_FORM.block: case DW_FORM.exprloc: return make('block', r.block(r.uleb()));
    case DW_FORM.data1: return make('constant', r.u8());
    case DW_FORM.data2: return make('constant', r.u16());
    case DW_FORM.data4: return make('constant', r.u32());
    case DW_FORM.data8: {
      const v = r.u64Big();
      return make('constant', v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
    }
    case DW_FORM.data16: return make('constant', r.block(16));
    case DW_FORM.sdata: {
      const v = r.slebBig();
      return make('constant', v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
    }
    case DW_FORM.udata: {
      const v = r.ulebBig();
      return make('constant', v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
    }
    case DW_FORM.implicit_const: return make('constant', implicitConst ?? 0);
    case DW_FORM.flag: return make('flag', r.u8() !== 0);
    case DW_FORM.flag_present: return make('flag', true);
    case DW_FORM.string: return make('string', r.cstr());
    case DW_FORM.strp: case DW_FORM.line_strp: return make('string', r.offset(unit.is64));
    case DW_FORM.strx: case DW_FORM.GNU_str_index: return make('string', r.uleb());
    case DW_FORM.strx1: return make('string', r.u8());
    case DW_FORM.strx2: return make('string', r.u16());
    case DW_FORM.strx3: return make('string', r.u24());
    case DW_FORM.strx4: return make('string', r.u32());
    case DW_FORM.ref1: return make('reference', unit.offset + r.u8());
    case DW_FORM.ref2: return make('reference', unit.offset + r.u16());
    case DW_FORM.ref4: return make('reference', unit.offset + r.u32());
    case DW_FORM.ref8: return make('reference', unit.offset + r.u64('reference'));
    case DW_FORM.ref_udata: return make('reference', unit.offset + r.uleb());
    case DW_FORM.ref_addr: return make('reference', unit.version <= 2 ? r.address(unit.addressSize) : r.offset(unit.is64));
    case DW_FORM.ref_sig8: return make('signature', r.u64Big());
    case DW_FORM.sec_offset: return make('secoffset', r.offset(unit.is64));
    case DW_FORM.loclistx: case DW_FORM.rnglistx: return make('secoffset', r.uleb());
    case DW_FORM.indirect: {
      const actual = r.uleb();
      if (actual === DW_FORM.indirect || actual === DW_FORM.implicit_const) throw r.error(`DW_FORM_indirect names ${formName(actual)}, which cannot be used indirectly`, offset);
      return readAttr(r, unit, at, actual);
    }
    case DW_FORM.strp_sup: case DW_FORM.ref_sup4: case DW_FORM.ref_sup8: case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt:
      throw r.error(`${formName(form)} (${attrName(at)}) refers to a supplementary object file (dwz), which is not supported`, offset);
    default:
      throw r.error(`unknown attribute form ${hexOf(form)} (${attrName(at)})`, offset);
  }
}
