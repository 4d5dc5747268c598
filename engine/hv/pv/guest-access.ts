// The hypervisor's copy_from_guest/copy_to_guest: reads and writes guest-virtual memory through the
// guest's current page tables (as the guest kernel at ring 1 would see it, with CR0.WP honoured),
// refusing the hypervisor hole; a failure is a GuestFault, which hypercalls answer with -EFAULT.
import type { GuestMemory } from '../../memory/guest-memory.js';
import { HYPERVISOR_VIRT_START, PTE_P, PTE_PS, PTE_RW } from './abi.js';

/** A guest pointer the hypervisor could not follow. */
export class GuestFault extends Error {
  constructor(readonly address: number, readonly write: boolean, why: string) {
    super(`bad guest pointer 0x${(address >>> 0).toString(16).padStart(8, '0')} (${write ? 'write' : 'read'}): ${why}`);
  }
}

export class GuestAccess {
  /**
   * @param memory guest-physical memory
   * @param pageDirectory the current CR3 (physical address of the page directory)
   */
  constructor(private readonly memory: GuestMemory, private readonly pageDirectory: () => number) {}

  /** Guest-virtual → guest-physical for one byte's page; throws GuestFault when not mapped so. */
  translate(virt: number, write: boolean): number {
    virt >>>= 0;
    if (virt >= HYPERVISOR_VIRT_START) throw new GuestFault(virt, write, 'inside the hypervisor hole (≥ 0xfc000000)');
    const pde = this.memory.read32(((this.pageDirectory() & ~0xFFF) + (virt >>> 22) * 4) >>> 0);
    if (!(pde & PTE_P)) throw new GuestFault(virt, write, 'page directory entry not present');
    if (pde & PTE_PS) throw new GuestFault(virt, write, '4 MiB page (the pv guest uses 4 KiB pages only)');
    const pte = this.memory.read32(((pde & ~0xFFF) >>> 0) + ((virt >>> 12) & 0x3FF) * 4);
    if (!(pte & PTE_P)) throw new GuestFault(virt, write, 'page not present');
    if (write && !((pde & pte) & PTE_RW)) throw new GuestFault(virt, write, 'page is read-only');
    const phys = (((pte & ~0xFFF) >>> 0) + (virt & 0xFFF)) >>> 0;
    if (!this.memory.isRam(phys, 1)) throw new GuestFault(virt, write, 'not RAM');
    return phys;
  }

  read8(virt: number): number { return this.memory.read8(this.translate(virt, false)); }
  read32(virt: number): number {
    if ((virt & 0xFFF) > 0xFFC) return (this.read8(virt) | (this.read8(virt + 1) << 8) | (this.read8(virt + 2) << 16) | (this.read8(virt + 3) << 24)) >>> 0;
    return this.memory.read32(this.translate(virt, false)) >>> 0;
  }
  write8(virt: number, value: number): void { this.memory.write8(this.translate(virt, true), value); }
  write32(virt: number, value: number): void {
    if ((virt & 0xFFF) > 0xFFC) {
      for (let k = 0; k < 4; k++) this.translate(virt + k, true);   // all or nothing
      for (let k = 0; k < 4; k++) this.write8(virt + k, value >>> (8 * k));
      return;
    }
    this.memory.write32(this.translate(virt, true), value | 0);
  }
  read64(virt: number): bigint { return BigInt(this.read32(virt)) | (BigInt(this.read32(virt + 4)) << 32n); }
  write64(virt: number, value: bigint): void {
    this.translate(virt, true); this.translate(virt + 7, true);
    this.write32(virt, Number(value & 0xFFFFFFFFn));
    this.write32(virt + 4, Number((value >> 32n) & 0xFFFFFFFFn));
  }

  /** length bytes at virt (checked page by page before anything is returned). */
  readBytes(virt: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k++) out[k] = this.read8(virt + k);
    return out;
  }

  /** Writes bytes at virt; every page is checked first, so a bad buffer writes nothing. */
  writeBytes(virt: number, bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length; k += 0x1000 - ((virt + k) & 0xFFF)) this.translate(virt + k, true);
    if (bytes.length) this.translate(virt + bytes.length - 1, true);
    for (let k = 0; k < bytes.length; k++) this.write8(virt + k, bytes[k]);
  }
}
