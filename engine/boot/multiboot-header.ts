// Finds and checks the multiboot v1 header: magic 0x1BADB002 on a 4-byte boundary in the first
// 8192 bytes, a checksum that makes magic + flags + checksum zero, and flags this loader honours.
import { BootError, hex } from './boot-error.js';

export const MULTIBOOT_HEADER_MAGIC = 0x1BADB002;
export const MULTIBOOT2_HEADER_MAGIC = 0xE85250D6;
export const MULTIBOOT_SEARCH_BYTES = 8192;

/** Header flag bits (the low 16 are requirements the loader must meet or refuse to boot). */
export const MB_FLAG_PAGE_ALIGN = 1 << 0;  // load modules on 4 KiB boundaries
export const MB_FLAG_MEMORY_INFO = 1 << 1; // provide mem_lower/mem_upper and the memory map
export const MB_FLAG_VIDEO_MODE = 1 << 2;  // provide the video mode table
export const MB_FLAG_AOUT_KLUDGE = 1 << 16; // load addresses come from the header, not the ELF

/** Required bits this loader understands; other bits 0–15 are refused. */
const SUPPORTED_REQUIRED = MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO;
const REQUIRED_BIT_NAMES: Readonly<Record<number, string>> = { 2: 'video mode table' };

/** A multiboot header as found in the file. */
export interface MultibootHeader {
  offset: number; // file offset of the magic
  flags: number;  // the header's flags word (unsigned)
}

/** Result of scanning the first 8 KiB: a valid header, or what was found instead. */
type Scan =
  | { kind: 'found'; header: MultibootHeader }
  | { kind: 'bad-checksum'; offset: number; flags: number; checksum: number }
  | { kind: 'multiboot2'; offset: number }
  | { kind: 'none' };

/** Scans for the first header whose checksum is right (GRUB's rule), remembering near misses for the error. */
export function scanMultibootHeader(bytes: Uint8Array): Scan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(bytes.length, MULTIBOOT_SEARCH_BYTES) - 12;
  let nearMiss: Scan = { kind: 'none' };
  for (let at = 0; at <= end; at += 4) {
    const magic = view.getUint32(at, true);
    if (magic === MULTIBOOT_HEADER_MAGIC) {
      const flags = view.getUint32(at + 4, true), checksum = view.getUint32(at + 8, true);
      if (((magic + flags + checksum) >>> 0) === 0) return { kind: 'found', header: { offset: at, flags } };
      if (nearMiss.kind !== 'bad-checksum') nearMiss = { kind: 'bad-checksum', offset: at, flags, checksum };
    } else if (magic === MULTIBOOT2_HEADER_MAGIC && at % 8 === 0 && nearMiss.kind === 'none') {
      nearMiss = { kind: 'multiboot2', offset: at };
    }
  }
  return nearMiss;
}

/** Explains a scan that found no usable header. */
export function missingHeaderError(file: string, scan: Exclude<Scan, { kind: 'found' }>): BootError {
  switch (scan.kind) {
    case 'bad-checksum': {
      const sum = (MULTIBOOT_HEADER_MAGIC + scan.flags + scan.checksum) >>> 0;
      return new BootError(file, `multiboot header at offset ${hex(scan.offset)} has a bad checksum: ` +
        `magic ${hex(MULTIBOOT_HEADER_MAGIC)} + flags ${hex(scan.flags)} + checksum ${hex(scan.checksum)} = ${hex(sum)}, must be 0 ` +
        `(checksum should be ${hex((-(MULTIBOOT_HEADER_MAGIC + scan.flags)) >>> 0)})`);
    }
    case 'multiboot2':
      return new BootError(file, `has a multiboot2 header (magic ${hex(MULTIBOOT2_HEADER_MAGIC)} at offset ${hex(scan.offset)}) ` +
        'but no multiboot v1 header; only multiboot v1 is supported');
    case 'none':
      return new BootError(file, `no multiboot header (magic ${hex(MULTIBOOT_HEADER_MAGIC)} on a 4-byte boundary ` +
        `in the first ${MULTIBOOT_SEARCH_BYTES} bytes); is this a multiboot kernel?`);
  }
}

/** Refuses headers whose required flags (bits 0–15) this loader cannot honour (bit 16, the a.out kludge, is honoured). */
export function checkHeaderFlags(file: string, header: MultibootHeader): void {
  const where = `multiboot header at offset ${hex(header.offset)}`;
  const unsupported = header.flags & 0xFFFF & ~SUPPORTED_REQUIRED;
  if (unsupported === 0) return;
  const bits: string[] = [];
  for (let bit = 0; bit < 16; bit++) {
    if (unsupported & (1 << bit)) bits.push(REQUIRED_BIT_NAMES[bit] ? `${bit} (${REQUIRED_BIT_NAMES[bit]})` : `${bit}`);
  }
  throw new BootError(file, `${where} (flags ${hex(header.flags)}) requires flag bit${bits.length > 1 ? 's' : ''} ` +
    `${bits.join(', ')} that this loader does not support (supported: 0 page-aligned modules, 1 memory information)`);
}
