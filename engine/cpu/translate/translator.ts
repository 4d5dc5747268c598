// The translated run loop: finds or builds the block at CS:EIP, runs it (interpreted while cold,
// compiled once hot), follows cached successors, and checks interrupts, stops and breakpoints
// only between blocks. Anything a block cannot hold runs one instruction in the interpreter.
import type { Cpu } from '../cpu.js';
import type { CodePageCache, Instr } from '../instr.js';
import { CpuFault } from '../fault.js';
import { CS, FLAG_IF } from '../registers.js';
import { Block, continuesAtTarget, keepsBlockOpen, mayWriteMemory } from './block.js';
import { compileBlock, compileRegion } from './compile.js';
import { gatherRegion, Region } from './region.js';

/**
 * Tuning: entries after which a block is compiled (cold code stays interpreted: compiling costs
 * ~0.1 ms), and after which a compiled block's page region is gathered and compiled (regions: true).
 */
export const translatorOptions = { hotThreshold: 8, regionThreshold: 1000, regions: true };
/**
 * Most instructions one call of a region function runs before returning to this loop: a region
 * that V8 deoptimised is then soon called afresh and re-optimised, rather than waiting for
 * on-stack replacement inside one long call.
 */
const REGION_SLICE = 50_000;
/** Calls after which a region must have run MIN_REGION_RUN instructions per call on average to stay. */
const REGION_TRIAL_CALLS = 256;
const MIN_REGION_RUN = 24;
/** How often a page's region is recompiled to take in newly hot blocks (bounds compile work). */
const MAX_REGION_REBUILDS = 3;
/** Longest block, in instructions. */
const MAX_BLOCK = 64;
/** Longest x86 instruction: a block only holds instructions whose bytes surely fit in its page. */
const MAX_INSTR_LENGTH = 15;

/** The debugger's armed code breakpoints, as the translator needs them (engine/cpu/code-breakpoints.ts). */
export interface CodeBreakpointView {
  /** True when at least one breakpoint is armed (the only check while none is). */
  armed: boolean;
  /** True when an armed breakpoint lies on the linear page. */
  pageHas(linearPage: number): boolean;
  /** True when an armed breakpoint lies in [startLinear, endLinear). */
  anyIn(startLinear: number, endLinear: number): boolean;
  /** True when one of the instructions at base + eips is armed (a block without one runs compiled). */
  anyAt(base: number, eips: readonly number[]): boolean;
  /** Bumped on every change (answers cached under another version are stale). */
  version: number;
}

/** Where retired instructions ran, over every CPU (for the differential test and the bench). The
 *  counters start as doubles (-0) because they pass 2^31: a field's representation changing from
 *  small integer to double would deoptimise the code using this object. */
export const translatorStats = {
  compiledInstructions: -0,   // in compiled blocks
  coldInstructions: -0,       // in blocks not compiled yet (through their handlers)
  fallbackInstructions: -0,   // one at a time in the interpreter (no block, breakpoint page, budget end)
  regionInstructions: -0,     // in compiled regions (also counted in compiledInstructions)
  regionRuns: -0,             // calls of region functions (instructions per call: how long they stay)
  regionsDropped: -0,         // regions given up because their calls ran too few instructions
  blocksBuilt: -0,            // blocks scanned
};

export class Translator {
  /** The block running now (for the fault path and event counts); compiled regions set it too. */
  current: Block | undefined = undefined;
  private readonly writesMemory = new WeakMap<Block, boolean[]>(); // per instruction: may write memory
  private countWidened = false;  // cpu.widenInstructionCount() was called (before the first region)
  /** Code pages whose region ran too little per call (no region is built for them again). */
  private readonly failedPages = new WeakSet<CodePageCache>();
  /** The latest region compiled for each code page (a new hot block on the page extends it). */
  private readonly pageRegions = new WeakMap<CodePageCache, Region>();
  /** Instructions of the finished passes of the self-looping block running now (the block writes it). */
  loopRetired = 0;

  constructor(private readonly cpu: Cpu) {}

