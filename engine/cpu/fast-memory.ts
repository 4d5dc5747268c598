// The translator's direct-access map: per linear page, where its bytes lie in guest RAM when a data
// access may skip segmentation checks, the TLB and the memory bus (-1 otherwise). A subset of what
// the TLB holds, filled after a checked access succeeded and dropped with it.

const PAGES = 1 << 20;

export class FastMemoryMap {
  /** Linear page → offset of its physical page in GuestMemory.ram for reads, or -1. */
  readonly read = new Int32Array(PAGES).fill(-1);
  /** Linear page → offset for writes (RAM without decoded code, dirty in the page tables), or -1. */
  readonly write = new Int32Array(PAGES).fill(-1);
  /** True when the entries were filled at CPL 3 (a CPL change between 3 and 0–2 drops them all). */
  user = false;
  private readonly filled: number[] = [];          // linear pages with an entry, for cheap flushes

  /** Records that linear page (of lin) may be read (and written, when write) at RAM offset base. */
  fill(lin: number, base: number, write: boolean): void {
    const page = lin >>> 12;
    if (this.read[page] === -1 && this.write[page] === -1) this.filled.push(page);
    this.read[page] = base;
    if (write) this.write[page] = base;
  }

  /** Drops one linear page (INVLPG). */
  drop(lin: number): void {
    const page = lin >>> 12;
    this.read[page] = -1;
    this.write[page] = -1;
  }

  /** Drops every entry. */
  flush(): void {
    for (const page of this.filled) { this.read[page] = -1; this.write[page] = -1; }
    this.filled.length = 0;
  }

  /** Entries in use (for tests). */
  get size(): number { return this.filled.filter((p) => this.read[p] !== -1).length; }
}
