// Minimal ACPI 2.0 tables describing the same machine as the MP tables: RSDP (revision 2, with
// RSDT and XSDT), FADT (revision 1 layout, no PM hardware), an empty DSDT, a FACS, and a MADT with
// one local APIC per CPU, the IO-APIC, the IRQ0 → GSI 2 override and the LINT1 NMI.
import { IOAPIC_BASE, LAPIC_BASE } from '../../devices/apic/index.js';
import { TableBlock } from './bytes.js';
import { ioApicId } from './mptable.js';

export const RSDP_SIZE = 36;
export const SDT_HEADER_SIZE = 36;
export const FADT_SIZE = 116;
export const FACS_SIZE = 64;
const OEM_ID = 'HVDBG ', OEM_TABLE_ID = 'HVDBGPC ', CREATOR_ID = 'HVDB';
/** MADT flags bit 0: the machine also has dual 8259 PICs. */
export const MADT_PCAT_COMPAT = 1;

/** One placed table, for describeFirmware and tests. */
export interface PlacedTable { name: string; address: number; length: number }

function madtSize(cpus: number): number { return SDT_HEADER_SIZE + 8 + cpus * 8 + 12 + 10 + 6; }

/** Writes a standard SDT header (checksum filled in by finishSdt). */
function sdtHeader(b: TableBlock, at: number, signature: string, length: number, revision: number): void {
  b.ascii(at, signature, 4);
  b.u32(at + 4, length);
  b.u8(at + 8, revision);
  b.ascii(at + 10, OEM_ID, 6);
  b.ascii(at + 16, OEM_TABLE_ID, 8);
  b.u32(at + 24, 1);
  b.ascii(at + 28, CREATOR_ID, 4);
  b.u32(at + 32, 1);
}

function finishSdt(b: TableBlock, at: number, length: number): void { b.checksum(at, length, at + 9); }

/** Lays the ACPI tables out in b from address base (16-byte aligned); returns where each went. */
export function writeAcpiTables(b: TableBlock, base: number, cpus: number): PlacedTable[] {
  const align = (n: number) => (n + 15) & ~15;
  const rsdp = base;
  const rsdt = align(rsdp + RSDP_SIZE), rsdtLen = SDT_HEADER_SIZE + 2 * 4;
  const xsdt = align(rsdt + rsdtLen), xsdtLen = SDT_HEADER_SIZE + 2 * 8;
  const fadt = align(xsdt + xsdtLen);
  const madt = align(fadt + FADT_SIZE), madtLen = madtSize(cpus);
  const dsdt = align(madt + madtLen), dsdtLen = SDT_HEADER_SIZE;
  const facs = (dsdt + dsdtLen + 63) & ~63; // the FACS must be 64-byte aligned

  // FACS: no checksum; hardware signature 0, no waking vector.
  b.ascii(facs, 'FACS', 4);
  b.u32(facs + 4, FACS_SIZE);

  // DSDT: a header with no AML after it is a valid empty definition block.
  sdtHeader(b, dsdt, 'DSDT', dsdtLen, 1);
  finishSdt(b, dsdt, dsdtLen);

  // FADT: SCI on IRQ9, no SMI command port (ACPI is always enabled), no PM blocks, C2/C3 unsupported.
  sdtHeader(b, fadt, 'FACP', FADT_SIZE, 1);
  b.u32(fadt + 36, facs);            // FIRMWARE_CTRL
  b.u32(fadt + 40, dsdt);            // DSDT
  b.u16(fadt + 46, 9);               // SCI_INT
  b.u16(fadt + 96, 101);             // P_LVL2_LAT > 100: no C2
  b.u16(fadt + 98, 1001);            // P_LVL3_LAT > 1000: no C3
  b.u8(fadt + 108, 0x32);            // CENTURY: CMOS register 0x32
  b.u32(fadt + 112, 1 << 0);         // flags: WBINVD works
  finishSdt(b, fadt, FADT_SIZE);

  // MADT.
  sdtHeader(b, madt, 'APIC', madtLen, 1);
  b.u32(madt + 36, LAPIC_BASE);
  b.u32(madt + 40, MADT_PCAT_COMPAT);
  let at = madt + 44;
  for (let cpu = 0; cpu < cpus; cpu++) {
    b.u8(at, 0); b.u8(at + 1, 8); b.u8(at + 2, cpu); b.u8(at + 3, cpu); b.u32(at + 4, 1); // enabled
    at += 8;
  }
  b.u8(at, 1); b.u8(at + 1, 12); b.u8(at + 2, ioApicId(cpus)); b.u32(at + 4, IOAPIC_BASE); b.u32(at + 8, 0);
  at += 12;
  b.u8(at, 2); b.u8(at + 1, 10); b.u8(at + 2, 0); b.u8(at + 3, 0); b.u32(at + 4, 2); b.u16(at + 8, 0); // ISA IRQ0 → GSI 2, conforming
  at += 10;
  b.u8(at, 4); b.u8(at + 1, 6); b.u8(at + 2, 0xFF); b.u16(at + 3, 0); b.u8(at + 5, 1); // NMI on LINT1 of every CPU
  finishSdt(b, madt, madtLen);

  sdtHeader(b, rsdt, 'RSDT', rsdtLen, 1);
  b.u32(rsdt + 36, fadt); b.u32(rsdt + 40, madt);
  finishSdt(b, rsdt, rsdtLen);
  sdtHeader(b, xsdt, 'XSDT', xsdtLen, 1);
  b.u64(xsdt + 36, fadt); b.u64(xsdt + 44, madt);
  finishSdt(b, xsdt, xsdtLen);

  b.ascii(rsdp, 'RSD PTR ', 8);
  b.ascii(rsdp + 9, OEM_ID, 6);
  b.u8(rsdp + 15, 2);                // revision 2 (ACPI 2.0+)
  b.u32(rsdp + 16, rsdt);
  b.u32(rsdp + 20, RSDP_SIZE);
  b.u64(rsdp + 24, xsdt);
  b.checksum(rsdp, 20, rsdp + 8);    // ACPI 1.0 checksum: the first 20 bytes
  b.checksum(rsdp, RSDP_SIZE, rsdp + 32); // extended checksum: all 36

  return [
    { name: 'RSDP', address: rsdp, length: RSDP_SIZE },
    { name: 'RSDT', address: rsdt, length: rsdtLen },
    { name: 'XSDT', address: xsdt, length: xsdtLen },
    { name: 'FACP', address: fadt, length: FADT_SIZE },
    { name: 'APIC', address: madt, length: madtLen },
    { name: 'DSDT', address: dsdt, length: dsdtLen },
    { name: 'FACS', address: facs, length: FACS_SIZE },
  ];
}
