// The local APIC of one vCPU (xAPIC, P6-class register set): ID, version, TPR/PPR, EOI, LDR/DFR, the
// spurious-vector register, the 256-bit ISR/TMR/IRR, ESR, ICR, and five LVT entries (timer, LINT0,
// LINT1, error, performance counter). The timer counts down in virtual time (VirtualClock.schedule);
// it is never polled per instruction. MMIO page at 0xFEE00000.
import type { MmioHandler } from '../../memory/guest-memory.js';
import type { VirtualClock, TimerHandle } from '../../platform/clock.js';
import type { InterruptSource } from '../../hv/strategy.js';
import { ApicBus, DeliveryMode, Shorthand, type ApicMessage } from './apic-bus.js';

export const LAPIC_BASE = 0xFEE00000, LAPIC_SIZE = 0x1000;
/** Version register: version 0x14 (integrated xAPIC), max LVT entry 4 (five entries). */
export const LAPIC_VERSION = 0x14 | (4 << 16);
/** Virtual nanoseconds per APIC bus clock before the divider (a 1 GHz bus, as QEMU models it). */
export const APIC_BUS_NS = 1;

// Register offsets
export const enum Reg {
  Id = 0x020, Version = 0x030, Tpr = 0x080, Apr = 0x090, Ppr = 0x0A0, Eoi = 0x0B0, Rrd = 0x0C0, Ldr = 0x0D0,
  Dfr = 0x0E0, Svr = 0x0F0, Isr = 0x100, Tmr = 0x180, Irr = 0x200, Esr = 0x280, IcrLow = 0x300, IcrHigh = 0x310,
  LvtTimer = 0x320, LvtThermal = 0x330, LvtPerf = 0x340, LvtLint0 = 0x350, LvtLint1 = 0x360, LvtError = 0x370,
  TimerInitial = 0x380, TimerCurrent = 0x390, TimerDivide = 0x3E0,
}

export const LVT_MASKED = 1 << 16;
const SVR_ENABLE = 1 << 8;
const TIMER_PERIODIC = 1 << 17;
const ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6, ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
/** IA32_APIC_BASE bits. */
export const APIC_BASE_BSP = 1 << 8, APIC_BASE_ENABLE = 1 << 11;

/** An INIT, START-UP, NMI or SMI message a local APIC received (there is no AP start-up yet). */
export interface IpiEvent { target: number; kind: 'init' | 'startup' | 'nmi' | 'smi'; vector: number; from?: number }

export interface LocalApicOptions {
  /** APIC ID (the vCPU index). */
  id: number;
  clock: VirtualClock;
  bus: ApicBus;
  /** The bootstrap processor: IA32_APIC_BASE.BSP, and LINT0 starts as ExtINT (virtual wire, as QEMU). */
  bsp?: boolean;
  /** INIT/SIPI/NMI/SMI hook (SMP brings APs up here later); every event is also kept in `ipiLog`. */
  ipi?: (e: IpiEvent) => void;
}

export interface LocalApicState {
  id: number; tpr: number; ldr: number; dfr: number; svr: number; esr: number; pendingEsr: number;
  icrLow: number; icrHigh: number; lvt: number[]; initialCount: number; divide: number;
  timerStartNs: number; timerRunning: boolean; isr: number[]; tmr: number[]; irr: number[]; apicBase: number;
}

function highestBit(words: Uint32Array): number {
  for (let w = 7; w >= 0; w--) if (words[w]) return w * 32 + 31 - Math.clz32(words[w]);
  return -1;
}

/** Index of each LVT register in `lvt`. */
const LVT_INDEX: Record<number, number> = { [Reg.LvtTimer]: 0, [Reg.LvtLint0]: 1, [Reg.LvtLint1]: 2, [Reg.LvtError]: 3, [Reg.LvtPerf]: 4 };
/** Writable bits of each LVT entry (delivery status and remote IRR are read-only). */
const LVT_WRITABLE = [0x700FF, 0x1A7FF, 0x1A7FF, 0x100FF, 0x107FF];

