// 16550A UART (COM1/COM2): the register file a driver programs (THR/RBR, IER, IIR/FCR, LCR, MCR,
// LSR, MSR, SCR, divisor latch). Transmitted bytes go to an injected sink; the transmitter is always
// ready, so polling drivers never wait.
import type { PortHandler } from './io-bus.js';

const LSR_DATA_READY = 0x01, LSR_THR_EMPTY = 0x20, LSR_TX_IDLE = 0x40;

export class Uart16550 implements PortHandler {
  private ier = 0;              // interrupt enable
  private lcr = 0x03;           // line control (8N1)
  private mcr = 0;              // modem control
  private scr = 0;              // scratch
  private dll = 0x01;           // divisor latch low (115200 baud)
  private dlm = 0;              // divisor latch high
  private fcr = 0;              // FIFO control (write-only; IIR shows FIFO state)
  private readonly rx: number[] = []; // received bytes not yet read

  constructor(private readonly sink: (byte: number) => void) {}

  /** Queues bytes typed by the host for the guest to read. */
  receive(bytes: Iterable<number>): void { for (const b of bytes) this.rx.push(b & 0xFF); }

  read(offset: number): number {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0: return dlab ? this.dll : (this.rx.shift() ?? 0);
      case 1: return dlab ? this.dlm : this.ier;
      case 2: return (this.fcr & 1 ? 0xC0 : 0) | 0x01; // no interrupt pending
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: return LSR_THR_EMPTY | LSR_TX_IDLE | (this.rx.length ? LSR_DATA_READY : 0);
      case 6: return (this.mcr & 0x10) ? ((this.mcr & 0xC) << 4) | ((this.mcr & 0x3) << 4) : 0xB0; // CTS DSR DCD
      case 7: return this.scr;
      default: return 0xFF;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xFF;
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0:
        if (dlab) this.dll = value;
        else if (this.mcr & 0x10) this.rx.push(value); // loopback
        else this.sink(value);
        break;
      case 1: if (dlab) this.dlm = value; else this.ier = value & 0x0F; break;
      case 2: this.fcr = value; if (value & 2) this.rx.length = 0; break;
      case 3: this.lcr = value; break;
      case 4: this.mcr = value & 0x1F; break;
      case 7: this.scr = value; break;
      default: break;
    }
  }

  saveState(): object {
    return { ier: this.ier, lcr: this.lcr, mcr: this.mcr, scr: this.scr, dll: this.dll, dlm: this.dlm, fcr: this.fcr, rx: [...this.rx] };
  }
  loadState(s: ReturnType<Uart16550['saveState']>): void {
    Object.assign(this, s);
  }
}
