// The parsed form of a 32-bit little-endian ELF file: header fields, program headers (segments),
// section headers and symbols, as elf.ts produces them for the loaders and the debugger.

/** A program header (readelf calls these segments; index is the program header number). */
export interface ElfSegment {
  index: number;   // program header number (0-based, as readelf prints it)
  type: number;    // p_type (1 = PT_LOAD)
  offset: number;  // p_offset: where the bytes start in the file
  vaddr: number;   // p_vaddr: linear address the kernel was linked for
  paddr: number;   // p_paddr: physical load address
  filesz: number;  // p_filesz: bytes copied from the file
  memsz: number;   // p_memsz: bytes occupied in memory (the rest is zero-filled)
  flags: number;   // p_flags: PF_X = 1, PF_W = 2, PF_R = 4
  align: number;   // p_align
}

/** A section header with its name resolved. */
export interface ElfSection {
  index: number;   // section number
  name: string;    // from the section name string table ('' when there is none)
  type: number;    // sh_type (2 = SHT_SYMTAB, 3 = SHT_STRTAB, 8 = SHT_NOBITS)
  flags: number;   // sh_flags (2 = SHF_ALLOC, 4 = SHF_EXECINSTR)
  addr: number;    // sh_addr
  offset: number;  // sh_offset
  size: number;    // sh_size
  link: number;    // sh_link
  info: number;    // sh_info
  entsize: number; // sh_entsize
}

/** What a symbol names (from the low nibble of st_info). */
export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';

/** Symbol visibility to the linker (from the high nibble of st_info). */
export type ElfSymbolBinding = 'local' | 'global' | 'weak' | 'other';

/** One entry of .symtab with its name resolved. */
export interface ElfSymbol {
  name: string;             // from the linked string table (usually .strtab)
  value: number;            // st_value: the address, for executables
  size: number;             // st_size in bytes (0 when unknown)
  type: ElfSymbolType;      // function, object, ...
  binding: ElfSymbolBinding; // local, global or weak
  section: number;          // st_shndx (0 = undefined, 0xFFF1 = absolute)
}

/** Everything the loaders and the debugger need from an ELF file. */
export interface ElfImage {
  file: string;             // display name used in error messages
  fileType: number;         // e_type (2 = ET_EXEC, 3 = ET_DYN)
  machine: number;          // e_machine (3 = EM_386)
  entry: number;            // e_entry as linked (a linear address)
  segments: ElfSegment[];   // every program header, in file order
  sections: ElfSection[];   // every section header, in file order (empty when stripped of them)
  symbols: ElfSymbol[];     // the .symtab entries except the null symbol (empty when stripped)
}

export const PT_LOAD = 1, PT_INTERP = 3;
export const SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8;
export const ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
export const EM_386 = 3;
