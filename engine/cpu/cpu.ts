// The virtual CPU: register file, linear-memory access through segmentation and paging, the decoded
// instruction cache, and the fetch–decode–execute loop. Instruction semantics live in exec/.
import type { GuestMemory } from '../memory/guest-memory.js';
import { Access, Mmu, TLB_USER, TLB_VALID, TLB_WRITE } from './mmu.js';
import { decode } from './decoder.js';
import { resolveHandler } from './dispatch.js';
import type { CodePageCache, Instr } from './instr.js';
import type { CpuEnvironment } from './environment.js';
import { CpuFault, fault, Vector } from './fault.js';
import { materializeFlags, LazyOp } from './flags.js';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PGE, CR4_PSE, CS, FLAG_IF, FLAG_VM, SS } from './registers.js';
import { deliverException, deliverInterrupt } from './interrupts.js';
import { noteDataAccess, stepWithDebugChecks, updateDebugState } from './debug-registers.js';
import { Fpu } from './x87/fpu.js';
import { CodeBreakpoints } from './code-breakpoints.js';
import { applyPolicy, type TranslationPolicy } from './translate/policy.js';
import { Translator } from './translate/translator.js';

/** Hidden part of a segment register (the descriptor cache). */
export const SEG_FLAT = 1;       // base 0, limit 4 GiB, no checks needed
export const SEG_EXPAND_DOWN = 2;

export class Cpu {
  // General registers (EAX..EDI), with 16- and 8-bit views of the same storage.
  readonly reg32 = new Int32Array(8);
  readonly reg16 = new Uint16Array(this.reg32.buffer);
  readonly reg8 = new Uint8Array(this.reg32.buffer);
  eip = 0;                                  // instruction pointer (offset in CS)
  instrStart = 0;                           // EIP of the instruction executing now (faults restart here)
  // EFLAGS: materialised bits plus lazily computed arithmetic flags.
  flags = 0x2;                              // EFLAGS bits not pending in lazyMask
  lazyMask = 0;                             // arithmetic flags to derive from the lazy fields
  lazyOp: LazyOp = LazyOp.Logic;            // last flag-setting operation
  lazySize = 4;                             // its operand size in bytes
  lazyDst = 0;                              // its first operand
  lazySrc = 0;                              // its second operand
  lazyRes = 0;                              // its result
  lazyCarryIn = 0;                          // carry-in of ADC/SBB
  // Segment registers: visible selectors and the descriptor cache.
  readonly segSel = new Uint16Array(6);     // selectors
  readonly segBase = new Int32Array(6);     // cached bases
  readonly segLimit = new Uint32Array(6);   // cached limits (byte granular, already scaled)
  readonly segRights = new Uint16Array(6);  // cached access-rights byte and flags (bits 8–15 of descriptor dword 1 >> 8)
  readonly segHints = new Uint8Array(6);    // SEG_FLAT / SEG_EXPAND_DOWN
  codeSize32 = false;                       // CS.D: default operand/address size of code
  stackSize32 = false;                      // SS.B: ESP (true) or SP (false)
  cpl = 0;                                  // current privilege level
  // System registers.
  cr0 = 0x60000010;                         // CD|NW|ET at reset
  cr2 = 0;                                  // last page-fault address
  cr3 = 0;                                  // page-directory base
  cr4 = 0;
  readonly dr = new Int32Array(8);          // DR0–DR7 (DR4/5 alias DR6/7)
  gdtrBase = 0; gdtrLimit = 0xFFFF;         // GDTR
  idtrBase = 0; idtrLimit = 0x3FF;          // IDTR (real-mode IVT at reset)
  ldtrSel = 0; ldtrBase = 0; ldtrLimit = 0; // LDTR and its cache
  trSel = 0; trBase = 0; trLimit = 0; trRights = 0; // TR and its cache
  readonly msr = new Map<number, bigint>(); // model-specific registers that hold plain values
  tsc = 0n;                                 // time-stamp counter offset (TSC = instructions + tsc)
  // Execution state.
  halted = false;                           // HLT executed, waiting for an interrupt
  stopRequested = false;                    // the environment asked the run loop to return
  shutdown = false;                         // triple fault: the CPU is dead until reset
  instructions = 0;                         // retired-instruction count
  interruptShadow = false;                  // STI / MOV SS: no interrupts before the next instruction ends
  paging = false;                           // CR0.PG
  debugActive = false;                      // TF or DR7 armed: run instructions through the debug checks
  watchData = false;                        // DR7 arms a data breakpoint: note data accesses
  alignmentCheck = false;                   // CR0.AM and EFLAGS.AC: misaligned CPL-3 accesses raise #AC
  checkAccesses = false;                    // watchData || alignmentCheck: data accesses take the checked path
  pendingDebugHits = 0;                     // DR0–DR3 data breakpoints hit by the current instruction
  deliveringVector = -1;                    // exception being delivered now (for #DF escalation)
  /** The last exception delivered (for the debugger's stop description). */
  lastException?: { vector: number; errorCode?: number; eip: number; detail: string };
  readonly mmu: Mmu;
  readonly fpu = new Fpu();                 // x87 FPU state (engine/cpu/x87)
  /** The debugger's instruction breakpoints (linear); checked on entering a page that holds one. */
  codeBreakpoints = new CodeBreakpoints();
  /** The debugger's watchpoints: called for every data access while set (set it, then call updateDebugState). */
  dataWatch: ((linear: number, size: number, write: boolean) => void) | undefined = undefined;
  private readonly codeCache = new Map<number, CodePageCache>(); // physical page → decoded instructions
  private readonly cachedPages: number[] = [];
  private policy: TranslationPolicy | undefined = undefined; // the strategy's per-instruction callouts
  /** Run hot code as translated blocks (false: the interpreter runs every instruction). */
  translation = true;
  private readonly translator = new Translator(this);

