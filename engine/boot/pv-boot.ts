// Starts a paravirtual kernel as Xen starts a 32-bit PV domain: segments at pseudo-physical
// (vaddr − VIRT_BASE), then the P2M list, start_info, the initial page directory and page tables
// (2-level: this CPU has no PAE), a boot stack; the kernel enters at ring 1 with paging on,
// ESI = start_info, ESP = the boot stack (docs/hypercalls.md, "Starting a pv guest").
import type { Cpu } from '../cpu/cpu.js';
import { parseDescriptor, setSegmentCache } from '../cpu/descriptors.js';
import { CR0_ET, CR0_PE, CR0_PG, CR0_WP, CS, DS, ES, FS, GS, SS, ESI, ESP } from '../cpu/registers.js';
import type { GuestMemory } from '../memory/guest-memory.js';
import type { VmStrategy } from '../hv/strategy.js';
import { PvStrategy } from '../hv/pv/pv-strategy.js';
import {
  FLAT_RING1_CS, FLAT_RING1_DS, GDT_PAGES, GDT_VIRT, HYPERCALL_VECTOR, HYPERVISOR_VIRT_START, IDT_VIRT,
  PTE_A, PTE_P, PTE_RW, START_INFO_MAGIC, TSS_SELECTOR, TSS_VIRT,
} from '../hv/pv/abi.js';
import { buildHypervisorRegion, installHypervisorSlots, HYPERVISOR_RESERVED_BYTES } from '../hv/pv/hypervisor-region.js';
import { hypercallPage } from '../hv/pv/hypercall-page.js';
import { BootError, formatBytes, hex } from './boot-error.js';
import { parseElf, PT_LOAD, type ElfImage, type ElfSymbol } from './elf.js';
import type { LoadedRange } from './elf-load.js';
import { readPvNotes, type PvNotes } from './pv-notes.js';

/** What the pv loader needs from a VM (a Vm satisfies it). */
export interface PvBootTarget { memory: GuestMemory; cpu: Cpu; strategy: VmStrategy; cpus?: readonly Cpu[] }

export interface PvBootResult {
  entry: number;               // virtual entry point (EIP at the first instruction)
  symbols: ElfSymbol[];        // the kernel's .symtab
  loadedRanges: LoadedRange[]; // everything the loader wrote, in pseudo-physical order
  commandLine: string;         // start_info.cmd_line
  elf: ElfImage;
  notes: PvNotes;
  startInfo: number;           // virtual address of start_info (ESI)
  pageDirectory: number;       // pseudo-physical address of the initial page directory (CR3)
}

const PAGE = 4096, MIB4 = 0x400000;
const up = (n: number, to: number) => Math.ceil(n / to) * to;

/** True when bytes is an ELF file with Xen notes (a kernel for the pv strategy). */
export function isPvKernel(bytes: Uint8Array, file: string): boolean {
  try { return readPvNotes(parseElf(bytes, file), bytes) !== undefined; } catch { return false; }
}

