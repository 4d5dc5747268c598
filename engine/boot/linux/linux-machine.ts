// The machine state of the Linux 32-bit boot protocol's entry: protected mode without paging, a GDT
// in guest memory with flat __BOOT_CS (0x10) and __BOOT_DS (0x18), interrupts off, ESI = boot_params.
import type { Cpu } from '../../cpu/cpu.js';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP } from '../../cpu/registers.js';
import { enterFlatProtectedMode, FLAT_CODE_HI, FLAT_CODE_LO, FLAT_DATA_HI, FLAT_DATA_LO } from '../flat-protected-mode.js';

export const BOOT_CS = 0x10, BOOT_DS = 0x18;
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
  enterFlatProtectedMode(cpu, BOOT_CS, BOOT_DS, entry);
  cpu.gdtrBase = gdtAddress;
  cpu.gdtrLimit = BOOT_GDT_SIZE - 1;
  for (const r of [EAX, ECX, EDX, EBX, ESP, EBP, EDI]) cpu.reg32[r] = 0;
  cpu.reg32[ESI] = zeroPage;
}
