// The MC146818-compatible CMOS real-time clock at 0x70/0x71: calendar from the virtual clock, update,
// alarm and periodic interrupts on IRQ8, the NMI-mask bit of port 0x70, and 128 bytes of CMOS RAM.
import type { PortHandler } from './io-bus.js';
import type { TimerHandle, VirtualClock } from '../platform/clock.js';

export const RTC_PORT = 0x70;
/** Default calendar time at virtual time 0, so runs are reproducible: 2026-01-01 00:00:00 UTC. */
export const RTC_DEFAULT_START = Date.UTC(2026, 0, 1, 0, 0, 0);

const NS_PER_S = 1_000_000_000;
const DIVIDER_HZ = 32_768;              // the time base after the divider (DV = 010)
const UIP_LEAD_NS = 244_000;            // UIP rises this long before each update

// Register indexes
export const RTC_SECONDS = 0x00, RTC_SECONDS_ALARM = 0x01, RTC_MINUTES = 0x02, RTC_MINUTES_ALARM = 0x03,
  RTC_HOURS = 0x04, RTC_HOURS_ALARM = 0x05, RTC_DAY_OF_WEEK = 0x06, RTC_DAY_OF_MONTH = 0x07, RTC_MONTH = 0x08,
  RTC_YEAR = 0x09, RTC_REG_A = 0x0A, RTC_REG_B = 0x0B, RTC_REG_C = 0x0C, RTC_REG_D = 0x0D, RTC_CENTURY = 0x32;
// Register A
const A_UIP = 0x80, A_DV_MASK = 0x70, A_DV_RESET = 0x60, A_RATE_MASK = 0x0F;
// Register B
const B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_BINARY = 0x04, B_24H = 0x02;
// Register C
const C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;
/** Register D: valid RAM and time. */
const D_VRT = 0x80;

/** Calendar fields, binary, 24-hour; kept as written until time moves them on. */
export interface RtcFields { second: number; minute: number; hour: number; dayOfWeek: number; day: number; month: number; year: number }

function fieldsFromEpoch(seconds: number): RtcFields {
  const d = new Date(seconds * 1000);
  return {
    second: d.getUTCSeconds(), minute: d.getUTCMinutes(), hour: d.getUTCHours(), dayOfWeek: d.getUTCDay() + 1,
    day: d.getUTCDate(), month: d.getUTCMonth() + 1, year: d.getUTCFullYear(),
  };
}

function epochFromFields(f: RtcFields): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, 0);
  return d.getTime() / 1000;
}

/** 32.768 kHz divider ticks in ns of virtual time (exact integers for any run length). */
function dividerTicks(ns: number): number {
  const seconds = Math.floor(ns / NS_PER_S);
  return seconds * DIVIDER_HZ + Math.floor(((ns - seconds * NS_PER_S) * DIVIDER_HZ) / NS_PER_S);
}

function nsOfDividerTick(tick: number): number {
  const seconds = Math.floor(tick / DIVIDER_HZ);
  return seconds * NS_PER_S + Math.ceil(((tick - seconds * DIVIDER_HZ) * NS_PER_S) / DIVIDER_HZ);
}

/** Periodic-interrupt period in divider ticks for rate select rs (0 = off). */
function periodTicks(rs: number): number {
  if (rs === 0) return 0;
  return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
}

const toBcd = (v: number) => ((Math.floor(v / 10) % 10) << 4) | (v % 10);
const fromBcd = (v: number) => (v >> 4) * 10 + (v & 0x0F);

/** RTC construction options. */
export interface RtcOptions {
  /** Guest RAM in bytes, for the memory-size bytes. */
  ramBytes: number;
  /** Calendar time (ms since the Unix epoch, UTC) at virtual time 0; default RTC_DEFAULT_START. */
  startTimeMs?: number;
  /** CMOS 0x14 equipment byte; default 0x02 (math coprocessor present, EGA/VGA video, no floppy). */
  equipment?: number;
  /** Number of CPUs, stored at 0x5F as count − 1 (as QEMU does); default 1. */
  cpus?: number;
}

/** The IRQ8 output. */
export interface RtcIrqLine { raise(): void; lower(): void }

