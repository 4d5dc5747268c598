// The debug core's view of guest memory: linear → physical by a page walk that changes nothing (no
// TLB fill, no accessed or dirty bits), reads and writes of RAM/ROM only (devices are never touched).
import type { Cpu } from '../../cpu/cpu.js';
import { PageKind } from '../../memory/guest-memory.js';

/** A read or write the debugger cannot do, with the reason in words. */
export class GuestMemoryError extends Error {}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** The physical address of a linear one under the CPU's current paging, or undefined when not mapped. */
export function linearToPhysical(cpu: Cpu, linear: number): number | undefined {
  const lin = linear >>> 0;
  if (!cpu.paging) return lin;
  const memory = cpu.memory;
  const pde = memory.readBytes(((cpu.cr3 & ~0xFFF) + ((lin >>> 22) << 2)) >>> 0, 4);
  const dirEntry = (pde[0] | (pde[1] << 8) | (pde[2] << 16) | (pde[3] << 24)) >>> 0;
  if (!(dirEntry & 1)) return undefined;
  if ((dirEntry & 0x80) && cpu.mmu.pse) return ((dirEntry & 0xFFC00000) + (lin & 0x3FFFFF)) >>> 0;
  const pte = memory.readBytes(((dirEntry & ~0xFFF) + (((lin >>> 12) & 0x3FF) << 2)) >>> 0, 4);
  const tableEntry = (pte[0] | (pte[1] << 8) | (pte[2] << 16) | (pte[3] << 24)) >>> 0;
  if (!(tableEntry & 1)) return undefined;
  return ((tableEntry & ~0xFFF) + (lin & 0xFFF)) >>> 0;
}

/** Physical address of one byte, or a GuestMemoryError saying why there is none. */
function physicalOf(cpu: Cpu, space: 'linear' | 'physical', address: number, write: boolean): number {
  const physical = space === 'linear' ? linearToPhysical(cpu, address) : address >>> 0;
  if (physical === undefined) throw new GuestMemoryError(`linear ${hex(address)} is not mapped`);
  const kind = cpu.memory.pageKind[physical >>> 12];
  if (kind === PageKind.Unmapped) throw new GuestMemoryError(`physical ${hex(physical)} is not backed by memory`);
  if (kind === PageKind.Mmio) throw new GuestMemoryError(`physical ${hex(physical)} is device memory, which the debugger does not read`);
  if (write && (kind !== PageKind.Ram || physical >= cpu.memory.ramSize)) throw new GuestMemoryError(`physical ${hex(physical)} is not writable RAM`);
  return physical;
}

/** size bytes at an address (linear: through the current page tables); throws GuestMemoryError. */
export function readGuest(cpu: Cpu, space: 'linear' | 'physical', address: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let done = 0;
  while (done < size) {
    const at = (address + done) >>> 0;
    const chunk = Math.min(size - done, 0x1000 - (at & 0xFFF));
    out.set(cpu.memory.readBytes(physicalOf(cpu, space, at, false), chunk), done);
    done += chunk;
  }
  return out;
}

/** Writes bytes at an address, all pages checked first; throws GuestMemoryError. */
export function writeGuest(cpu: Cpu, space: 'linear' | 'physical', address: number, bytes: Uint8Array): void {
  const pieces: [number, Uint8Array][] = [];
  let done = 0;
  while (done < bytes.length) {
    const at = (address + done) >>> 0;
    const chunk = Math.min(bytes.length - done, 0x1000 - (at & 0xFFF));
    pieces.push([physicalOf(cpu, space, at, true), bytes.subarray(done, done + chunk)]);
    done += chunk;
  }
  for (const [physical, piece] of pieces) cpu.memory.writeBytes(physical, piece);
}

/** A little-endian 32-bit word at a linear address, or undefined when unreadable. */
export function readLinear32(cpu: Cpu, linear: number): number | undefined {
  try {
    const b = readGuest(cpu, 'linear', linear, 4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  } catch (error) {
    if (error instanceof GuestMemoryError) return undefined;
    throw error;
  }
}
