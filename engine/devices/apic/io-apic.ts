// The 82093AA-style IO-APIC at 0xFEC00000: IOREGSEL (offset 0x00) selects a register, IOWIN (0x10)
// reads/writes it. 24 input pins, each with a 64-bit redirection entry that turns an asserted pin into
// a message on the APIC bus. Level-triggered pins hold remote IRR until the local APIC's EOI.
import type { MmioHandler } from '../../memory/guest-memory.js';
import type { IrqSink } from '../../platform/interrupt-lines.js';
import { ApicBus, DeliveryMode, Shorthand, type EoiListener } from './apic-bus.js';

export const IOAPIC_BASE = 0xFEC00000, IOAPIC_SIZE = 0x1000;
export const IOAPIC_PINS = 24;
/** Version register: version 0x11, maximum redirection entry 23. */
export const IOAPIC_VERSION = 0x11 | ((IOAPIC_PINS - 1) << 16);
export const IOREGSEL = 0x00, IOWIN = 0x10;

// Redirection entry (low dword) bits
const RTE_DEST_LOGICAL = 1 << 11, RTE_DELIVERY_STATUS = 1 << 12, RTE_POLARITY_LOW = 1 << 13;
const RTE_REMOTE_IRR = 1 << 14, RTE_LEVEL = 1 << 15, RTE_MASKED = 1 << 16;
/** Bits software may write in the low dword (delivery status and remote IRR are read-only). */
const RTE_WRITABLE_LOW = 0x1AFFF;

export interface IoApicState { id: number; select: number; low: number[]; high: number[]; lines: number; pendingEdges: number }

export class IoApic implements MmioHandler, IrqSink, EoiListener {
  private id = 0;
  private select = 0;
  private readonly low = new Array<number>(IOAPIC_PINS).fill(RTE_MASKED);
  private readonly high = new Array<number>(IOAPIC_PINS).fill(0);
  private lines = 0;          // current level of each pin
  private pendingEdges = 0;   // edges latched while masked, delivered on unmask (as QEMU does)

  /**
   * ISA IRQ → pin: IRQ0 (the PIT) reaches pin 2, as on QEMU's PC (the MP/MADT interrupt source
   * override); the other ISA IRQs keep their numbers. Legacy lines are fanned out here.
   */
  readonly isa: IrqSink = { setIrq: (irq, level) => { if (irq !== 2) this.setIrq(irq === 0 ? 2 : irq, level); } };

  constructor(private readonly bus: ApicBus) {
    bus.eoiListeners.push(this);
  }

  /** Raw redirection entry of pin (64 bits as [low, high]). */
  entry(pin: number): [number, number] { return [this.low[pin] >>> 0, this.high[pin] >>> 0]; }

  /** Sets the level of input pin (polarity is recorded but, as in QEMU, ISA lines are taken as active-high). */
  setIrq(pin: number, level: boolean): void {
    if (pin < 0 || pin >= IOAPIC_PINS) return;
    const bit = 1 << pin;
    const was = (this.lines & bit) !== 0;
    if (level) this.lines |= bit; else this.lines &= ~bit;
    if (level && !was && !(this.low[pin] & RTE_LEVEL)) this.pendingEdges |= bit;
    this.service(pin);
  }

  /** Delivers pin if its entry lets it: an unmasked edge latched, or an asserted level without remote IRR. */
  private service(pin: number): void {
    const low = this.low[pin];
    if (low & RTE_MASKED) return;
    const bit = 1 << pin;
    if (low & RTE_LEVEL) {
      if (!(this.lines & bit) || (low & RTE_REMOTE_IRR)) return;
      this.low[pin] = (low | RTE_REMOTE_IRR) >>> 0;
    } else {
      if (!(this.pendingEdges & bit)) return;
      this.pendingEdges &= ~bit;
    }
    const mode = ((low >> 8) & 7) as DeliveryMode;
    this.bus.send({
      vector: low & 0xFF, mode, logical: (low & RTE_DEST_LOGICAL) !== 0, dest: this.high[pin] >>> 24,
      level: (low & RTE_LEVEL) !== 0, shorthand: Shorthand.None,
    });
  }

  /** A local APIC's EOI of a level-triggered vector: clears remote IRR and re-delivers a still-asserted pin. */
  eoi(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const low = this.low[pin];
      if ((low & 0xFF) !== vector || !(low & RTE_REMOTE_IRR)) continue;
      this.low[pin] = (low & ~RTE_REMOTE_IRR) >>> 0;
      this.service(pin);
    }
  }

  readRegister(index: number): number {
    if (index === 0) return (this.id << 24) >>> 0;
    if (index === 1) return IOAPIC_VERSION;
    if (index === 2) return (this.id << 24) >>> 0;   // arbitration ID
    const pin = (index - 0x10) >> 1;
    if (index >= 0x10 && pin < IOAPIC_PINS) return (index & 1 ? this.high[pin] : this.low[pin]) >>> 0;
    return 0;
  }

  writeRegister(index: number, value: number): void {
    if (index === 0) { this.id = (value >>> 24) & 0xF; return; }
    const pin = (index - 0x10) >> 1;
    if (index < 0x10 || pin >= IOAPIC_PINS) return;
    if (index & 1) { this.high[pin] = (value & 0xFF000000) >>> 0; return; }
    this.low[pin] = ((this.low[pin] & ~RTE_WRITABLE_LOW) | (value & RTE_WRITABLE_LOW)) >>> 0;
    if (!(this.low[pin] & RTE_LEVEL)) this.low[pin] = (this.low[pin] & ~RTE_REMOTE_IRR) >>> 0;
    this.service(pin);   // unmasking delivers a latched edge or an asserted level
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    if (offset === IOREGSEL) v = this.select;
    else if (offset >= IOWIN && offset < IOWIN + 4) v = this.readRegister(this.select) >>> ((offset - IOWIN) * 8);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xFFFF : 0xFF);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset === IOREGSEL) this.select = value & 0xFF;
    else if (offset === IOWIN && size === 4) this.writeRegister(this.select, value >>> 0);
  }

  saveState(): IoApicState {
    return { id: this.id, select: this.select, low: this.low.slice(), high: this.high.slice(), lines: this.lines, pendingEdges: this.pendingEdges };
  }

  loadState(s: IoApicState): void {
    this.id = s.id; this.select = s.select; this.lines = s.lines; this.pendingEdges = s.pendingEdges;
    for (let k = 0; k < IOAPIC_PINS; k++) { this.low[k] = s.low[k]; this.high[k] = s.high[k]; }
  }
}

/** Redirection-entry low-dword bits (for tests and the debugger). */
export const RTE_BITS = { RTE_DELIVERY_STATUS, RTE_POLARITY_LOW, RTE_REMOTE_IRR, RTE_LEVEL, RTE_MASKED } as const;
