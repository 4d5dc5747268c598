// .debug_abbrev: the abbreviation tables that say, for each abbreviation code used in .debug_info,
// the DIE's tag, whether it has children, and its attributes with their forms.
import { DW_FORM } from './constants.js';
import { hexOf } from './error.js';
import { DwarfReader, type Section } from './reader.js';

export interface AbbrevAttr {
  at: number;              // DW_AT_*
  form: number;            // DW_FORM_*
  implicitConst?: number;  // the value of a DW_FORM_implicit_const attribute (DWARF 5)
}

export interface Abbrev {
  code: number;
  tag: number;             // DW_TAG_*
  hasChildren: boolean;
  attrs: AbbrevAttr[];
  offset: number;          // where the declaration starts in .debug_abbrev
}

export type AbbrevTable = Map<number, Abbrev>;

/** Forms a reader knows how to skip or decode (everything else is an error, not a guess). */
const KNOWN_FORMS = new Set<number>(Object.values(DW_FORM));

/** Reads the abbreviation table starting at offset (a unit header's debug_abbrev_offset). */
export function readAbbrevTable(section: Section, offset: number): AbbrevTable {
  if (offset >= section.bytes.length) {
    throw new DwarfReader(section).error(`abbreviation table offset ${hexOf(offset)} is outside the section (size ${hexOf(section.bytes.length)})`, Math.min(offset, section.bytes.length));
  }
  const r = new DwarfReader(section, offset);
  const table: AbbrevTable = new Map();
  for (;;) {
    const at = r.pos;
    const code = r.uleb();
    if (code === 0) return table;
    const tag = r.uleb();
    const children = r.u8();
    if (children > 1) throw r.error(`abbreviation ${code}: DW_CHILDREN value ${children} is neither 0 nor 1`, r.pos - 1);
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const specAt = r.pos;
      const name = r.uleb(), form = r.uleb();
      if (name === 0 && form === 0) break;
      if (!KNOWN_FORMS.has(form)) throw r.error(`abbreviation ${code}: unknown attribute form ${hexOf(form)}`, specAt);
      const spec: AbbrevAttr = { at: name, form };
      if (form === DW_FORM.implicit_const) spec.implicitConst = r.sleb();
      attrs.push(spec);
    }
    if (table.has(code)) throw r.error(`abbreviation code ${code} is declared twice in the table at ${hexOf(offset)}`, at);
    table.set(code, { code, tag, hasChildren: children === 1, attrs, offset: at });
  }
}

