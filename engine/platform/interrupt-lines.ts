// Interrupt wiring between devices and interrupt controllers: a device drives a numbered line
// (level or edge); the controller decides what the CPU sees.

/** Something that receives interrupt-request lines (the PIC pair, the IO-APIC). */
export interface IrqSink {
  /** Sets the level of line irq (true = asserted). Edge-triggered inputs react to 0→1. */
  setIrq(irq: number, level: boolean): void;
}

/** One device's interrupt output: a line number on a sink. */
export class IrqLine {
  constructor(private readonly sink: IrqSink, readonly irq: number) {}
  raise(): void { this.sink.setIrq(this.irq, true); }
  lower(): void { this.sink.setIrq(this.irq, false); }
  /** An edge: raise then lower (ISA devices that pulse their line). */
  pulse(): void { this.raise(); this.lower(); }
}

/** Fans one line out to several sinks (legacy IRQs go to both the PIC and the IO-APIC). */
export class IrqFanout implements IrqSink {
  constructor(private readonly sinks: IrqSink[]) {}
  setIrq(irq: number, level: boolean): void { for (const s of this.sinks) s.setIrq(irq, level); }
}
