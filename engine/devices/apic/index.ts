// The APIC complex of the PC: one local APIC per vCPU on an APIC bus, one IO-APIC, and the CPU's
// interrupt source that asks the local APIC first and lets the 8259A PIC through as ExtINT.
import type { InterruptSource } from '../../hv/strategy.js';
import type { LocalApic } from './local-apic.js';

export { ApicBus, DeliveryMode, Shorthand, type ApicMessage } from './apic-bus.js';
export { LocalApic, LAPIC_BASE, LAPIC_SIZE, LAPIC_VERSION, type IpiEvent, type LocalApicState } from './local-apic.js';
export { IoApic, IOAPIC_BASE, IOAPIC_SIZE, IOAPIC_VERSION, type IoApicState } from './io-apic.js';

/**
 * What the vCPU's INTR sees: a deliverable local-APIC vector first; otherwise the PIC's vector when
 * the local APIC passes ExtINT (APIC disabled, or LINT0 unmasked in ExtINT mode — virtual wire).
 */
export function apicInterruptSource(lapic: LocalApic, pic: InterruptSource): InterruptSource {
  return {
    pending: () => lapic.pending() || (lapic.passesExtInt && pic.pending()),
    acknowledge: () => {
      if (lapic.pending()) return lapic.acknowledge();
      if (lapic.passesExtInt && pic.pending()) return pic.acknowledge();
      return -1;
    },
  };
}
