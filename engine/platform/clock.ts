// Virtual time: the guest's clock derives from retired instructions (plus time skipped while the
// vCPU idles in HLT), so every timer — PIT, RTC, APIC, TSC — is deterministic and a run reproducible.
// Optionally the clock follows the host's wall clock instead (realtime mode: not reproducible).

/** A scheduled callback. */
export interface TimerHandle { readonly id: number }

interface Timer { id: number; deadlineNs: number; callback: () => void }

/** In realtime mode, how many instructions run between looks at the host clock. */
const REALTIME_CHECK_INSTRUCTIONS = 20_000;

export class VirtualClock {
  private timers: Timer[] = [];   // sorted by deadline
  private nextId = 1;
  private idleNs = 0;             // time skipped while halted

  private readonly hostStartMs: number;  // host time when a realtime clock started

  /**
   * @param instructions retired-instruction counter of the machine
   * @param nsPerInstruction virtual nanoseconds one instruction takes (1 = a 1 GHz guest)
   * @param hostNowMs realtime mode: the host's monotonic clock in milliseconds (absent: virtual time)
   */
  constructor(private readonly instructions: () => number, readonly nsPerInstruction = 1,
    private readonly hostNowMs?: () => number) {
    this.hostStartMs = hostNowMs ? hostNowMs() : 0;
  }

  /** True when the clock follows the host's wall clock. */
  get realtime(): boolean { return this.hostNowMs !== undefined; }

  /** Current guest time in nanoseconds. */
  nowNs(): number {
    if (this.hostNowMs) return Math.floor((this.hostNowMs() - this.hostStartMs) * 1e6);
    return this.instructions() * this.nsPerInstruction + this.idleNs;
  }

  /** Calls callback once the virtual time reaches deadlineNs. */
  schedule(deadlineNs: number, callback: () => void): TimerHandle {
    const t: Timer = { id: this.nextId++, deadlineNs, callback };
    let k = this.timers.length;
    while (k > 0 && this.timers[k - 1].deadlineNs > deadlineNs) k--;
    this.timers.splice(k, 0, t);
    return { id: t.id };
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle) this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Instructions that may retire before the next timer is due (Infinity without timers). */
  instructionsUntilNextTimer(): number {
    if (this.timers.length === 0) return Infinity;
    if (this.hostNowMs) return REALTIME_CHECK_INSTRUCTIONS; // wall time passes on its own: look often
    return Math.max(0, Math.ceil((this.timers[0].deadlineNs - this.nowNs()) / this.nsPerInstruction));
  }

  /** Fires every timer that is due; returns how many fired. */
  fireDue(): number {
    let fired = 0;
    while (this.timers.length && this.timers[0].deadlineNs <= this.nowNs()) {
      const t = this.timers.shift()!;
      t.callback();
      fired++;
    }
    return fired;
  }

  /**
   * The vCPU idles (HLT with interrupts on): jump to the next deadline. Returns the nanoseconds
   * skipped (0 when a timer is already due), or -1 when no timer is scheduled.
   */
  skipToNextTimer(): number {
    if (this.timers.length === 0 || this.hostNowMs) return -1; // realtime: the host waits instead
    const gap = Math.max(0, this.timers[0].deadlineNs - this.nowNs());
    this.idleNs += gap;
    return gap;
  }

  saveState(): object { return { idleNs: this.idleNs }; }
  loadState(s: { idleNs: number }): void { this.idleNs = s.idleNs; }
}
