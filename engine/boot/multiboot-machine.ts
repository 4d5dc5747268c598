// The machine state a multiboot v1 kernel starts in (spec §3.2): 32-bit protected mode without
// paging, flat 4 GiB code and data segments, interrupts off, EAX = 0x2BADB002, EBX = the info address.
import type { Cpu } from '../cpu/cpu.js';
import { EAX, EBX } from '../cpu/registers.js';
import { enterFlatProtectedMode } from './flat-protected-mode.js';

export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002;
/** Selectors the caches are loaded with (the usual GDT slots; the GDTR itself is left undefined). */
export const MULTIBOOT_CODE_SELECTOR = 0x08, MULTIBOOT_DATA_SELECTOR = 0x10;

/** Puts cpu in the multiboot entry state, about to execute entry. */
export function enterMultibootState(cpu: Cpu, entry: number, infoAddress: number): void {
  enterFlatProtectedMode(cpu, MULTIBOOT_CODE_SELECTOR, MULTIBOOT_DATA_SELECTOR, entry);
  cpu.gdtrBase = 0; cpu.gdtrLimit = 0; // undefined per the spec: the kernel must load its own GDT
  cpu.reg32[EAX] = MULTIBOOT_BOOTLOADER_MAGIC;
  cpu.reg32[EBX] = infoAddress;
}