/** Serializable RTC state. */
export interface RtcState {
  index: number; nmiDisabled: boolean; ram: number[]; anchorNs: number; base: RtcFields; baseSecond: number;
  flags: number; checkedNs: number; irq: boolean;
}

export class CmosRtc implements PortHandler {
  private index = 0;               // register selected through port 0x70
  private nmiDisabled = false;     // port 0x70 bit 7
  private readonly ram = new Uint8Array(128); // CMOS bytes (registers A, B, alarms, NVRAM; time is computed)
  private anchorNs = 0;            // virtual ns of a second boundary of the divider chain
  private base: RtcFields;         // calendar during second `baseSecond` since the anchor
  private baseSecond = 0;          // whole seconds from the anchor at which `base` was current
  private flags = 0;               // latched PF/AF/UF of register C
  private checkedNs = 0;           // flags are up to date through this virtual time
  private irq = false;             // IRQ8 level
  private timer?: TimerHandle;     // next moment an enabled interrupt may fire

  constructor(private readonly clock: VirtualClock, options: RtcOptions, private readonly irq8?: RtcIrqLine) {
    this.base = fieldsFromEpoch(Math.floor((options.startTimeMs ?? RTC_DEFAULT_START) / 1000));
    this.anchorNs = this.checkedNs = clock.nowNs();
    this.ram[RTC_REG_A] = 0x26;     // 32.768 kHz time base, 1024 Hz periodic rate
    this.ram[RTC_REG_B] = B_24H;    // BCD, 24-hour, no interrupts
    this.fillConfiguration(options);
  }

  /** The PC/AT configuration bytes: equipment, memory sizes, checksum. */
  private fillConfiguration(o: RtcOptions): void {
    const r = this.ram;
    const kib = Math.floor(o.ramBytes / 1024);
    const put16 = (at: number, v: number) => { r[at] = v & 0xFF; r[at + 1] = (v >> 8) & 0xFF; };
    r[0x14] = o.equipment ?? 0x02;
    put16(0x15, Math.min(640, kib));                                   // base memory, KiB
    const extendedKib = Math.min(0xFFFF, Math.max(0, kib - 1024));    // above 1 MiB, KiB
    put16(0x17, extendedKib);
    put16(0x30, extendedKib);
    const above16M = Math.min(0xFFFF, Math.max(0, Math.floor((o.ramBytes - 16 * 1024 * 1024) / 65536)));
    put16(0x34, above16M);                                             // above 16 MiB, 64 KiB blocks
    r[0x5F] = Math.max(1, o.cpus ?? 1) - 1;
    let sum = 0;
    for (let i = 0x10; i <= 0x2D; i++) sum += r[i];
    r[0x2E] = (sum >> 8) & 0xFF;
    r[0x2F] = sum & 0xFF;
  }

  /** True when port 0x70 bit 7 masks NMI. */
  get nmiMasked(): boolean { return this.nmiDisabled; }

  private get regB(): number { return this.ram[RTC_REG_B]; }
  private get dividerHeld(): boolean { return (this.ram[RTC_REG_A] & A_DV_MASK) >= A_DV_RESET; }
  /** The calendar stands still (SET, or the divider held in reset). */
  private get frozen(): boolean { return (this.regB & B_SET) !== 0 || this.dividerHeld; }
  private secondIndex(ns: number): number { return Math.floor((ns - this.anchorNs) / NS_PER_S); }

  /** Calendar fields at virtual time ns. */
  private fieldsAt(ns: number): RtcFields {
    if (this.frozen) return this.base;
    return this.advance(this.secondIndex(ns) - this.baseSecond);
  }

  /** The base calendar moved on by elapsed seconds (the day of week counts midnights). */
  private advance(elapsed: number): RtcFields {
    if (elapsed <= 0) return this.base;
    const from = epochFromFields(this.base), to = from + elapsed;
    const f = fieldsFromEpoch(to);
    const days = Math.floor(to / 86400) - Math.floor(from / 86400);
    f.dayOfWeek = ((((this.base.dayOfWeek - 1 + days) % 7) + 7) % 7) + 1;
    return f;
  }

  /** Makes the current calendar the base (before a write or a freeze). */
  private materialize(ns: number): void {
    this.base = { ...this.fieldsAt(ns) };
    this.baseSecond = this.secondIndex(ns);
  }

