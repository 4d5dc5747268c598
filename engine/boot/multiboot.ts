// Multiboot v1 loader: checks the header, loads the ELF kernel's segments, writes the boot
// information, and leaves the vCPU at the kernel's entry point in the state the spec defines.
import type { Cpu } from '../cpu/cpu.js';
import type { GuestMemory } from '../memory/guest-memory.js';
import { BootError, hex } from './boot-error.js';
import { parseElf, physicalEntry, PT_LOAD, type ElfImage, type ElfSymbol } from './elf.js';
import { loadElfSegments, type LoadedRange } from './elf-load.js';
import { checkHeaderFlags, missingHeaderError, scanMultibootHeader, type MultibootHeader } from './multiboot-header.js';
import { MULTIBOOT_INFO_ADDRESS, MULTIBOOT_INFO_END, writeMultibootInfo } from './multiboot-info.js';
import { enterMultibootState } from './multiboot-machine.js';

/** What the loader needs from a VM (a Vm satisfies it). */
export interface BootTarget {
  memory: GuestMemory; // guest-physical memory the kernel and the info structure go into
  cpu: Cpu;            // the boot vCPU, left at the entry point
}

export interface MultibootOptions {
  /** Text after the kernel name on the command line (like QEMU's -append). */
  append?: string;
}

/** The result of a successful boot. */
export interface MultibootResult {
  entry: number;               // physical address of the first instruction
  symbols: ElfSymbol[];        // the kernel's .symtab (empty if stripped)
  infoAddress: number;         // guest-physical address of the multiboot information (EBX)
  loadedRanges: LoadedRange[]; // everything the loader wrote, in address order
  header: MultibootHeader;     // the header found in the file
  elf: ElfImage;               // the parsed kernel, for the debugger
  commandLine: string;         // the command line the kernel receives
}

/**
 * The command line handed to the kernel: "<kernel name> <append>", trimmed. (QEMU passes the kernel
 * path, a space and the -append text untrimmed, so without -append its line ends in a space.)
 */
export function multibootCommandLine(file: string, append = ''): string {
  return `${file} ${append}`.trim();
}

/** Boots bytes (a multiboot v1 ELF kernel named file) into target. Throws BootError on bad input. */
export function loadMultiboot(target: BootTarget, bytes: Uint8Array, file: string, options: MultibootOptions = {}): MultibootResult {
  const scan = scanMultibootHeader(bytes);
  if (scan.kind === 'found') checkHeaderFlags(file, scan.header); // an a.out kludge is refused before the ELF checks
  const elf = parseElf(bytes, file);
  if (scan.kind !== 'found') throw missingHeaderError(file, scan);
  checkInfoAreaFree(elf);
  const commandLine = multibootCommandLine(file, options.append);
  const ranges = loadElfSegments(elf, bytes, target.memory);
  ranges.push(...writeMultibootInfo(target.memory, file, commandLine));
  const entry = physicalEntry(elf);
  enterMultibootState(target.cpu, entry, MULTIBOOT_INFO_ADDRESS);
  ranges.sort((a, b) => a.start - b.start);
  return { entry, symbols: elf.symbols, infoAddress: MULTIBOOT_INFO_ADDRESS, loadedRanges: ranges, header: scan.header, elf, commandLine };
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
