// The machine state boot protocols hand a 32-bit kernel: protected mode without paging, flat 4 GiB
// ring-0 code and data segments, interrupts off. Multiboot and the Linux boot protocol build on it.
import type { Cpu } from '../cpu/cpu.js';
import { parseDescriptor, setSegmentCache } from '../cpu/descriptors.js';
import { CR0_ET, CR0_PE, CS, DS, ES, FS, GS, SS } from '../cpu/registers.js';

/** Flat 32-bit ring-0 execute/read code descriptor (base 0, limit 4 GiB) as its two dwords. */
export const FLAT_CODE_LO = 0x0000FFFF, FLAT_CODE_HI = 0x00CF9A00;
/** Flat 32-bit ring-0 read/write data descriptor (base 0, limit 4 GiB) as its two dwords. */
export const FLAT_DATA_LO = 0x0000FFFF, FLAT_DATA_HI = 0x00CF9200;

/**
 * Puts cpu in 32-bit flat protected mode about to execute entry: CR0 = PE|ET, CPL 0, CS loaded with
 * codeSelector and the data segments with dataSelector (caches flat), EFLAGS = 2 (IF = DF = 0).
 * The caller sets the general registers and GDTR its protocol defines.
 */
export function enterFlatProtectedMode(cpu: Cpu, codeSelector: number, dataSelector: number, entry: number): void {
  cpu.cr0 = CR0_PE | CR0_ET; // paging and caching controls off
  cpu.updatePagingMode();
  cpu.cpl = 0;
  setSegmentCache(cpu, CS, codeSelector, parseDescriptor(FLAT_CODE_LO, FLAT_CODE_HI));
  for (const seg of [DS, ES, FS, GS, SS]) setSegmentCache(cpu, seg, dataSelector, parseDescriptor(FLAT_DATA_LO, FLAT_DATA_HI));
  cpu.setEflags(0x2);
  cpu.eip = entry | 0;
  cpu.instrStart = cpu.eip;
  cpu.halted = false;
  cpu.shutdown = false;
  cpu.onModeChange();
}
