// The 8254 programmable interval timer at 0x40–0x43: three 16-bit down-counters clocked at
// 1.193182 MHz (derived from virtual time), modes 0–5, latch and read-back; channel 0 drives IRQ0.
import type { PortHandler } from './io-bus.js';
import type { TimerHandle, VirtualClock } from '../platform/clock.js';

export const PIT_PORT = 0x40;
/** The 8254's input clock on the PC. */
export const PIT_HZ = 1_193_182;
const NS_PER_S = 1_000_000_000;

/** PIT input clocks elapsed at virtual time ns (exact integer arithmetic for any run length). */
export function pitTicksAt(ns: number): number {
  const seconds = Math.floor(ns / NS_PER_S);
  return seconds * PIT_HZ + Math.floor(((ns - seconds * NS_PER_S) * PIT_HZ) / NS_PER_S);
}

/** The first virtual ns at which pitTicksAt reaches tick. */
export function nsOfPitTick(tick: number): number {
  const seconds = Math.floor(tick / PIT_HZ);
  return seconds * NS_PER_S + Math.ceil(((tick - seconds * PIT_HZ) * NS_PER_S) / PIT_HZ);
}

/** Read/write access selected by control-word bits 5..4. */
const enum Access { Latch = 0, Lsb = 1, Msb = 2, Both = 3 }

/** Serializable state of one counter. */
export interface PitChannelState {
  mode: number; access: number; bcd: boolean; count: number; active: number; loaded: boolean; loadTick: number;
  reload: { count: number; atTick: number } | null; gate: boolean; pausedSince: number; pausedTicks: number;
  writeMsbNext: boolean; writeLsb: number; readMsbNext: boolean; latched: number[]; status: number | null;
  nullCount: boolean; edgesSeen: number; carriedEdges: number; out: boolean; triggered: boolean;
}

/** One counter of the 8254. Every query takes the current PIT tick; nothing runs between queries. */
class PitChannel {
  mode = 3;               // 0–5 (6 and 7 read as 2 and 3); unprogrammed counters idle with OUT high
  access: Access = Access.Both; // how count bytes are read and written
  bcd = false;            // count in four BCD digits
  count = 0;              // initial count as last written (0 = the maximum)
  active = 0x10000;       // count of the running cycle, 0 already replaced by 65536 or 10000
  loaded = false;         // counting element holds a count (false from control word until a count)
  loadTick = 0;           // tick at which the counting element was (or will be) loaded with `active`
  reload: { count: number; atTick: number } | null = null; // modes 2/3: new count at the cycle's end
  gate: boolean;          // GATE input level
  pausedSince = -1;       // modes 0/4: tick at which GATE went low (-1 while counting)
  pausedTicks = 0;        // modes 0/4: ticks spent with GATE low since loading
  writeMsbNext = false;   // Access.Both: the next written byte is the MSB
  writeLsb = 0;           // Access.Both: LSB waiting for its MSB
  readMsbNext = false;    // Access.Both: the next unlatched read returns the MSB
  latched: number[] = []; // latched count bytes still to read
  status: number | null = null; // latched status byte (read before the count)
  nullCount = true;       // a written count has not reached the counting element yet
  edgesSeen = 0;          // rising OUT edges of this cycle already reported
  carriedEdges = 0;       // unreported rising edges of cycles a reload has closed
  out = true;             // OUT level as last reported
  triggered = false;      // modes 1/5: a GATE rising edge has started the current count

  constructor(readonly index: number, gate: boolean) { this.gate = gate; }

  private get modulus(): number { return this.bcd ? 10000 : 0x10000; }
  private effective(count: number): number { return count === 0 ? this.modulus : count; }
  private get hardwareTriggered(): boolean { return this.mode === 1 || this.mode === 5; }
  private get periodic(): boolean { return this.mode === 2 || this.mode === 3; }

  /** Clocks counted since loading (excludes GATE-low time in modes 0 and 4); negative before loading. */
  private counted(t: number): number {
    let d = t - this.loadTick - this.pausedTicks;
    if (this.pausedSince >= 0) d -= Math.max(0, t - Math.max(this.pausedSince, this.loadTick));
    return d;
  }

  /** True while a count is loaded and (modes 1/5) has been triggered. */
  private get counting(): boolean { return this.loaded && (this.triggered || !this.hardwareTriggered); }

