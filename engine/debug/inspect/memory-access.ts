// The debugger's reads and writes of guest memory, by linear or physical address: no side effects on
// devices (MMIO is never touched), the TLB or accessed bits, and an error naming the address and the
// reason when memory is not there.
import type { Cpu } from '../../cpu/cpu.js';
import { PageKind } from '../../memory/guest-memory.js';
import type { MemoryLocation } from './node.js';
import { walkPageTables } from './page-walk.js';
import { hex } from './format.js';

/** The largest readMemory/writeMemory request served (1 MiB); larger ones get an error. */
export const MAX_MEMORY_REQUEST = 1 << 20;

/** A read: the readable prefix of the range, then how many bytes after it could not be read. */
export interface MemoryRead {
  bytes: Uint8Array;     // the bytes from the start address up to the first unreadable one
  unreadable: number;    // bytes after those that could not be read
  reason?: string;       // why the first unreadable byte could not be read
}

export type MemoryResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Why a physical page cannot be read or written by the debugger, or undefined when it is RAM/ROM. */
function physicalProblem(cpu: Cpu, physical: number, write: boolean): string | undefined {
  const kind = cpu.memory.pageKind[physical >>> 12];
  if (kind === PageKind.Unmapped) return `physical ${hex(physical)} is not backed by RAM, ROM or a device`;
  if (kind === PageKind.Mmio) return `physical ${hex(physical)} is device memory (MMIO), which the debugger does not access`;
  if (write && kind === PageKind.Rom) return `physical ${hex(physical)} is ROM`;
  if (write && physical >= cpu.memory.ramSize) return `physical ${hex(physical)} is beyond RAM`;
  return undefined;
}

/** Physical address of one byte, or the reason there is none. */
function resolve(cpu: Cpu, space: MemoryLocation['space'], address: number, write: boolean): { physical?: number; problem?: string } {
  let physical = address >>> 0;
  if (space === 'linear') {
    const walk = walkPageTables(cpu, address);
    if (walk.physical === undefined) return { problem: `linear ${hex(address)} is not mapped (${walk.problem ?? 'no translation'})` };
    // What the CPU would see: with the A20 gate closed, bit 20 of its addresses is forced to 0.
    physical = cpu.memory.a20Enabled ? walk.physical : (walk.physical & ~0x100000) >>> 0;
  }
  const problem = physicalProblem(cpu, physical, write);
  return problem ? { problem } : { physical };
}

function checkRange(address: number, count: unknown, what: string): string | undefined {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return `${what} count must be a non-negative integer`;
  if (count > MAX_MEMORY_REQUEST) {
    return `${what} of ${count} bytes is more than the ${MAX_MEMORY_REQUEST} bytes (1 MiB) one request may cover`;
  }
  if (!Number.isInteger(address) || address < 0 || address > 0xFFFFFFFF) return `address ${address} is outside the 32-bit address space`;
  if (address + count > 0x1_0000_0000) return `${what} from ${hex(address)} of ${count} bytes runs past the end of the 4 GiB address space`;
  return undefined;
}

/**
 * Reads count bytes at location. Reads page by page and stops at the first unreadable page; an error
 * when not even the first byte is readable (so a client sees why), else the prefix and the rest as unreadable.
 */
export function readGuestMemory(cpu: Cpu, location: MemoryLocation, count: number): MemoryResult<MemoryRead> {
  const bad = checkRange(location.address, count, 'read');
  if (bad) return { ok: false, error: bad };
  const out = new Uint8Array(count);
  let done = 0;
  while (done < count) {
    const address = (location.address + done) >>> 0;
    const chunk = Math.min(count - done, 0x1000 - (address & 0xFFF));
    const { physical, problem } = resolve(cpu, location.space, address, false);
    if (physical === undefined) {
      if (done === 0) return { ok: false, error: problem! };
      return { ok: true, value: { bytes: out.subarray(0, done), unreadable: count - done, reason: problem } };
    }
    out.set(cpu.memory.readBytes(physical, chunk), done);
    done += chunk;
  }
  return { ok: true, value: { bytes: out, unreadable: 0 } };
}

/**
 * Writes bytes at location, all or nothing: every page is checked first (mapped, RAM), so a failed
 * write changes nothing. Cached decoded code on the written pages is dropped (GuestMemory.writeBytes).
 */
export function writeGuestMemory(cpu: Cpu, location: MemoryLocation, bytes: Uint8Array): MemoryResult<number> {
  const bad = checkRange(location.address, bytes.length, 'write');
  if (bad) return { ok: false, error: bad };
  const pieces: { physical: number; from: number; length: number }[] = [];
  for (let done = 0; done < bytes.length;) {
    const address = (location.address + done) >>> 0;
    const chunk = Math.min(bytes.length - done, 0x1000 - (address & 0xFFF));
    const { physical, problem } = resolve(cpu, location.space, address, true);
    if (physical === undefined) return { ok: false, error: `nothing was written: ${problem}` };
    pieces.push({ physical, from: done, length: chunk });
    done += chunk;
  }
  for (const p of pieces) {
    if (!cpu.memory.writeBytes(p.physical, bytes.subarray(p.from, p.from + p.length))) {
      return { ok: false, error: `physical ${hex(p.physical)} is not RAM` }; // unreachable after the checks above
    }
  }
  return { ok: true, value: bytes.length };
}

/** A 32-bit read at a linear address without side effects, or undefined when not readable. */
export function peekLinear32(cpu: Cpu, linear: number): number | undefined {
  const r = readGuestMemory(cpu, { space: 'linear', address: linear >>> 0 }, 4);
  if (!r.ok || r.value.bytes.length < 4) return undefined;
  const b = r.value.bytes;
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

/** count bytes at a linear address, or undefined when any is unreadable. */
export function peekLinearBytes(cpu: Cpu, linear: number, count: number): Uint8Array | undefined {
  const r = readGuestMemory(cpu, { space: 'linear', address: linear >>> 0 }, count);
  return r.ok && r.value.unreadable === 0 ? r.value.bytes : undefined;
}
