// 16550A UART (COM1/COM2): RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR and the divisor latch,
// 16-byte receive FIFO with trigger levels, the five interrupt sources in 16550 priority order,
// loopback, and input from the host. Transmission is instant (the sink gets each byte as it is
// written), so THR is always empty again by the time the guest looks.
import type { PortHandler } from './io-bus.js';
import type { IrqLine } from '../platform/interrupt-lines.js';
import type { TimerHandle, VirtualClock } from '../platform/clock.js';

// Register offsets.
const RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
// IER bits.
const IER_RX_DATA = 0x01, IER_THR_EMPTY = 0x02, IER_LINE_STATUS = 0x04, IER_MODEM_STATUS = 0x08;
// IIR values (bit 0 = 1: nothing pending), highest priority first.
export const IIR_NONE = 0x01, IIR_LINE_STATUS = 0x06, IIR_RX_DATA = 0x04, IIR_CHAR_TIMEOUT = 0x0C, IIR_THR_EMPTY = 0x02, IIR_MODEM_STATUS = 0x00;
const IIR_FIFO_ON = 0xC0;
// FCR bits.
const FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04;
// LCR bits.
const LCR_DLAB = 0x80, LCR_BREAK = 0x40;
// MCR bits.
const MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
// LSR bits.
export const LSR_DATA_READY = 0x01, LSR_OVERRUN = 0x02, LSR_PARITY = 0x04, LSR_FRAMING = 0x08, LSR_BREAK = 0x10,
  LSR_THR_EMPTY = 0x20, LSR_TX_IDLE = 0x40, LSR_FIFO_ERROR = 0x80;
const LSR_ERRORS = LSR_OVERRUN | LSR_PARITY | LSR_FRAMING | LSR_BREAK;
// MSR bits: deltas in 0–3, lines in 4–7.
const MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08, MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;

const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14];
/** The UART's input clock divided by 16: the baud rate at divisor 1. */
const BASE_BAUD = 115200;
/** Host bytes held back (beyond the FIFO) until the guest drains it; more are dropped. */
export const HOST_BACKLOG_LIMIT = 1 << 20;

/** Optional wiring beyond the transmit sink. */
export interface UartWiring {
  /** The interrupt line (COM1 = IRQ4, COM2 = IRQ3); it follows "an interrupt is pending" (IIR bit 0 clear). */
  irq?: IrqLine;
  /** Virtual time for the character timeout (four character times); without it the timeout is immediate. */
  clock?: VirtualClock;
}

export class Uart16550 implements PortHandler {
  private ier = 0;                      // interrupt enable (low 4 bits)
  private lcr = 0x03;                   // line control (8N1)
  private mcr = 0;                      // modem control (low 5 bits)
  private scr = 0;                      // scratch
  private divisor = 1;                  // divisor latch (115200 baud)
  private fifoEnabled = false;          // FCR bit 0
  private triggerLevel = 1;             // RX FIFO interrupt trigger (FCR bits 6–7)
  private readonly rx: number[] = [];   // receive FIFO (holding register when FIFOs are off)
  private readonly backlog: number[] = []; // host input not yet in the FIFO
  private lsrErrors = 0;                // OE/PE/FE/BI waiting for an LSR read
  private thrEmptyPending = false;      // THRE interrupt armed (cleared by IIR read or THR write)
  private timeoutPending = false;       // character timeout indication
  private msrDeltas = 0;                // MSR bits 0–3
  private msrLines = MSR_DCD | MSR_DSR | MSR_CTS; // modem lines from the (virtual) other end
  private irqLevel = false;             // what the line shows now
  private timeoutTimer?: TimerHandle;

  /** @param sink receives every transmitted byte (not in loopback mode) */
  constructor(private readonly sink: (byte: number) => void, private readonly wiring: UartWiring = {}) {}