  /** The strategy's per-instruction callouts (bt); setting it drops every decoded instruction. */
  get translationPolicy(): TranslationPolicy | undefined { return this.policy; }
  set translationPolicy(policy: TranslationPolicy | undefined) {
    this.policy = policy;
    this.flushCodeCache();
  }

  constructor(readonly memory: GuestMemory, public env: CpuEnvironment) {
    this.mmu = new Mmu(memory);
    memory.onCodeWrite = (page) => this.invalidateCodePage(page);
    // Decoded code is keyed by physical address; a new A20 state changes what those addresses hold.
    memory.onA20Change = () => this.flushCodeCache();
    this.resetToRealMode();
  }

  /** Power-on state: real mode at F000:FFF0. */
  resetToRealMode(): void {
    this.reg32.fill(0);
    this.reg32[2] = 0x633; // EDX: family 6 model 3 stepping 3 signature, as a P6 leaves after reset
    for (let s = 0; s < 6; s++) this.loadRealSegment(s, 0);
    this.loadRealSegment(CS, 0xF000);
    this.segBase[CS] = 0xFFFF0000 | 0;
    this.eip = 0xFFF0;
    this.flags = 0x2; this.lazyMask = 0;
    this.cr0 = 0x60000010; this.cr2 = 0; this.cr3 = 0; this.cr4 = 0;
    this.updatePagingMode();
    this.halted = false; this.shutdown = false; this.cpl = 0;
    this.fpu.powerOn();
  }

  /** Loads a segment register the real-mode way (base = selector × 16; cache otherwise kept). */
  loadRealSegment(seg: number, selector: number): void {
    this.segSel[seg] = selector;
    this.segBase[seg] = selector << 4;
    if (this.cr0 & CR0_PE) return;
    this.segLimit[seg] = this.segLimit[seg] || 0xFFFF;
    if (this.segRights[seg] === 0) this.segRights[seg] = seg === CS ? 0x9B : 0x93;
    this.updateSegHints(seg);
  }

  /** Recomputes the fast-path hints and default sizes after a segment cache changes. */
  updateSegHints(seg: number): void {
    const rights = this.segRights[seg];
    const expandDown = (rights & 0x1C) === 0x14; // data segment with E bit
    // Flat = no check can fail: present, writable data, base 0, limit 4 GiB (code segments and
    // read-only data always take the checked path so their rights are enforced).
    const writableData = (rights & 0x9A) === 0x92;
    this.segHints[seg] = (this.segBase[seg] === 0 && this.segLimit[seg] === 0xFFFFFFFF && !expandDown && writableData ? 1 : 0)
      | (expandDown ? 2 : 0);
    if (seg === CS) this.codeSize32 = (rights & 0x4000) !== 0 && !this.v86;
    if (seg === SS) this.stackSize32 = (rights & 0x4000) !== 0 && !this.v86;
  }

