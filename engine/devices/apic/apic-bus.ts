// The APIC bus: how interrupt messages (IPIs from a local APIC's ICR, redirected pins from the IO-APIC)
// find their destination local APICs, and how an EOI of a level-triggered vector reaches the IO-APIC.
import type { LocalApic } from './local-apic.js';

/** Delivery modes shared by the ICR, the LVT entries and the IO-APIC redirection table. */
export const enum DeliveryMode { Fixed = 0, LowestPriority = 1, Smi = 2, Nmi = 4, Init = 5, StartUp = 6, ExtInt = 7 }

/** ICR destination shorthand (bits 19:18). */
export const enum Shorthand { None = 0, Self = 1, AllIncludingSelf = 2, AllExcludingSelf = 3 }

/** One interrupt message on the bus. */
export interface ApicMessage {
  vector: number;
  mode: DeliveryMode;
  /** false = physical destination (APIC ID), true = logical (LDR/DFR match). */
  logical: boolean;
  /** Destination field (8 bits). */
  dest: number;
  /** Level-triggered (sets the TMR bit; its EOI is broadcast to the IO-APICs). */
  level: boolean;
  shorthand: Shorthand;
  /** Sending local APIC for the self/all-but-self shorthands. */
  source?: LocalApic;
}

/** Something that wants to see EOIs of level-triggered vectors (the IO-APIC's remote IRR). */
export interface EoiListener { eoi(vector: number): void }

export class ApicBus {
  readonly apics: LocalApic[] = [];
  readonly eoiListeners: EoiListener[] = [];

  attach(apic: LocalApic): void { this.apics.push(apic); }

  /** The local APICs a message addresses. */
  destinations(m: ApicMessage): LocalApic[] {
    switch (m.shorthand) {
      case Shorthand.Self: return m.source ? [m.source] : [];
      case Shorthand.AllIncludingSelf: return this.apics.slice();
      case Shorthand.AllExcludingSelf: return this.apics.filter((a) => a !== m.source);
      default: return this.apics.filter((a) => a.matchesDestination(m.dest, m.logical));
    }
  }

  /** Delivers a message: lowest-priority goes to the matching APIC with the lowest task priority. */
  send(m: ApicMessage): void {
    let targets = this.destinations(m);
    if (m.mode === DeliveryMode.LowestPriority && targets.length > 1) {
      targets = [targets.reduce((best, a) => (a.arbitrationPriority < best.arbitrationPriority ? a : best))];
    }
    for (const a of targets) a.receive(m);
  }

  /** A local APIC finished a level-triggered vector. */
  broadcastEoi(vector: number): void { for (const l of this.eoiListeners) l.eoi(vector); }
}
