// The DWARF and CFI sections of one ELF image, found by name in the section headers that
// engine/boot/elf.ts parsed. Absent sections are empty; each keeps its name for error messages.
import type { ElfImage } from '../../boot/elf-types.js';
import { DwarfError } from './error.js';
import { emptySection, type Section } from './reader.js';

/** Every section the DWARF reader uses (absent ones have no bytes). */
export interface DwarfSections {
  file?: string;          // display name of the ELF file, for errors
  info: Section;          // .debug_info
  types: Section;         // .debug_types (DWARF 4 type units)
  abbrev: Section;        // .debug_abbrev
  str: Section;           // .debug_str
  lineStr: Section;       // .debug_line_str (DWARF 5)
  strOffsets: Section;    // .debug_str_offsets (DWARF 5)
  addr: Section;          // .debug_addr (DWARF 5)
  line: Section;          // .debug_line
  ranges: Section;        // .debug_ranges (DWARF 2-4)
  rnglists: Section;      // .debug_rnglists (DWARF 5)
  loc: Section;           // .debug_loc (DWARF 2-4)
  loclists: Section;      // .debug_loclists (DWARF 5)
  frame: Section;         // .debug_frame
  ehFrame: Section;       // .eh_frame (with its load address in `address`)
}

const NAMES: Readonly<Record<Exclude<keyof DwarfSections, 'file'>, string>> = {
  info: '.debug_info', types: '.debug_types', abbrev: '.debug_abbrev', str: '.debug_str',
  lineStr: '.debug_line_str', strOffsets: '.debug_str_offsets', addr: '.debug_addr', line: '.debug_line',
  ranges: '.debug_ranges', rnglists: '.debug_rnglists', loc: '.debug_loc', loclists: '.debug_loclists',
  frame: '.debug_frame', ehFrame: '.eh_frame',
};

const SHT_NOBITS = 8, SHF_COMPRESSED = 0x800;

/** A DwarfSections with every section empty except those given (for tests and synthetic data). */
export function dwarfSections(given: Partial<Record<Exclude<keyof DwarfSections, 'file'>, Uint8Array | Section>>, file?: string): DwarfSections {
  const out = { file } as DwarfSections;
  for (const key of Object.keys(NAMES) as (keyof typeof NAMES)[]) {
    const v = given[key];
    out[key] = v === undefined ? emptySection(NAMES[key], file)
      : v instanceof Uint8Array ? { name: NAMES[key], bytes: v, file } : { ...v, file: v.file ?? file };
  }
  return out;
}

/** The DWARF sections of a parsed ELF file; bytes is the whole file that parseElf read. */
export function dwarfSectionsFromElf(elf: ElfImage, bytes: Uint8Array): DwarfSections {
  const out = dwarfSections({}, elf.file);
  for (const key of Object.keys(NAMES) as (keyof typeof NAMES)[]) {
    const s = elf.sections.find((x) => x.name === NAMES[key]);
    if (!s || s.type === SHT_NOBITS) continue;
    if (s.flags & SHF_COMPRESSED) {
      throw new DwarfError(s.name, 0, 'compressed debug sections are not supported (link without --compress-debug-sections / compile without -gz)', elf.file);
    }
    out[key] = { name: s.name, bytes: bytes.subarray(s.offset, s.offset + s.size), address: s.addr, file: elf.file };
  }
  return out;
}
