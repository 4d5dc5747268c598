// Linux bzImage loader (32-bit boot protocol): the protected-mode kernel at 1 MiB, an optional initrd
// as high as allowed, the command line and zero page in low memory, and the vCPU at code32_start.
import { BootError, formatBytes, hex } from '../boot-error.js';
import type { LoadedRange } from '../elf-load.js';
import type { BootTarget } from '../multiboot.js';
import { buildE820Map, type E820Entry } from '../../platform/firmware/e820.js';
import { bootGdt, enterLinuxState } from './linux-machine.js';
import { BZIMAGE_LOAD_ADDRESS, parseSetupHeader, protocolText, type SetupHeader } from './setup-header.js';
import { buildZeroPage } from './zero-page.js';

/** Low-memory layout: command line at 0x80000, the GDT just below the zero page at 0x90000. */
export const LINUX_CMDLINE_ADDRESS = 0x80000;
export const LINUX_GDT_ADDRESS = 0x8FF00;
export const LINUX_ZERO_PAGE_ADDRESS = 0x90000;
const PAGE = 0x1000;

/** An initial ramdisk: its display name (for errors) and contents. */
export interface InitrdFile { name: string; bytes: Uint8Array }

export interface LinuxOptions {
  /** The kernel command line (QEMU's -append). */
  append?: string;
  /** Initial ramdisk files, concatenated (each padded to 4 bytes) into one initrd, as QEMU does. */
  initrd?: InitrdFile[];
  /** The E820 map to hand the kernel; the platform's map for the guest's RAM when absent. */
  memoryMap?: E820Entry[];
}

/** What the loader did. */
export interface LinuxResult {
  entry: number;                      // code32_start
  zeroPageAddress: number;            // ESI at entry
  header: SetupHeader;                // the parsed setup header
  commandLine: string;
  ramdisk?: { address: number; size: number };
  loadedRanges: LoadedRange[];        // everything written, in address order
  symbols: never[];                   // a bzImage carries no symbol table
}

/** Boots bytes (a bzImage named file) into target. Throws BootError on bad or unfitting input. */
export function loadLinux(target: BootTarget, bytes: Uint8Array, file: string, options: LinuxOptions = {}): LinuxResult {
  const header = parseSetupHeader(bytes, file);
  const memory = target.memory;
  const ramBytes = memory.ramSize;
  const kernelOffset = (header.setupSects + 1) * 512;
  const kernel = bytes.subarray(kernelOffset);
  if (kernel.length === 0 || kernel.length < header.syssize * 16) {
    throw new BootError(file, `truncated: the header promises ${header.syssize * 16} bytes of protected-mode code after ` +
      `${header.setupSects} setup sectors, the file has ${Math.max(0, kernel.length)}`);
  }
  // The kernel runs (and decompresses itself) from its load address, or from pref_address when it
  // moves itself there, up to init_size bytes further: that span must be RAM and stay clear of the initrd.
  const runStart = Math.max(BZIMAGE_LOAD_ADDRESS, header.prefAddress); // the decompressor never runs below pref_address
  const kernelEnd = Math.max(BZIMAGE_LOAD_ADDRESS + kernel.length, runStart + header.initSize);
  if (kernelEnd > ramBytes) {
    throw new BootError(file, `the kernel needs RAM up to ${hex(kernelEnd)} (loaded at ${hex(BZIMAGE_LOAD_ADDRESS)}, init_size ` +
      `${formatBytes(header.initSize)}); guest RAM is ${formatBytes(ramBytes)}: use a larger --mem`);
  }
  const commandLine = options.append ?? '';
  const cmdline = new TextEncoder().encode(commandLine);
  const cmdlineRoom = Math.min(header.cmdlineSize, LINUX_GDT_ADDRESS - LINUX_CMDLINE_ADDRESS - 1);
  if (cmdline.length > cmdlineRoom) {
    throw new BootError(file, `kernel command line is ${cmdline.length} bytes; this kernel accepts at most ${cmdlineRoom} ` +
      `(boot protocol ${protocolText(header.version)})`);
  }
  const ramdisk = options.initrd && options.initrd.length > 0
    ? placeInitrd(options.initrd, header, ramBytes, kernelEnd)
    : undefined;

  const ranges: LoadedRange[] = [];
  const write = (address: number, data: Uint8Array, description: string) => {
    if (!memory.writeBytes(address, data)) {
      throw new BootError(file, `${description} (${hex(address)}-${hex(address + data.length - 1)}) does not fit in guest RAM`);
    }
    ranges.push({ start: address, size: data.length, description });
  };
  write(BZIMAGE_LOAD_ADDRESS, kernel, 'protected-mode kernel');
  if (ramdisk) write(ramdisk.address, ramdisk.bytes, 'initrd');
  write(LINUX_CMDLINE_ADDRESS, terminated(cmdline), 'kernel command line');
  write(LINUX_GDT_ADDRESS, bootGdt(), 'boot GDT');
  const zeroPage = buildZeroPage({
    image: bytes, headerEnd: header.headerEnd, commandLineAddress: LINUX_CMDLINE_ADDRESS,
    ramdisk: ramdisk && { address: ramdisk.address, size: ramdisk.bytes.length },
    memoryMap: options.memoryMap ?? buildE820Map(ramBytes), ramBytes,
  });
  write(LINUX_ZERO_PAGE_ADDRESS, zeroPage, 'zero page (boot_params)');
  const entry = header.code32Start || BZIMAGE_LOAD_ADDRESS;
  enterLinuxState(target.cpu, entry, LINUX_ZERO_PAGE_ADDRESS, LINUX_GDT_ADDRESS);
  ranges.sort((a, b) => a.start - b.start);
  return {
    entry, zeroPageAddress: LINUX_ZERO_PAGE_ADDRESS, header, commandLine,
    ramdisk: ramdisk && { address: ramdisk.address, size: ramdisk.bytes.length },
    loadedRanges: ranges, symbols: [],
  };
}

/** Joins the initrd files and picks the highest page-aligned address below min(initrd_addr_max, RAM). */
function placeInitrd(files: InitrdFile[], header: SetupHeader, ramBytes: number, kernelEnd: number): { address: number; bytes: Uint8Array } {
  const total = files.reduce((n, f) => n + align(f.bytes.length, 4), 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const f of files) { bytes.set(f.bytes, at); at += align(f.bytes.length, 4); }
  const limit = Math.min(header.initrdAddrMax + 1, ramBytes);   // exclusive end
  const address = Math.floor((limit - total) / PAGE) * PAGE;
  const floor = align(kernelEnd, PAGE);
  if (total > 0 && address < floor) {
    const name = files.map((f) => f.name).join(' + ');
    throw new BootError(name, `initrd of ${formatBytes(total)} does not fit: it must lie between the kernel's end (${hex(floor)}) ` +
      `and ${hex(limit)} (guest RAM ${formatBytes(ramBytes)}, initrd_addr_max ${hex(header.initrdAddrMax)}): use a larger --mem`);
  }
  return { address, bytes };
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function terminated(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