  /** Runs blocks until end instructions have retired, or the CPU halts, stops or needs the interpreter. */
  run(end: number): void {
    const c = this.cpu;
    let prev: Block | undefined;               // the block that ran last, when its successor may be chained
    try {
      while (c.instructions < end && !c.stopRequested) {
        if ((c.flags & FLAG_IF) && !c.interruptShadow && c.env.interruptPending()) {
          if (c.checkInterrupts()) { prev = undefined; continue; }
        }
        if (c.debugActive) return;
        const eip = c.eip;
        c.instrStart = eip;
        let b = prev !== undefined ? chained(prev, eip) : undefined;
        if (b === undefined) {
          b = this.blockAt(eip);
          if (b !== undefined && prev !== undefined && b.linearPage === prev.linearPage && b.codeSize32 === prev.codeSize32) {
            if (eip === prev.endEip) prev.chainFall = b; else { prev.chainTaken = b; prev.chainTakenEip = eip; }
          }
        }
        // In an interrupt shadow (after STI, MOV SS, POP SS) only one instruction may run before the
        // next interrupt check: the interpreter runs it.
        if (b === undefined || c.interruptShadow || c.instructions + b.count > end || this.mustInterpret(b)) {
          const before = c.instructions;
          c.interpretOne();
          translatorStats.fallbackInstructions += c.instructions - before;
          prev = undefined;
          if (c.halted) return;
          continue;
        }
        this.current = b;
        let n: number;
        const region = b.region;
        const runnable = region !== undefined ? this.regionToRun(region, b) : undefined;
        if (region !== undefined && runnable !== undefined) {
          n = runnable.run!(c, Math.min(end - c.instructions, REGION_SLICE), this);
          region.retired += n;
          if (++region.calls === REGION_TRIAL_CALLS) this.keepOrDrop(region);
          translatorStats.compiledInstructions += n;
          translatorStats.regionInstructions += n;
          translatorStats.regionRuns++;
          this.loopRetired = 0;
          this.current = undefined;
          c.instructions += n;
          if (c.halted) return;
          prev = undefined;
          continue;
        }
        if (b.run === undefined && ++b.hits >= translatorOptions.hotThreshold) compileBlock(b);
        else if (b.region === undefined && !b.regionTried && ++b.hits >= translatorOptions.regionThreshold
          && translatorOptions.regions && b.codeSize32) this.buildRegion(b);
        if (b.run !== undefined) { n = b.run(c, end - c.instructions, this); translatorStats.compiledInstructions += n; }
        else { n = this.runCold(b); translatorStats.coldInstructions += n; }
        this.loopRetired = 0;
        this.current = undefined;
        c.instructions += n;
        if (c.halted) return;
        // The last pass of a self-loop ran to the end when n is a whole number of passes.
        prev = n % b.count === 0 && b.lastChainable && b.page.valid ? b : undefined;
      }
    } catch (e) {
      const b = this.current, passes = this.loopRetired;
      this.current = undefined;
      this.loopRetired = 0;
      // The finished passes of a self-loop, and the instructions of the block before the faulting one, retired.
      if (e instanceof CpuFault && b !== undefined) c.instructions += passes + Math.max(0, b.starts.indexOf(c.instrStart));
      throw e;
    }
  }

  /**
   * Instructions of the running block that retired before the one at cpu.instrStart (0 outside a
   * block): the run loop adds a block's count only when it ends, so events raised inside it add this.
   */
  retiredInCurrentBlock(): number {
    const b = this.current;
    return b === undefined ? 0 : this.loopRetired + Math.max(0, b.starts.indexOf(this.cpu.instrStart));
  }

