// ELF32 section headers and the symbol table: validates the section header table, resolves section
// names from e_shstrndx, and reads .symtab through its linked string table.
import { hex } from './boot-error.js';
import type { ElfReader } from './elf-reader.js';
import {
  SHT_NOBITS, SHT_STRTAB, SHT_SYMTAB,
  type ElfSection, type ElfSymbol, type ElfSymbolBinding, type ElfSymbolType,
} from './elf-types.js';

const SHDR_SIZE = 40, SYM_SIZE = 16;
const SHN_XINDEX = 0xFFFF;
const SYMBOL_TYPES: readonly ElfSymbolType[] = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls'];
const SYMBOL_BINDINGS: readonly ElfSymbolBinding[] = ['local', 'global', 'weak'];

/** Reads the section headers (if any) and the symbols of every SHT_SYMTAB section. */
export function parseSections(r: ElfReader): { sections: ElfSection[]; symbols: ElfSymbol[] } {
  const sections = readSectionHeaders(r);
  const symbols: ElfSymbol[] = [];
  for (const s of sections) if (s.type === SHT_SYMTAB) symbols.push(...readSymbols(r, sections, s));
  return { sections, symbols };
}

function readSectionHeaders(r: ElfReader): ElfSection[] {
  const shoff = r.u32(32), shentsize = r.u16(46);
  let shnum = r.u16(48), shstrndx = r.u16(50);
  if (shoff === 0) return [];
  if (shentsize < SHDR_SIZE) throw r.error(`section header size e_shentsize=${shentsize} at offset 46 is below ${SHDR_SIZE}`);
  r.need(shoff, SHDR_SIZE, 'section header 0');
  if (shnum === 0) shnum = r.u32(shoff + 20);             // extended numbering: count in section 0's sh_size
  if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + 24); // ... and the name table index in its sh_link
  const sections: ElfSection[] = [];
  for (let index = 0; index < shnum; index++) {
    const at = shoff + index * shentsize;
    r.need(at, SHDR_SIZE, `section header ${index}`);
    const s: ElfSection = {
      index, name: '', type: r.u32(at + 4), flags: r.u32(at + 8), addr: r.u32(at + 12), offset: r.u32(at + 16),
      size: r.u32(at + 20), link: r.u32(at + 24), info: r.u32(at + 28), entsize: r.u32(at + 36),
    };
    if (s.type !== SHT_NOBITS && index !== 0 && s.offset + s.size > r.size) {
      throw r.error(`truncated ELF: section ${index} (sh_offset ${hex(s.offset)}, sh_size ${hex(s.size)}) extends past end of file (size ${hex(r.size)})`);
    }
    sections.push(s);
  }
  if (shstrndx !== 0) {
    if (shstrndx >= sections.length) {
      throw r.error(`section name table index e_shstrndx=${shstrndx} is out of range (there are ${sections.length} sections)`);
    }
    const names = sections[shstrndx];
    for (let index = 0; index < sections.length; index++) {
      const nameOffset = r.u32(shoff + index * shentsize);
      if (nameOffset !== 0 && nameOffset >= names.size) {
        throw r.error(`section ${index}: name offset sh_name=${hex(nameOffset)} is outside the section name table (size ${hex(names.size)})`);
      }
      sections[index].name = r.cString(names.offset, names.offset + names.size, nameOffset);
    }
  }
  return sections;
}

function readSymbols(r: ElfReader, sections: ElfSection[], table: ElfSection): ElfSymbol[] {
  const label = table.name || `section ${table.index}`;
  const entsize = table.entsize || SYM_SIZE;
  if (entsize < SYM_SIZE) throw r.error(`symbol table ${label}: entry size sh_entsize=${entsize} is below ${SYM_SIZE}`);
  const strings = sections[table.link];
  if (!strings || strings.type !== SHT_STRTAB) {
    throw r.error(`symbol table ${label} links to section ${table.link} (sh_link), which is not a string table`);
  }
  const strLabel = strings.name || `section ${strings.index}`;
  const symbols: ElfSymbol[] = [];
  const count = Math.floor(table.size / entsize);
  for (let k = 1; k < count; k++) { // entry 0 is the reserved null symbol
    const at = table.offset + k * entsize;
    const nameOffset = r.u32(at), info = r.u8(at + 12);
    if (nameOffset !== 0 && nameOffset >= strings.size) {
      throw r.error(`symbol ${k} in ${label}: name offset ${hex(nameOffset)} is outside ${strLabel} (size ${hex(strings.size)})`);
    }
    symbols.push({
      name: nameOffset === 0 ? '' : r.cString(strings.offset, strings.offset + strings.size, nameOffset),
      value: r.u32(at + 4), size: r.u32(at + 8),
      type: SYMBOL_TYPES[info & 0xF] ?? 'other', binding: SYMBOL_BINDINGS[info >> 4] ?? 'other',
      section: r.u16(at + 14),
    });
  }
  return symbols;
}
