// The debugger's instruction breakpoints as the CPU sees them: a set of linear addresses with a
// per-page count, so the run loop checks only when it enters a page that holds one (never per
// instruction elsewhere) and guest memory is never patched.

const PAGE_SHIFT = 12;

export class CodeBreakpoints {
  /** Linear addresses armed now. */
  private readonly addresses = new Set<number>();
  /** Per linear page: how many armed addresses it holds. */
  private readonly perPage = new Map<number, number>();
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
    const page = address >>> PAGE_SHIFT;
    this.perPage.set(page, (this.perPage.get(page) ?? 0) + 1);
    this.changed();
  }

  /** Disarms a linear address. */
  delete(linear: number): void {
    const address = linear >>> 0;
    if (!this.addresses.delete(address)) return;
    const page = address >>> PAGE_SHIFT;
    const left = (this.perPage.get(page) ?? 1) - 1;
    if (left === 0) this.perPage.delete(page); else this.perPage.set(page, left);
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
      const page = address >>> PAGE_SHIFT;
      this.perPage.set(page, (this.perPage.get(page) ?? 0) + 1);
    }
    this.changed();
  }

  /** True when linear is armed. */
  has(linear: number): boolean { return this.addresses.has(linear >>> 0); }

  /** True when the linear page (address >>> 12) holds an armed address. */
  pageHas(linearPage: number): boolean { return this.perPage.has(linearPage >>> 0); }

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

  private changed(): void {
    this.armed = this.addresses.size > 0;
    this.version++;
  }
}