  private encode(v: number): number { return this.regB & B_BINARY ? v & 0xFF : toBcd(v); }
  private decode(v: number): number { return this.regB & B_BINARY ? v : fromBcd(v); }

  private encodeHour(h: number): number {
    if (this.regB & B_24H) return this.encode(h);
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return this.encode(h12) | (h >= 12 ? 0x80 : 0);
  }

  private decodeHour(v: number): number {
    if (this.regB & B_24H) return this.decode(v);
    return (this.decode(v & 0x7F) % 12) + (v & 0x80 ? 12 : 0);
  }

  /** A time or date register as the guest reads it. */
  private timeRegister(index: number, f: RtcFields): number {
    switch (index) {
      case RTC_SECONDS: return this.encode(f.second);
      case RTC_MINUTES: return this.encode(f.minute);
      case RTC_HOURS: return this.encodeHour(f.hour);
      case RTC_DAY_OF_WEEK: return this.encode(f.dayOfWeek);
      case RTC_DAY_OF_MONTH: return this.encode(f.day);
      case RTC_MONTH: return this.encode(f.month);
      case RTC_YEAR: return this.encode(f.year % 100);
      default: return this.encode(Math.floor(f.year / 100) % 100);   // century
    }
  }

  private isTimeRegister(i: number): boolean {
    return i === RTC_SECONDS || i === RTC_MINUTES || i === RTC_HOURS || (i >= RTC_DAY_OF_WEEK && i <= RTC_YEAR) || i === RTC_CENTURY;
  }

