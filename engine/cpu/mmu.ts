// Paging: the two-level 32-bit page walk (4 KiB and 4 MiB pages), accessed/dirty bits, CR0.WP,
// global pages, and a direct-mapped TLB in typed arrays flushed by CR3 writes and INVLPG.
import type { GuestMemory } from '../memory/guest-memory.js';
import { fault, Vector } from './fault.js';
import { FastMemoryMap } from './fast-memory.js';

/** TLB entry bits (tlbFlags). */
export const TLB_VALID = 1, TLB_WRITE = 2, TLB_USER = 4, TLB_GLOBAL = 8;
/** The page is in Mmu.filled (kept by INVLPG so a new walk does not list it twice). */
const TLB_LISTED = 0x10;

/** Access kinds of a translation. */
export const enum Access { Read = 0, Write = 1, Fetch = 2 }

export class Mmu {
  readonly tlbFrame = new Int32Array(1 << 20);   // linear page → physical frame base
  readonly tlbFlags = new Uint8Array(1 << 20);   // linear page → TLB_* bits (0 = not cached)
  private filled: number[] = [];                 // pages with tlbFlags != 0 (each once), for cheap flushes
  cr3 = 0;                                       // page-directory base
  wp = false;                                    // CR0.WP
  pse = false;                                   // CR4.PSE
  pge = false;                                   // CR4.PGE
  /** Set by a failing walk: the CR2 value to report. */
  faultAddress = 0;
  /** The translator's direct-access map: a subset of this TLB, dropped with it. */
  readonly direct = new FastMemoryMap();

  constructor(private readonly memory: GuestMemory) {}

  /** Drops every TLB entry (global ones too when includeGlobal). */
  flush(includeGlobal: boolean): void {
    const kept: number[] = [];
    for (const p of this.filled) {
      if (!includeGlobal && (this.tlbFlags[p] & TLB_GLOBAL)) { kept.push(p); continue; }
      this.tlbFlags[p] = 0;
    }
    this.filled = kept; // (not push(...kept): a spread of 100k+ entries overflows the host stack)
    this.direct.flush();
  }

  /** INVLPG: drops the entry for one linear address. */
  invalidate(linear: number): void {
    this.tlbFlags[linear >>> 12] &= TLB_LISTED;
    this.direct.drop(linear);
  }

  /** Number of cached translations (for the debugger's `info tlb`). */
  get size(): number { return this.filled.reduce((n, p) => n + (this.tlbFlags[p] & TLB_VALID), 0); }

  /**
   * Walks the page tables for linear; raises #PF (CR2 in faultAddress) when not permitted.
   * Sets accessed/dirty bits as the hardware does and fills the TLB.
   */
  walk(linear: number, access: Access, user: boolean): number {
    linear >>>= 0;
    const mem = this.memory;
    const write = access === Access.Write;
    const pdeAddr = ((this.cr3 & ~0xFFF) + ((linear >>> 22) << 2)) >>> 0;
    const pde = mem.read32(pdeAddr);
    if (!(pde & 1)) this.pageFault(linear, 0, write, user, access);
    let frame: number, writable: boolean, userOk: boolean, global: boolean;
    if ((pde & 0x80) && this.pse) {
      writable = (pde & 2) !== 0; userOk = (pde & 4) !== 0; global = (pde & 0x100) !== 0;
      this.checkRights(linear, writable, userOk, write, user, access);
      const want = pde | 0x20 | (write ? 0x40 : 0);
      if (want !== pde) mem.write32(pdeAddr, want);
      frame = ((pde & 0xFFC00000) + (linear & 0x3FF000)) >>> 0;
      if (!write && !(pde & 0x40)) writable = false; // the first write must walk again to set D
    } else {
      const pteAddr = ((pde & ~0xFFF) + (((linear >>> 12) & 0x3FF) << 2)) >>> 0;
      const pte = mem.read32(pteAddr);
      if (!(pte & 1)) this.pageFault(linear, 0, write, user, access);
      writable = (pde & 2) !== 0 && (pte & 2) !== 0;
      userOk = (pde & 4) !== 0 && (pte & 4) !== 0;
      global = (pte & 0x100) !== 0;
      this.checkRights(linear, writable, userOk, write, user, access);
      if (!(pde & 0x20)) mem.write32(pdeAddr, pde | 0x20);
      const want = pte | 0x20 | (write ? 0x40 : 0);
      if (want !== pte) mem.write32(pteAddr, want);
      frame = (pte & ~0xFFF) >>> 0;
      if (!write && !(pte & 0x40)) writable = false; // the first write must walk again to set D
    }
    const page = linear >>> 12;
    if (this.tlbFlags[page] === 0) this.filled.push(page);
    this.tlbFrame[page] = frame | 0;
    this.tlbFlags[page] = TLB_VALID | TLB_LISTED | (writable && (!user || userOk) ? TLB_WRITE : 0) | (userOk ? TLB_USER : 0)
      | (global && this.pge ? TLB_GLOBAL : 0);
    // Supervisor writes to read-only pages are allowed when CR0.WP = 0: never cache them as writable.
    if (!writable) this.tlbFlags[page] &= ~TLB_WRITE;
    return (frame + (linear & 0xFFF)) >>> 0;
  }

  private checkRights(linear: number, writable: boolean, userOk: boolean, write: boolean, user: boolean, access: Access): void {
    if (user && !userOk) this.pageFault(linear, 1, write, user, access);
    if (write && !writable && (user || this.wp)) this.pageFault(linear, 1, write, user, access);
  }

  private pageFault(linear: number, present: number, write: boolean, user: boolean, access: Access): never {
    this.faultAddress = linear;
    const code = present | (write ? 2 : 0) | (user ? 4 : 0);
    return fault(Vector.PF, code, `page fault at ${'0x' + linear.toString(16)} (${access === Access.Fetch ? 'fetch' : write ? 'write' : 'read'}, ${present ? 'protection' : 'not present'})`);
  }
}
