// Recognises a paravirtual kernel: like Xen's PV kernels it carries ELF notes named "Xen" (in a
// PT_NOTE segment or an SHT_NOTE section); hvdbg reads ENTRY, HYPERCALL_PAGE, VIRT_BASE and GUEST_OS.
import { BootError, hex } from './boot-error.js';
import type { ElfImage } from './elf-types.js';

const PT_NOTE = 4, SHT_NOTE = 7;
/** Xen's note types (public/elfnote.h) that hvdbg uses. */
export const XEN_ELFNOTE_ENTRY = 1, XEN_ELFNOTE_HYPERCALL_PAGE = 2, XEN_ELFNOTE_VIRT_BASE = 3, XEN_ELFNOTE_GUEST_OS = 6;

/** What a pv kernel's notes say. */
export interface PvNotes {
  virtBase: number;          // where pseudo-physical 0 is mapped (VIRT_BASE; default 0xc0000000)
  entry?: number;            // ENTRY: virtual entry point (else e_entry)
  hypercallPage?: number;    // HYPERCALL_PAGE: virtual address of the page the hypervisor fills
  guestOs?: string;          // GUEST_OS
  types: number[];           // every Xen note type found, in file order
}

/** The notes in [offset, offset + size) of bytes, as (name, type, desc) triples. */
function* notesIn(bytes: Uint8Array, offset: number, size: number, file: string): Generator<{ name: string; type: number; desc: Uint8Array }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = offset + size;
  if (end > bytes.length) throw new BootError(file, `note area at ${hex(offset)} (${size} bytes) extends past end of file`);
  let at = offset;
  while (at + 12 <= end) {
    const namesz = view.getUint32(at, true), descsz = view.getUint32(at + 4, true), type = view.getUint32(at + 8, true);
    const nameAt = at + 12, descAt = nameAt + ((namesz + 3) & ~3), next = descAt + ((descsz + 3) & ~3);
    if (next > end) throw new BootError(file, `malformed ELF note at offset ${hex(at)} (name ${namesz} bytes, desc ${descsz} bytes) runs past its note area`);
    const name = new TextDecoder().decode(bytes.subarray(nameAt, nameAt + Math.max(0, namesz - 1)));
    yield { name, type, desc: bytes.subarray(descAt, descAt + descsz) };
    at = next;
  }
}

/** The value of a numeric note (4 or 8 bytes, little-endian; the high half must be 0). */
function noteNumber(desc: Uint8Array, file: string, what: string): number {
  if (desc.length !== 4 && desc.length !== 8) throw new BootError(file, `Xen note ${what} has ${desc.length} bytes; expected 4 or 8`);
  const view = new DataView(desc.buffer, desc.byteOffset, desc.length);
  if (desc.length === 8 && view.getUint32(4, true) !== 0) throw new BootError(file, `Xen note ${what} is above 4 GiB: not a 32-bit kernel`);
  return view.getUint32(0, true);
}

/** The Xen notes of elf (bytes = the file), or undefined when it has none. */
export function readPvNotes(elf: ElfImage, bytes: Uint8Array): PvNotes | undefined {
  const areas = elf.segments.filter((s) => s.type === PT_NOTE).map((s) => ({ offset: s.offset, size: s.filesz }));
  if (areas.length === 0) areas.push(...elf.sections.filter((s) => s.type === SHT_NOTE).map((s) => ({ offset: s.offset, size: s.size })));
  const notes: PvNotes = { virtBase: 0xC0000000, types: [] };
  for (const area of areas) {
    for (const n of notesIn(bytes, area.offset, area.size, elf.file)) {
      if (n.name !== 'Xen') continue;
      notes.types.push(n.type);
      if (n.type === XEN_ELFNOTE_ENTRY) notes.entry = noteNumber(n.desc, elf.file, 'ENTRY');
      else if (n.type === XEN_ELFNOTE_HYPERCALL_PAGE) notes.hypercallPage = noteNumber(n.desc, elf.file, 'HYPERCALL_PAGE');
      else if (n.type === XEN_ELFNOTE_VIRT_BASE) notes.virtBase = noteNumber(n.desc, elf.file, 'VIRT_BASE');
      else if (n.type === XEN_ELFNOTE_GUEST_OS) notes.guestOs = new TextDecoder().decode(n.desc).replace(/\0+$/, '');
    }
  }
  return notes.types.length ? notes : undefined;
}
