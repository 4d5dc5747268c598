// Parses guest RAM sizes written the way people write them ("64M", "1G", "512K", "16MiB") into bytes.

const UNIT_SHIFT: Record<string, number> = { '': 0, K: 10, M: 20, G: 30 };

/** Smallest RAM a multiboot kernel loaded at 1 MiB can use: 2 MiB. */
export const MIN_GUEST_MEMORY = 2 << 20;
/** Largest RAM the guest address space leaves room for (below the 3.75 GiB MMIO hole). */
export const MAX_GUEST_MEMORY = 0xF000_0000;

/** Result of parsing: the size in bytes, or a sentence saying what is wrong. */
export type MemorySizeResult = { ok: true; bytes: number } | { ok: false; error: string };

/** Parses text such as "64M"; the size must be a multiple of 4 KiB between 2 MiB and 3.75 GiB. */
export function parseMemorySize(text: string): MemorySizeResult {
  const match = /^\s*(\d+)\s*([KMG]?)(?:i?B)?\s*$/i.exec(text);
  if (!match) {
    return { ok: false, error: `memory size "${text}" is not a number with an optional K, M or G suffix (e.g. "64M")` };
  }
  const bytes = Number(match[1]) * 2 ** UNIT_SHIFT[match[2].toUpperCase()];
  if (bytes % 4096 !== 0) return { ok: false, error: `memory size "${text}" is not a multiple of 4 KiB` };
  if (bytes < MIN_GUEST_MEMORY) return { ok: false, error: `memory size "${text}" is below the minimum of 2M` };
  if (bytes > MAX_GUEST_MEMORY) return { ok: false, error: `memory size "${text}" is above the maximum of 3840M` };
  return { ok: true, bytes };
}
