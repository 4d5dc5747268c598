// The machine state of the Linux 32-bit boot protocol's entry: protected mode without paging, a GDT
// in guest memory with flat __BOOT_CS (0x10) and __BOOT_DS (0x18), interrupts off, ESI = boot_params.
import type { Cpu } from '../../cpu/cpu.js';
import { parseDescriptor, setSegmentCache } from '../../cpu/descriptors.js';
import { CR0_ET, CR0_PE, CS, DS, EAX, EBP, EBX, ECX, EDI, EDX, ES, ESI, ESP, FS, GS, SS } from '../../cpu/registers.js';

export const BOOT_CS = 0x10, BOOT_DS = 0x18;
const FLAT_CODE_LO = 0x0000FFFF, FLAT_CODE_HI = 0x00CF9A00; // base 0, limit 4 GiB, 32-bit execute/read, ring 0
const FLAT_DATA_LO = 0x0000FFFF, FLAT_DATA_HI = 0x00CF9200; // base 0, limit 4 GiB, read/write, ring 0
/** Four descriptors: two null slots, then __BOOT_CS and __BOOT_DS. */
export const BOOT_GDT_SIZE = 4 * 8;

/** The GDT bytes the loader writes into guest memory. */
export function bootGdt(): Uint8Array {
  const gdt = new Uint8Array(BOOT_GDT_SIZE);
  const view = new DataView(gdt.buffer);
  view.setUint32(BOOT_CS, FLAT_CODE_LO, true); view.setUint32(BOOT_CS + 4, FLAT_CODE_HI, true);
  view.setUint32(BOOT_DS, FLAT_DATA_LO, true); view.setUint32(BOOT_DS + 4, FLAT_DATA_HI, true);
  return gdt;
}

/** Puts cpu at the kernel's 32-bit entry with GDTR → gdtAddress (where bootGdt() was written). */
export function enterLinuxState(cpu: Cpu, entry: number, zeroPage: number, gdtAddress: number): void {
  cpu.cr0 = CR0_PE | CR0_ET;
  cpu.updatePagingMode();
  cpu.cpl = 0;
  cpu.gdtrBase = gdtAddress;
  cpu.gdtrLimit = BOOT_GDT_SIZE - 1;
  setSegmentCache(cpu, CS, BOOT_CS, parseDescriptor(FLAT_CODE_LO, FLAT_CODE_HI));
  for (const seg of [DS, ES, FS, GS, SS]) setSegmentCache(cpu, seg, BOOT_DS, parseDescriptor(FLAT_DATA_LO, FLAT_DATA_HI));
  cpu.setEflags(0x2); // IF = 0, DF = 0
  for (const r of [EAX, ECX, EDX, EBX, ESP, EBP, EDI]) cpu.reg32[r] = 0;
  cpu.reg32[ESI] = zeroPage;
  cpu.eip = entry | 0;
  cpu.instrStart = cpu.eip;
  cpu.halted = false;
  cpu.shutdown = false;
  cpu.onModeChange();
}