/** Loads the pv kernel bytes (file = display name) into target, whose strategy must be pv. */
export function loadPvKernel(target: PvBootTarget, bytes: Uint8Array, file: string, options: { append?: string } = {}): PvBootResult {
  if (!(target.strategy instanceof PvStrategy)) throw new BootError(file, `the pv loader needs a VM running the pv strategy (this one runs ${target.strategy.name})`);
  if ((target.cpus?.length ?? 1) > 1) throw new BootError(file, `a pv domain has one vCPU here (asked for ${target.cpus!.length}); run it without --cpus`);
  let elf: ElfImage;
  try {
    elf = parseElf(bytes, file);
  } catch (e) {
    if (!(e instanceof BootError)) throw e;
    throw new BootError(file, `not a paravirtual kernel: a pv kernel is a 32-bit ELF with "Xen" notes, and this file is not usable as one (${e.message.slice(file.length + 2)})`);
  }
  const notes = readPvNotes(elf, bytes);
  if (!notes) {
    throw new BootError(file, 'not a paravirtual kernel: it carries no "Xen" ELF notes, so it would run its privileged ' +
      'instructions at ring 1 and crash; the pv strategy runs enlightened kernels only (docs/hypercalls.md) — run this one with --strategy hw or bt');
  }
  const memory = target.memory, domain = target.strategy.domain, region = domain.region;
  if (memory.ramSize < 8 * 0x100000) throw new BootError(file, `a pv guest needs at least 8 MiB of RAM (this VM has ${formatBytes(memory.ramSize)})`);
  const { virtBase } = notes;
  if (virtBase & 0x3FFFFF) throw new BootError(file, `Xen note VIRT_BASE ${hex(virtBase)} is not 4 MiB aligned`);
  const ranges: LoadedRange[] = [];
  const kernelEnd = loadSegments(elf, bytes, memory, virtBase, region.base, ranges);

  // Bootstrap area after the kernel, as Xen lays it out: P2M list, start_info, page tables, stack.
  const nrPages = region.base / PAGE;
  const p2m = up(kernelEnd, PAGE), startInfo = up(p2m + nrPages * 4, PAGE), pageDirectory = startInfo + PAGE;
  let tables = 1, stack = 0, mapEnd = 0;
  for (;;) {
    stack = pageDirectory + (1 + tables) * PAGE;
    mapEnd = up(stack + PAGE + 0x80000, MIB4);          // Xen maps at least 512 KiB beyond the bootstrap area
    if (mapEnd / MIB4 <= tables) break;
    tables = mapEnd / MIB4;
  }
  if (mapEnd > region.base || virtBase + mapEnd > HYPERVISOR_VIRT_START) {
    throw new BootError(file, `the kernel and its bootstrap area (${formatBytes(mapEnd)} mapped at ${hex(virtBase)}) do not fit below ` +
      `the hypervisor (${formatBytes(region.base)} of guest RAM, hole at ${hex(HYPERVISOR_VIRT_START)}); use a larger --mem`);
  }
  buildHypervisorRegion(memory, region);
  for (let f = 0; f < nrPages; f++) memory.write32(p2m + f * 4, f);      // pseudo-physical = machine
  ranges.push({ start: p2m, size: nrPages * 4, description: 'pv P2M list (mfn_list)' });
  buildInitialTables(memory, pageDirectory, tables, mapEnd, virtBase, region.base);
  installHypervisorSlots(memory, region, pageDirectory);
  ranges.push({ start: pageDirectory, size: (1 + tables) * PAGE, description: 'pv initial page directory and tables' });
  ranges.push({ start: stack, size: PAGE, description: 'pv boot stack' });
  if (notes.hypercallPage !== undefined) {
    const at = notes.hypercallPage - virtBase;
    if (notes.hypercallPage & 0xFFF || at < 0 || at + PAGE > kernelEnd) throw new BootError(file, `Xen note HYPERCALL_PAGE ${hex(notes.hypercallPage)} is not a page-aligned page inside the kernel image`);
    memory.writeBytes(at, hypercallPage());
    ranges.push({ start: at, size: PAGE, description: 'pv hypercall page' });
  }
  const commandLine = (options.append ?? '').slice(0, 1023);
  writeStartInfo(memory, startInfo, {
    nrPages, sharedInfo: region.sharedInfo, ptBase: virtBase + pageDirectory, nrPtFrames: 1 + tables,
    mfnList: virtBase + p2m, commandLine,
  });
  ranges.push({ start: startInfo, size: PAGE, description: 'pv start_info' });
  ranges.push({ start: region.base, size: HYPERVISOR_RESERVED_BYTES, description: 'hypervisor (never mappable by the guest)' });

  domain.nrPages = nrPages;
  domain.shared.reset();
  domain.writeGate(HYPERCALL_VECTOR, FLAT_RING1_CS, 0, 1);               // int $0x82: ring 1 only
  domain.started = true;
  domain.publishTime();
  const entry = (notes.entry ?? elf.entry) >>> 0;
  enterRingOne(target.cpu, memory, region.reservedGdt, pageDirectory, entry, virtBase + stack + PAGE, virtBase + startInfo);
  memory.write32(region.tss + 0x0C, virtBase + stack + PAGE);            // ss1:esp1 until stack_switch
  memory.write32(region.tss + 0x10, FLAT_RING1_DS);
  ranges.sort((a, b) => a.start - b.start);
  return { entry, symbols: elf.symbols, loadedRanges: ranges, commandLine, elf, notes, startInfo: virtBase + startInfo, pageDirectory };
}

/** Copies the PT_LOAD segments to pseudo-physical (vaddr − virtBase); returns the end of the image. */
function loadSegments(elf: ElfImage, bytes: Uint8Array, memory: GuestMemory, virtBase: number, limit: number, ranges: LoadedRange[]): number {
  let end = 0;
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0);
  for (const s of loads) {
    const at = s.vaddr - virtBase;
    const where = `segment ${s.index} (p_vaddr ${hex(s.vaddr)}, p_memsz ${hex(s.memsz)})`;
    if (at < 0) throw new BootError(elf.file, `${where} lies below VIRT_BASE ${hex(virtBase)}`);
    if (at + s.memsz > limit) throw new BootError(elf.file, `${where} does not fit below the hypervisor's memory at ${hex(limit)}`);
    if (!memory.isRam(at, s.memsz)) throw new BootError(elf.file, `${where} would load at pseudo-physical ${hex(at)}, which is not RAM (the PC's VGA/ROM hole is 0xa0000–0xfffff)`);
  }
  for (const s of loads) {
    const at = s.vaddr - virtBase;
    memory.writeBytes(at, bytes.subarray(s.offset, s.offset + s.filesz));
    for (let a = at + s.filesz; a < at + s.memsz; a++) memory.write8(a, 0);
    ranges.push({ start: at, size: s.memsz, description: `segment ${s.index} at ${hex(s.vaddr)}` });
    end = Math.max(end, at + s.memsz);
  }
  return end;
}

