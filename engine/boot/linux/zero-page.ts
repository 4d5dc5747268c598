// Builds the Linux "zero page" (struct boot_params, arch/x86/include/uapi/asm/bootparam.h) a 32-bit
// boot loader hands the kernel: screen_info, the setup header with the loader's fields, and E820.
import type { E820Entry } from '../../platform/firmware/e820.js';
import { CAN_USE_HEAP, KEEP_SEGMENTS, SETUP_HEADER_OFFSET } from './setup-header.js';

export const ZERO_PAGE_SIZE = 0x1000;
/** type_of_loader: 0xFF is "undefined/other"; hvdbg has no assigned ID. */
export const LOADER_TYPE_UNDEFINED = 0xFF;
/** Offsets inside boot_params. */
export const BP_ALT_MEM_K = 0x1E0, BP_E820_ENTRIES = 0x1E8, BP_E820_TABLE = 0x2D0, E820_MAX_ENTRIES = 128;
export const HDR_TYPE_OF_LOADER = 0x210, HDR_LOADFLAGS = 0x211, HDR_HEAP_END_PTR = 0x224;
export const HDR_RAMDISK_IMAGE = 0x218, HDR_RAMDISK_SIZE = 0x21C, HDR_CMD_LINE_PTR = 0x228, HDR_VID_MODE = 0x1FA;

/** What goes into the zero page besides the file's own setup header. */
export interface ZeroPageInput {
  image: Uint8Array;        // the bzImage file
  headerEnd: number;        // file offset just past its setup header
  commandLineAddress: number;
  ramdisk?: { address: number; size: number };
  memoryMap: E820Entry[];
  ramBytes: number;         // guest RAM, for the legacy ext_mem_k/alt_mem_k sizes
}

/** The 4 KiB boot_params block, ready to be written into guest memory. */
export function buildZeroPage(input: ZeroPageInput): Uint8Array {
  const page = new Uint8Array(ZERO_PAGE_SIZE);
  const view = new DataView(page.buffer);
  writeScreenInfo(view, input.ramBytes);
  // The setup header is copied as the kernel wrote it; the loader then fills in its own fields.
  page.set(input.image.subarray(SETUP_HEADER_OFFSET, input.headerEnd), SETUP_HEADER_OFFSET);
  view.setUint16(HDR_VID_MODE, 0xFFFF, true);                                // "normal" text mode
  view.setUint8(HDR_TYPE_OF_LOADER, LOADER_TYPE_UNDEFINED);
  // Segments are loaded from the loader's GDT (KEEP_SEGMENTS clear: the kernel reloads them); the
  // heap flag tells the kernel heap_end_ptr is valid, as for any loader that runs the real-mode setup.
  const loadflags = (view.getUint8(HDR_LOADFLAGS) | CAN_USE_HEAP) & ~KEEP_SEGMENTS;
  view.setUint8(HDR_LOADFLAGS, loadflags);
  view.setUint16(HDR_HEAP_END_PTR, 0xFE00, true);
  view.setUint32(HDR_CMD_LINE_PTR, input.commandLineAddress, true);
  view.setUint32(HDR_RAMDISK_IMAGE, input.ramdisk?.address ?? 0, true);
  view.setUint32(HDR_RAMDISK_SIZE, input.ramdisk?.size ?? 0, true);
  view.setUint32(BP_ALT_MEM_K, Math.max(0, input.ramBytes - 0x100000) / 1024, true);
  const entries = input.memoryMap.slice(0, E820_MAX_ENTRIES);
  view.setUint8(BP_E820_ENTRIES, entries.length);
  entries.forEach((e, k) => {
    const off = BP_E820_TABLE + k * 20;                                       // struct boot_e820_entry, packed
    view.setBigUint64(off, BigInt(e.base), true);
    view.setBigUint64(off + 8, BigInt(e.length), true);
    view.setUint32(off + 16, e.type, true);
  });
  return page;
}

/** struct screen_info: an 80×25 colour VGA text screen, cursor at the top left. */
function writeScreenInfo(view: DataView, ramBytes: number): void {
  view.setUint16(0x02, Math.min(0xFFFF, Math.max(0, ramBytes - 0x100000) / 1024), true); // ext_mem_k
  view.setUint8(0x06, 3);      // orig_video_mode: 80×25 colour text
  view.setUint8(0x07, 80);     // orig_video_cols
  view.setUint16(0x0A, 0, true); // orig_video_ega_bx
  view.setUint8(0x0E, 25);     // orig_video_lines
  view.setUint8(0x0F, 1);      // orig_video_isVGA
  view.setUint16(0x10, 16, true); // orig_video_points: character height
}