  /** True when b must not run as a block now: CS limit inside it, or an armed breakpoint inside it. */
  private mustInterpret(b: Block): boolean {
    const c = this.cpu;
    if (b.lastByte > c.segLimit[CS]) return true;
    const breakpoints = (c as { codeBreakpoints?: CodeBreakpointView }).codeBreakpoints;
    if (breakpoints === undefined || !breakpoints.armed) return false;
    // Every instruction's address (a trace continues at JMP/CALL targets, outside [startEip, endEip)),
    // looked up once per breakpoint change and CS base, then cached on the block.
    const base = c.segBase[CS];
    if (b.breakpointVersion !== breakpoints.version || b.breakpointBase !== base) {
      b.breakpointInside = breakpoints.anyAt(base, b.starts);
      b.breakpointVersion = breakpoints.version;
      b.breakpointBase = base;
    }
    return b.breakpointInside;
  }

  /**
   * After a region's first REGION_TRIAL_CALLS calls: when they ran too few instructions each (the
   * code leaves it almost at once, e.g. through branches it cannot follow), its blocks go back to
   * running as blocks, which costs less per entry, and the page builds no region again.
   */
  private keepOrDrop(region: Region): void {
    if (region.retired >= REGION_TRIAL_CALLS * MIN_REGION_RUN) return;
    for (const member of region.blocks) { if (member.region === region) member.region = undefined; member.regionTried = true; }
    this.pageRegions.delete(region.page);
    this.failedPages.add(region.page);
    translatorStats.regionsDropped++;
  }

  /**
   * The compiled region to run for an entry at block b of r, or undefined when r may not run now.
   * Its code assumes the CS base and limit, flat segments and stack and no data checks; with code
   * breakpoints armed, it is r without the blocks that hold one (compiled once per breakpoint set),
   * so the run loop stops at them while the rest of the page runs at full speed.
   */
  private regionToRun(r: Region, b: Block): Region | undefined {
    const c = this.cpu;
    if (c.segBase[CS] !== r.csBase || r.lastByte > c.segLimit[CS] || c.checkAccesses) return undefined;
    if (r.stack && !c.stackSize32) return undefined;
    const segments = r.segments;
    for (let s = 0; s < 6; s++) if ((segments & (1 << s)) !== 0 && (c.segHints[s] & 1) === 0) return undefined;
    let runnable: Region | undefined = r;
    const breakpoints = (c as { codeBreakpoints?: CodeBreakpointView }).codeBreakpoints;
    if (breakpoints !== undefined && breakpoints.armed) {
      if (r.breakpointVersion !== breakpoints.version) {
        const clear = r.blocks.filter((m) => !breakpoints.anyAt(r.csBase, m.starts));
        r.breakpointVariant = clear.length === r.blocks.length ? r
          : clear.length === 0 ? undefined : compileRegion(new Region(clear, r.eipBase, r.csBase, r.page), c, this);
        r.breakpointVersion = breakpoints.version;
      }
      runnable = r.breakpointVariant;
      if (runnable === undefined || runnable.indexOf(b.startEip) < 0) return undefined;
    }
    c.mmu.direct.matchPrivilege(c.cpl === 3);
    return runnable;
  }

  /**
   * Compiles the region of the hot block b's page: b, the blocks of the page's current region (it
   * grows, up to MAX_REGION_REBUILDS times) and what they reach; every member then runs in it.
   */
  private buildRegion(b: Block): void {
    b.regionTried = true;
    if (this.failedPages.has(b.page)) return;
    const c = this.cpu;
    if (!this.countWidened) { c.widenInstructionCount(); this.countWidened = true; }
    const csBase = c.segBase[CS];
    const eipBase = (b.startEip - ((csBase + b.startEip) & 0xFFF)) | 0;
    const old = this.pageRegions.get(b.page);
    // A block that starts inside one of the region's blocks is an entry after a budget end, an
    // interrupt or a fault (the region reaches that code through the enclosing block): no rebuild.
    if (old !== undefined && old.blocks.some((m) => m.startEip !== b.startEip && m.starts.includes(b.startEip))) return;
    const grow = old !== undefined && old.eipBase === eipBase && old.csBase === csBase && old.rebuilds < MAX_REGION_REBUILDS;
    const gathered = gatherRegion(grow ? [b, ...old.blocks] : [b], eipBase, csBase, (eip) => this.blockForRegion(eip));
    gathered.rebuilds = grow ? old.rebuilds + 1 : 0;
    const region = compileRegion(gathered, c, this);
    for (const member of region.blocks) member.region = region;
    this.pageRegions.set(b.page, region);
  }

