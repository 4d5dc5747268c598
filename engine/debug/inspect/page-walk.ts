// The page-table walk of any linear address as the debugger shows it: each level's entry address,
// value and flags, the physical result or why there is none. Read-only: unlike the MMU's walk it
// never sets accessed/dirty bits or fills the TLB, so looking cannot change what the guest sees.
import type { Cpu } from '../../cpu/cpu.js';
import type { GuestMemory } from '../../memory/guest-memory.js';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, CR4_PSE } from '../../cpu/registers.js';
import { hex } from './format.js';

/** One level of the walk (page-directory or page-table entry). */
export interface PageWalkLevel {
  level: 'PDE' | 'PTE';
  entryAddress: number;   // physical address of the entry
  value: number;          // the entry (unsigned)
  flags: string[];        // names of its set bits (P, R/W, U/S, PWT, PCD, A, D, PS, G)
}

/** The outcome of walking one linear address. */
export interface PageWalk {
  linear: number;
  paging: boolean;              // CR0.PG (and PE): without it linear = physical
  levels: PageWalkLevel[];      // the entries read, outermost first
  physical?: number;            // the translation, when the address is mapped
  pageSize?: number;            // 4096 or 4 MiB
  writable?: boolean;           // every level allows writes
  user?: boolean;               // every level allows CPL 3
  /** Why there is no translation ("PDE not present"), or a caveat (CR0.WP). */
  problem?: string;
}

const ENTRY_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'P'], [0x2, 'R/W'], [0x4, 'U/S'], [0x8, 'PWT'], [0x10, 'PCD'], [0x20, 'A'], [0x40, 'D'], [0x80, 'PS'], [0x100, 'G'],
];

/** A 32-bit little-endian read that never touches MMIO (0xFF… where nothing is mapped). */
export function peek32(memory: GuestMemory, physical: number): number {
  const b = memory.readBytes(physical >>> 0, 4);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

function flagsOf(entry: number, isPde: boolean): string[] {
  return ENTRY_FLAGS.filter(([bit, name]) => (entry & bit) !== 0 && (isPde || name !== 'PS') && (!isPde || name !== 'D' || (entry & 0x80) !== 0))
    .map(([, name]) => name);
}

/** Walks the page tables the CPU uses now (CR3, CR4.PSE) for linear. */
export function walkPageTables(cpu: Cpu, linear: number): PageWalk {
  return walkWith(cpu.memory, linear >>> 0, {
    paging: (cpu.cr0 & CR0_PG) !== 0 && (cpu.cr0 & CR0_PE) !== 0,
    cr3: cpu.cr3 >>> 0,
    pse: (cpu.cr4 & CR4_PSE) !== 0,
    pae: (cpu.cr4 & CR4_PAE) !== 0,
  });
}

/** The paging controls a walk depends on. */
export interface PagingControls { paging: boolean; cr3: number; pse: boolean; pae: boolean }

/** Walks with explicit controls (for a CR3 other than the current one). */
export function walkWith(memory: GuestMemory, linear: number, controls: PagingControls): PageWalk {
  linear >>>= 0;
  if (!controls.paging) return { linear, paging: false, levels: [], physical: linear, pageSize: 4096, writable: true, user: true };
  if (controls.pae) {
    return { linear, paging: true, levels: [], problem: 'CR4.PAE is set, but this CPU model has only 32-bit (non-PAE) paging' };
  }
  const pdeAddress = ((controls.cr3 & ~0xFFF) + ((linear >>> 22) << 2)) >>> 0;
  const pde = peek32(memory, pdeAddress);
  const levels: PageWalkLevel[] = [{ level: 'PDE', entryAddress: pdeAddress, value: pde, flags: flagsOf(pde, true) }];
  if (!(pde & 1)) return { linear, paging: true, levels, problem: `PDE ${linear >>> 22} not present` };
  if ((pde & 0x80) && controls.pse) {
    const physical = ((pde & 0xFFC00000) + (linear & 0x3FFFFF)) >>> 0;
    return { linear, paging: true, levels, physical, pageSize: 0x400000, writable: (pde & 2) !== 0, user: (pde & 4) !== 0 };
  }
  const pteAddress = ((pde & ~0xFFF) + (((linear >>> 12) & 0x3FF) << 2)) >>> 0;
  const pte = peek32(memory, pteAddress);
  levels.push({ level: 'PTE', entryAddress: pteAddress, value: pte, flags: flagsOf(pte, false) });
  if (!(pte & 1)) return { linear, paging: true, levels, problem: `PTE ${(linear >>> 12) & 0x3FF} not present` };
  const physical = ((pte & ~0xFFF) + (linear & 0xFFF)) >>> 0;
  return {
    linear, paging: true, levels, physical, pageSize: 4096,
    writable: (pde & 2) !== 0 && (pte & 2) !== 0, user: (pde & 4) !== 0 && (pte & 4) !== 0,
  };
}

/** Linear → physical without side effects; undefined when not mapped. */
export function peekTranslate(cpu: Cpu, linear: number): number | undefined {
  return walkPageTables(cpu, linear).physical;
}

/** The walk as lines a person reads (the `walk ADDR` console command). */
export function describeWalk(walk: PageWalk, cpu?: Cpu): string[] {
  const lines = [`linear ${hex(walk.linear)}`];
  if (!walk.paging) {
    lines.push(`  paging is off (CR0.PG = 0): physical ${hex(walk.linear)}`);
    return lines;
  }
  for (const l of walk.levels) {
    lines.push(`  ${l.level} at physical ${hex(l.entryAddress)} = ${hex(l.value)} [${l.flags.join(' ')}]`);
  }
  if (walk.physical === undefined) {
    lines.push(`  not mapped: ${walk.problem ?? 'no translation'}`);
    return lines;
  }
  const size = walk.pageSize === 0x400000 ? '4 MiB page' : '4 KiB page';
  const rights = `${walk.writable ? 'read/write' : 'read-only'}, ${walk.user ? 'user' : 'supervisor only'}`;
  lines.push(`  → physical ${hex(walk.physical)} (${size}, ${rights})`);
  if (cpu && !walk.writable && !(cpu.cr0 & CR0_WP)) lines.push('  (CR0.WP = 0: supervisor code may still write this page)');
  return lines;
}