  /** Applies a pending mode 2/3 reload that is due at t, keeping the old cycle's unreported edges. */
  settle(t: number): void {
    if (!this.reload || t < this.reload.atTick) return;
    this.carriedEdges += Math.max(0, this.risingEdges(this.reload.atTick) - this.edgesSeen);
    this.active = this.effective(this.reload.count);
    this.loadTick = this.reload.atTick;
    this.reload = null;
    this.edgesSeen = 0;
  }

  /** OUT level at tick t. */
  output(t: number): boolean {
    this.settle(t);
    if (!this.counting) return this.mode !== 0;
    const d = this.counted(t), n = this.active;
    switch (this.mode) {
      case 0: return d >= n;
      case 1: return d < 0 || d >= n;
      case 2: return !this.gate || d < 0 || n < 2 || d % n !== n - 1;
      case 3: return !this.gate || d < 0 || d % n < Math.ceil(n / 2);
      default: return d !== n;   // modes 4 and 5: one clock low at terminal count
    }
  }

  /** Rising OUT edges since loading, at tick t. */
  private risingEdges(t: number): number {
    if (!this.counting) return 0;
    const d = this.counted(t), n = this.active;
    if (d < 0) return 0;
    switch (this.mode) {
      case 0: case 1: return d >= n ? 1 : 0;
      case 2: return this.gate && n >= 2 ? Math.floor(d / n) : 0;
      case 3: return this.gate && n >= 2 ? Math.floor(d / n) : 0;
      default: return d >= n + 1 ? 1 : 0;
    }
  }

  /** Rising edges not yet reported, up to tick t (marks them reported). */
  takeEdges(t: number): number {
    this.settle(t);
    let edges = this.carriedEdges;
    this.carriedEdges = 0;
    const total = this.risingEdges(t);
    if (total > this.edgesSeen) { edges += total - this.edgesSeen; this.edgesSeen = total; }
    return edges;
  }

  /** The next tick after t at which OUT changes, or undefined when it stays as it is. */
  nextChange(t: number): number | undefined {
    if (!this.counting || (this.pausedSince >= 0 && !this.periodic)) return undefined;
    if (this.periodic && !this.gate) return undefined;
    if (this.mode === 1 && t < this.loadTick) return this.loadTick;   // OUT falls as counting starts
    const at = Math.max(t, this.loadTick);
    const d = this.counted(at), n = this.active;
    let next: number | undefined;
    switch (this.mode) {
      case 0: case 1: next = d < n ? at + (n - d) : undefined; break;
      case 2: {
        if (n < 2) return undefined;
        const phase = d % n;
        next = phase < n - 1 ? at + (n - 1 - phase) : at + 1;
        break;
      }
      case 3: {
        const high = Math.ceil(n / 2);
        if (high === n) return undefined;
        const phase = d % n;
        next = phase < high ? at + (high - phase) : at + (n - phase);
        break;
      }
      default: next = d < n ? at + (n - d) : d === n ? at + 1 : undefined;
    }
    return next !== undefined && next <= t ? t + 1 : next;
  }

  /** Current value of the counting element at tick t. */
  counter(t: number): number {
    this.settle(t);
    if (!this.counting) return this.count;
    const d = this.counted(t), n = this.active, m = this.modulus;
    if (d < 0) return n % m;
    switch (this.mode) {
      case 2: return this.gate ? n - (d % n) : n;
      case 3: {
        if (!this.gate) return n % m;
        const phase = d % n;
        if (n % 2 === 0) return (n - 2 * (phase % (n / 2))) % m;
        const high = (n + 1) / 2;
        if (phase < high) return phase === 0 ? n : n + 1 - 2 * phase;
        const low = phase - high;
        return low === 0 ? n : n - 1 - 2 * low;
      }
      default: return (((n - d) % m) + m) % m;
    }
  }

  /** Status byte for read-back: OUT, null count, access, mode, BCD. */
  statusByte(t: number): number {
    const out = this.output(t);   // settles a due reload first
    const nullCount = this.nullCount && (this.reload !== null || !(this.loaded && t >= this.loadTick));
    return (out ? 0x80 : 0) | (nullCount ? 0x40 : 0) | (this.access << 4) | (this.mode << 1) | (this.bcd ? 1 : 0);
  }

  /** Latches the counter (ignored while an earlier latch is unread). */
  latchCount(t: number): void {
    if (this.latched.length) return;
    const value = this.encode(this.counter(t));
    if (this.access === Access.Lsb) this.latched = [value & 0xFF];
    else if (this.access === Access.Msb) this.latched = [value >> 8];
    else this.latched = [value & 0xFF, value >> 8];
  }

  latchStatus(t: number): void { if (this.status === null) this.status = this.statusByte(t); }

