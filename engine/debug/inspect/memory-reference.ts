// DAP memoryReference strings: "0x0010a000" or "lin:0x0010a000" name a linear address,
// "phys:0x000b8000" a physical one. Parsing gives a clear error for anything else.
import type { MemoryLocation } from './node.js';
import { hex, parseNumber } from './format.js';

/** The memoryReference text for a location (linear ones stay plain hex, which every client understands). */
export function formatMemoryReference(location: MemoryLocation): string {
  return location.space === 'physical' ? `phys:${hex(location.address)}` : hex(location.address);
}

/** Parses a memoryReference; returns the location or an error message naming the problem. */
export function parseMemoryReference(reference: unknown): { ok: true; location: MemoryLocation } | { ok: false; error: string } {
  if (typeof reference !== 'string') return { ok: false, error: 'memoryReference must be a string such as "0x00100000" or "phys:0xb8000"' };
  const match = /^\s*(?:(phys|physical|lin|linear):)?\s*(.+)$/i.exec(reference);
  const prefix = match?.[1]?.toLowerCase();
  const address = match ? parseNumber(match[2]) : undefined;
  if (address === undefined) {
    return { ok: false, error: `memoryReference "${reference}" is not an address (use 0x…, lin:0x… or phys:0x…, at most 0xffffffff)` };
  }
  return { ok: true, location: { space: prefix === 'phys' || prefix === 'physical' ? 'physical' : 'linear', address } };
}
