// Intel MultiProcessor Specification 1.4 tables: the floating pointer ("_MP_") and the
// configuration table ("PCMP") with one processor entry per CPU, the ISA bus, the IO-APIC, the
// ISA interrupt routing (IRQ0 → pin 2, as engine/devices/apic wires it) and the local interrupts.
import { IOAPIC_BASE, IOAPIC_VERSION, LAPIC_BASE, LAPIC_VERSION } from '../../devices/apic/index.js';
import { TableBlock } from './bytes.js';

export const MP_FLOATING_SIZE = 16;
export const MP_HEADER_SIZE = 44;
export const MP_SPEC_REVISION = 4; // 1.4
const PROCESSOR_ENTRY = 0, BUS_ENTRY = 1, IOAPIC_ENTRY = 2, IO_INTERRUPT_ENTRY = 3, LOCAL_INTERRUPT_ENTRY = 4;
const INT_TYPE_INT = 0, INT_TYPE_NMI = 1, INT_TYPE_EXTINT = 3;
/** CPU signature (family 6) and CPUID.1:EDX features the processor entries claim: FPU and APIC. */
const CPU_SIGNATURE = 0x0633, CPU_FEATURES = (1 << 0) | (1 << 9);

/** Size of the configuration table for cpus processors. */
export function mpConfigSize(cpus: number): number {
  return MP_HEADER_SIZE + cpus * 20 + 8 + 8 + 15 * 8 + 2 * 8;
}

/** The IO-APIC's ID in the tables: the first after the CPUs' local APIC IDs. */
export function ioApicId(cpus: number): number { return cpus; }

/** The IO-APIC input an ISA IRQ arrives on: IRQ0 on pin 2, the others on their own number. */
export function isaIrqToPin(irq: number): number { return irq === 0 ? 2 : irq; }

/** Writes the floating pointer at floatingAddress and the configuration table at configAddress. */
export function writeMpTables(floating: TableBlock, floatingAddress: number, config: TableBlock, configAddress: number, cpus: number): void {
  const ioApic = ioApicId(cpus);
  const b = config;
  let at = configAddress + MP_HEADER_SIZE, entries = 0;
  for (let cpu = 0; cpu < cpus; cpu++) {
    b.u8(at, PROCESSOR_ENTRY);
    b.u8(at + 1, cpu);                            // local APIC ID
    b.u8(at + 2, LAPIC_VERSION & 0xFF);
    b.u8(at + 3, 1 | (cpu === 0 ? 2 : 0));        // enabled, BSP
    b.u32(at + 4, CPU_SIGNATURE);
    b.u32(at + 8, CPU_FEATURES);
    at += 20; entries++;
  }
  b.u8(at, BUS_ENTRY); b.u8(at + 1, 0); b.ascii(at + 2, 'ISA', 6);
  at += 8; entries++;
  b.u8(at, IOAPIC_ENTRY); b.u8(at + 1, ioApic); b.u8(at + 2, IOAPIC_VERSION & 0xFF); b.u8(at + 3, 1); b.u32(at + 4, IOAPIC_BASE);
  at += 8; entries++;
  for (let irq = 0; irq < 16; irq++) {
    if (irq === 2) continue;                       // the cascade: pin 2 carries IRQ0 instead
    b.u8(at, IO_INTERRUPT_ENTRY); b.u8(at + 1, INT_TYPE_INT); b.u16(at + 2, 0); // bus-default polarity and trigger
    b.u8(at + 4, 0); b.u8(at + 5, irq); b.u8(at + 6, ioApic); b.u8(at + 7, isaIrqToPin(irq));
    at += 8; entries++;
  }
  for (const [type, lint] of [[INT_TYPE_EXTINT, 0], [INT_TYPE_NMI, 1]]) {
    b.u8(at, LOCAL_INTERRUPT_ENTRY); b.u8(at + 1, type); b.u16(at + 2, 0);
    b.u8(at + 4, 0); b.u8(at + 5, 0); b.u8(at + 6, 0xFF); b.u8(at + 7, lint); // all local APICs
    at += 8; entries++;
  }
  const length = at - configAddress;
  b.ascii(configAddress, 'PCMP', 4);
  b.u16(configAddress + 4, length);
  b.u8(configAddress + 6, MP_SPEC_REVISION);
  b.ascii(configAddress + 8, 'HVDBG', 8);
  b.ascii(configAddress + 16, 'HVDBG PC', 12);
  b.u16(configAddress + 34, entries);
  b.u32(configAddress + 36, LAPIC_BASE);
  b.checksum(configAddress, length, configAddress + 7);

  floating.ascii(floatingAddress, '_MP_', 4);
  floating.u32(floatingAddress + 4, configAddress);
  floating.u8(floatingAddress + 8, 1);               // length in 16-byte units
  floating.u8(floatingAddress + 9, MP_SPEC_REVISION);
  floating.checksum(floatingAddress, MP_FLOATING_SIZE, floatingAddress + 10);
}
