// The debugger's instruction breakpoints as the CPU sees them: a set of linear addresses with a
// per-page count, so the run loop checks only when it enters a page that holds one (never per
// instruction elsewhere) and guest memory is never patched.

const PAGE_SHIFT = 12;

export class CodeBreakpoints {
  /** Linear addresses armed now. */
  private readonly addresses = new Set<number>();
  /** Per linear page: the armed addresses it holds. */
  private readonly perPage = new Map<number, number[]>();
  /** Per linear page with armed addresses: for each offset, the offset of the next armed address at or after it (4096: none). */
  private readonly nextArmed = new Map<number, Uint16Array>();
  private cachedPage = -1;                           // the page anyIn looked up last
  private cachedNext: Uint16Array | undefined;       // …and its table
  /** True when at least one address is armed (the run loop's only check while none are). */
  armed = false;
  /** Bumped on every change; translated code compiled under another version must be checked again. */
  version = 0;
  /** One linear address the next hit check lets pass once (resuming from a breakpoint). */
  private passOnce: number | undefined;
  /**
   * Called when the CPU is about to execute an armed address (before it executes); returns true to
   * stop there, false to run on (a condition that does not hold, a logpoint).
   */
  onHit: (linear: number) => boolean = () => true;

  /** Arms a linear address. */
  add(linear: number): void {
    const address = linear >>> 0;
    if (this.addresses.has(address)) return;
    this.addresses.add(address);
    this.addToPage(address);
    this.changed();
  }

  /** Disarms a linear address. */
  delete(linear: number): void {
    const address = linear >>> 0;
    if (!this.addresses.delete(address)) return;
    const page = address >>> PAGE_SHIFT;
    const left = (this.perPage.get(page) ?? []).filter((a) => a !== address);
    if (left.length === 0) this.perPage.delete(page); else this.perPage.set(page, left);
    this.changed();
  }

  /** Replaces the armed set with exactly these linear addresses. */
  replaceAll(linears: Iterable<number>): void {
    this.addresses.clear();
    this.perPage.clear();
    for (const a of linears) {
      const address = a >>> 0;
      if (this.addresses.has(address)) continue;
      this.addresses.add(address);
      this.addToPage(address);
    }
    this.changed();
  }

  /** True when linear is armed. */
  has(linear: number): boolean { return this.addresses.has(linear >>> 0); }

  /** True when the linear page (address >>> 12) holds an armed address. */
  pageHas(linearPage: number): boolean { return this.perPage.has(linearPage >>> 0); }

  /**
   * True when an armed address lies in [startLinear, endLinear) — what a translated block asks
   * before it runs as a whole (a block without one runs at full speed even on a page that has one).
   */
  anyIn(startLinear: number, endLinear: number): boolean {
    const start = startLinear >>> 0, end = endLinear >>> 0;
    const firstPage = start >>> PAGE_SHIFT, lastPage = (end - 1) >>> PAGE_SHIFT;
    if (firstPage === lastPage) {
      // Blocks run in loops on a few pages: remember the last page's table.
      if (firstPage !== this.cachedPage) {
        this.cachedPage = firstPage;
        this.cachedNext = this.nextArmed.get(firstPage);
      }
      const next = this.cachedNext;
      return next !== undefined && next[start & 0xFFF] <= ((end - 1) & 0xFFF);
    }
    for (let page = firstPage; page <= lastPage; page++) {
      const next = this.nextArmed.get(page);
      if (next === undefined) continue;
      const from = page === firstPage ? start & 0xFFF : 0, to = page === lastPage ? ((end - 1) & 0xFFF) + 1 : 0x1000;
      if (next[from] < to) return true;
    }
    return false;
  }

  /**
   * True when an instruction of a translated block (a trace may jump within its page) is armed: base
   * is the CS base, eips the instructions' EIPs. Costs one table read per instruction, and only on a
   * page that holds a breakpoint.
   */
  anyAt(base: number, eips: readonly number[]): boolean {
    for (let k = 0; k < eips.length; k++) {
      const linear = (base + eips[k]) >>> 0, page = linear >>> PAGE_SHIFT;
      if (page !== this.cachedPage) {
        this.cachedPage = page;
        this.cachedNext = this.nextArmed.get(page);
      }
      const next = this.cachedNext;
      if (next !== undefined && next[linear & 0xFFF] === (linear & 0xFFF)) return true;
    }
    return false;
  }

  /** Number of armed addresses. */
  get size(): number { return this.addresses.size; }

  /** Lets the next check at linear pass (the debugger resumes at a breakpoint it stopped on). */
  passNext(linear: number): void { this.passOnce = linear >>> 0; }

  /**
   * The run loop's check before executing the instruction at linear: true when it is armed and
   * onHit says to stop there. Clears the pass-once address whatever the answer.
   */
  shouldStop(linear: number): boolean {
    const address = linear >>> 0;
    const pass = this.passOnce;
    this.passOnce = undefined;
    if (pass === address || !this.addresses.has(address)) return false;
    return this.onHit(address);
  }

  private addToPage(address: number): void {
    const page = address >>> PAGE_SHIFT;
    const list = this.perPage.get(page);
    if (list) list.push(address); else this.perPage.set(page, [address]);
  }

  private changed(): void {
    this.armed = this.addresses.size > 0;
    this.version++;
    this.nextArmed.clear();
    this.cachedPage = -1;
    this.cachedNext = undefined;
    for (const [page, list] of this.perPage) {
      const next = new Uint16Array(0x1001).fill(0x1000);
      for (const address of list) next[address & 0xFFF] = address & 0xFFF;
      for (let offset = 0xFFF; offset >= 0; offset--) if (next[offset] === 0x1000) next[offset] = next[offset + 1];
      this.nextArmed.set(page, next);
    }
  }
}