  /** CR0.PE toggled: CPL becomes 0 in real mode and the segment hints are recomputed. */
  onModeChange(): void {
    if (!this.protectedMode) this.cpl = 0;
    for (let s = 0; s < 6; s++) this.updateSegHints(s);
  }

  get v86(): boolean { return (this.flags & FLAG_VM) !== 0; }
  get protectedMode(): boolean { return (this.cr0 & CR0_PE) !== 0; }
  get mode(): 'real' | 'protected' | 'v86' { return !this.protectedMode ? 'real' : this.v86 ? 'v86' : 'protected'; }

  /** Full EFLAGS value (materialises lazy flags). */
  getEflags(): number { return materializeFlags(this) >>> 0; }
  /** Replaces EFLAGS wholesale (bit 1 always set). */
  setEflags(value: number): void {
    this.flags = (value & 0x3F7FD5) | 2;
    this.lazyMask = 0;
    updateDebugState(this);
    this.updateSegHints(CS);
    this.updateSegHints(SS);
  }

  /** Applies CR0/CR3/CR4 to the MMU after any of them changes. */
  updatePagingMode(): void {
    this.paging = (this.cr0 & CR0_PG) !== 0 && (this.cr0 & CR0_PE) !== 0;
    this.mmu.cr3 = this.cr3;
    this.mmu.wp = (this.cr0 & CR0_WP) !== 0;
    this.mmu.pse = (this.cr4 & CR4_PSE) !== 0;
    this.mmu.pge = (this.cr4 & CR4_PGE) !== 0;
    this.mmu.direct.flush();
  }

  // ---- linear memory (after segmentation) ----

  /** Linear → physical for a data access (raises #PF). */
  translate(linear: number, access: Access): number {
    if (!this.paging) return linear >>> 0;
    const page = linear >>> 12;
    const f = this.mmu.tlbFlags[page];
    const user = this.cpl === 3;
    if ((f & TLB_VALID) && (access !== Access.Write || (f & TLB_WRITE)) && (!user || (f & TLB_USER))) {
      return (this.mmu.tlbFrame[page] + (linear & 0xFFF)) >>> 0;
    }
    try {
      return this.mmu.walk(linear, access, user);
    } catch (e) {
      if (e instanceof CpuFault && e.vector === Vector.PF) this.cr2 = this.mmu.faultAddress | 0;
      throw e;
    }
  }

  readLin8(lin: number): number { return this.memory.read8(this.translate(lin, Access.Read)); }
  readLin16(lin: number): number {
    if ((lin & 0xFFF) === 0xFFF) return this.readLin8(lin) | (this.readLin8(lin + 1) << 8);
    return this.memory.read16(this.translate(lin, Access.Read));
  }
  readLin32(lin: number): number {
    if ((lin & 0xFFF) > 0xFFC) return this.readLin16(lin) | (this.readLin16(lin + 2) << 16);
    return this.memory.read32(this.translate(lin, Access.Read));
  }
  writeLin8(lin: number, v: number): void { this.memory.write8(this.translate(lin, Access.Write), v); }
  writeLin16(lin: number, v: number): void {
    if ((lin & 0xFFF) === 0xFFF) { this.checkWritable(lin + 1); this.writeLin8(lin, v); this.writeLin8(lin + 1, v >> 8); return; }
    this.memory.write16(this.translate(lin, Access.Write), v);
  }
  writeLin32(lin: number, v: number): void {
    if ((lin & 0xFFF) > 0xFFC) { this.checkWritable(lin + 3); this.writeLin16(lin, v); this.writeLin16(lin + 2, v >> 16); return; }
    this.memory.write32(this.translate(lin, Access.Write), v);
  }
  /**
   * After a checked data access at lin succeeded: lets the translator's fast path reach its page
   * directly in RAM from now on (until the TLB entry goes, the CPL class changes or A20 toggles).
   */
  learnDirect(lin: number, write: boolean): void {
    const phys = this.paging ? this.translate(lin, write ? Access.Write : Access.Read) : lin >>> 0;
    const base = this.memory.directPageBase(phys, write);
    if (base < 0) return;
    const direct = this.mmu.direct;
    direct.matchPrivilege(this.cpl === 3);
    direct.fill(lin, base, write);
  }

  /** Page-crossing writes fault before any byte is written. */
  private checkWritable(lin: number): void { this.translate(lin, Access.Write); }

  // ---- segmented memory ----