  private encode(value: number): number {
    if (!this.bcd) return value & 0xFFFF;
    value %= 10000;
    let out = 0;
    for (let shift = 0; shift < 16; shift += 4) { out |= (value % 10) << shift; value = Math.floor(value / 10); }
    return out;
  }

  private decode(raw: number): number {
    if (!this.bcd) return raw & 0xFFFF;
    let value = 0;
    for (let shift = 12; shift >= 0; shift -= 4) value = value * 10 + ((raw >> shift) & 0xF);
    return value;
  }

  read(t: number): number {
    if (this.status !== null) { const s = this.status; this.status = null; return s; }
    if (this.latched.length) return this.latched.shift()!;
    const value = this.encode(this.counter(t));
    switch (this.access) {
      case Access.Lsb: return value & 0xFF;
      case Access.Msb: return value >> 8;
      default: {
        const msb = this.readMsbNext;
        this.readMsbNext = !msb;
        return msb ? value >> 8 : value & 0xFF;
      }
    }
  }

  /** A control word selecting this counter: new mode and access; OUT goes to its initial level. */
  program(access: Access, mode: number, bcd: boolean): void {
    this.access = access;
    this.mode = mode > 5 ? mode - 4 : mode;
    this.bcd = bcd;
    this.loaded = false;
    this.triggered = false;
    this.reload = null;
    this.pausedSince = -1;
    this.pausedTicks = 0;
    this.writeMsbNext = false;
    this.readMsbNext = false;
    this.latched = [];
    this.status = null;
    this.nullCount = true;
    this.edgesSeen = 0;
    this.carriedEdges = 0;
  }

  /** A count byte written to the counter's port. */
  write(t: number, byte: number): void {
    let raw: number;
    switch (this.access) {
      case Access.Lsb: raw = byte; break;
      case Access.Msb: raw = byte << 8; break;
      default:
        if (!this.writeMsbNext) {
          this.writeLsb = byte;
          this.writeMsbNext = true;
          // Mode 0: writing the first byte stops the count and drives OUT low.
          if (this.mode === 0 && this.loaded) { this.loaded = false; }
          return;
        }
        this.writeMsbNext = false;
        raw = this.writeLsb | (byte << 8);
    }
    this.count = this.decode(raw);
    this.nullCount = true;
    this.loadCount(t);
  }

  /** Puts a newly written count into effect as the mode prescribes. */
  private loadCount(t: number): void {
    const n = this.effective(this.count);
    if (this.periodic && this.loaded && this.gate) {
      // Modes 2 and 3: the current cycle runs out first; the new count starts the next one.
      const d = this.counted(t), cur = this.active;
      const cycles = d < 0 ? 0 : Math.floor(d / cur) + 1;
      this.reload = { count: this.count, atTick: this.loadTick + cycles * cur };
      return;
    }
    if (this.hardwareTriggered) {
      this.loaded = true;              // waits for a GATE rising edge
      if (!this.triggered) { this.active = n; this.loadTick = t + 1; }
      return;
    }
    this.active = n;
    this.loaded = true;
    this.loadTick = t + 1;             // loaded on the next CLK, which does not count
    this.reload = null;
    this.pausedTicks = 0;
    this.pausedSince = this.gate || this.periodic ? -1 : t + 1;
    this.edgesSeen = 0;
  }

  /** GATE input change (only channel 2's is wired on the PC). */
  setGate(t: number, level: boolean): void {
    if (level === this.gate) return;
    this.gate = level;
    if (!this.loaded) return;
    if (this.mode === 0 || this.mode === 4) {
      if (!level) this.pausedSince = Math.max(t, this.loadTick);
      else if (this.pausedSince >= 0) {
        this.pausedTicks += Math.max(0, t - this.pausedSince);
        this.pausedSince = -1;
      }
      return;
    }
    if (!level) return;
    // Rising edge: modes 1/5 trigger, modes 2/3 restart with the initial count.
    if (this.reload) { this.count = this.reload.count; this.reload = null; }
    this.active = this.effective(this.count);
    this.loadTick = t + 1;
    this.triggered = true;
    this.edgesSeen = 0;
  }

  saveState(): PitChannelState {
    return {
      mode: this.mode, access: this.access, bcd: this.bcd, count: this.count, active: this.active, loaded: this.loaded,
      loadTick: this.loadTick, reload: this.reload ? { ...this.reload } : null, gate: this.gate, pausedSince: this.pausedSince,
      pausedTicks: this.pausedTicks, writeMsbNext: this.writeMsbNext, writeLsb: this.writeLsb, readMsbNext: this.readMsbNext,
      latched: [...this.latched], status: this.status, nullCount: this.nullCount, edgesSeen: this.edgesSeen,
      carriedEdges: this.carriedEdges, out: this.out, triggered: this.triggered,
    };
  }

