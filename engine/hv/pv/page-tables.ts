// Page-table update validation, as Xen does for a 32-bit PV guest (2-level, non-PAE paging): the
// guest may map only its own RAM (and the shared-info frame), never the hypervisor's frames, never a
// page table or GDT frame writable, and never touch the hypervisor's page-directory slots.
import type { GuestMemory } from '../../memory/guest-memory.js';
import { Errno, HYPERVISOR_PDE_FIRST, PTE_P, PTE_PS, PTE_RW } from './abi.js';
import { installHypervisorSlots, type HypervisorRegion } from './hypervisor-region.js';

/** 0 when an update is allowed, else the errno it fails with and why. */
export type Verdict = { ok: true } | { ok: false; errno: Errno; why: string };
const OK: Verdict = { ok: true };
const refuse = (errno: Errno, why: string): Verdict => ({ ok: false, errno, why });
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

export class PageTables {
  readonly pinnedL1 = new Set<number>();   // frame numbers pinned as page tables (MMUEXT_PIN_L1_TABLE)
  readonly pinnedL2 = new Set<number>();   // frame numbers pinned as page directories (MMUEXT_PIN_L2_TABLE)
  readonly gdtFrames = new Set<number>();  // frames holding the guest's GDT (set_gdt): never writable

  constructor(private readonly memory: GuestMemory, readonly region: HypervisorRegion,
    private readonly currentPageDirectory: () => number) {}

  /** Page directories in use: the pinned ones and the one CR3 holds. */
  l2Frames(): Set<number> {
    const s = new Set(this.pinnedL2);
    s.add(this.currentPageDirectory() >>> 12);
    return s;
  }

  /** Page tables in use: pinned ones and every table a directory in use points to (guest slots). */
  l1Frames(): Set<number> {
    const s = new Set(this.pinnedL1);
    for (const l2 of this.l2Frames()) {
      for (let slot = 0; slot < HYPERVISOR_PDE_FIRST; slot++) {
        const pde = this.memory.read32(l2 * 4096 + slot * 4);
        if (pde & PTE_P) s.add(pde >>> 12);
      }
    }
    return s;
  }

  /** A frame the domain owns: RAM below the hypervisor's region. */
  owns(frame: number): boolean {
    return frame * 4096 < this.region.base && this.memory.isRam(frame * 4096, 4096);
  }

  /** Frames the guest may never map writable: page tables, page directories, its GDT. */
  protectedFrames(): Set<number> {
    return new Set([...this.gdtFrames, ...this.l2Frames(), ...this.l1Frames()]);
  }

  /** True when some page table in use maps frame writable. */
  hasWritableMapping(frame: number): boolean {
    for (const l1 of this.l1Frames()) {
      for (let k = 0; k < 1024; k++) {
        const pte = this.memory.read32(l1 * 4096 + k * 4);
        if ((pte & (PTE_P | PTE_RW)) === (PTE_P | PTE_RW) && pte >>> 12 === frame) return true;
      }
    }
    return false;
  }

  /** May pte go into a page table? */
  checkL1Entry(pte: number, protectedFrames?: Set<number>): Verdict {
    if (!(pte & PTE_P)) return OK;
    const frame = pte >>> 12;
    if (frame * 4096 === this.region.sharedInfo) return OK;
    if (frame * 4096 >= this.region.base && frame * 4096 < this.region.end) {
      return refuse(Errno.EPERM, `frame ${hex(frame)} is hypervisor memory`);
    }
    if (!this.owns(frame)) return refuse(Errno.EPERM, `frame ${hex(frame)} is not the domain's RAM`);
    if ((pte & PTE_RW) && (protectedFrames ?? this.protectedFrames()).has(frame)) return refuse(Errno.EINVAL, `writable mapping of page-table or GDT frame ${hex(frame)}`);
    return OK;
  }

  /** May pde go into slot of a page directory? (A new page table is validated whole.) */
  checkL2Entry(slot: number, pde: number): Verdict {
    if (slot >= HYPERVISOR_PDE_FIRST) return refuse(Errno.EINVAL, `page-directory slot ${slot} belongs to the hypervisor`);
    if (!(pde & PTE_P)) return OK;
    if (pde & PTE_PS) return refuse(Errno.EINVAL, '4 MiB pages are not available to pv guests');
    const frame = pde >>> 12;
    if (!this.owns(frame)) return refuse(Errno.EPERM, `frame ${hex(frame)} is ${frame * 4096 >= this.region.base ? 'hypervisor memory' : 'not the domain\'s RAM'}`);
    if (this.gdtFrames.has(frame) || this.l2Frames().has(frame)) return refuse(Errno.EINVAL, `frame ${hex(frame)} is a GDT or page directory`);
    if (this.l1Frames().has(frame)) return OK;   // already a validated page table
    return this.checkNewL1(frame);
  }

  /** A frame about to become a page table: not mapped writable, every entry valid. */
  checkNewL1(frame: number): Verdict {
    if (!this.owns(frame)) return refuse(Errno.EPERM, `frame ${hex(frame)} is not the domain's RAM`);
    if (this.hasWritableMapping(frame)) return refuse(Errno.EINVAL, `frame ${hex(frame)} is still mapped writable`);
    const prot = this.protectedFrames();
    prot.add(frame);   // the new table may not map itself writable either
    for (let k = 0; k < 1024; k++) {
      const v = this.checkL1Entry(this.memory.read32(frame * 4096 + k * 4), prot);
      if (!v.ok) return refuse(v.errno, `entry ${k} of new page table ${hex(frame)}: ${v.why}`);
    }
    return OK;
  }

  /** A frame about to become a page directory: not mapped writable, every guest slot valid. */
  checkNewL2(frame: number): Verdict {
    if (!this.owns(frame)) return refuse(Errno.EPERM, `frame ${hex(frame)} is not the domain's RAM`);
    if (this.hasWritableMapping(frame)) return refuse(Errno.EINVAL, `frame ${hex(frame)} is still mapped writable`);
    for (let slot = 0; slot < HYPERVISOR_PDE_FIRST; slot++) {
      const v = this.checkL2Entry(slot, this.memory.read32(frame * 4096 + slot * 4));
      if (!v.ok) return refuse(v.errno, `slot ${slot} of new page directory ${hex(frame)}: ${v.why}`);
    }
    return OK;
  }

  /**
   * MMU_NORMAL_PT_UPDATE: writes value to the entry at machine address ptr after validating it
   * against the kind of table ptr lies in.
   */
  update(ptr: number, value: number): Verdict {
    if (ptr & 3) return refuse(Errno.EINVAL, `entry address ${hex(ptr)} is not 4-byte aligned`);
    const frame = ptr >>> 12;
    let v: Verdict;
    if (this.l2Frames().has(frame)) v = this.checkL2Entry((ptr & 0xFFF) >>> 2, value);
    else if (this.l1Frames().has(frame)) v = this.checkL1Entry(value);
    else return refuse(Errno.EINVAL, `${hex(ptr)} is not in a page table or page directory in use`);
    if (v.ok) this.memory.write32(ptr, value);
    return v;
  }

  /** Validates frame as a page directory and gives it the hypervisor's slots (pin or new base). */
  adoptL2(frame: number): Verdict {
    if (this.l2Frames().has(frame)) return OK;
    const v = this.checkNewL2(frame);
    if (v.ok) installHypervisorSlots(this.memory, this.region, frame * 4096);
    return v;
  }
}