  /** Segment + offset → linear, with the limit and rights checks of the descriptor cache. */
  linear(seg: number, offset: number, size: number, write: boolean): number {
    if (this.segHints[seg] & 1 && !this.checkAccesses) return offset;
    const lin = (this.segHints[seg] & 1) ? offset : this.checkedLinear(seg, offset, size, write);
    if (this.checkAccesses) {
      if (this.alignmentCheck && this.cpl === 3 && (lin & (size - 1)) !== 0) {
        fault(Vector.AC, 0, `misaligned ${size}-byte access at 0x${(lin >>> 0).toString(16)} with CR0.AM and EFLAGS.AC set`);
      }
      if (this.watchData) noteDataAccess(this, lin, size, write);
      if (this.dataWatch !== undefined) this.dataWatch(lin, size, write);
    }
    return lin;
  }

  private checkedLinear(seg: number, offset: number, size: number, write: boolean): number {
    const off = offset >>> 0;
    const limit = this.segLimit[seg];
    const rights = this.segRights[seg];
    const vector = seg === SS ? Vector.SS : Vector.GP;
    if (this.protectedMode && !this.v86) {
      if (!(rights & 0x80)) fault(vector, 0, `${segName(seg)} segment not loaded (null selector)`);
      if (write && (rights & 0x0A) !== 0x02) fault(vector, 0, `write to a read-only ${segName(seg)} segment`);
      if (!write && (rights & 0x0A) === 0x08) fault(vector, 0, `read of an execute-only ${segName(seg)} segment`);
    }
    if (this.segHints[seg] & 2) {
      const upper = (rights & 0x4000) ? 0xFFFFFFFF : 0xFFFF;
      if (off <= limit || off + size - 1 > upper) fault(vector, 0, `offset 0x${off.toString(16)} outside expand-down ${segName(seg)} segment`);
    } else if (off + size - 1 > limit) {
      fault(vector, 0, `offset 0x${off.toString(16)} beyond ${segName(seg)} limit 0x${limit.toString(16)}`);
    }
    return (this.segBase[seg] + off) | 0;
  }

  read8(seg: number, off: number): number { return this.readLin8(this.linear(seg, off, 1, false)); }
  read16(seg: number, off: number): number { return this.readLin16(this.linear(seg, off, 2, false)); }
  read32(seg: number, off: number): number { return this.readLin32(this.linear(seg, off, 4, false)); }
  write8(seg: number, off: number, v: number): void { this.writeLin8(this.linear(seg, off, 1, true), v); }
  write16(seg: number, off: number, v: number): void { this.writeLin16(this.linear(seg, off, 2, true), v); }
  write32(seg: number, off: number, v: number): void { this.writeLin32(this.linear(seg, off, 4, true), v); }

  /** Effective address (offset in the operand's segment) of a memory operand. */
  ea(i: Instr): number {
    let a = i.disp;
    if (i.base >= 0) a += this.reg32[i.base];
    if (i.index >= 0) a += this.reg32[i.index] << i.scale;
    return i.addrSize32 ? a | 0 : a & 0xFFFF;
  }

  // ---- stack ----

  push16(v: number): void {
    const sp = this.stackSize32 ? (this.reg32[4] - 2) | 0 : (this.reg32[4] - 2) & 0xFFFF;
    this.write16(SS, sp, v);
    if (this.stackSize32) this.reg32[4] = sp; else this.reg16[8] = sp;
  }
  push32(v: number): void {
    const sp = this.stackSize32 ? (this.reg32[4] - 4) | 0 : (this.reg32[4] - 4) & 0xFFFF;
    this.write32(SS, sp, v);
    if (this.stackSize32) this.reg32[4] = sp; else this.reg16[8] = sp;
  }
  pop16(): number {
    const sp = this.stackSize32 ? this.reg32[4] : this.reg32[4] & 0xFFFF;
    const v = this.read16(SS, sp);
    if (this.stackSize32) this.reg32[4] = sp + 2; else this.reg16[8] = sp + 2;
    return v;
  }
  pop32(): number {
    const sp = this.stackSize32 ? this.reg32[4] : this.reg32[4] & 0xFFFF;
    const v = this.read32(SS, sp);
    if (this.stackSize32) this.reg32[4] = sp + 4; else this.reg16[8] = sp + 4;
    return v;
  }

  // ---- fetch, decode cache ----

