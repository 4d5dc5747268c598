// The translator's direct-access map: per linear page, where its bytes lie in guest RAM when a data
// access may skip segmentation checks, the TLB and the memory bus. A subset of what the TLB holds,
// filled after a checked access succeeded and dropped with it.

const PAGES = 1 << 20;

export class FastMemoryMap {
  /**
   * Linear page → 1 + offset of its physical page in GuestMemory.ram for reads, 0 for none. (The
   * offset is page aligned, so an aligned 16- or 32-bit index `(entry + offset) >> 1 or 2` loses
   * the 1, and the arrays need no filling: zeroed memory is an empty map.)
   */
  readonly read = new Int32Array(PAGES);
  /** The same for writes (RAM without decoded code, dirty in the page tables). */
  readonly write = new Int32Array(PAGES);
  /** True when the entries were filled at CPL 3 (a CPL change between 3 and 0–2 drops them all). */
  user = false;
  private readonly filled: number[] = [];          // linear pages with an entry, for cheap flushes

  /** Makes the map serve accesses at CPL 3 (user) or 0–2: entries learned for the other class are dropped. */
  matchPrivilege(user: boolean): void {
    if (this.user !== user) { this.flush(); this.user = user; }
  }

  /** Records that linear page (of lin) may be read (and written, when write) at RAM offset base. */
  fill(lin: number, base: number, write: boolean): void {
    const page = lin >>> 12;
    if (this.read[page] === 0 && this.write[page] === 0) this.filled.push(page);
    this.read[page] = base + 1;
    if (write) this.write[page] = base + 1;
  }

  /** RAM offset of the page holding lin for reads (write: for writes), or -1 when not in the map. */
  baseOf(lin: number, write: boolean): number {
    return (write ? this.write : this.read)[lin >>> 12] - 1;
  }

  /** Drops one linear page (INVLPG). */
  drop(lin: number): void {
    const page = lin >>> 12;
    this.read[page] = 0;
    this.write[page] = 0;
  }

  /** Drops every entry. */
  flush(): void {
    for (const page of this.filled) { this.read[page] = 0; this.write[page] = 0; }
    this.filled.length = 0;
  }
}
