// The 8259A programmable interrupt controller pair of the PC: master at 0x20/0x21, slave at 0xA0/0xA1
// cascaded on master IR2, and the PIIX edge/level control registers (ELCR) at 0x4D0/0x4D1.
import type { PortHandler } from './io-bus.js';
import type { IrqSink } from '../platform/interrupt-lines.js';
import type { InterruptSource } from '../hv/strategy.js';

export const PIC_MASTER_PORT = 0x20, PIC_SLAVE_PORT = 0xA0, ELCR_PORT = 0x4D0;
/** Master input the slave's INT output is wired to. */
export const CASCADE_IRQ = 2;

/** Initialization-sequence position: which ICW the data port expects next. */
const enum Init { Ready = 0, Icw2 = 1, Icw3 = 2, Icw4 = 3 }

// ICW1 bits (command port, bit 4 set)
const ICW1_IC4 = 0x01, ICW1_SNGL = 0x02, ICW1_LTIM = 0x08;
// ICW4 bits
const ICW4_AEOI = 0x02, ICW4_SFNM = 0x10;
// OCW3 bits (command port, bits 4..3 = 01)
const OCW3_RIS = 0x01, OCW3_RR = 0x02, OCW3_POLL = 0x04, OCW3_SMM = 0x20, OCW3_ESMM = 0x40;

/** Serializable register state of one 8259A. */
export interface PicChipState {
  irr: number; isr: number; imr: number; lines: number; elcr: number;
  vectorBase: number; icw1: number; icw3: number; icw4: number; init: number;
  lowestPriority: number; readIsr: boolean; pollPending: boolean; specialMask: boolean; rotateOnAutoEoi: boolean;
}

/** Highest-priority set bit of mask when `highest` has top priority: returns its IR number, or -1. */
function highestPriority(mask: number, highest: number): number {
  if ((mask & 0xFF) === 0) return -1;
  for (let k = 0; k < 8; k++) {
    const ir = (highest + k) & 7;
    if (mask & (1 << ir)) return ir;
  }
  return -1;
}

/** One 8259A: the IRR/ISR/IMR registers, its initialization sequence and operation commands. */
export class Pic8259 implements PortHandler {
  private irr = 0;               // edge-latched requests (level-mode inputs are read from `lines`)
  private isr = 0;               // in-service register
  private imr = 0;               // interrupt mask register (OCW1)
  private lines = 0;             // current level of the eight IR inputs
  private elcr = 0;              // level-triggered inputs (PIIX ELCR; ICW1.LTIM makes all level)
  private vectorBase = 0;        // ICW2 & 0xF8
  private icw1 = 0;              // last ICW1 (LTIM, SNGL, IC4)
  private icw3 = 0;              // cascade configuration (stored; the PC wiring is fixed)
  private icw4 = 0;              // AEOI, SFNM, BUF, µPM
  private init = Init.Ready;     // next expected ICW
  private lowestPriority = 7;    // IR with the lowest priority (rotation moves it)
  private readIsr = false;       // OCW3: command-port reads return ISR (true) or IRR (false)
  private pollPending = false;   // OCW3 poll: the next command-port read is the poll word
  private specialMask = false;   // OCW3 special mask mode
  private rotateOnAutoEoi = false; // OCW2 rotate in automatic-EOI mode

  /**
   * @param isMaster the master applies special fully nested mode to its cascade input
   * @param elcrWritable ELCR bits the chipset lets software set (IRQ0, 1, 2, 8, 13 stay edge)
   * @param changed called after any change that may alter the INT output
   */
  constructor(readonly isMaster: boolean, private readonly elcrWritable: number, private readonly changed: () => void) {}

  /** Inputs that are level-triggered. */
  private get levelMask(): number { return this.icw1 & ICW1_LTIM ? 0xFF : this.elcr; }

  /** The request register as the priority logic sees it. */
  private get requests(): number { return ((this.irr & ~this.levelMask) | (this.lines & this.levelMask)) & 0xFF; }

  /** Sets the level of input ir; edge inputs latch a request on 0→1. */
  setInput(ir: number, level: boolean): void {
    const bit = 1 << ir;
    if (level) {
      if (!(this.lines & bit)) this.irr |= bit;   // a rising edge (level inputs also show in IRR)
      this.lines |= bit;
    } else {
      this.lines &= ~bit;
      if (this.levelMask & bit) this.irr &= ~bit;
    }
    this.changed();
  }

  /** The IR this chip would interrupt with now (after mask and in-service priority), or -1. */
  resolve(): number {
    const highest = (this.lowestPriority + 1) & 7;
    const candidate = highestPriority(this.requests & ~this.imr, highest);
    if (candidate < 0) return -1;
    let blocking = this.isr;
    if (this.specialMask) blocking &= ~this.imr;                         // masked levels stop blocking
    if (this.isMaster && (this.icw4 & ICW4_SFNM)) blocking &= ~(1 << CASCADE_IRQ); // slave may nest
    const inService = highestPriority(blocking, highest);
    if (inService < 0) return candidate;
    const rank = (ir: number) => (ir - highest) & 7;
    return rank(candidate) < rank(inService) ? candidate : -1;
  }

