// The machine state a multiboot v1 kernel starts in (spec §3.2): 32-bit protected mode without
// paging, flat 4 GiB code and data segments, interrupts off, EAX = 0x2BADB002, EBX = the info address.
import type { Cpu } from '../cpu/cpu.js';
import { parseDescriptor, setSegmentCache } from '../cpu/descriptors.js';
import { CR0_ET, CR0_PE, CS, DS, EAX, EBX, ES, FS, GS, SS } from '../cpu/registers.js';

export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002;
/** Selectors the caches are loaded with (the usual GDT slots; the GDTR itself is left undefined). */
export const MULTIBOOT_CODE_SELECTOR = 0x08, MULTIBOOT_DATA_SELECTOR = 0x10;
/** Flat 32-bit ring-0 execute/read code and read/write data descriptors (base 0, limit 4 GiB). */
const FLAT_CODE = parseDescriptor(0x0000FFFF, 0x00CF9A00);
const FLAT_DATA = parseDescriptor(0x0000FFFF, 0x00CF9200);

/** Puts cpu in the multiboot entry state, about to execute entry. */
export function enterMultibootState(cpu: Cpu, entry: number, infoAddress: number): void {
  cpu.cr0 = CR0_PE | CR0_ET; // paging and caching controls off
  cpu.updatePagingMode();
  cpu.cpl = 0;
  setSegmentCache(cpu, CS, MULTIBOOT_CODE_SELECTOR, FLAT_CODE);
  for (const seg of [DS, ES, FS, GS, SS]) setSegmentCache(cpu, seg, MULTIBOOT_DATA_SELECTOR, FLAT_DATA);
  cpu.gdtrBase = 0; cpu.gdtrLimit = 0; // undefined per the spec: the kernel must load its own GDT
  cpu.setEflags(0x2);                  // IF = 0, DF = 0
  cpu.reg32[EAX] = MULTIBOOT_BOOTLOADER_MAGIC;
  cpu.reg32[EBX] = infoAddress;
  cpu.eip = entry | 0;
  cpu.instrStart = cpu.eip;
  cpu.halted = false;
  cpu.shutdown = false;
  cpu.onModeChange();
}
