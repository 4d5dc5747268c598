// The multiboot "a.out kludge" (header flag bit 16): the header itself says where the image goes —
// header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr (spec §3.1.3) — so any flat binary
// (or an ELF the loader should treat as one) can be booted. Every inconsistency is a BootError.
import type { GuestMemory } from '../memory/guest-memory.js';
import { BootError, formatBytes, hex } from './boot-error.js';
import type { LoadedRange } from './elf-load.js';
import type { MultibootHeader } from './multiboot-header.js';

/** The address fields that follow magic, flags and checksum when bit 16 is set. */
export interface AoutKludge {
  headerAddr: number;   // physical address the header's magic is loaded to
  loadAddr: number;     // start of the text segment (the file byte at headerOffset - (headerAddr - loadAddr))
  loadEndAddr: number;  // end of the data segment (0: the rest of the file)
  bssEndAddr: number;   // end of the bss, zero-filled (0: no bss)
  entryAddr: number;    // where the kernel starts
}

/** The image as the loader will place it. */
export interface AoutLayout {
  fileOffset: number;   // file offset loaded at loadAddr
  loadEnd: number;      // exclusive end of the loaded bytes
  bssEnd: number;       // exclusive end of the image (≥ loadEnd)
  entry: number;
}

/** Reads the five address fields of the header at header.offset. */
export function readAoutKludge(bytes: Uint8Array, file: string, header: MultibootHeader): AoutKludge {
  if (header.offset + 32 > bytes.length) {
    throw new BootError(file, `multiboot header at offset ${hex(header.offset)} sets flag bit 16 (a.out kludge) ` +
      `but the file ends before its address fields (needs ${header.offset + 32} bytes, has ${bytes.length})`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset + header.offset + 12, 20);
  return {
    headerAddr: v.getUint32(0, true), loadAddr: v.getUint32(4, true), loadEndAddr: v.getUint32(8, true),
    bssEndAddr: v.getUint32(12, true), entryAddr: v.getUint32(16, true),
  };
}

/** Checks the addresses against each other and the file; returns where everything goes. */
export function aoutLayout(k: AoutKludge, header: MultibootHeader, fileLength: number, file: string): AoutLayout {
  const fail = (problem: string) => new BootError(file, `a.out kludge: ${problem}`);
  if (k.loadAddr > k.headerAddr) {
    throw fail(`load_addr ${hex(k.loadAddr)} is above header_addr ${hex(k.headerAddr)}; the header must lie in the loaded image`);
  }
  const fileOffset = header.offset - (k.headerAddr - k.loadAddr);
  if (fileOffset < 0) {
    throw fail(`header_addr ${hex(k.headerAddr)} - load_addr ${hex(k.loadAddr)} = ${hex(k.headerAddr - k.loadAddr)}, ` +
      `but the header is at file offset ${hex(header.offset)}, so loading would start before the file`);
  }
  const available = fileLength - fileOffset;
  let loadEnd: number;
  if (k.loadEndAddr === 0) loadEnd = k.loadAddr + available;
  else {
    if (k.loadEndAddr < k.headerAddr + 32) {
      throw fail(`load_end_addr ${hex(k.loadEndAddr)} ends before the end of the header (${hex(k.headerAddr + 32)})`);
    }
    if (k.loadEndAddr - k.loadAddr > available) {
      throw fail(`load_addr ${hex(k.loadAddr)}..load_end_addr ${hex(k.loadEndAddr)} needs ${k.loadEndAddr - k.loadAddr} bytes ` +
        `from file offset ${hex(fileOffset)}, but the file has only ${available} there`);
    }
    loadEnd = k.loadEndAddr;
  }
  let bssEnd = loadEnd;
  if (k.bssEndAddr !== 0) {
    if (k.bssEndAddr < loadEnd) throw fail(`bss_end_addr ${hex(k.bssEndAddr)} is below the end of the loaded image (${hex(loadEnd)})`);
    bssEnd = k.bssEndAddr;
  }
  if (k.entryAddr < k.loadAddr || k.entryAddr >= loadEnd) {
    throw fail(`entry_addr ${hex(k.entryAddr)} is outside the loaded image ${hex(k.loadAddr)}-${hex(loadEnd - 1)}`);
  }
  return { fileOffset, loadEnd, bssEnd, entry: k.entryAddr };
}

/** Loads the image into memory (refusing ranges outside RAM or over reserved); returns what was written. */
export function loadAoutImage(memory: GuestMemory, bytes: Uint8Array, file: string, k: AoutKludge, layout: AoutLayout,
  reserved: { start: number; end: number; what: string }): LoadedRange[] {
  const start = k.loadAddr, end = layout.bssEnd;
  if (end > memory.ramSize) {
    throw new BootError(file, `a.out kludge: image ${hex(start)}-${hex(end - 1)} does not fit in guest RAM (${formatBytes(memory.ramSize)})`);
  }
  if (!memory.isRam(start, end - start)) {
    throw new BootError(file, `a.out kludge: image ${hex(start)}-${hex(end - 1)} overlaps a ROM or MMIO region of guest memory`);
  }
  if (start < reserved.end && end > reserved.start) {
    throw new BootError(file, `a.out kludge: image ${hex(start)}-${hex(end - 1)} overlaps ${hex(reserved.start)}-${hex(reserved.end - 1)}, ` +
      `where hvdbg puts ${reserved.what}`);
  }
  const loadSize = layout.loadEnd - start;
  memory.writeBytes(start, bytes.subarray(layout.fileOffset, layout.fileOffset + loadSize));
  const ranges: LoadedRange[] = [{ start, size: loadSize, description: 'a.out kludge image' }];
  if (end > layout.loadEnd) {
    memory.writeBytes(layout.loadEnd, new Uint8Array(end - layout.loadEnd));
    ranges.push({ start: layout.loadEnd, size: end - layout.loadEnd, description: 'a.out kludge bss' });
  }
  return ranges;
}
