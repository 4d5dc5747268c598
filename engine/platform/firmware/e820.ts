// The PC memory map (BIOS INT 15h E820) for a machine with a given RAM size: what the firmware
// reports, what the multiboot mmap and the Linux zero page hand the kernel.
import { IOAPIC_BASE, LAPIC_BASE } from '../../devices/apic/index.js';

export const E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3, E820_NVS = 4;

/** One map entry: [base, base + length) of the given type. */
export interface E820Entry { base: number; length: number; type: number }

/** Conventional memory ends where the 1 KiB extended BIOS data area starts. */
export const EBDA_BASE = 0x9FC00;
export const EBDA_SIZE = 0x400;
/** VGA window, option ROMs and the BIOS: reserved up to 1 MiB (the firmware tables live here). */
export const LEGACY_HOLE_BASE = 0xA0000;
export const ONE_MIB = 0x100000;
/** The BIOS flash alias just below 4 GiB. */
export const HIGH_BIOS_BASE = 0xFFFC0000;
const FOUR_GIB = 0x1_0000_0000;

export interface E820Options {
  /** An extra region reported as type 3 (ACPI reclaimable); must lie in usable RAM above 1 MiB. */
  acpiReclaim?: { base: number; length: number };
}

/** The E820 map for ramBytes of RAM, sorted by base, without overlaps. */
export function buildE820Map(ramBytes: number, options: E820Options = {}): E820Entry[] {
  const map: E820Entry[] = [];
  const lowTop = Math.min(ramBytes, EBDA_BASE);
  if (lowTop > 0) map.push({ base: 0, length: lowTop, type: E820_RAM });
  map.push({ base: EBDA_BASE, length: EBDA_SIZE, type: E820_RESERVED });
  map.push({ base: LEGACY_HOLE_BASE, length: ONE_MIB - LEGACY_HOLE_BASE, type: E820_RESERVED });
  if (ramBytes > ONE_MIB) {
    const acpi = options.acpiReclaim;
    if (acpi && acpi.length > 0) {
      if (acpi.base < ONE_MIB || acpi.base + acpi.length > ramBytes) {
        throw new RangeError(`ACPI reclaim region 0x${acpi.base.toString(16)}+0x${acpi.length.toString(16)} is not in RAM above 1 MiB`);
      }
      if (acpi.base > ONE_MIB) map.push({ base: ONE_MIB, length: acpi.base - ONE_MIB, type: E820_RAM });
      map.push({ base: acpi.base, length: acpi.length, type: E820_ACPI });
      const end = acpi.base + acpi.length;
      if (end < ramBytes) map.push({ base: end, length: ramBytes - end, type: E820_RAM });
    } else {
      map.push({ base: ONE_MIB, length: ramBytes - ONE_MIB, type: E820_RAM });
    }
  }
  map.push({ base: IOAPIC_BASE, length: 0x1000, type: E820_RESERVED });
  map.push({ base: LAPIC_BASE, length: 0x1000, type: E820_RESERVED });
  map.push({ base: HIGH_BIOS_BASE, length: FOUR_GIB - HIGH_BIOS_BASE, type: E820_RESERVED });
  return map;
}

/** Name of an E820 type, as Linux prints it. */
export function e820TypeName(type: number): string {
  switch (type) {
    case E820_RAM: return 'usable';
    case E820_RESERVED: return 'reserved';
    case E820_ACPI: return 'ACPI data';
    case E820_NVS: return 'ACPI NVS';
    default: return `type ${type}`;
  }
}
