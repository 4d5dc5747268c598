// ELF32 parser for x86 kernels: validates the ELF header and program headers precisely (each problem
// is a one-line BootError naming the file, the field and its offset) and collects sections and symbols.
import { hex } from './boot-error.js';
import { ElfReader } from './elf-reader.js';
import { parseSections } from './elf-sections.js';
import {
  EM_386, ET_CORE, ET_DYN, ET_EXEC, ET_REL, PT_INTERP, PT_LOAD,
  type ElfImage, type ElfSegment,
} from './elf-types.js';

export * from './elf-types.js';

const ELF_MAGIC = [0x7F, 0x45, 0x4C, 0x46]; // "\x7fELF"
const EHDR_SIZE = 52, PHDR_SIZE = 32;

/** Names of the machines people most often feed an x86 loader by mistake. */
const MACHINE_NAMES: Readonly<Record<number, string>> = {
  2: 'SPARC', 3: 'x86', 4: 'Motorola 68000', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 22: 'S/390',
  40: 'ARM', 42: 'SuperH', 50: 'IA-64', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V', 258: 'LoongArch',
};

/** Parses and validates an ELF32 x86 executable; file is the display name used in error messages. */
export function parseElf(bytes: Uint8Array, file: string): ElfImage {
  const r = new ElfReader(bytes, file);
  checkIdent(r);
  r.need(0, EHDR_SIZE, 'ELF header (52 bytes)');
  const fileType = r.u16(16), machine = r.u16(18), version = r.u32(20), entry = r.u32(24);
  checkType(r, fileType);
  if (machine !== EM_386) {
    const name = MACHINE_NAMES[machine];
    throw r.error(`ELF machine ${machine}${name ? ` (${name})` : ''} is not x86 (EM_386 = 3)`);
  }
  if (version !== 1) throw r.error(`unsupported ELF version (e_version=${version} at offset 20; expected 1)`);
  const ehsize = r.u16(40);
  if (ehsize < EHDR_SIZE) throw r.error(`ELF header size e_ehsize=${ehsize} at offset 40 is below ${EHDR_SIZE}`);
  const segments = parseProgramHeaders(r);
  checkLoadSegments(r, segments, entry);
  const { sections, symbols } = parseSections(r);
  return { file, fileType, machine, entry, segments, sections, symbols };
}

function checkIdent(r: ElfReader): void {
  if (r.size === 0) throw r.error('not an ELF file (the file is empty)');
  const head = Array.from(r.bytes.subarray(0, 4));
  if (head.length < 4 || head.some((b, i) => b !== ELF_MAGIC[i])) {
    const shown = head.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const short = head.length < 4 ? `; the file is only ${head.length} bytes` : '';
    throw r.error(`not an ELF file (magic at offset 0 is ${shown}${short})`);
  }
  r.need(0, 7, 'ELF identification (e_ident)');
  const cls = r.u8(4), data = r.u8(5), version = r.u8(6);
  if (cls === 2) throw r.error('64-bit ELF (EI_CLASS=2) is not supported; build the kernel for 32-bit x86 (-m32)');
  if (cls !== 1) throw r.error(`invalid ELF class (EI_CLASS=${cls} at offset 4; expected 1 for 32-bit)`);
  if (data === 2) throw r.error('big-endian ELF (EI_DATA=2) is not supported; x86 is little-endian');
  if (data !== 1) throw r.error(`invalid ELF data encoding (EI_DATA=${data} at offset 5; expected 1 for little-endian)`);
  if (version !== 1) throw r.error(`unsupported ELF version (EI_VERSION=${version} at offset 6; expected 1)`);
}

function checkType(r: ElfReader, fileType: number): void {
  if (fileType === ET_EXEC || fileType === ET_DYN) return;
  if (fileType === ET_REL) throw r.error('relocatable object file (e_type=1, ET_REL), not an executable; link it into a kernel first');
  if (fileType === ET_CORE) throw r.error('core dump (e_type=4, ET_CORE), not an executable');
  throw r.error(`unsupported ELF type (e_type=${fileType} at offset 16; expected 2, ET_EXEC)`);
}

function parseProgramHeaders(r: ElfReader): ElfSegment[] {
  const phoff = r.u32(28), phentsize = r.u16(42), phnum = r.u16(44);
  if (phnum === 0) throw r.error('no program headers (e_phnum=0): nothing to load');
  if (phentsize < PHDR_SIZE) throw r.error(`program header size e_phentsize=${phentsize} at offset 42 is below ${PHDR_SIZE}`);
  const segments: ElfSegment[] = [];
  for (let index = 0; index < phnum; index++) {
    const at = phoff + index * phentsize;
    r.need(at, PHDR_SIZE, `program header ${index}`);
    segments.push({
      index, type: r.u32(at), offset: r.u32(at + 4), vaddr: r.u32(at + 8), paddr: r.u32(at + 12),
      filesz: r.u32(at + 16), memsz: r.u32(at + 20), flags: r.u32(at + 24), align: r.u32(at + 28),
    });
  }
  return segments;
}

function checkLoadSegments(r: ElfReader, segments: ElfSegment[], entry: number): void {
  if (segments.some((s) => s.type === PT_INTERP)) {
    throw r.error('dynamically linked (has a PT_INTERP program header); link the kernel statically (-static -nostdlib)');
  }
  const loads = segments.filter((s) => s.type === PT_LOAD);
  if (loads.length === 0) throw r.error('no loadable segments (no PT_LOAD program header)');
  for (const s of loads) {
    const where = `segment ${s.index}`;
    if (s.filesz > s.memsz) throw r.error(`${where}: p_filesz ${hex(s.filesz)} is larger than p_memsz ${hex(s.memsz)}`);
    if (s.offset + s.filesz > r.size) {
      throw r.error(`truncated ELF: ${where} (p_offset ${hex(s.offset)}, p_filesz ${hex(s.filesz)}) extends past end of file (size ${hex(r.size)})`);
    }
    if (s.paddr + s.memsz > 0x1_0000_0000) {
      throw r.error(`${where} (p_paddr ${hex(s.paddr)}, p_memsz ${hex(s.memsz)}) extends past the 4 GiB physical address space`);
    }
  }
  const placed = loads.filter((s) => s.memsz > 0).sort((a, b) => a.paddr - b.paddr);
  for (let k = 1; k < placed.length; k++) {
    const a = placed[k - 1], b = placed[k];
    if (b.paddr < a.paddr + a.memsz) {
      throw r.error(`segments ${a.index} and ${b.index} overlap in physical memory ` +
        `(${hex(a.paddr)}-${hex(a.paddr + a.memsz - 1)} and ${hex(b.paddr)}-${hex(b.paddr + b.memsz - 1)})`);
    }
  }
  if (!placed.some((s) => entry >= s.vaddr && entry - s.vaddr < s.memsz)) {
    throw r.error(`entry point e_entry=${hex(entry)} is not inside any loadable segment`);
  }
}

/**
 * The physical address where execution starts: e_entry translated through the PT_LOAD segment that
 * contains it (p_paddr - p_vaddr), as GRUB does for kernels linked higher-half.
 */
export function physicalEntry(elf: ElfImage): number {
  for (const s of elf.segments) {
    if (s.type === PT_LOAD && s.memsz > 0 && elf.entry >= s.vaddr && elf.entry - s.vaddr < s.memsz) {
      return (elf.entry - s.vaddr + s.paddr) >>> 0;
    }
  }
  return elf.entry;
}
