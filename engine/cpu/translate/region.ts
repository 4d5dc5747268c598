// A region: the hot blocks of one code page that reach each other by direct branches, calls and
// returns, compiled into one JavaScript function that keeps guest registers and lazy flags in locals
// and branches between its blocks without returning to the run loop.
import type { CodePageCache, Instr } from '../instr.js';
import type { Block } from './block.js';

/** A compiled region: runs from cpu.eip (a block of the region) and returns the instructions retired. */
export type RegionFunction = (cpu: unknown, budget: number, translator: unknown) => number;

/** Most blocks in one region (bounds compile time and the function's size). */
const MAX_REGION_BLOCKS = 96;

export class Region {
  /** Block index by EIP − eipBase (the offset in the linear page), −1 for none. */
  readonly indexAt = new Int16Array(4096).fill(-1);
  run: RegionFunction | undefined = undefined;
  segments = 0;                  // segment registers its inlined memory accesses assume flat (bit mask)
  stack = false;                 // its inlined code uses the stack (SS flat and 32-bit)
  lastByte = 0;                  // highest EIP of any of its instruction bytes (within the CS limit)
  breakpointVersion = -1;        // CodeBreakpoints.version when breakpointVariant was made
  breakpointVariant: Region | undefined = undefined; // this region without its blocks holding an armed breakpoint
  rebuilds = 0;                  // times its page's region was recompiled before this one
  calls = 0;                     // times it was called (the run loop's trial)
  retired = 0;                   // instructions it retired over those calls

  constructor(
    readonly blocks: Block[],
    readonly eipBase: number,    // EIP of the first byte of the linear page
    readonly csBase: number,     // the CS base its EIPs were resolved with
    readonly page: CodePageCache,
  ) {
    blocks.forEach((b, k) => {
      this.indexAt[(b.startEip - eipBase) & 0xFFF] = k;
      this.lastByte = Math.max(this.lastByte, b.lastByte);
    });
  }

  /** The same region with only its first count blocks (the gathering order: nearest the entry first). */
  withBlocks(count: number): Region {
    const smaller = new Region(this.blocks.slice(0, count), this.eipBase, this.csBase, this.page);
    smaller.rebuilds = this.rebuilds;
    return smaller;
  }

  /** Index of the block starting at eip, or −1. */
  indexOf(eip: number): number {
    const offset = (eip - this.eipBase) >>> 0;
    return offset < 4096 ? this.indexAt[offset] : -1;
  }

}

/** True when i is a relative JMP, CALL or Jcc with a 32-bit operand (the region resolves its target). */
export function isDirectBranch(i: Instr): boolean {
  const e = i.entry;
  return (e.handler === 'jcc' || e.handler === 'jmp' || e.handler === 'call') && e.operands[0][0] === 'J'
    && i.callout === undefined && i.chainable && i.opSize32;
}

/** Target EIP of a direct branch whose fall-through is end. */
export function branchTarget(i: Instr, end: number): number {
  return (end + i.imm) | 0;
}

/** EIPs a block may continue at that a region can know statically: branch targets, fall-throughs,
 *  and the return sites of the calls in it (where a RET lands). */
export function successorEips(b: Block): number[] {
  const out = returnSitesOf(b);
  const n = b.count, i = b.instrs[n - 1], end = b.ends[n - 1];
  if (isDirectBranch(i)) {
    out.push(branchTarget(i, end));
    if (i.entry.handler === 'jcc') out.push(end);
  } else if (i.entry.handler !== 'ret' && i.entry.handler !== 'jmp') {
    out.push(end);                                                 // the run loop continues there
  }
  return out;
}

/** The EIPs after the CALLs of b (where their RETs land). */
function returnSitesOf(b: Block): number[] {
  const out: number[] = [];
  for (let k = 0; k < b.count; k++) if (b.instrs[k].entry.handler === 'call') out.push(b.ends[k]);
  return out;
}

/**
 * Gathers a region from seeds (the first is its entry): the seeds and the blocks on the same linear
 * page that have run and are reachable from them through successorEips, breadth first. blockAt
 * returns the block at an EIP (built if needed) or undefined when there is none.
 */
export function gatherRegion(seeds: Block[], eipBase: number, csBase: number,
  blockAt: (eip: number) => Block | undefined): Region {
  const page = seeds[0].page;
  const blocks: Block[] = [];
  const seen = new Set<number>();
  for (const b of seeds) {
    if (seen.has(b.startEip) || b.page !== page || blocks.length >= MAX_REGION_BLOCKS) continue;
    seen.add(b.startEip);
    blocks.push(b);
  }
  const returnSites = new Set<number>();
  for (let k = 0; k < blocks.length && blocks.length < MAX_REGION_BLOCKS; k++) {
    for (const site of returnSitesOf(blocks[k])) returnSites.add(site);
    for (const eip of successorEips(blocks[k])) {
      if (seen.has(eip) || ((eip - eipBase) >>> 0) >= 4096) continue;
      seen.add(eip);
      const b = blockAt(eip);
      // Only blocks that have run, and return sites (code never reached stays out: the region leaves for it).
      if (b === undefined || (b.hits === 0 && !returnSites.has(eip)) || b.page !== page || !b.codeSize32 || blocks.length >= MAX_REGION_BLOCKS) continue;
      blocks.push(b);
    }
  }
  return new Region(blocks, eipBase, csBase, page);
}