  /** The block at eip for a region being gathered, or undefined when none can start there. */
  private blockForRegion(eip: number): Block | undefined {
    const c = this.cpu;
    const savedEip = c.eip, savedStart = c.instrStart, savedCr2 = c.cr2;
    c.eip = eip;
    try {
      return this.blockAt(eip);
    } catch (e) {
      if (e instanceof CpuFault) return undefined;
      throw e;
    } finally {
      c.eip = savedEip; c.instrStart = savedStart; c.cr2 = savedCr2;
    }
  }

  /** The block starting at eip (built on first use), or undefined when its code is not cacheable. */
  private blockAt(eip: number): Block | undefined {
    const c = this.cpu;
    const head = c.fetchInstr();                 // may fault: instrStart is already this instruction
    if (head.page === undefined) return undefined; // ROM/MMIO or page-crossing: the interpreter runs it
    const known = head.headOf;
    if (known !== undefined && known.startEip === eip && known.codeSize32 === c.codeSize32 && known.page.valid) return known;
    const b = this.scan(head, eip);
    head.headOf = b;
    return b;
  }

  /** Decodes the straight-line run from head until an instruction ends the block or the page ends. */
  private scan(head: Instr, eip: number): Block {
    const c = this.cpu;
    const lin = (c.segBase[CS] + eip) | 0;
    const b = new Block(eip, c.codeSize32, head.page!, lin >>> 12);
    const writes: boolean[] = [];
    const savedEip = c.eip;
    let i = head, at = eip;
    try {
      for (;;) {
        const fallThrough = c.codeSize32 ? (at + i.length) | 0 : (at + i.length) & 0xFFFF;
        b.push(i, at, fallThrough); writes.push(mayWriteMemory(i));
        if (b.count >= MAX_BLOCK) break;
        // A direct JMP/CALL continues the block at its target (a trace), when that is on the page.
        let next = fallThrough;
        if (continuesAtTarget(i)) {
          next = c.codeSize32 ? (fallThrough + i.imm) | 0 : (fallThrough + i.imm) & 0xFFFF;
          if (b.starts.includes(next)) break;            // a loop: the block ends, chaining runs it again
        } else if (!keepsBlockOpen(i)) break;
        const offsetInBlock = (next - eip) | 0;
        const pageOffset = (lin & 0xFFF) + offsetInBlock;
        if (pageOffset < 0 || pageOffset + MAX_INSTR_LENGTH > 0x1000) break;
        if (!c.codeSize32 && (next & 0xFFFF) !== next) break;
        c.eip = next;
        let following: Instr;
        try { following = c.fetchInstr(); } catch (e) { if (e instanceof CpuFault) break; throw e; }
        if (following.page !== b.page) break;
        i = following; at = next;
      }
    } finally {
      c.eip = savedEip;
    }
    this.writesMemory.set(b, writes);
    translatorStats.blocksBuilt++;
    return b;
  }

  /** Runs a block that is not compiled yet through its handlers (the same steps the compiled code takes). */
  private runCold(b: Block): number {
    const c = this.cpu, n = b.count, writes = this.writesMemory.get(b)!;
    for (let k = 0; k < n; k++) {
      const i = b.instrs[k];
      c.instrStart = b.starts[k];
      c.eip = b.ends[k];
      i.exec(c, i);
      if (k < n - 1 && writes[k] && (!b.page.valid || c.stopRequested)) return k + 1;
    }
    return n;
  }
}

/** The cached successor of prev that starts at eip, if still valid. */
function chained(prev: Block, eip: number): Block | undefined {
  const b = eip === prev.endEip ? prev.chainFall : prev.chainTakenEip === eip ? prev.chainTaken : undefined;
  return b !== undefined && b.page.valid && b.startEip === eip ? b : undefined;
}