export class LocalApic implements MmioHandler, InterruptSource {
  id: number;
  private tpr = 0;
  private ldr = 0;
  private dfr = 0xFFFFFFFF;
  private svr = 0xFF;
  private esr = 0;                 // what ESR reads (latched by the last write)
  private pendingEsr = 0;          // errors seen since
  private icrLow = 0;
  private icrHigh = 0;
  /** timer, LINT0, LINT1, error, perf */
  private lvt = [LVT_MASKED, LVT_MASKED, LVT_MASKED, LVT_MASKED, LVT_MASKED];
  private initialCount = 0;
  private divide = 0;              // divide configuration register (bits 0, 1, 3)
  private timerStartNs = 0;        // virtual time the current period began
  private timerRunning = false;
  private timer?: TimerHandle;
  private readonly isr = new Uint32Array(8);
  private readonly tmr = new Uint32Array(8);
  private readonly irr = new Uint32Array(8);
  private apicBase: number;
  /** Every INIT/SIPI/NMI/SMI received, oldest first. */
  readonly ipiLog: IpiEvent[] = [];
  private readonly clock: VirtualClock;
  private readonly bus: ApicBus;
  private readonly ipiHook?: (e: IpiEvent) => void;

  constructor(o: LocalApicOptions) {
    this.id = o.id;
    this.clock = o.clock;
    this.bus = o.bus;
    this.ipiHook = o.ipi;
    this.apicBase = LAPIC_BASE | APIC_BASE_ENABLE | (o.bsp ? APIC_BASE_BSP : 0);
    if (o.bsp) this.lvt[1] = DeliveryMode.ExtInt << 8;
    o.bus.attach(this);
  }

  // ---- state queries
  get softwareEnabled(): boolean { return (this.svr & SVR_ENABLE) !== 0; }
  get globallyEnabled(): boolean { return (this.apicBase & APIC_BASE_ENABLE) !== 0; }
  get enabled(): boolean { return this.softwareEnabled && this.globallyEnabled; }
  get arbitrationPriority(): number { return this.tpr; }

  /** Processor priority: the higher of TPR and the class of the highest in-service vector. */
  get ppr(): number {
    const isrv = Math.max(0, highestBit(this.isr));
    return (this.tpr >> 4) >= (isrv >> 4) ? this.tpr & 0xFF : isrv & 0xF0;
  }

  /** Whether the PIC's INTR reaches the CPU through this APIC (APIC off, or LINT0 unmasked ExtINT). */
  get passesExtInt(): boolean {
    if (!this.enabled) return true;
    const lint0 = this.lvt[1];
    return !(lint0 & LVT_MASKED) && ((lint0 >> 8) & 7) === DeliveryMode.ExtInt;
  }

  /** The vector the CPU would take next, or -1. */
  private deliverable(): number {
    if (!this.enabled) return -1;
    const v = highestBit(this.irr);
    return v >= 0 && (v >> 4) > (this.ppr >> 4) ? v : -1;
  }

  pending(): boolean { return this.deliverable() >= 0; }

  /** INTA: the highest deliverable vector moves from IRR to ISR; the spurious vector when none remains. */
  acknowledge(): number {
    const v = this.deliverable();
    if (v < 0) return this.svr & 0xFF;
    this.irr[v >> 5] &= ~(1 << (v & 31));
    this.isr[v >> 5] |= 1 << (v & 31);
    return v;
  }

  matchesDestination(dest: number, logical: boolean): boolean {
    dest &= 0xFF;
    if (dest === 0xFF) return true;
    if (!logical) return dest === (this.id & 0xFF);
    const ldr8 = this.ldr >>> 24;
    if ((this.dfr >>> 28) === 0xF) return (ldr8 & dest) !== 0;              // flat model
    return (ldr8 >> 4) === (dest >> 4) && (ldr8 & dest & 0xF) !== 0;         // cluster model
  }

  // ---- incoming messages
  /** A message from the bus (IPI, IO-APIC, or this APIC's own LVT). */
  receive(m: ApicMessage): void {
    switch (m.mode) {
      case DeliveryMode.Fixed: case DeliveryMode.LowestPriority: this.acceptVector(m.vector, m.level); break;
      case DeliveryMode.Init: this.recordIpi({ target: this.id, kind: 'init', vector: 0, from: m.source?.id }); break;
      case DeliveryMode.StartUp: this.recordIpi({ target: this.id, kind: 'startup', vector: m.vector & 0xFF, from: m.source?.id }); break;
      case DeliveryMode.Nmi: this.recordIpi({ target: this.id, kind: 'nmi', vector: 2, from: m.source?.id }); break;
      case DeliveryMode.Smi: this.recordIpi({ target: this.id, kind: 'smi', vector: 0, from: m.source?.id }); break;
      default: break; // ExtINT messages: the PIC's vector is fetched through passesExtInt
    }
  }

  private recordIpi(e: IpiEvent): void {
    this.ipiLog.push(e);
    this.ipiHook?.(e);
  }

