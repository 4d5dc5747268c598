// Copies an ELF image's PT_LOAD segments into guest RAM at p_paddr (file bytes, then zeros up to
// p_memsz), after checking that every segment lands in RAM; nothing is written if one does not fit.
import type { GuestMemory } from '../memory/guest-memory.js';
import { BootError, formatBytes, hex } from './boot-error.js';
import { PT_LOAD, type ElfImage, type ElfSegment } from './elf-types.js';

/** A guest-physical range a loader wrote, for the debugger's memory view and the CLI's --stats. */
export interface LoadedRange {
  start: number;       // first guest-physical address
  size: number;        // length in bytes
  description: string; // what is there, e.g. "segment 0 (R-X)" or "multiboot information"
}

/** Loads every non-empty PT_LOAD segment; bytes is the whole file the image was parsed from. */
export function loadElfSegments(elf: ElfImage, bytes: Uint8Array, memory: GuestMemory): LoadedRange[] {
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0);
  for (const s of loads) {
    if (memory.isRam(s.paddr, s.memsz)) continue;
    const where = `segment ${s.index} (p_paddr ${hex(s.paddr)}, p_memsz ${hex(s.memsz)})`;
    if (s.paddr + s.memsz > memory.ramSize) {
      throw new BootError(elf.file, `${where} does not fit in guest RAM (${formatBytes(memory.ramSize)})`);
    }
    throw new BootError(elf.file, `${where} overlaps a ROM or MMIO region of guest memory`);
  }
  const ranges: LoadedRange[] = [];
  for (const s of loads) {
    memory.writeBytes(s.paddr, bytes.subarray(s.offset, s.offset + s.filesz));
    if (s.memsz > s.filesz) memory.writeBytes(s.paddr + s.filesz, new Uint8Array(s.memsz - s.filesz));
    ranges.push({ start: s.paddr, size: s.memsz, description: `segment ${s.index} (${permissions(s)})` });
  }
  return ranges;
}

/** p_flags as readelf prints them: R, W, E or a dash. */
function permissions(s: ElfSegment): string {
  return (s.flags & 4 ? 'R' : '-') + (s.flags & 2 ? 'W' : '-') + (s.flags & 1 ? 'E' : '-');
}