  loadState(s: PitChannelState): void {
    Object.assign(this, s, { latched: [...s.latched], reload: s.reload ? { ...s.reload } : null });
  }
}

/** OUT0 goes here (the PIC's IRQ0 input). */
export interface PitOutputLine { raise(): void; lower(): void }

/** The 8254 with its ports 0x40–0x43. */
export class Pit8254 implements PortHandler {
  private readonly channels: PitChannel[];
  private timer?: TimerHandle;   // next OUT0 change

  constructor(private readonly clock: VirtualClock, private readonly irq0?: PitOutputLine) {
    // GATE0 and GATE1 are tied high on the PC; GATE2 comes from port 0x61 bit 0 (low at reset).
    this.channels = [new PitChannel(0, true), new PitChannel(1, true), new PitChannel(2, false)];
    irq0?.raise();   // an unprogrammed counter idles with OUT high
  }

  private now(): number { return pitTicksAt(this.clock.nowNs()); }

  read(offset: number): number {
    if (offset === 3) return 0xFF;   // the control word register is write-only
    return this.channels[offset].read(this.now());
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xFF;
    const t = this.now();
    if (offset < 3) {
      if (offset === 0) this.reportEdges(t);
      this.channels[offset].write(t, value);
      if (offset === 0) this.updateOut0();
      return;
    }
    const select = value >> 6;
    if (select === 3) { this.readBack(t, value); return; }
    const ch = this.channels[select];
    const access = (value >> 4) & 3;
    if (access === Access.Latch) { ch.latchCount(t); return; }
    if (select === 0) this.reportEdges(t);
    ch.program(access, (value >> 1) & 7, (value & 1) !== 0);
    if (select === 0) this.updateOut0();
  }

  /** Read-back command: bit 5 clear latches counts, bit 4 clear latches status, bits 3..1 pick counters. */
  private readBack(t: number, value: number): void {
    for (let i = 0; i < 3; i++) {
      if (!(value & (2 << i))) continue;
      if (!(value & 0x20)) this.channels[i].latchCount(t);
      if (!(value & 0x10)) this.channels[i].latchStatus(t);
    }
  }

  /** Drives channel 2's GATE (port 0x61 bit 0). */
  setGate(channel: number, level: boolean): void {
    const t = this.now();
    if (channel === 0) this.reportEdges(t);
    this.channels[channel].setGate(t, level);
    if (channel === 0) this.updateOut0();
  }

  /** OUT level of channel (channel 2 is read back through port 0x61 bit 5). */
  output(channel: number): boolean {
    const t = this.now();
    return this.channels[channel].output(t);
  }

  /** Channel 2's square-wave frequency in Hz while it is in mode 3, for a speaker observer. */
  speakerFrequency(): number | undefined {
    const ch = this.channels[2];
    if (ch.mode !== 3 || !ch.loaded) return undefined;
    return PIT_HZ / ch.active;
  }

  /** Hands OUT0's rising edges up to t to the PIC, as edges even if the pulse was shorter than a slice. */
  private reportEdges(t: number): void {
    const ch = this.channels[0];
    if (ch.takeEdges(t) > 0 && this.irq0) {
      if (ch.out) this.irq0.lower();
      this.irq0.raise();
      ch.out = true;
    }
  }

  /** Brings IRQ0 to OUT0's level now and schedules the next change. */
  private updateOut0(): void {
    const ch = this.channels[0];
    const t = this.now();
    this.reportEdges(t);
    const level = ch.output(t);
    if (level !== ch.out) {
      ch.out = level;
      if (level) this.irq0?.raise(); else this.irq0?.lower();
    }
    this.clock.cancel(this.timer);
    this.timer = undefined;
    const next = ch.nextChange(t);
    if (next !== undefined && this.irq0) this.timer = this.clock.schedule(nsOfPitTick(next), () => { this.timer = undefined; this.updateOut0(); });
  }

  saveState(): { channels: PitChannelState[] } {
    return { channels: this.channels.map((c) => c.saveState()) };
  }

  loadState(s: ReturnType<Pit8254['saveState']>): void {
    s.channels.forEach((c, i) => this.channels[i].loadState(c));
    this.updateOut0();
  }
}