  /** Latches a fixed interrupt in IRR (vectors 0–15 are illegal and only set ESR). */
  acceptVector(vector: number, level: boolean): void {
    vector &= 0xFF;
    if (vector < 16) { this.error(ESR_RECEIVE_ILLEGAL_VECTOR); return; }
    const w = vector >> 5, bit = 1 << (vector & 31);
    this.irr[w] |= bit;
    if (level) this.tmr[w] |= bit; else this.tmr[w] &= ~bit;
  }

  private error(bits: number): void {
    const fresh = bits & ~this.pendingEsr;
    this.pendingEsr |= bits;
    const lvt = this.lvt[3];
    if (fresh && !(lvt & LVT_MASKED)) this.acceptVector(lvt & 0xFF, false);
  }

  private eoi(): void {
    const v = highestBit(this.isr);
    if (v < 0) return;
    const w = v >> 5, bit = 1 << (v & 31);
    this.isr[w] &= ~bit;
    if (this.tmr[w] & bit) {
      this.tmr[w] &= ~bit;
      this.bus.broadcastEoi(v);
    }
  }

  private sendIcr(): void {
    const low = this.icrLow;
    const mode = ((low >> 8) & 7) as DeliveryMode;
    const level = (low & (1 << 15)) !== 0;
    // INIT level de-assert only resynchronizes arbitration IDs.
    if (mode === DeliveryMode.Init && level && !(low & (1 << 14))) return;
    if ((mode === DeliveryMode.Fixed || mode === DeliveryMode.LowestPriority) && (low & 0xFF) < 16) {
      this.error(ESR_SEND_ILLEGAL_VECTOR);
      return;
    }
    this.bus.send({
      vector: low & 0xFF, mode, logical: (low & (1 << 11)) !== 0, dest: this.icrHigh >>> 24,
      level: mode === DeliveryMode.Fixed && level, shorthand: ((low >> 18) & 3) as Shorthand, source: this,
    });
  }

  // ---- timer
  /** Divide configuration → divisor (1, 2, 4 … 128). */
  get timerDivisor(): number {
    const v = (this.divide & 3) | ((this.divide >> 1) & 4);
    return v === 7 ? 1 : 2 << v;
  }

  private get tickNs(): number { return this.timerDivisor * APIC_BUS_NS; }

  /** The current-count register, derived from virtual time. */
  get currentCount(): number {
    if (!this.timerRunning || this.initialCount === 0) return 0;
    const elapsed = Math.floor((this.clock.nowNs() - this.timerStartNs) / this.tickNs);
    if (this.lvt[0] & TIMER_PERIODIC) return this.initialCount - (elapsed % this.initialCount);
    return Math.max(0, this.initialCount - elapsed);
  }

  private armTimer(): void {
    this.clock.cancel(this.timer);
    this.timer = undefined;
    if (!this.timerRunning) return;
    this.timer = this.clock.schedule(this.timerStartNs + this.initialCount * this.tickNs, () => this.timerExpired());
  }

  private timerExpired(): void {
    this.timer = undefined;
    const lvt = this.lvt[0];
    if (!(lvt & LVT_MASKED)) this.acceptVector(lvt & 0xFF, false);
    if (lvt & TIMER_PERIODIC) {
      this.timerStartNs += this.initialCount * this.tickNs;
      this.armTimer();
    } else {
      this.timerRunning = false;
    }
  }

  private startTimer(count: number): void {
    this.initialCount = count >>> 0;
    this.timerStartNs = this.clock.nowNs();
    this.timerRunning = this.initialCount !== 0;
    this.armTimer();
  }

  // ---- MMIO
  readRegister(reg: number): number {
    if (reg >= Reg.Isr && reg < Reg.Isr + 0x80) return this.isr[(reg - Reg.Isr) >> 4];
    if (reg >= Reg.Tmr && reg < Reg.Tmr + 0x80) return this.tmr[(reg - Reg.Tmr) >> 4];
    if (reg >= Reg.Irr && reg < Reg.Irr + 0x80) return this.irr[(reg - Reg.Irr) >> 4];
    const lvt = LVT_INDEX[reg];
    if (lvt !== undefined) return this.lvt[lvt];
    switch (reg) {
      case Reg.Id: return (this.id << 24) >>> 0;
      case Reg.Version: return LAPIC_VERSION;
      case Reg.Tpr: return this.tpr;
      case Reg.Ppr: return this.ppr;
      case Reg.Ldr: return this.ldr >>> 0;
      case Reg.Dfr: return this.dfr >>> 0;
      case Reg.Svr: return this.svr;
      case Reg.Esr: return this.esr;
      case Reg.IcrLow: return this.icrLow;   // delivery status (bit 12) is always idle
      case Reg.IcrHigh: return this.icrHigh >>> 0;
      case Reg.TimerInitial: return this.initialCount >>> 0;
      case Reg.TimerCurrent: return this.currentCount >>> 0;
      case Reg.TimerDivide: return this.divide;
      default: return 0;                     // APR, RRD, EOI, thermal LVT (absent), reserved
    }
  }