  /** Decodes (or finds cached) the instruction at CS:EIP. */
  fetchInstr(): Instr {
    const lin = (this.segBase[CS] + this.eip) | 0;
    const phys = this.paging ? this.translateFetch(lin) : lin >>> 0;
    const page = this.codeCache.get(phys >>> 12);
    if (page !== undefined) {
      const c = page.slots[phys & 0xFFF];
      if (c !== undefined && c.codeSize32 === this.codeSize32) {
        if ((this.eip >>> 0) + c.length - 1 > this.segLimit[CS]) this.fetchBeyondLimit();
        return c;
      }
    }
    const i = decode((off) => this.fetchByte(off), this.codeSize32, resolveHandler);
    applyPolicy(this.policy, i, lin);
    if ((phys & 0xFFF) + i.length <= 0x1000 && this.memory.pageKind[phys >>> 12] === 0) this.cacheInstr(phys, i);
    return i;
  }

  private fetchBeyondLimit(): never {
    return fault(Vector.GP, 0, `instruction fetch beyond CS limit 0x${this.segLimit[CS].toString(16)}`);
  }

  private fetchByte(off: number): number {
    const eip = this.codeSize32 ? (this.eip + off) >>> 0 : (this.eip + off) & 0xFFFF;
    if (eip > this.segLimit[CS]) this.fetchBeyondLimit();
    const lin = (this.segBase[CS] + eip) | 0;
    return this.memory.read8(this.paging ? this.translateFetch(lin) : lin >>> 0);
  }

  private translateFetch(lin: number): number {
    const page = lin >>> 12;
    const f = this.mmu.tlbFlags[page];
    if ((f & TLB_VALID) && (this.cpl !== 3 || (f & TLB_USER))) return (this.mmu.tlbFrame[page] + (lin & 0xFFF)) >>> 0;
    try {
      return this.mmu.walk(lin, Access.Fetch, this.cpl === 3);
    } catch (e) {
      if (e instanceof CpuFault && e.vector === Vector.PF) this.cr2 = this.mmu.faultAddress | 0;
      throw e;
    }
  }

  private cacheInstr(phys: number, i: Instr): void {
    const pageNo = phys >>> 12;
    let page = this.codeCache.get(pageNo);
    if (page === undefined) {
      page = { valid: true, slots: new Array(4096) };
      this.codeCache.set(pageNo, page);
      this.cachedPages.push(pageNo);
      this.memory.codePage[pageNo] = 1;
    }
    page.slots[phys & 0xFFF] = i;
    i.page = page;
  }

  /** Drops decoded instructions of a physical page (its bytes were written). */
  invalidateCodePage(pageNo: number): void {
    const page = this.codeCache.get(pageNo);
    if (page) page.valid = false;
    this.codeCache.delete(pageNo);
    this.memory.codePage[pageNo] = 0;
  }

  /** Drops every decoded instruction (e.g. after the debugger rewrites memory wholesale). */
  flushCodeCache(): void {
    for (const p of this.cachedPages) this.invalidateCodePage(p);
    this.cachedPages.length = 0;
    this.mmu.direct.flush();   // A20 toggles land here too: the direct map's physical offsets change
  }

  // ---- execution ----

  /**
   * Runs until maxInstructions retire, the CPU halts or shuts down, or the environment sets
   * stopRequested. Returns the number of instructions retired.
   */
  run(maxInstructions: number): number {
    const start = this.instructions;
    const end = start + maxInstructions;
    this.stopRequested = false;
    while (this.instructions < end && !this.stopRequested && !this.shutdown) {
      if (this.halted) {
        if (!this.checkInterrupts()) break;
        continue;
      }
      try {
        if (this.translation && !this.debugActive) this.translator.run(end);
        else this.runInner(end);
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        this.eip = this.instrStart;
        deliverException(this, e);
      }
    }
    return this.instructions - start;
  }

