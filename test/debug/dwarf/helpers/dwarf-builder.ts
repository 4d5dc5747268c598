// Hand-assembled DWARF for the unit tests: abbreviation tables, unit headers of each version, and the
// DWARF 5 side tables (.debug_str_offsets, .debug_addr, .debug_rnglists, .debug_loclists headers).
import { ByteWriter } from './writer.js';

export interface AbbrevSpec {
  code: number;
  tag: number;
  children?: boolean;
  attrs: [at: number, form: number, implicitConst?: number][];
}

export function abbrevTable(specs: AbbrevSpec[], w = new ByteWriter()): ByteWriter {
  for (const s of specs) {
    w.uleb(s.code).uleb(s.tag).u8(s.children ? 1 : 0);
    for (const [at, form, ic] of s.attrs) {
      w.uleb(at).uleb(form);
      if (ic !== undefined) w.sleb(ic);
    }
    w.u8(0, 0);
  }
  return w.u8(0);
}

export interface UnitSpec {
  version: number;
  abbrevOffset?: number;
  addressSize?: number;
  unitType?: number;          // DWARF 5
  is64?: boolean;
  typeSignature?: bigint;     // type units
  typeOffset?: number;        // type units: offset of the type DIE from the unit start
}

/** Appends one unit; body writes the DIEs. Returns the unit's offset. */
export function unit(w: ByteWriter, spec: UnitSpec, body: (w: ByteWriter) => void): number {
  const start = w.pos;
  let finish: () => void;
  if (spec.is64) {
    w.u32(0xFFFF_FFFF);
    const at = w.pos;
    w.u64(0);
    finish = () => { const len = w.pos - at - 8; const b = w; b.patch32(at, len); };
  } else finish = w.length32();
  const off = (v: number) => (spec.is64 ? w.u64(v) : w.u32(v));
  w.u16(spec.version);
  if (spec.version >= 5) {
    w.u8(spec.unitType ?? 1, spec.addressSize ?? 4);
    off(spec.abbrevOffset ?? 0);
  } else {
    off(spec.abbrevOffset ?? 0);
    w.u8(spec.addressSize ?? 4);
  }
  if (spec.typeSignature !== undefined) { w.u64(spec.typeSignature); off(spec.typeOffset ?? 0); }
  body(w);
  finish();
  return start;
}

/** A DWARF 5 section with the usual 8-byte header (.debug_str_offsets, .debug_addr), then entries. */
export function offsetsTable(entries: number[], entrySize = 4, kind: 'str_offsets' | 'addr' = 'str_offsets', addressSize = 4): Uint8Array {
  const w = new ByteWriter();
  const end = w.length32();
  w.u16(5);
  if (kind === 'addr') w.u8(addressSize, 0); else w.u16(0);
  for (const e of entries) {
    if (entrySize === 8) w.u64(e); else if (entrySize === 4) w.u32(e); else w.u16(e);
  }
  end();
  return w.finish();
}

/**
 * A .debug_rnglists/.debug_loclists section: 12-byte header, an offset table (offsets relative to the
 * end of the header, i.e. to the *_base value 12), then the lists written by writeList.
 */
export function listsTable(lists: ((w: ByteWriter) => void)[]): { bytes: Uint8Array; offsets: number[] } {
  const body = new ByteWriter();
  const rel: number[] = [];
  const tableSize = 4 * lists.length;
  for (const l of lists) { rel.push(tableSize + body.pos); l(body); }
  const w = new ByteWriter();
  const end = w.length32();
  w.u16(5).u8(4, 0).u32(lists.length);
  for (const r of rel) w.u32(r);
  w.bytes(body.finish());
  end();
  return { bytes: w.finish(), offsets: rel.map((r) => 12 + r) };
}