  writeRegister(reg: number, value: number): void {
    value >>>= 0;
    const lvt = LVT_INDEX[reg];
    if (lvt !== undefined) {
      let v = (this.lvt[lvt] & ~LVT_WRITABLE[lvt]) | (value & LVT_WRITABLE[lvt]);
      if (!this.softwareEnabled) v |= LVT_MASKED;   // a software-disabled APIC keeps every LVT masked
      const wasPeriodic = (this.lvt[0] & TIMER_PERIODIC) !== 0;
      this.lvt[lvt] = v >>> 0;
      if (lvt === 0 && this.timerRunning && wasPeriodic !== ((v & TIMER_PERIODIC) !== 0)) this.armTimer();
      return;
    }
    switch (reg) {
      case Reg.Id: this.id = value >>> 24; break;
      case Reg.Tpr: this.tpr = value & 0xFF; break;
      case Reg.Eoi: this.eoi(); break;
      case Reg.Ldr: this.ldr = (value & 0xFF000000) >>> 0; break;
      case Reg.Dfr: this.dfr = (value | 0x0FFFFFFF) >>> 0; break;
      case Reg.Svr:
        this.svr = value & 0x13FF;
        if (!this.softwareEnabled) for (let k = 0; k < this.lvt.length; k++) this.lvt[k] = (this.lvt[k] | LVT_MASKED) >>> 0;
        break;
      case Reg.Esr: this.esr = this.pendingEsr; this.pendingEsr = 0; break;
      case Reg.IcrHigh: this.icrHigh = (value & 0xFF000000) >>> 0; break;
      case Reg.IcrLow: this.icrLow = value & ~(1 << 12) & 0x000CFFFF; this.sendIcr(); break;
      case Reg.TimerInitial: this.startTimer(value); break;
      case Reg.TimerDivide: {
        const remaining = this.currentCount;
        this.divide = value & 0xB;
        if (this.timerRunning) {   // keep the count where it is; it now falls at the new rate
          this.timerStartNs = this.clock.nowNs() - (this.initialCount - remaining) * this.tickNs;
          this.armTimer();
        }
        break;
      }
      default: break;   // read-only or reserved
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset & 0xC) return 0;
    const v = this.readRegister(offset & 0xFF0) >>> ((offset & 3) * 8);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xFFFF : 0xFF);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset & 0xF || size !== 4) return;   // registers take aligned 32-bit stores
    this.writeRegister(offset, value);
  }

  // ---- IA32_APIC_BASE (MSR 0x1B)
  readApicBase(): bigint { return BigInt(this.apicBase >>> 0); }
  writeApicBase(value: bigint): void {
    // The base stays at 0xFEE00000 (relocation is recorded, not remapped); clearing the enable bit
    // turns the APIC off until the next reset.
    const v = Number(value & 0xFFFFF900n);
    this.apicBase = ((v & ~APIC_BASE_BSP) | (this.apicBase & APIC_BASE_BSP)) >>> 0;
  }

  saveState(): LocalApicState {
    return {
      id: this.id, tpr: this.tpr, ldr: this.ldr, dfr: this.dfr, svr: this.svr, esr: this.esr, pendingEsr: this.pendingEsr,
      icrLow: this.icrLow, icrHigh: this.icrHigh, lvt: this.lvt.slice(), initialCount: this.initialCount, divide: this.divide,
      timerStartNs: this.timerStartNs, timerRunning: this.timerRunning, isr: [...this.isr], tmr: [...this.tmr], irr: [...this.irr],
      apicBase: this.apicBase,
    };
  }

  loadState(s: LocalApicState): void {
    Object.assign(this, {
      id: s.id, tpr: s.tpr, ldr: s.ldr, dfr: s.dfr, svr: s.svr, esr: s.esr, pendingEsr: s.pendingEsr, icrLow: s.icrLow,
      icrHigh: s.icrHigh, lvt: s.lvt.slice(), initialCount: s.initialCount, divide: s.divide, timerStartNs: s.timerStartNs,
      timerRunning: s.timerRunning, apicBase: s.apicBase,
    });
    this.isr.set(s.isr); this.tmr.set(s.tmr); this.irr.set(s.irr);
    this.armTimer();
  }
}