  /** The INTA cycle for IR ir: moves it from IRR to ISR (or applies automatic EOI). */
  acknowledge(ir: number): void {
    const bit = 1 << ir;
    if (!(this.levelMask & bit)) this.irr &= ~bit;
    if (this.icw4 & ICW4_AEOI) {
      if (this.rotateOnAutoEoi) this.lowestPriority = ir;
    } else {
      this.isr |= bit;
    }
    this.changed();
  }

  /** The vector for IR ir (ICW2 base | ir). */
  vector(ir: number): number { return (this.vectorBase | ir) & 0xFF; }

  read(offset: number): number {
    if (offset === 0) {
      if (this.pollPending) {
        this.pollPending = false;
        const ir = this.resolve();
        if (ir < 0) return 0;
        this.acknowledge(ir);
        return 0x80 | ir;
      }
      return this.readIsr ? this.isr : this.requests;
    }
    return this.imr;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xFF;
    if (offset === 0) {
      if (value & 0x10) this.writeIcw1(value);
      else if (value & 0x08) this.writeOcw3(value);
      else this.writeOcw2(value);
    } else {
      switch (this.init) {
        case Init.Icw2:
          this.vectorBase = value & 0xF8;
          this.init = !(this.icw1 & ICW1_SNGL) ? Init.Icw3 : this.icw1 & ICW1_IC4 ? Init.Icw4 : Init.Ready;
          break;
        case Init.Icw3:
          this.icw3 = value;
          this.init = this.icw1 & ICW1_IC4 ? Init.Icw4 : Init.Ready;
          break;
        case Init.Icw4:
          this.icw4 = value & 0x1F;
          this.init = Init.Ready;
          break;
        default:
          this.imr = value;   // OCW1
      }
    }
    this.changed();
  }

  /** ICW1 starts initialization: clears IMR, ISR, IRR, special mask and rotation; IR7 lowest. */
  private writeIcw1(value: number): void {
    this.icw1 = value & 0x0F;
    this.init = Init.Icw2;
    this.imr = 0;
    this.isr = 0;
    this.irr = 0;                 // the edge sense latch resets: edges need a fresh 0→1
    this.icw4 = 0;                // ICW4 defaults to zero when IC4 = 0
    this.lowestPriority = 7;
    this.readIsr = false;
    this.pollPending = false;
    this.specialMask = false;
    this.rotateOnAutoEoi = false;
  }

  /** OCW2: EOI (non-specific, specific), rotation and priority commands. */
  private writeOcw2(value: number): void {
    const level = value & 7;
    switch (value >> 5) {
      case 0b001: this.eoi(false); break;                      // non-specific EOI
      case 0b011: this.isr &= ~(1 << level); break;            // specific EOI
      case 0b101: this.eoi(true); break;                       // rotate on non-specific EOI
      case 0b100: this.rotateOnAutoEoi = true; break;          // rotate in AEOI mode (set)
      case 0b000: this.rotateOnAutoEoi = false; break;         // rotate in AEOI mode (clear)
      case 0b111: this.isr &= ~(1 << level); this.lowestPriority = level; break; // rotate on specific EOI
      case 0b110: this.lowestPriority = level; break;          // set priority
      default: break;                                          // 010: no operation
    }
  }

  /** Clears the highest-priority in-service bit; with rotate, that IR becomes the lowest priority. */
  private eoi(rotate: boolean): void {
    const ir = highestPriority(this.isr, (this.lowestPriority + 1) & 7);
    if (ir < 0) return;
    this.isr &= ~(1 << ir);
    if (rotate) this.lowestPriority = ir;
  }

  /** OCW3: read-register select, poll, special mask mode. */
  private writeOcw3(value: number): void {
    if (value & OCW3_POLL) this.pollPending = true;
    if (value & OCW3_RR) this.readIsr = (value & OCW3_RIS) !== 0;
    if (value & OCW3_ESMM) this.specialMask = (value & OCW3_SMM) !== 0;
  }

  /** Edge/level control register (one bit per IR; 1 = level). */
  get edgeLevel(): number { return this.elcr; }
  set edgeLevel(value: number) { this.elcr = value & this.elcrWritable; this.changed(); }

  /** Register values for a debugger view. */
  get registers(): { irr: number; isr: number; imr: number; vectorBase: number; initialized: boolean } {
    return { irr: this.requests, isr: this.isr, imr: this.imr, vectorBase: this.vectorBase, initialized: this.init === Init.Ready };
  }

  saveState(): PicChipState {
    return {
      irr: this.irr, isr: this.isr, imr: this.imr, lines: this.lines, elcr: this.elcr,
      vectorBase: this.vectorBase, icw1: this.icw1, icw3: this.icw3, icw4: this.icw4, init: this.init,
      lowestPriority: this.lowestPriority, readIsr: this.readIsr, pollPending: this.pollPending,
      specialMask: this.specialMask, rotateOnAutoEoi: this.rotateOnAutoEoi,
    };
  }