  read(offset: number): number {
    if (offset === 0) return 0xFF;   // the index register is write-only
    const now = this.clock.nowNs();
    const i = this.index;
    if (this.isTimeRegister(i)) return this.timeRegister(i, this.fieldsAt(now));
    switch (i) {
      case RTC_REG_A: {
        const intoSecond = (((now - this.anchorNs) % NS_PER_S) + NS_PER_S) % NS_PER_S;
        const uip = !this.frozen && intoSecond >= NS_PER_S - UIP_LEAD_NS;
        return (this.ram[RTC_REG_A] & ~A_UIP) | (uip ? A_UIP : 0);
      }
      case RTC_REG_C: {
        this.evaluate(now);
        const value = this.flags | (this.irq ? C_IRQF : 0);
        this.flags = 0;
        this.setIrq(false);
        this.reschedule();
        return value;
      }
      case RTC_REG_D: return D_VRT;
      default: return this.ram[i];
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xFF;
    if (offset === 0) {
      this.index = value & 0x7F;
      this.nmiDisabled = (value & 0x80) !== 0;
      return;
    }
    const now = this.clock.nowNs();
    const i = this.index;
    this.evaluate(now);
    if (this.isTimeRegister(i)) {
      this.materialize(now);
      const f = this.base;
      switch (i) {
        case RTC_SECONDS: f.second = this.decode(value); break;
        case RTC_MINUTES: f.minute = this.decode(value); break;
        case RTC_HOURS: f.hour = this.decodeHour(value); break;
        case RTC_DAY_OF_WEEK: f.dayOfWeek = this.decode(value); break;
        case RTC_DAY_OF_MONTH: f.day = this.decode(value); break;
        case RTC_MONTH: f.month = this.decode(value); break;
        case RTC_YEAR: f.year = Math.floor(f.year / 100) * 100 + this.decode(value); break;
        default: f.year = this.decode(value) * 100 + (f.year % 100);   // century
      }
      return;
    }
    switch (i) {
      case RTC_REG_A: {
        const wasHeld = this.dividerHeld, wasFrozen = this.frozen;
        if (!wasFrozen) this.materialize(now);
        this.ram[RTC_REG_A] = value & ~A_UIP;
        if (wasHeld && !this.dividerHeld) {
          this.anchorNs = now - NS_PER_S / 2;      // the first update comes 500 ms after the divider starts
          this.checkedNs = now;
        }
        if (wasFrozen && !this.frozen) this.baseSecond = this.secondIndex(now);
        break;
      }
      case RTC_REG_B: {
        const wasFrozen = this.frozen;
        if (!wasFrozen) this.materialize(now);
        if (value & B_SET) value &= ~B_UIE;          // setting SET clears UIE
        this.ram[RTC_REG_B] = value;
        if (wasFrozen && !this.frozen) this.baseSecond = this.secondIndex(now);
        break;
      }
      case RTC_REG_C: case RTC_REG_D: return;       // read-only
      default: this.ram[i] = value; return;
    }
    this.updateIrq();
    this.reschedule();
  }

  /** Latches PF, UF and AF for everything that happened since the last evaluation. */
  private evaluate(now: number): void {
    const from = this.checkedNs;
    if (now <= from) return;
    this.checkedNs = now;
    if (this.dividerHeld) return;
    const period = periodTicks(this.ram[RTC_REG_A] & A_RATE_MASK);
    if (period && Math.floor(dividerTicks(now - this.anchorNs) / period) > Math.floor(dividerTicks(from - this.anchorNs) / period)) {
      this.flags |= C_PF;
    }
    if (this.regB & B_SET) return;
    const first = this.secondIndex(from) + 1, last = this.secondIndex(now);
    if (last < first) return;
    this.flags |= C_UF;
    if (this.flags & C_AF) return;
    // The alarm is compared after every update; a day covers every alarm that can match.
    for (let s = Math.max(first, last - 86_400); s <= last; s++) {
      if (this.alarmMatches(this.advance(s - this.baseSecond))) { this.flags |= C_AF; break; }
    }
  }

  /** Alarm bytes equal the time, or are "don't care" (11xxxxxx). */
  private alarmMatches(f: RtcFields): boolean {
    const match = (alarm: number, current: number) => (alarm & 0xC0) === 0xC0 || alarm === current;
    return match(this.ram[RTC_SECONDS_ALARM], this.encode(f.second))
      && match(this.ram[RTC_MINUTES_ALARM], this.encode(f.minute))
      && match(this.ram[RTC_HOURS_ALARM], this.encodeHour(f.hour));
  }

  /** IRQF = any flag whose interrupt is enabled; drives IRQ8 (lowered only by reading C). */
  private updateIrq(): void {
    if (this.flags & this.regB & (B_PIE | B_AIE | B_UIE)) this.setIrq(true);
  }

  private setIrq(level: boolean): void {
    if (level === this.irq) return;
    this.irq = level;
    if (level) this.irq8?.raise(); else this.irq8?.lower();
  }

  /** Schedules the next periodic tick or update while an enabled interrupt could still assert IRQ8. */
  private reschedule(): void {
    this.clock.cancel(this.timer);
    this.timer = undefined;
    if (this.irq || !this.irq8) return;   // IRQ8 stays up until register C is read
    const now = this.clock.nowNs();
    const b = this.regB;
    let next = Infinity;
    const period = periodTicks(this.ram[RTC_REG_A] & A_RATE_MASK);
    if ((b & B_PIE) && period && !this.dividerHeld) {
      const tick = (Math.floor(dividerTicks(now - this.anchorNs) / period) + 1) * period;
      next = Math.min(next, this.anchorNs + nsOfDividerTick(tick));
    }
    if ((b & (B_UIE | B_AIE)) && !this.frozen) next = Math.min(next, this.anchorNs + (this.secondIndex(now) + 1) * NS_PER_S);
    if (next === Infinity) return;
    this.timer = this.clock.schedule(next, () => {
      this.timer = undefined;
      this.evaluate(this.clock.nowNs());
      this.updateIrq();
      this.reschedule();
    });
  }

  saveState(): RtcState {
    return {
      index: this.index, nmiDisabled: this.nmiDisabled, ram: [...this.ram], anchorNs: this.anchorNs, base: { ...this.base },
      baseSecond: this.baseSecond, flags: this.flags, checkedNs: this.checkedNs, irq: this.irq,
    };
  }

  loadState(s: RtcState): void {
    this.index = s.index; this.nmiDisabled = s.nmiDisabled; this.ram.set(s.ram); this.anchorNs = s.anchorNs;
    this.base = { ...s.base }; this.baseSecond = s.baseSecond; this.flags = s.flags; this.checkedNs = s.checkedNs;
    this.irq = s.irq;
    this.reschedule();
  }
}
