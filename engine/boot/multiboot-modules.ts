// Multiboot modules (QEMU's -initrd for a multiboot kernel): each file is copied into guest RAM
// above the kernel, in order, page-aligned when the header asks (flag bit 0), with its own string.
import type { GuestMemory } from '../memory/guest-memory.js';
import { BootError, formatBytes, hex } from './boot-error.js';
import type { LoadedRange } from './elf-load.js';
import type { PlacedModule } from './multiboot-info.js';

/** A module to load: its display name, contents, and the string the kernel sees (default: the name). */
export interface MultibootModule {
  file: string;
  bytes: Uint8Array;
  commandLine?: string;
}

/** Places modules one after another from address `from`; writes them into memory. */
export function loadModules(memory: GuestMemory, modules: readonly MultibootModule[], from: number, pageAlign: boolean):
  { placed: PlacedModule[]; ranges: LoadedRange[] } {
  const align = pageAlign ? 0x1000 : 8;
  const placed: PlacedModule[] = [], ranges: LoadedRange[] = [];
  let next = from;
  for (const [k, m] of modules.entries()) {
    const start = Math.ceil(next / align) * align, end = start + m.bytes.length;
    if (end > memory.ramSize) {
      throw new BootError(m.file, `module ${k} (${m.bytes.length} bytes) does not fit in guest RAM (${formatBytes(memory.ramSize)}): ` +
        `it would occupy ${hex(start)}-${hex(end - 1)}, above the kernel and the modules before it`);
    }
    if (m.bytes.length > 0 && !memory.isRam(start, m.bytes.length)) {
      throw new BootError(m.file, `module ${k} at ${hex(start)}-${hex(end - 1)} overlaps a ROM or MMIO region of guest memory`);
    }
    memory.writeBytes(start, m.bytes);
    placed.push({ start, end, commandLine: m.commandLine ?? m.file });
    ranges.push({ start, size: m.bytes.length, description: `module ${k} (${m.file})` });
    next = end;
  }
  return { placed, ranges };
}
