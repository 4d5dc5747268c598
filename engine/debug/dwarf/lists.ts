// Address range lists (.debug_ranges of DWARF 2-4, .debug_rnglists of DWARF 5) and location lists
// (.debug_loc, .debug_loclists): each decoded into absolute [low, high) address ranges, location
// entries carrying the DWARF expression that holds in their range.
import { DW_LLE, DW_RLE } from './constants.js';
import { hexOf } from './error.js';
import { readIndexedAddress, type Unit } from './info.js';
import { DwarfReader, type Section } from './reader.js';
import type { DwarfSections } from './sections.js';

/** Addresses low <= a < high. */
export interface AddressRange { low: number; high: number }

/** One entry of a location list: the expression describes the object for pc in [low, high). */
export interface LocationEntry {
  low: number;
  high: number;
  expr: Uint8Array;
  isDefault?: boolean;   // DW_LLE_default_location: applies where no other entry does
}

const maxAddress = (size: number) => size >= 8 ? Number.MAX_SAFE_INTEGER : 2 ** (size * 8) - 1;

function startReader(section: Section, offset: number, what: string): DwarfReader {
  const r = new DwarfReader(section);
  if (offset < 0 || offset >= section.bytes.length) {
    throw r.error(`${what} offset ${hexOf(offset)} is outside the section (size ${hexOf(section.bytes.length)})`, Math.max(0, Math.min(offset, section.bytes.length)));
  }
  r.seek(offset);
  return r;
}

/** The ranges of a DW_AT_ranges attribute (a section offset, already resolved for DW_FORM_rnglistx). */
export function readRanges(sections: DwarfSections, unit: Unit, offset: number): AddressRange[] {
  return unit.version >= 5 ? readRngLists(sections, unit, offset) : readDebugRanges(sections.ranges, unit, offset);
}

function readDebugRanges(section: Section, unit: Unit, offset: number): AddressRange[] {
  const r = startReader(section, offset, 'range list');
  const size = unit.addressSize, max = maxAddress(size);
  let base = unit.baseAddress;
  const out: AddressRange[] = [];
  for (;;) {
    const begin = r.address(size), end = r.address(size);
    if (begin === 0 && end === 0) return out;
    if (begin === max) { base = end; continue; }
    if (end < begin) throw r.error(`range list entry ends (${hexOf(end)}) before it begins (${hexOf(begin)})`, r.pos - 2 * size);
    if (end > begin) out.push({ low: base + begin, high: base + end });
  }
}

function readRngLists(sections: DwarfSections, unit: Unit, offset: number): AddressRange[] {
  const r = startReader(sections.rnglists, offset, 'range list');
  const size = unit.addressSize;
  let base = unit.baseAddress;
  const out: AddressRange[] = [];
  const addrx = (index: number) => readIndexedAddress(sections.addr, unit, index, `${sections.rnglists.name} offset ${hexOf(r.pos)}`);
  const push = (low: number, high: number, at: number) => {
    if (high < low) throw r.error(`range list entry ends (${hexOf(high)}) before it begins (${hexOf(low)})`, at);
    if (high > low) out.push({ low, high });
  };
  for (;;) {
    const at = r.pos;
    const kind = r.u8();
    switch (kind) {
      case DW_RLE.end_of_list: return out;
      case DW_RLE.base_addressx: base = addrx(r.uleb()); break;
      case DW_RLE.startx_endx: { const lo = addrx(r.uleb()); push(lo, addrx(r.uleb()), at); break; }
      case DW_RLE.startx_length: { const lo = addrx(r.uleb()); push(lo, lo + r.uleb(), at); break; }
      case DW_RLE.offset_pair: { const lo = r.uleb(); push(base + lo, base + r.uleb(), at); break; }
      case DW_RLE.base_address: base = r.address(size); break;
      case DW_RLE.start_end: { const lo = r.address(size); push(lo, r.address(size), at); break; }
      case DW_RLE.start_length: { const lo = r.address(size); push(lo, lo + r.uleb(), at); break; }
      default: throw r.error(`unknown range list entry kind ${hexOf(kind)} (DW_RLE_*)`, at);
    }
  }
}

/** The entries of a location list (DW_AT_location of class loclist; offset already resolved). */
export function readLocationList(sections: DwarfSections, unit: Unit, offset: number): LocationEntry[] {
  return unit.version >= 5 ? readLocLists(sections, unit, offset) : readDebugLoc(sections.loc, unit, offset);
}

function readDebugLoc(section: Section, unit: Unit, offset: number): LocationEntry[] {
  const r = startReader(section, offset, 'location list');
  const size = unit.addressSize, max = maxAddress(size);
  let base = unit.baseAddress;
  const out: LocationEntry[] = [];
  for (;;) {
    const at = r.pos;
    const begin = r.address(size), end = r.address(size);
    if (begin === 0 && end === 0) return out;
    if (begin === max) { base = end; continue; }
    const expr = r.block(r.u16(), 'location expression');
    if (end < begin) throw r.error(`location list entry ends (${hexOf(end)}) before it begins (${hexOf(begin)})`, at);
    if (end > begin) out.push({ low: base + begin, high: base + end, expr });
  }
}

function readLocLists(sections: DwarfSections, unit: Unit, offset: number): LocationEntry[] {
  const r = startReader(sections.loclists, offset, 'location list');
  const size = unit.addressSize;
  let base = unit.baseAddress;
  const out: LocationEntry[] = [];
  const addrx = (index: number) => readIndexedAddress(sections.addr, unit, index, `${sections.loclists.name} offset ${hexOf(r.pos)}`);
  const push = (low: number, high: number, at: number) => {
    const expr = r.block(r.uleb(), 'location expression');
    if (high < low) throw r.error(`location list entry ends (${hexOf(high)}) before it begins (${hexOf(low)})`, at);
    if (high > low) out.push({ low, high, expr });
  };
  for (;;) {
    const at = r.pos;
    const kind = r.u8();
    switch (kind) {
      case DW_LLE.end_of_list: return out;
      case DW_LLE.base_addressx: base = addrx(r.uleb()); break;
      case DW_LLE.startx_endx: { const lo = addrx(r.uleb()); push(lo, addrx(r.uleb()), at); break; }
      case DW_LLE.startx_length: { const lo = addrx(r.uleb()); push(lo, lo + r.uleb(), at); break; }
      case DW_LLE.offset_pair: { const lo = r.uleb(); push(base + lo, base + r.uleb(), at); break; }
      case DW_LLE.default_location: out.push({ low: 0, high: 0, expr: r.block(r.uleb(), 'location expression'), isDefault: true }); break;
      case DW_LLE.base_address: base = r.address(size); break;
      case DW_LLE.start_end: { const lo = r.address(size); push(lo, r.address(size), at); break; }
      case DW_LLE.start_length: { const lo = r.address(size); push(lo, lo + r.uleb(), at); break; }
      case DW_LLE.GNU_view_pair: r.uleb(); r.uleb(); break; // location views: not needed to find a location
      default: throw r.error(`unknown location list entry kind ${hexOf(kind)} (DW_LLE_*)`, at);
    }
  }
}

/** The expression that holds at pc, or undefined (the object is optimised out there). */
export function locationAt(entries: readonly LocationEntry[], pc: number): Uint8Array | undefined {
  let fallback: Uint8Array | undefined;
  for (const e of entries) {
    if (e.isDefault) fallback = e.expr;
    else if (pc >= e.low && pc < e.high) return e.expr;
  }
  return fallback;
}
