// Builds the multiboot v1 information structure in low guest memory: memory sizes, the PC memory
// map, the kernel command line and the boot loader name (layout: multiboot spec §3.3).
import type { GuestMemory } from '../memory/guest-memory.js';
import { BootError, formatBytes } from './boot-error.js';
import type { LoadedRange } from './elf-load.js';
import { buildE820Map, type E820Entry } from '../platform/firmware/e820.js';

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

const EBDA_START = 0x9FC00, ONE_MIB = 0x100000;
const MMAP_CAPACITY = LOADER_NAME_ADDRESS - MMAP_ADDRESS;

/** One memory-map entry as the kernel sees it (type 1 = available RAM, 2 = reserved, 3 = ACPI). */
export type MemoryMapEntry = E820Entry;

/** The PC memory map for ramBytes of RAM: the firmware's E820 map (engine/platform/firmware/e820.ts). */
export function pcMemoryMap(ramBytes: number): MemoryMapEntry[] {
  return buildE820Map(ramBytes);
}

/** A module as placed in guest memory by the loader. */
export interface PlacedModule {
  start: number;        // mod_start (guest-physical)
  end: number;          // mod_end (exclusive)
  commandLine: string;  // the module's string
}

/** Flag bit 3: mods_count and mods_addr are valid. */
export const INFO_FLAG_MODS = 1 << 3;

/** Writes the information structure for file and returns the ranges it occupies. */
export function writeMultibootInfo(memory: GuestMemory, file: string, commandLine: string, modules: readonly PlacedModule[] = []): LoadedRange[] {
  if (memory.ramSize < ONE_MIB) {
    throw new BootError(file, `guest RAM (${formatBytes(memory.ramSize)}) is smaller than the 1 MiB a multiboot kernel needs`);
  }
  const cmdline = new TextEncoder().encode(commandLine);
  if (cmdline.length > MAX_CMDLINE_BYTES) {
    throw new BootError(file, `kernel command line is ${cmdline.length} bytes; at most ${MAX_CMDLINE_BYTES} fit`);
  }
  // After the kernel command line: the module list (16 bytes per module), then the modules' strings.
  const modsAddress = (CMDLINE_ADDRESS + cmdline.length + 1 + 3) & ~3;
  const modStrings = modules.map((m) => new TextEncoder().encode(m.commandLine));
  const end = modsAddress + modules.length * 16 + modStrings.reduce((n, b) => n + b.length + 1, 0);
  if (modules.length > 0 && end > MULTIBOOT_INFO_END) {
    throw new BootError(file, `the kernel command line and the ${modules.length} module command lines take ${end - CMDLINE_ADDRESS} bytes; ` +
      `at most ${MULTIBOOT_INFO_END - CMDLINE_ADDRESS} fit`);
  }
  const map = pcMemoryMap(memory.ramSize);
  if (map.length * 24 > MMAP_CAPACITY) throw new Error(`multiboot: the memory map has ${map.length} entries, room for ${MMAP_CAPACITY / 24}`);
  const block = new Uint8Array((modules.length > 0 ? end : CMDLINE_ADDRESS + cmdline.length + 1) - MULTIBOOT_INFO_ADDRESS);
  const view = new DataView(block.buffer);
  const at = (address: number) => address - MULTIBOOT_INFO_ADDRESS;
  const flags = INFO_FLAG_MEMORY | INFO_FLAG_CMDLINE | INFO_FLAG_MMAP | INFO_FLAG_LOADER_NAME | (modules.length > 0 ? INFO_FLAG_MODS : 0);
  view.setUint32(0, flags, true);
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
  if (modules.length > 0) {
    view.setUint32(20, modules.length, true);                            // mods_count
    view.setUint32(24, modsAddress, true);                               // mods_addr
    let str = modsAddress + modules.length * 16;
    modules.forEach((m, k) => {
      const off = at(modsAddress) + k * 16;
      view.setUint32(off, m.start, true);
      view.setUint32(off + 4, m.end, true);
      view.setUint32(off + 8, str, true);
      block.set(modStrings[k], at(str));
      str += modStrings[k].length + 1;
    });
  }
  memory.writeBytes(MULTIBOOT_INFO_ADDRESS, block);
  const ranges: LoadedRange[] = [
    { start: MULTIBOOT_INFO_ADDRESS, size: CMDLINE_ADDRESS - MULTIBOOT_INFO_ADDRESS, description: 'multiboot information' },
    { start: CMDLINE_ADDRESS, size: cmdline.length + 1, description: 'kernel command line' },
  ];
  if (modules.length > 0) ranges.push({ start: modsAddress, size: end - modsAddress, description: 'multiboot module list and module command lines' });
  return ranges;
}
