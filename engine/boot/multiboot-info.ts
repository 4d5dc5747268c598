// Builds the multiboot v1 information structure in low guest memory: memory sizes, the PC memory
// map, the kernel command line and the boot loader name (layout: multiboot spec §3.3).
import type { GuestMemory } from '../memory/guest-memory.js';
import { BootError, formatBytes } from './boot-error.js';
import type { LoadedRange } from './elf-load.js';

/** Where the structure and its strings go: one block of conventional memory below the kernel. */
export const MULTIBOOT_INFO_ADDRESS = 0x9000;
const MMAP_ADDRESS = 0x9100;
const LOADER_NAME_ADDRESS = 0x9200;
const CMDLINE_ADDRESS = 0x9300;
/** End (exclusive) of the block the loader owns; the kernel must not be loaded over it. */
export const MULTIBOOT_INFO_END = 0x10000;
/** Longest command line that fits, in UTF-8 bytes without its terminating NUL. */
export const MAX_CMDLINE_BYTES = MULTIBOOT_INFO_END - CMDLINE_ADDRESS - 1;

/** Info flags this loader sets: mem_* (0), cmdline (2), mmap_* (6), boot_loader_name (9). */
export const INFO_FLAG_MEMORY = 1 << 0, INFO_FLAG_CMDLINE = 1 << 2, INFO_FLAG_MMAP = 1 << 6, INFO_FLAG_LOADER_NAME = 1 << 9;
export const BOOT_LOADER_NAME = 'hvdbg';

const EBDA_START = 0x9FC00, BIOS_START = 0xF0000, ONE_MIB = 0x100000;

/** One memory-map entry as the kernel sees it (type 1 = available RAM, 2 = reserved). */
export interface MemoryMapEntry { base: number; length: number; type: number }

/** The PC memory map for ramBytes of RAM: conventional memory, EBDA, BIOS ROM, extended memory. */
export function pcMemoryMap(ramBytes: number): MemoryMapEntry[] {
  const map: MemoryMapEntry[] = [
    { base: 0, length: EBDA_START, type: 1 },
    { base: EBDA_START, length: 0xA0000 - EBDA_START, type: 2 },
    { base: BIOS_START, length: ONE_MIB - BIOS_START, type: 2 },
  ];
  if (ramBytes > ONE_MIB) map.push({ base: ONE_MIB, length: ramBytes - ONE_MIB, type: 1 });
  return map;
}

/** Writes the information structure for file and returns the ranges it occupies. */
export function writeMultibootInfo(memory: GuestMemory, file: string, commandLine: string): LoadedRange[] {
  if (memory.ramSize < ONE_MIB) {
    throw new BootError(file, `guest RAM (${formatBytes(memory.ramSize)}) is smaller than the 1 MiB a multiboot kernel needs`);
  }
  const cmdline = new TextEncoder().encode(commandLine);
  if (cmdline.length > MAX_CMDLINE_BYTES) {
    throw new BootError(file, `kernel command line is ${cmdline.length} bytes; at most ${MAX_CMDLINE_BYTES} fit`);
  }
  const block = new Uint8Array(CMDLINE_ADDRESS - MULTIBOOT_INFO_ADDRESS + cmdline.length + 1);
  const view = new DataView(block.buffer);
  const at = (address: number) => address - MULTIBOOT_INFO_ADDRESS;
  const map = pcMemoryMap(memory.ramSize);
  view.setUint32(0, INFO_FLAG_MEMORY | INFO_FLAG_CMDLINE | INFO_FLAG_MMAP | INFO_FLAG_LOADER_NAME, true);
  view.setUint32(4, EBDA_START / 1024, true);                           // mem_lower: KiB below the EBDA
  view.setUint32(8, Math.max(0, memory.ramSize - ONE_MIB) / 1024, true); // mem_upper: KiB above 1 MiB
  view.setUint32(16, CMDLINE_ADDRESS, true);
  view.setUint32(44, map.length * 24, true);                             // mmap_length
  view.setUint32(48, MMAP_ADDRESS, true);                                // mmap_addr
  view.setUint32(64, LOADER_NAME_ADDRESS, true);
  map.forEach((e, k) => {
    const off = at(MMAP_ADDRESS) + k * 24;
    view.setUint32(off, 20, true);                          // size of the entry after this field
    view.setBigUint64(off + 4, BigInt(e.base), true);
    view.setBigUint64(off + 12, BigInt(e.length), true);
    view.setUint32(off + 20, e.type, true);
  });
  block.set(new TextEncoder().encode(BOOT_LOADER_NAME), at(LOADER_NAME_ADDRESS));
  block.set(cmdline, at(CMDLINE_ADDRESS));
  memory.writeBytes(MULTIBOOT_INFO_ADDRESS, block);
  return [
    { start: MULTIBOOT_INFO_ADDRESS, size: CMDLINE_ADDRESS - MULTIBOOT_INFO_ADDRESS, description: 'multiboot information' },
    { start: CMDLINE_ADDRESS, size: cmdline.length + 1, description: 'kernel command line' },
  ];
}
