// The VM event log a debug session keeps: every event counted by kind and reason, the most recent ones
// kept (decoded) in a ring, each with a sequence number so a viewer can ask for "what is new since n".
import { describeEvent, type DescribedEvent } from './event-fields.js';
import type { VmEvent } from '../hv/vm-event.js';
import { modeledCycles } from '../hv/stats/cost-table.js';

/** One logged event: its sequence number (from 1) and its decoded form. */
export interface LoggedEvent extends DescribedEvent {
  seq: number;
  instructions: number;   // the vCPU's retired-instruction count at the event
  eip: number;
  vcpu: number;
}

/** Counts of one kind, by reason, with the modeled host cycles they cost (engine/hv/stats/cost-table.ts). */
export interface KindCount { kind: string; total: number; cycles: number; reasons: { reason: string; count: number; cycles: number }[] }

export const DEFAULT_LOG_CAPACITY = 10_000;

export class EventLog {
  private ring: (LoggedEvent | undefined)[];
  private next = 0;                                            // ring slot the next event goes to
  private seq = 0;                                             // events ever logged
  private readonly counts = new Map<string, Map<string, { count: number; cycles: number }>>(); // kind → reason → totals

  constructor(readonly capacity = DEFAULT_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event log capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array(capacity);
  }

  /** Events ever logged (also the sequence number of the last one). */
  get total(): number { return this.seq; }

  add(event: VmEvent): LoggedEvent {
    const described = describeEvent(event);
    const logged: LoggedEvent = { ...described, seq: ++this.seq, instructions: event.instructions, eip: event.eip, vcpu: event.vcpu };
    this.ring[this.next] = logged;
    this.next = (this.next + 1) % this.capacity;
    let byReason = this.counts.get(described.kind);
    if (!byReason) this.counts.set(described.kind, byReason = new Map());
    let totals = byReason.get(described.reason);
    if (!totals) byReason.set(described.reason, totals = { count: 0, cycles: 0 });
    totals.count++;
    totals.cycles += modeledCycles(event);
    return logged;
  }

  /** Kept events with seq > after, oldest first, at most limit of them (the oldest ones when more). */
  since(after: number, limit = this.capacity): LoggedEvent[] {
    const kept = Math.min(this.seq, this.capacity);
    const first = Math.max(after + 1, this.seq - kept + 1);
    const out: LoggedEvent[] = [];
    for (let s = first; s <= this.seq && out.length < limit; s++) {
      const slot = (this.next - (this.seq - s) - 1 + this.capacity * 2) % this.capacity;
      out.push(this.ring[slot]!);
    }
    return out;
  }

  /** Kept events of one kind and reason, newest last, at most limit (the newest ones). */
  occurrences(kind: string, reason: string, limit = 200): LoggedEvent[] {
    const all = this.since(0).filter((e) => e.kind === kind && e.reason === reason);
    return all.slice(Math.max(0, all.length - limit));
  }

  /** Counts by kind then reason, each sorted by descending count. */
  countsByKind(): KindCount[] {
    const out: KindCount[] = [];
    for (const [kind, byReason] of this.counts) {
      const reasons = [...byReason].map(([reason, t]) => ({ reason, count: t.count, cycles: t.cycles }))
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
      out.push({ kind, total: reasons.reduce((n, r) => n + r.count, 0), cycles: reasons.reduce((n, r) => n + r.cycles, 0), reasons });
    }
    return out.sort((a, b) => b.total - a.total);
  }

  clear(): void {
    this.ring = new Array(this.capacity);
    this.next = 0;
    this.seq = 0;
    this.counts.clear();
  }
}