  /** Queues bytes typed by the host for the guest to read. */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) if (this.backlog.length < HOST_BACKLOG_LIMIT) this.backlog.push(b & 0xFF);
    this.refillFromHost();
    this.update();
  }

  /** Host bytes not yet read by the guest (FIFO plus backlog). */
  get pendingInput(): number { return this.rx.length + this.backlog.length; }

  /** Raises line errors (LSR bits 1–4) as if the last byte had arrived damaged (fault injection). */
  injectLineError(bits: number): void {
    this.lsrErrors |= bits & LSR_ERRORS;
    this.update();
  }

  /** Sets the modem input lines (CTS/DSR/RI/DCD as MSR bits 4–7) the other end drives. */
  setModemLines(lines: number): void {
    const old = this.msrLines;
    this.msrLines = lines & 0xF0;
    if (!(this.mcr & MCR_LOOP)) this.noteModemChange(old, this.msrLines);
    this.update();
  }

  read(offset: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case RBR_THR: return dlab ? this.divisor & 0xFF : this.readRbr();
      case IER: return dlab ? this.divisor >>> 8 : this.ier;
      case IIR_FCR: {
        const iir = this.currentIir();
        if (iir === IIR_THR_EMPTY) { this.thrEmptyPending = false; this.update(); }
        return iir | (this.fifoEnabled ? IIR_FIFO_ON : 0);
      }
      case LCR: return this.lcr;
      case MCR: return this.mcr;
      case LSR: {
        const v = this.lsr();
        this.lsrErrors = 0;
        this.update();
        return v;
      }
      case MSR: {
        const v = this.modemStatusLines() | this.msrDeltas;
        this.msrDeltas = 0;
        this.update();
        return v;
      }
      case SCR: return this.scr;
      default: return 0xFF;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xFF;
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case RBR_THR:
        if (dlab) { this.divisor = (this.divisor & 0xFF00) | value; break; }
        if (this.mcr & MCR_LOOP) this.receiveByte(value); // loopback: TX wired to RX, nothing leaves
        else this.sink(value);
        this.thrEmptyPending = true;                      // sent at once: THR is empty again
        break;
      case IER:
        if (dlab) { this.divisor = (this.divisor & 0xFF) | (value << 8); break; }
        // Enabling THRE interrupts while THR is empty raises one right away, as a 16550A does.
        if ((value & IER_THR_EMPTY) && !(this.ier & IER_THR_EMPTY)) this.thrEmptyPending = true;
        this.ier = value & 0x0F;
        break;
      case IIR_FCR: this.writeFcr(value); break;
      case LCR:
        // Setting break in loopback receives a break: a zero byte with BI.
        if ((value & LCR_BREAK) && !(this.lcr & LCR_BREAK) && (this.mcr & MCR_LOOP)) {
          this.receiveByte(0);
          this.lsrErrors |= LSR_BREAK;
        }
        this.lcr = value;
        break;
      case MCR: {
        const oldLines = this.modemStatusLines();
        this.mcr = value & 0x1F;
        this.noteModemChange(oldLines, this.modemStatusLines());
        break;
      }
      case SCR: this.scr = value; break;
      default: break; // LSR and MSR are read-only
    }
    this.update();
  }

  private readRbr(): number {
    const v = this.rx.length ? this.rx.shift()! : 0;
    this.refillFromHost();
    this.restartTimeout();
    this.update();
    return v;
  }

  private writeFcr(value: number): void {
    const enable = (value & FCR_ENABLE) !== 0;
    if (enable !== this.fifoEnabled) this.rx.length = 0; // toggling the FIFOs empties them
    this.fifoEnabled = enable;
    if (value & FCR_CLEAR_RX) this.rx.length = 0;
    if (value & FCR_CLEAR_TX) this.thrEmptyPending = (this.ier & IER_THR_EMPTY) !== 0;
    this.triggerLevel = enable ? TRIGGER_LEVELS[value >>> 6] : 1;
    this.refillFromHost();
    this.restartTimeout();
  }

  private get capacity(): number { return this.fifoEnabled ? FIFO_SIZE : 1; }

  /** One byte reaches the receiver from the line (or from loopback): stored, or an overrun. */
  private receiveByte(b: number): void {
    if (this.rx.length >= this.capacity) {
      this.lsrErrors |= LSR_OVERRUN;   // the FIFO (or holding register) keeps its contents
      return;
    }
    this.rx.push(b);
    this.restartTimeout();
  }

  /** Host input waits in the backlog and enters the FIFO as room appears (the host honours flow control). */
  private refillFromHost(): void {
    if (this.mcr & MCR_LOOP) return; // the receiver hears only the transmitter in loopback
    while (this.backlog.length && this.rx.length < this.capacity) this.rx.push(this.backlog.shift()!);
    this.restartTimeout();
  }

  private lsr(): number {
    return (this.rx.length ? LSR_DATA_READY : 0) | this.lsrErrors | LSR_THR_EMPTY | LSR_TX_IDLE
      | (this.fifoEnabled && (this.lsrErrors & (LSR_PARITY | LSR_FRAMING | LSR_BREAK)) ? LSR_FIFO_ERROR : 0);
  }

  /** MSR bits 4–7: from MCR in loopback (RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD), else from the other end. */
  private modemStatusLines(): number {
    if (!(this.mcr & MCR_LOOP)) return this.msrLines;
    const m = this.mcr;
    return (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) | (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
  }

  private noteModemChange(old: number, now: number): void {
    const changed = old ^ now;
    if (changed & MSR_CTS) this.msrDeltas |= MSR_DCTS;
    if (changed & MSR_DSR) this.msrDeltas |= MSR_DDSR;
    if (changed & MSR_DCD) this.msrDeltas |= MSR_DDCD;
    if ((old & MSR_RI) && !(now & MSR_RI)) this.msrDeltas |= MSR_TERI; // trailing edge of ring
  }

  /** The highest-priority pending interrupt (IIR bits 0–3). */
  private currentIir(): number {
    const ier = this.ier;
    if ((ier & IER_LINE_STATUS) && this.lsrErrors) return IIR_LINE_STATUS;
    if (ier & IER_RX_DATA) {
      if (this.rx.length >= this.triggerLevel) return IIR_RX_DATA;
      if (this.fifoEnabled && this.timeoutPending && this.rx.length) return IIR_CHAR_TIMEOUT;
    }
    if ((ier & IER_THR_EMPTY) && this.thrEmptyPending) return IIR_THR_EMPTY;
    if ((ier & IER_MODEM_STATUS) && this.msrDeltas) return IIR_MODEM_STATUS;
    return IIR_NONE;
  }

  /** Drives the interrupt line from IIR (QEMU does not gate it with OUT2 either). */
  private update(): void {
    const level = this.currentIir() !== IIR_NONE;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.wiring.irq?.raise(); else this.wiring.irq?.lower();
  }

  /** Four character times at the current baud rate and frame, in nanoseconds. */
  private timeoutNs(): number {
    const dataBits = 5 + (this.lcr & 3), stopBits = this.lcr & 4 ? 2 : 1, parity = this.lcr & 8 ? 1 : 0;
    const baud = BASE_BAUD / (this.divisor || 0x10000);
    return Math.round(4 * (1 + dataBits + parity + stopBits) * 1e9 / baud);
  }

  /** Character timeout: data below the trigger level sits unread for four character times. */
  private restartTimeout(): void {
    const clock = this.wiring.clock;
    this.timeoutPending = false;
    if (clock) { clock.cancel(this.timeoutTimer); this.timeoutTimer = undefined; }
    if (!this.fifoEnabled || this.rx.length === 0 || this.rx.length >= this.triggerLevel) return;
    if (!clock) { this.timeoutPending = true; return; }
    this.timeoutTimer = clock.schedule(clock.nowNs() + this.timeoutNs(), () => {
      this.timeoutTimer = undefined;
      this.timeoutPending = true;
      this.update();
    });
  }

  saveState(): object {
    return {
      ier: this.ier, lcr: this.lcr, mcr: this.mcr, scr: this.scr, divisor: this.divisor, fifoEnabled: this.fifoEnabled,
      triggerLevel: this.triggerLevel, rx: [...this.rx], backlog: [...this.backlog], lsrErrors: this.lsrErrors,
      thrEmptyPending: this.thrEmptyPending, timeoutPending: this.timeoutPending,
      msrDeltas: this.msrDeltas, msrLines: this.msrLines, irqLevel: this.irqLevel,
    };
  }
  loadState(s: Record<string, any>): void {
    this.ier = s.ier; this.lcr = s.lcr; this.mcr = s.mcr; this.scr = s.scr; this.divisor = s.divisor;
    this.fifoEnabled = s.fifoEnabled; this.triggerLevel = s.triggerLevel;
    this.rx.splice(0, this.rx.length, ...s.rx);
    this.backlog.splice(0, this.backlog.length, ...s.backlog);
    this.lsrErrors = s.lsrErrors; this.thrEmptyPending = s.thrEmptyPending;
    this.timeoutPending = s.timeoutPending; this.msrDeltas = s.msrDeltas; this.msrLines = s.msrLines; this.irqLevel = s.irqLevel;
    if (!this.timeoutPending) this.restartTimeout();
  }
}
