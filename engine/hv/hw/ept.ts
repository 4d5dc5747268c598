// Extended page tables (SDM Vol. 3C, 29.3): the guest-physical → host-physical map with read, write
// and execute rights that the hw strategy's VM shares across its vCPUs. An access the map does not
// allow is an EPT violation (exit reason 48); device MMIO is left unmapped, as KVM leaves it, so every
// MMIO access exits and the hypervisor emulates the device.
import { PageKind, type GuestMemory } from '../../memory/guest-memory.js';
import type { EptViolationQualification } from '../vm-exit.js';

/** EPT entry rights (bits 0–2 of an EPT entry). */
export const enum EptRights { None = 0, Read = 1, Write = 2, Execute = 4, All = 7 }

/** One contiguous range of the map (4 KiB granular). */
export interface EptMapping {
  guestBase: number;   // first guest-physical byte
  size: number;        // bytes (multiple of 4 KiB)
  hostBase: number;    // host-physical address guestBase maps to (the engine's backing store offset)
  rights: number;      // EptRights bits
  what: string;        // what the range is ('RAM', 'ROM' …)
}

/** The access a guest made: what the EPT check needs. */
export interface GuestPhysicalAccess { guestPhysical: number; size: number; write: boolean; execute?: boolean; value?: number }

export class Ept {
  /** The mapped ranges, sorted by guest-physical address; anything else is not present. */
  readonly mappings: EptMapping[] = [];

  /** Maps [guestBase, guestBase + size) to hostBase with rights; refuses overlaps and unaligned ranges. */
  map(guestBase: number, size: number, rights: number, what: string, hostBase = guestBase): void {
    if (guestBase % 4096 !== 0 || size % 4096 !== 0 || size <= 0 || guestBase + size > 2 ** 32) {
      throw new RangeError(`EPT: ${what} range 0x${guestBase.toString(16)}+0x${size.toString(16)} is not 4 KiB-aligned inside 4 GiB`);
    }
    if (this.mappings.some((m) => guestBase < m.guestBase + m.size && m.guestBase < guestBase + size)) {
      throw new RangeError(`EPT: ${what} range 0x${guestBase.toString(16)}+0x${size.toString(16)} overlaps an existing mapping`);
    }
    this.mappings.push({ guestBase, size, hostBase, rights, what });
    this.mappings.sort((a, b) => a.guestBase - b.guestBase);
  }

  /** The mapping that holds guestPhysical, or undefined when the address is not present. */
  lookup(guestPhysical: number): EptMapping | undefined {
    for (const m of this.mappings) if (guestPhysical >= m.guestBase && guestPhysical < m.guestBase + m.size) return m;
    return undefined;
  }

  /** The host-physical address of guestPhysical, or undefined when it is not present. */
  translate(guestPhysical: number): number | undefined {
    const m = this.lookup(guestPhysical);
    return m === undefined ? undefined : m.hostBase + (guestPhysical - m.guestBase);
  }

  /** The EPT violation an access causes (SDM Table 28-7 fields), or undefined when the map allows it. */
  check(access: GuestPhysicalAccess): EptViolationQualification | undefined {
    const rights = this.lookup(access.guestPhysical)?.rights ?? EptRights.None;
    const needed = access.execute ? EptRights.Execute : access.write ? EptRights.Write : EptRights.Read;
    if (rights & needed) return undefined;
    return {
      read: !access.write && !access.execute, write: access.write, execute: access.execute ?? false,
      readable: (rights & EptRights.Read) !== 0, writable: (rights & EptRights.Write) !== 0, executable: (rights & EptRights.Execute) !== 0,
      guestPhysical: access.guestPhysical >>> 0, size: access.size,
      ...(access.value === undefined ? {} : { value: access.value >>> 0 }),
    };
  }
}

/**
 * The EPT KVM builds for a PC guest: RAM read/write/execute and identity-mapped, ROM read/execute
 * (a read-only memslot: a write exits), MMIO and holes not present.
 */
export function buildPcEpt(memory: GuestMemory): Ept {
  const ept = new Ept();
  const kinds = memory.pageKind;
  let start = 0;
  for (let page = 1; page <= kinds.length; page++) {
    if (page < kinds.length && kinds[page] === kinds[start]) continue;
    const kind = kinds[start];
    if (kind === PageKind.Ram) ept.map(start * 4096, (page - start) * 4096, EptRights.All, 'RAM');
    else if (kind === PageKind.Rom) ept.map(start * 4096, (page - start) * 4096, EptRights.Read | EptRights.Execute, 'ROM');
    start = page;
  }
  return ept;
}