  private runInner(end: number): void {
    let i: Instr | undefined;          // the instruction to run next, when already known
    let linkFrom: Instr | undefined;   // predecessor whose cached successor is being fetched now
    let linkTaken = false;             // …as its branch target (true) or its fall-through (false)
    let bpPage = false;                // the current instruction's linear page holds a debugger breakpoint
    // CS's limit and default size, read again at every fetch: only an instruction that is not
    // chainable (far transfer, task switch, mode change…) can change them, and a fetch follows it.
    let csLimit = this.segLimit[CS], code32 = this.codeSize32;
    while (this.instructions < end && !this.stopRequested) {
      if ((this.flags & FLAG_IF) && !this.interruptShadow && this.env.interruptPending()) {
        if (this.checkInterrupts()) { i = linkFrom = undefined; continue; }
      }
      if (this.interruptShadow) this.interruptShadow = false;
      const start = this.eip;
      this.instrStart = start;
      // Debugger breakpoints: looked up only when the fetch enters a linear page that holds one;
      // successors chained on the same page keep that page's answer (bpPage).
      if (i === undefined) bpPage = this.codeBreakpoints.armed && this.codeBreakpoints.pageHas((this.segBase[CS] + start) >>> 12);
      if (bpPage && this.codeBreakpoints.shouldStop(this.segBase[CS] + start)) { this.stopRequested = true; return; }
      if (this.debugActive) {
        stepWithDebugChecks(this, () => this.executeOne());
        i = linkFrom = undefined;
        if (this.halted) return;
        continue;
      }
      if (i === undefined) {
        // Fetch faults belong to this instruction: instrStart is already set.
        i = this.fetchInstr();
        csLimit = this.segLimit[CS]; code32 = this.codeSize32;
        if (linkFrom !== undefined && i.page === linkFrom.page) {
          if (linkTaken) { linkFrom.taken = i; linkFrom.takenEip = start; } else linkFrom.next = i;
        }
        linkFrom = undefined;
      }
      const fallThrough = code32 ? (start + i.length) | 0 : (start + i.length) & 0xFFFF;
      this.eip = fallThrough;
      i.exec(this, i);
      this.instructions++;
      if (this.halted) return;
      // Reuse the cached successor (fall-through or branch target on the same page) while the page
      // is unchanged: no new fetch. A branch target counts only on the same linear page, so the
      // translation that fetched this instruction also covers it.
      if (i.chainable && i.page !== undefined && i.page.valid) {
        const eip = this.eip;
        if (eip === fallThrough) {
          const next = i.next;
          if (next !== undefined && (eip >>> 0) + next.length - 1 <= csLimit) { i = next; continue; }
          linkFrom = i; linkTaken = false;
        } else {
          const base = this.segBase[CS];
          if (((((base + start) ^ (base + eip)) >>> 12)) === 0) {
            const taken = i.taken;
            if (taken !== undefined && i.takenEip === eip && (eip >>> 0) + taken.length - 1 <= csLimit) { i = taken; continue; }
            linkFrom = i; linkTaken = true;
          }
        }
      }
      i = undefined;
    }
  }

  /**
   * Retired instructions as of the instruction running now: `instructions` plus, inside a translated
   * block, the block's instructions before it (what VM events report).
   */
  get instructionsNow(): number { return this.instructions + this.translator.retiredInCurrentBlock(); }

  /**
   * Makes V8 hold the instruction count as a double from now on. The translator calls it before it
   * compiles its first region: the count passes 2^31 within seconds at its speed, and that change of
   * the field's representation would otherwise deoptimise every compiled region at once. (The
   * interpreter alone keeps the small-integer field, which it increments faster.)
   */
  widenInstructionCount(): void {
    const n = this.instructions;
    this.instructions = n + 0.5;
    this.instructions = n;
  }

  /** Runs exactly one instruction in the interpreter (the translator's fallback); faults propagate. */
  interpretOne(): void { this.runInner(this.instructions + 1); }

  /** Fetches and executes the instruction at CS:EIP (the path used while debug checks are active). */
  private executeOne(): void {
    const i = this.fetchInstr();
    this.eip = this.codeSize32 ? (this.instrStart + i.length) | 0 : (this.instrStart + i.length) & 0xFFFF;
    i.exec(this, i);
    this.instructions++;
  }

  /** Executes exactly one instruction (or delivers one fault); for single-stepping. */
  step(): void { this.run(1); }

  /** Delivers a pending maskable interrupt when IF allows; returns true if one was taken. */
  checkInterrupts(): boolean {
    if (!(this.flags & FLAG_IF) || this.interruptShadow || !this.env.interruptPending()) return false;
    const vector = this.env.acknowledgeInterrupt();
    if (vector < 0) return false;
    this.halted = false;
    this.env.externalInterrupt(vector);
    try {
      deliverInterrupt(this, vector, false, undefined);
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      deliverException(this, e);
    }
    return true;
  }
}

function segName(seg: number): string { return ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'][seg]; }
