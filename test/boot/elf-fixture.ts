// Builds small synthetic ELF32 x86 files for the loader tests: an ELF header, program headers,
// segment bytes, and section headers with .symtab/.strtab/.shstrtab. Tests patch the bytes to break them.

export interface SegmentSpec {
  paddr: number;        // p_paddr
  vaddr?: number;       // p_vaddr (default: paddr)
  bytes?: Uint8Array;   // file contents (p_filesz = length)
  memsz?: number;       // p_memsz (default: bytes length)
  flags?: number;       // p_flags (default R+X)
  type?: number;        // p_type (default PT_LOAD)
}

export interface SymbolSpec {
  name: string;
  value: number;
  size?: number;
  type?: number;        // STT_* (default 2, FUNC)
  bind?: number;        // STB_* (default 1, GLOBAL)
  section?: number;     // st_shndx (default 1)
}

export interface ElfSpec {
  entry?: number;           // e_entry (default: first segment's vaddr + 12, after the multiboot header)
  segments?: SegmentSpec[]; // default: one segment at 1 MiB with a multiboot header and `cli; hlt`
  symbols?: SymbolSpec[];   // .symtab contents (after the null symbol)
}

/** `cli; hlt` */
export const CLI_HLT = [0xFA, 0xF4];

/** A multiboot v1 header: magic, flags, checksum (default: the correct one). */
export function multibootHeader(flags: number, checksum = (-(0x1BADB002 + flags)) >>> 0): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x1BADB002, true);
  v.setUint32(4, flags >>> 0, true);
  v.setUint32(8, checksum >>> 0, true);
  return out;
}

/** header followed by code bytes. */
export function withHeader(header: Uint8Array, code: number[] = CLI_HLT): Uint8Array {
  const out = new Uint8Array(header.length + code.length);
  out.set(header);
  out.set(code, header.length);
  return out;
}

const DATA_START = 0x100;

export function buildElf(spec: ElfSpec = {}): Uint8Array {
  const segments = spec.segments ?? [{ paddr: 0x100000, bytes: withHeader(multibootHeader(0x3)) }];
  const symbols = spec.symbols ?? [];
  const entry = spec.entry ?? ((segments[0].vaddr ?? segments[0].paddr) + 12);

  // String tables.
  const strtab = stringTable(symbols.map((s) => s.name));
  const sectionNames = [...segments.map((_, k) => `.seg${k}`), '.symtab', '.strtab', '.shstrtab'];
  const shstrtab = stringTable(sectionNames);

  // File layout.
  let at = DATA_START;
  const segOffsets = segments.map((s) => { const o = at; at = align(at + (s.bytes?.length ?? 0), 16); return o; });
  const symtabOff = at; at += 16 * (symbols.length + 1);
  const strtabOff = at; at += strtab.bytes.length;
  const shstrtabOff = at; at = align(at + shstrtab.bytes.length, 4);
  const shoff = at;
  const shnum = 1 + segments.length + 3;
  const size = shoff + shnum * 40;

  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set([0x7F, 0x45, 0x4C, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true);            // ET_EXEC
  v.setUint16(18, 3, true);            // EM_386
  v.setUint32(20, 1, true);            // e_version
  v.setUint32(24, entry, true);
  v.setUint32(28, 52, true);           // e_phoff
  v.setUint32(32, shoff, true);
  v.setUint16(40, 52, true);           // e_ehsize
  v.setUint16(42, 32, true);           // e_phentsize
  v.setUint16(44, segments.length, true);
  v.setUint16(46, 40, true);           // e_shentsize
  v.setUint16(48, shnum, true);
  v.setUint16(50, shnum - 1, true);    // e_shstrndx: .shstrtab is last

  segments.forEach((s, k) => {
    const ph = 52 + 32 * k, len = s.bytes?.length ?? 0;
    v.setUint32(ph, s.type ?? 1, true);
    v.setUint32(ph + 4, segOffsets[k], true);
    v.setUint32(ph + 8, s.vaddr ?? s.paddr, true);
    v.setUint32(ph + 12, s.paddr, true);
    v.setUint32(ph + 16, len, true);
    v.setUint32(ph + 20, s.memsz ?? len, true);
    v.setUint32(ph + 24, s.flags ?? 5, true);
    v.setUint32(ph + 28, 0x1000, true);
    if (s.bytes) out.set(s.bytes, segOffsets[k]);
  });

  symbols.forEach((s, k) => {
    const e = symtabOff + 16 * (k + 1);
    v.setUint32(e, strtab.offsets[k], true);
    v.setUint32(e + 4, s.value, true);
    v.setUint32(e + 8, s.size ?? 0, true);
    out[e + 12] = ((s.bind ?? 1) << 4) | (s.type ?? 2);
    v.setUint16(e + 14, s.section ?? 1, true);
  });
  out.set(strtab.bytes, strtabOff);
  out.set(shstrtab.bytes, shstrtabOff);

  const section = (index: number, name: number, type: number, offset: number, size: number, link = 0, info = 0, entsize = 0, addr = 0) => {
    const sh = shoff + 40 * index;
    v.setUint32(sh, name, true); v.setUint32(sh + 4, type, true); v.setUint32(sh + 12, addr, true);
    v.setUint32(sh + 16, offset, true); v.setUint32(sh + 20, size, true); v.setUint32(sh + 24, link, true);
    v.setUint32(sh + 28, info, true); v.setUint32(sh + 36, entsize, true);
  };
  segments.forEach((s, k) => section(1 + k, shstrtab.offsets[k], 1, segOffsets[k], s.bytes?.length ?? 0, 0, 0, 0, s.vaddr ?? s.paddr));
  const symIndex = 1 + segments.length;
  section(symIndex, shstrtab.offsets[segments.length], 2, symtabOff, 16 * (symbols.length + 1), symIndex + 1, 1, 16);
  section(symIndex + 1, shstrtab.offsets[segments.length + 1], 3, strtabOff, strtab.bytes.length);
  section(symIndex + 2, shstrtab.offsets[segments.length + 2], 3, shstrtabOff, shstrtab.bytes.length);
  return out;
}

function stringTable(names: string[]): { bytes: Uint8Array; offsets: number[] } {
  const parts: number[] = [0];
  const offsets = names.map((n) => {
    const o = parts.length;
    parts.push(...new TextEncoder().encode(n), 0);
    return o;
  });
  return { bytes: Uint8Array.from(parts), offsets };
}

function align(n: number, a: number): number { return Math.ceil(n / a) * a; }

/** Little-endian 16/32-bit patches, for breaking a built file on purpose. */
export function patch16(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(offset, value, true);
  return bytes;
}
export function patch32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(offset, value >>> 0, true);
  return bytes;
}
