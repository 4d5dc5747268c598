// The firmware tables a PC BIOS leaves in low memory, built from the machine's RAM size and CPU
// count and written into guest RAM when the machine is built: the BIOS data area (0x400), the EBDA
// (0x9FC00) holding the MP floating pointer, and at 0xE0000 (reserved BIOS area) the ACPI tables and
// the MP configuration table. buildE820Map describes the memory around them.
import type { GuestMemory } from '../../memory/guest-memory.js';
import { type PlacedTable, writeAcpiTables } from './acpi.js';
import { buildBda, BDA_BASE, BDA_SIZE, EBDA_SIZE_KIB, type BdaOptions } from './bda.js';
import { TableBlock } from './bytes.js';
import { buildE820Map, e820TypeName, EBDA_BASE, EBDA_SIZE, type E820Entry } from './e820.js';
import { mpConfigSize, MP_FLOATING_SIZE, writeMpTables } from './mptable.js';

export { buildE820Map, e820TypeName, E820_RAM, E820_RESERVED, E820_ACPI, E820_NVS, EBDA_BASE, type E820Entry } from './e820.js';
export { ioApicId, isaIrqToPin } from './mptable.js';
export { checksumByte, byteSum } from './bytes.js';
export type { PlacedTable } from './acpi.js';

/** Where the ACPI tables and the MP configuration table go: the E-segment, reserved in the E820 map. */
export const FIRMWARE_TABLES_BASE = 0xE0000;
export const FIRMWARE_TABLES_SIZE = 0x10000;
/** The MP floating pointer: in the first KiB of the EBDA, after the EBDA's size byte. */
export const MP_FLOATING_ADDRESS = EBDA_BASE + 0x10;
/** Most CPUs the tables describe (local APIC IDs 0..n-1, the IO-APIC's ID n fits in 8 bits). */
export const MAX_FIRMWARE_CPUS = 254;

export interface FirmwareOptions {
  ramBytes: number;
  /** Number of CPUs (local APIC IDs 0..cpus-1); default 1. */
  cpus?: number;
  /** Serial port bases COM1–COM4 the BDA lists; default COM1 and COM2 (0x3F8, 0x2F8). */
  comPorts?: readonly number[];
  /** Hard disks the BDA reports at 0x475; default 0. */
  hardDisks?: number;
}

/** The firmware as built: memory blocks to write, where each table is, and the memory map. */
export interface Firmware {
  cpus: number;
  blocks: TableBlock[];
  tables: PlacedTable[];
  e820: E820Entry[];
  /** Guest-physical addresses of the RSDP and the MP floating pointer. */
  rsdpAddress: number;
  mpFloatingAddress: number;
}

/** Builds every table for the machine described by options (nothing is written yet). */
export function buildFirmware(options: FirmwareOptions): Firmware {
  const cpus = options.cpus ?? 1;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > MAX_FIRMWARE_CPUS) {
    throw new RangeError(`firmware tables: CPU count ${cpus} must be an integer from 1 to ${MAX_FIRMWARE_CPUS}`);
  }
  const bdaOptions: BdaOptions = { comPorts: options.comPorts ?? [0x3F8, 0x2F8], hardDisks: options.hardDisks };
  const bda = buildBda(bdaOptions);
  const ebda = new TableBlock(EBDA_BASE, EBDA_SIZE);
  ebda.u8(EBDA_BASE, EBDA_SIZE_KIB);
  const tables = new TableBlock(FIRMWARE_TABLES_BASE, FIRMWARE_TABLES_SIZE);
  const placed = writeAcpiTables(tables, FIRMWARE_TABLES_BASE, cpus);
  const last = placed[placed.length - 1];
  const mpConfig = (last.address + last.length + 15) & ~15;
  writeMpTables(ebda, MP_FLOATING_ADDRESS, tables, mpConfig, cpus);
  placed.push({ name: 'PCMP', address: mpConfig, length: mpConfigSize(cpus) });
  placed.unshift(
    { name: 'BDA', address: BDA_BASE, length: BDA_SIZE },
    { name: '_MP_', address: MP_FLOATING_ADDRESS, length: MP_FLOATING_SIZE },
  );
  return {
    cpus, blocks: [bda, ebda, tables], tables: placed, e820: buildE820Map(options.ramBytes),
    rsdpAddress: FIRMWARE_TABLES_BASE, mpFloatingAddress: MP_FLOATING_ADDRESS,
  };
}

/** Builds the tables and writes them into guest RAM (plain RAM below 1 MiB). */
export function installFirmware(memory: GuestMemory, options: Omit<FirmwareOptions, 'ramBytes'>): Firmware {
  const firmware = buildFirmware({ ...options, ramBytes: memory.ramSize });
  for (const block of firmware.blocks) {
    if (block.base + block.size > memory.ramSize) continue; // tiny test machines: nothing to describe there
    memory.writeBytes(block.base, block.bytes);
  }
  return firmware;
}

const hex = (n: number, width = 0) => '0x' + n.toString(16).toUpperCase().padStart(width, '0');

/** A human-readable summary: the E820 map and where each table sits (for docs, tests and the CLI). */
export function describeFirmware(options: FirmwareOptions): string[] {
  const fw = buildFirmware(options);
  const lines = [`firmware for ${fw.cpus} CPU${fw.cpus > 1 ? 's' : ''}, ${options.ramBytes / 1024} KiB RAM`, 'E820 map:'];
  for (const e of fw.e820) {
    lines.push(`  ${hex(e.base, 8)}-${hex(e.base + e.length - 1, 8)} ${e820TypeName(e.type)}`);
  }
  lines.push('tables:');
  for (const t of fw.tables) lines.push(`  ${t.name.padEnd(4)} at ${hex(t.address, 5)}, ${t.length} bytes`);
  return lines;
}
