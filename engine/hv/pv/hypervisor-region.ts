// The hypervisor's own memory: the top 256 KiB of guest RAM, which the guest may never map (except
// the shared-info frame), holding the page table of the hypervisor hole, the reserved GDT page with
// Xen's flat ring-1/ring-3 selectors, the IDT, the TSS and the shared-info page.
import type { GuestMemory } from '../../memory/guest-memory.js';
import {
  FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING3_CS, FLAT_RING3_DS, GDT_PAGES, GDT_VIRT, HYPERVISOR_PDE_FIRST,
  HYPERVISOR_VIRT_START, IDT_VIRT, PTE_A, PTE_D, PTE_P, PTE_RW, TSS_SELECTOR, TSS_VIRT,
} from './abi.js';

/** Bytes of RAM the hypervisor keeps at the top of guest memory. */
export const HYPERVISOR_RESERVED_BYTES = 0x40000;

/** Guest-physical addresses of the hypervisor's pages. */
export interface HypervisorRegion {
  base: number;        // first reserved byte (frames from here up are the hypervisor's)
  end: number;         // one past the last (= RAM size)
  holeTable: number;   // page table mapping 0xfc000000–0xfc3fffff (the GDT, IDT and TSS pages)
  reservedGdt: number; // GDT page 14: entries 7168–7679 (Xen's flat selectors, the TSS descriptor)
  zeroPage: number;    // backs the GDT pages no set_gdt frame fills
  idt: number;         // 256 gates
  tss: number;         // 32-bit TSS (ss1:esp1 = the guest kernel stack)
  sharedInfo: number;  // shared_info: the one hypervisor frame the guest may map
}

/** The region for a machine with ramSize bytes of RAM. */
export function hypervisorRegion(ramSize: number): HypervisorRegion {
  const base = ramSize - HYPERVISOR_RESERVED_BYTES;
  return {
    base, end: ramSize, holeTable: base, reservedGdt: base + 0x1000, zeroPage: base + 0x2000,
    idt: base + 0x3000, tss: base + 0x4000, sharedInfo: base + 0x5000,
  };
}

/** Ring-1 and ring-3 flat segments end below the hole, so the guest cannot reach the hypervisor. */
export const GUEST_SEGMENT_LIMIT = HYPERVISOR_VIRT_START - 1;

/** A present code/data descriptor: base 0, 4 KiB-granular limit below the hole, 32-bit. */
function flatDescriptor(dpl: number, code: boolean): [number, number] {
  const limitPages = GUEST_SEGMENT_LIMIT >>> 12;            // 0xfbfff
  const lo = limitPages & 0xFFFF;
  const type = code ? 0xB : 0x3;                             // execute/read or read/write, accessed
  const hi = (limitPages & 0xF0000) | 0x00C00000 | 0x8000 | (dpl << 13) | 0x1000 | (type << 8);
  return [lo, hi >>> 0];
}

/** Writes the hypervisor's pages: hole page table, reserved GDT, an empty IDT and TSS. */
export function buildHypervisorRegion(memory: GuestMemory, r: HypervisorRegion): void {
  for (let a = r.base; a < r.end; a += 4) memory.write32(a, 0);
  // GDT pages 0–13 show the zero page until set_gdt; 14 is the reserved page; 15 the zero page.
  for (let page = 0; page < GDT_PAGES; page++) {
    const frame = page === 14 ? r.reservedGdt : r.zeroPage;
    setHolePte(memory, r, GDT_VIRT + page * 0x1000, frame);
  }
  setHolePte(memory, r, IDT_VIRT, r.idt);
  setHolePte(memory, r, TSS_VIRT, r.tss);
  const gdtEntry = (selector: number, [lo, hi]: [number, number]) => {
    const at = r.reservedGdt + ((selector & ~7) - 7168 * 8);
    memory.write32(at, lo);
    memory.write32(at + 4, hi);
  };
  gdtEntry(FLAT_RING1_CS, flatDescriptor(1, true));
  gdtEntry(FLAT_RING1_DS, flatDescriptor(1, false));
  gdtEntry(FLAT_RING3_CS, flatDescriptor(3, true));
  gdtEntry(FLAT_RING3_DS, flatDescriptor(3, false));
  // 32-bit TSS (busy, type 0xB), base TSS_VIRT, limit 0x67.
  gdtEntry(TSS_SELECTOR, [((TSS_VIRT & 0xFFFF) << 16) | 0x67, ((TSS_VIRT >>> 24) << 24 | 0x8B00 | ((TSS_VIRT >>> 16) & 0xFF)) >>> 0]);
  memory.write32(r.tss + 0x66, 0x68 << 16);                  // I/O map base beyond the limit: no I/O permissions
}

/** Maps virt (inside 0xfc000000–0xfc3fffff) to frame in the hole's page table: supervisor, writable. */
export function setHolePte(memory: GuestMemory, r: HypervisorRegion, virt: number, frame: number): void {
  memory.write32(r.holeTable + ((virt >>> 12) & 0x3FF) * 4, (frame & ~0xFFF) | PTE_P | PTE_RW | PTE_A | PTE_D);
}

/** Gives a guest page directory the hypervisor's slots (1008–1023): the hole table, nothing else. */
export function installHypervisorSlots(memory: GuestMemory, r: HypervisorRegion, pageDirectory: number): void {
  const pd = pageDirectory & ~0xFFF;
  memory.write32(pd + HYPERVISOR_PDE_FIRST * 4, r.holeTable | PTE_P | PTE_RW | PTE_A);
  for (let slot = HYPERVISOR_PDE_FIRST + 1; slot < 1024; slot++) memory.write32(pd + slot * 4, 0);
}