/** The initial mapping: virtBase + p → p for p < mapEnd (RAM only); the tables themselves read-only. */
function buildInitialTables(memory: GuestMemory, pd: number, tables: number, mapEnd: number, virtBase: number, ramLimit: number): void {
  for (let a = pd; a < pd + (1 + tables) * PAGE; a += 4) memory.write32(a, 0);
  const firstSlot = virtBase >>> 22;
  for (let t = 0; t < tables; t++) {
    const l1 = pd + (1 + t) * PAGE;
    memory.write32(pd + (firstSlot + t) * 4, l1 | PTE_P | PTE_RW | PTE_A);
    for (let k = 0; k < 1024; k++) {
      const phys = (t * 1024 + k) * PAGE;
      if (phys >= mapEnd || phys >= ramLimit || !memory.isRam(phys, PAGE)) continue;
      const isTable = phys >= pd && phys < pd + (1 + tables) * PAGE;
      memory.write32(l1 + k * 4, phys | PTE_P | PTE_A | (isTable ? 0 : PTE_RW));
    }
  }
}

/** start_info (xen/include/public/xen.h, 32-bit): offsets of the fields hvdbg fills. */
function writeStartInfo(memory: GuestMemory, at: number, f: { nrPages: number; sharedInfo: number; ptBase: number; nrPtFrames: number; mfnList: number; commandLine: string }): void {
  for (let a = at; a < at + PAGE; a += 4) memory.write32(a, 0);
  memory.writeBytes(at, new TextEncoder().encode(START_INFO_MAGIC));   // magic[32]
  memory.write32(at + 32, f.nrPages);                                    // nr_pages
  memory.write32(at + 36, f.sharedInfo);                                 // shared_info (machine address)
  memory.write32(at + 60, f.ptBase);                                     // pt_base (virtual)
  memory.write32(at + 64, f.nrPtFrames);                                 // nr_pt_frames
  memory.write32(at + 68, f.mfnList);                                    // mfn_list (virtual)
  memory.writeBytes(at + 80, new TextEncoder().encode(f.commandLine));   // cmd_line[1024]
}

/** The CPU at the kernel's entry: ring 1, flat ring-1 segments, paging on, the hypervisor's tables. */
function enterRingOne(cpu: Cpu, memory: GuestMemory, reservedGdt: number, pd: number, entry: number, esp: number, startInfo: number): void {
  const descriptor = (sel: number) => {
    const off = reservedGdt + (sel & ~7) - 7168 * 8;
    return parseDescriptor(memory.read32(off), memory.read32(off + 4));
  };
  cpu.cr0 = CR0_PE | CR0_PG | CR0_WP | CR0_ET;
  cpu.cr3 = pd;
  cpu.cr4 = 0;
  cpu.updatePagingMode();
  cpu.mmu.flush(true);
  cpu.gdtrBase = GDT_VIRT | 0; cpu.gdtrLimit = GDT_PAGES * PAGE - 1;
  cpu.idtrBase = IDT_VIRT | 0; cpu.idtrLimit = 256 * 8 - 1;
  const tss = descriptor(TSS_SELECTOR);
  cpu.trSel = TSS_SELECTOR; cpu.trBase = TSS_VIRT | 0; cpu.trLimit = tss.limit; cpu.trRights = tss.rights;
  cpu.ldtrSel = 0; cpu.ldtrBase = 0; cpu.ldtrLimit = 0;
  cpu.cpl = 1;
  setSegmentCache(cpu, CS, FLAT_RING1_CS, descriptor(FLAT_RING1_CS));
  for (const seg of [DS, ES, FS, GS, SS]) setSegmentCache(cpu, seg, FLAT_RING1_DS, descriptor(FLAT_RING1_DS));
  cpu.reg32.fill(0);
  cpu.reg32[ESP] = esp;
  cpu.reg32[ESI] = startInfo;
  cpu.setEflags(0x202);                       // IF on in hardware; the guest's own "IF" is upcall_mask
  cpu.eip = entry | 0;
  cpu.instrStart = cpu.eip;
  cpu.halted = false;
  cpu.shutdown = false;
  cpu.onModeChange();
  cpu.flushCodeCache();
}
