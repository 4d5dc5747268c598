// The TLB as `info tlb` shows it: every cached linear→physical translation of a vCPU, with its
// write/user/global bits, read from the MMU's typed arrays (no side effects).
import type { Cpu } from '../../cpu/cpu.js';
import { TLB_GLOBAL, TLB_USER, TLB_VALID, TLB_WRITE } from '../../cpu/mmu.js';
import { hex } from './format.js';

/**
 * One cached translation. writable means cached for writes: the page is writable and already dirty (a
 * first write walks again to set D), so a read-only-looking entry may still be a writable page.
 */
export interface TlbEntry { linearPage: number; physicalFrame: number; writable: boolean; user: boolean; global: boolean }

/** The valid TLB entries in linear-address order (at most limit; total counts them all). */
export function tlbEntries(cpu: Cpu, limit = 512): { entries: TlbEntry[]; total: number } {
  const flags = cpu.mmu.tlbFlags, frames = cpu.mmu.tlbFrame;
  const entries: TlbEntry[] = [];
  let total = 0;
  for (let page = 0; page < flags.length; page++) {
    const f = flags[page];
    if (!(f & TLB_VALID)) continue;
    total++;
    if (entries.length < limit) {
      entries.push({
        linearPage: (page << 12) >>> 0, physicalFrame: frames[page] >>> 0,
        writable: (f & TLB_WRITE) !== 0, user: (f & TLB_USER) !== 0, global: (f & TLB_GLOBAL) !== 0,
      });
    }
  }
  return { entries, total };
}

/** Lines for `info tlb`. */
export function describeTlb(cpu: Cpu, limit = 512): string[] {
  if (!cpu.paging) return ['paging is off (CR0.PG = 0): the TLB is not used'];
  const { entries, total } = tlbEntries(cpu, limit);
  const lines = [`${total} cached translation${total === 1 ? '' : 's'} (CR3 ${hex(cpu.cr3)}; W = cached for writes (writable and dirty), U = user, G = global)`];
  for (const e of entries) {
    const bits = [e.writable ? 'W' : '-', e.user ? 'U' : '-', e.global ? 'G' : '-'].join('');
    lines.push(`  ${hex(e.linearPage)} → ${hex(e.physicalFrame)}  ${bits}`);
  }
  if (total > entries.length) lines.push(`  … ${total - entries.length} more`);
  return lines;
}
