// Multiboot v1 loader: checks the header, loads the ELF kernel's segments, writes the boot
// information, and leaves the vCPU at the kernel's entry point in the state the spec defines.
import type { Cpu } from '../cpu/cpu.js';
import type { GuestMemory } from '../memory/guest-memory.js';
import { BootError, hex } from './boot-error.js';
import { parseElf, physicalEntry, PT_LOAD, type ElfImage, type ElfSymbol } from './elf.js';
import { loadElfSegments, type LoadedRange } from './elf-load.js';
import { checkHeaderFlags, MB_FLAG_AOUT_KLUDGE, MB_FLAG_PAGE_ALIGN, missingHeaderError, scanMultibootHeader, type MultibootHeader } from './multiboot-header.js';
import { MULTIBOOT_INFO_ADDRESS, MULTIBOOT_INFO_END, writeMultibootInfo } from './multiboot-info.js';
import { enterMultibootState } from './multiboot-machine.js';
import { aoutLayout, loadAoutImage, readAoutKludge } from './multiboot-aout.js';
import { loadModules, type MultibootModule } from './multiboot-modules.js';

export type { MultibootModule } from './multiboot-modules.js';

/** What the loader needs from a VM (a Vm satisfies it). */
export interface BootTarget {
  memory: GuestMemory; // guest-physical memory the kernel and the info structure go into
  cpu: Cpu;            // the boot vCPU, left at the entry point
}

export interface MultibootOptions {
  /** Text after the kernel name on the command line (like QEMU's -append). */
  append?: string;
  /** Boot modules (QEMU's -initrd), loaded above the kernel in this order. */
  modules?: readonly MultibootModule[];
}

/** The result of a successful boot. */
export interface MultibootResult {
  entry: number;               // physical address of the first instruction
  symbols: ElfSymbol[];        // the kernel's .symtab (empty if stripped)
  infoAddress: number;         // guest-physical address of the multiboot information (EBX)
  loadedRanges: LoadedRange[]; // everything the loader wrote, in address order
  header: MultibootHeader;     // the header found in the file
  elf?: ElfImage;              // the parsed kernel, for the debugger (absent for a flat a.out-kludge binary)
  commandLine: string;         // the command line the kernel receives
  /** Where each module went: [mod_start, mod_end) and its string. */
  modules: { start: number; end: number; commandLine: string }[];
}

/**
 * The command line handed to the kernel: "<kernel name> <append>", trimmed. (QEMU passes the kernel
 * path, a space and the -append text untrimmed, so without -append its line ends in a space.)
 */
export function multibootCommandLine(file: string, append = ''): string {
  return `${file} ${append}`.trim();
}

/**
 * Boots bytes (a multiboot v1 kernel named file: an ELF, or any image whose header sets the a.out
 * kludge bit 16) into target. Throws BootError on bad input.
 */
export function loadMultiboot(target: BootTarget, bytes: Uint8Array, file: string, options: MultibootOptions = {}): MultibootResult {
  const scan = scanMultibootHeader(bytes);
  if (scan.kind === 'found') checkHeaderFlags(file, scan.header);
  if (scan.kind === 'found' && scan.header.flags & MB_FLAG_AOUT_KLUDGE) return loadAout(target, bytes, file, scan.header, options);
  const elf = parseElf(bytes, file);
  if (scan.kind !== 'found') throw missingHeaderError(file, scan);
  checkInfoAreaFree(elf);
  const ranges = loadElfSegments(elf, bytes, target.memory);
  const kernelEnd = Math.max(0, ...elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0).map((s) => s.paddr + s.memsz));
  return finish(target, file, options, scan.header, ranges, kernelEnd, physicalEntry(elf), elf);
}

/** The a.out kludge: the header's addresses place the image; an ELF file still gives its symbols. */
function loadAout(target: BootTarget, bytes: Uint8Array, file: string, header: MultibootHeader, options: MultibootOptions): MultibootResult {
  const kludge = readAoutKludge(bytes, file, header);
  const layout = aoutLayout(kludge, header, bytes.length, file);
  const ranges = loadAoutImage(target.memory, bytes, file, kludge, layout,
    { start: MULTIBOOT_INFO_ADDRESS, end: MULTIBOOT_INFO_END, what: 'the multiboot information' });
  let elf: ElfImage | undefined;
  if (bytes.length >= 4 && bytes[0] === 0x7F && bytes[1] === 0x45 && bytes[2] === 0x4C && bytes[3] === 0x46) {
    try { elf = parseElf(bytes, file); } catch { elf = undefined; } // symbols are a bonus here
  }
  return finish(target, file, options, header, ranges, layout.bssEnd, layout.entry, elf);
}

/** Loads the modules above kernelEnd, writes the boot information and sets up the vCPU. */
function finish(target: BootTarget, file: string, options: MultibootOptions, header: MultibootHeader, ranges: LoadedRange[],
  kernelEnd: number, entry: number, elf: ElfImage | undefined): MultibootResult {
  const commandLine = multibootCommandLine(file, options.append);
  const mods = loadModules(target.memory, options.modules ?? [], Math.max(kernelEnd, 0x100000), (header.flags & MB_FLAG_PAGE_ALIGN) !== 0);
  ranges.push(...mods.ranges);
  ranges.push(...writeMultibootInfo(target.memory, file, commandLine, mods.placed));
  enterMultibootState(target.cpu, entry, MULTIBOOT_INFO_ADDRESS);
  ranges.sort((a, b) => a.start - b.start);
  return {
    entry, symbols: elf?.symbols ?? [], infoAddress: MULTIBOOT_INFO_ADDRESS, loadedRanges: ranges, header, elf, commandLine,
    modules: mods.placed,
  };
}

/** The kernel may go anywhere in RAM except the block the boot information lives in. */
function checkInfoAreaFree(elf: ElfImage): void {
  for (const s of elf.segments) {
    if (s.type !== PT_LOAD || s.memsz === 0) continue;
    if (s.paddr < MULTIBOOT_INFO_END && s.paddr + s.memsz > MULTIBOOT_INFO_ADDRESS) {
      throw new BootError(elf.file, `segment ${s.index} (p_paddr ${hex(s.paddr)}, p_memsz ${hex(s.memsz)}) overlaps ` +
        `${hex(MULTIBOOT_INFO_ADDRESS)}-${hex(MULTIBOOT_INFO_END - 1)}, where hvdbg puts the multiboot information`);
    }
  }
}