  loadState(s: PicChipState): void {
    this.irr = s.irr; this.isr = s.isr; this.imr = s.imr; this.lines = s.lines; this.elcr = s.elcr;
    this.vectorBase = s.vectorBase; this.icw1 = s.icw1; this.icw3 = s.icw3; this.icw4 = s.icw4; this.init = s.init;
    this.lowestPriority = s.lowestPriority; this.readIsr = s.readIsr; this.pollPending = s.pollPending;
    this.specialMask = s.specialMask; this.rotateOnAutoEoi = s.rotateOnAutoEoi;
    this.changed();
  }
}

/** ELCR at 0x4D0 (master) and 0x4D1 (slave). */
class EdgeLevelControl implements PortHandler {
  constructor(private readonly chips: readonly [Pic8259, Pic8259]) {}
  read(offset: number): number { return this.chips[offset & 1].edgeLevel; }
  write(offset: number, _size: 1 | 2 | 4, value: number): void { this.chips[offset & 1].edgeLevel = value & 0xFF; }
}

/** Options for the pair's state at power-on. */
export interface PicPairOptions {
  /**
   * Start as a PC BIOS leaves the pair (vectors 0x08 and 0x70, 8086 mode, cascade set up, every IRQ
   * masked except the cascade) instead of un-initialized; default true.
   */
  biosInitialized?: boolean;
}

/** The PC's cascaded 8259A pair: IRQ 0–15 in, one INT output to the CPU. */
export class PicPair implements IrqSink, InterruptSource {
  readonly master: Pic8259;
  readonly slave: Pic8259;
  /** PortHandler for ELCR1/ELCR2. */
  readonly elcr: PortHandler;
  private intOutput = false;     // level of the master's INT pin (what pending() reports)
  private cascadeLevel = false;  // level of the slave's INT pin as last driven into master IR2

  constructor(options: PicPairOptions = {}) {
    this.master = new Pic8259(true, 0xF8, () => this.update());
    this.slave = new Pic8259(false, 0xDE, () => this.update());
    this.elcr = new EdgeLevelControl([this.master, this.slave]);
    if (options.biosInitialized ?? true) this.biosInit();
  }

  /** Programs both chips the way a PC BIOS does (ICW1..ICW4, then masks). */
  private biosInit(): void {
    for (const [chip, base, icw3] of [[this.master, 0x08, 0x04], [this.slave, 0x70, 0x02]] as const) {
      chip.write(0, 1, 0x11);
      chip.write(1, 1, base);
      chip.write(1, 1, icw3);
      chip.write(1, 1, 0x01);
    }
    this.master.write(1, 1, 0xFF & ~(1 << CASCADE_IRQ));
    this.slave.write(1, 1, 0xFF);
  }

  /** Registers the command/data ports and the ELCR on bus. */
  register(bus: { register(base: number, length: number, name: string, handler: PortHandler): void }): void {
    bus.register(PIC_MASTER_PORT, 2, 'PIC master (8259A)', this.master);
    bus.register(PIC_SLAVE_PORT, 2, 'PIC slave (8259A)', this.slave);
    bus.register(ELCR_PORT, 2, 'ELCR (edge/level control)', this.elcr);
  }

  /** IRQ 0–7 reach the master, 8–15 the slave. */
  setIrq(irq: number, level: boolean): void {
    if (irq < 0 || irq > 15) return;
    if (irq < 8) this.master.setInput(irq, level);
    else this.slave.setInput(irq - 8, level);
  }

  /** Propagates the slave's INT to master IR2 and recomputes the master's INT. */
  private update(): void {
    // Chips are constructed one after the other; the first callbacks arrive before both exist.
    if (!this.master || !this.slave) return;
    const slaveInt = this.slave.resolve() >= 0;
    if (slaveInt !== this.cascadeLevel) {
      this.cascadeLevel = slaveInt;
      this.master.setInput(CASCADE_IRQ, slaveInt);   // re-enters update() once
      return;
    }
    this.intOutput = this.master.resolve() >= 0;
  }

  /** True while the master's INT output is asserted. */
  pending(): boolean { return this.intOutput; }

  /**
   * The INTA cycle: returns the vector of the highest-priority request. A request that vanished
   * reads as IR7 of the chip it was lost on (the 8259A's spurious interrupt, ISR unchanged).
   */
  acknowledge(): number {
    const ir = this.master.resolve();
    if (ir < 0) return this.master.vector(7);
    this.master.acknowledge(ir);
    if (ir !== CASCADE_IRQ) return this.master.vector(ir);
    const slaveIr = this.slave.resolve();
    if (slaveIr < 0) return this.slave.vector(7);
    this.slave.acknowledge(slaveIr);
    return this.slave.vector(slaveIr);
  }

  saveState(): { master: PicChipState; slave: PicChipState; cascadeLevel: boolean } {
    return { master: this.master.saveState(), slave: this.slave.saveState(), cascadeLevel: this.cascadeLevel };
  }

  loadState(s: ReturnType<PicPair['saveState']>): void {
    this.cascadeLevel = s.cascadeLevel;
    this.slave.loadState(s.slave);
    this.master.loadState(s.master);
  }
}
