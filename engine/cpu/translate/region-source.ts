// JavaScript source of a compiled region: a loop over a switch on the block index, guest registers
// (r0–r7) and lazy flags (fl, lo, lz, ld, ls, lr, lm, lc) in locals, written back on every way out.
// Like block-source.ts it holds only numbers and identifiers the translator chose, never guest bytes.
import type { Instr } from '../instr.js';
import { handlerSource } from '../codegen/handler-codegen.js';
import { num, specializeBody } from './specialize.js';
import { keepsBlockOpen, mayWriteMemory, type Block } from './block.js';
import { deadFlagUpdates, withoutFlagUpdate } from './dead-flags.js';
import { branchTarget, isDirectBranch, type Region } from './region.js';
import { conditionSource, pushSource, reg, rewriteForRegion } from './region-rewrite.js';
import { FLAG_IF } from '../registers.js';

/** The region's source and what its entry checks must guarantee. */
export interface RegionSource {
  readonly body: string;             // statements of function (c, B, T), returning the count
  readonly segments: number;         // segments assumed flat
  readonly stack: boolean;           // SS assumed flat and 32-bit
  readonly instrs: Instr[];          // i<k> (handler calls) in order
  readonly inlined: number;          // instructions emitted inline
}

const REGS = [0, 1, 2, 3, 4, 5, 6, 7];
const FLAG_LOCALS: Array<[string, string]> = [['fl', 'flags'], ['lo', 'lazyOp'], ['lz', 'lazySize'], ['ld', 'lazyDst'],
  ['ls', 'lazySrc'], ['lr', 'lazyRes'], ['lm', 'lazyMask'], ['lc', 'lazyCarryIn']];
/** Statements storing the locals into the CPU, and loading them back. */
const SYNC_OUT = [...REGS.map((r) => `R[${r}] = ${reg(r)};`), ...FLAG_LOCALS.map(([l, f]) => `c.${f} = ${l};`)].join(' ');
const SYNC_IN = [...REGS.map((r) => `${reg(r)} = R[${r}];`), ...FLAG_LOCALS.map(([l, f]) => `${l} = c.${f};`)].join(' ');
const DECLARE = [`let ${REGS.map((r) => `${reg(r)} = R[${r}]`).join(', ')};`,
  `let ${FLAG_LOCALS.map(([l, f]) => `${l} = c.${f}`).join(', ')};`].join('\n');

class RegionEmitter {
  readonly lines: string[] = [];
  readonly calls: Instr[] = [];
  segments = 0;
  stack = false;
  inlined = 0;

  private current = -1;           // index of the block being emitted
  private following = -1;         // index of the block emitted after it (reached by falling through)
  private selfLoop = false;       // the block being emitted branches to itself (its case is a loop)

  constructor(private readonly region: Region) {}

  /**
   * Continue at eip: the block's own loop, the next case by falling through (only as the case's
   * last statement), another block of the region through the switch, or leave with pc = eip.
   */
  private goto(eip: number, last = true): string {
    const k = this.region.indexOf(eip);
    if (k < 0) return `pc = ${num(eip)}; break loop;`;
    if (k === this.current && this.selfLoop) return 'continue;';
    if (last && k === this.following && !this.selfLoop) return `bi = ${num(k)};`;
    return `bi = ${num(k)}; continue loop;`;
  }

  /** True when b has a direct branch back to its own start (its case body becomes a loop). */
  private branchesToItself(b: Block): boolean {
    const i = b.instrs[b.count - 1];
    return isDirectBranch(i) && (branchTarget(i, b.ends[b.count - 1]) | 0) === (b.startEip | 0);
  }

  /** Leave for a target outside the region: its CS-limit check belongs to the branch (as jumpNear does). */
  private limitCheck(eip: number, start: number): string {
    if (this.region.indexOf(eip) >= 0) return '';
    return `if (${num(eip >>> 0)} > c.segLimit[1]) { c.instrStart = ${num(start)}; H.fault(13, 0, 'jump target beyond CS limit'); }`;
  }

  /** A handler call for i with every local written back before and loaded after. */
  private call(i: Instr, k: number, start: number, end: number): string {
    const g = this.calls.push(i) - 1;
    return `c.instrStart = ${num(start)}; c.eip = ${num(end)}; T.loopRetired = nr; T.current = BL[${num(k)}];\n${SYNC_OUT}\nx${num(g)}(c, i${num(g)});\n${SYNC_IN}`;
  }

  /** The region form of i's template (without its flag update when deadFlags), or undefined (a handler call then). */
  private inline(i: Instr, start: number, exitAfter: string, deadFlags = false): string | undefined {
    if (i.callout === undefined && i.entry.handler === 'nop') { this.inlined++; return ''; }
    const specialized = specializedTemplate(i);
    if (specialized === undefined) return undefined;
    const body = rewriteForRegion(deadFlags ? withoutFlagUpdate(specialized) : specialized, i, { start, exitAfter });
    if (body === undefined) return undefined;
    this.segments |= body.segments;
    if (body.stack) this.stack = true;
    this.inlined++;
    const faults = /H\.fault/.test(body.source) ? `c.instrStart = ${num(start)};\n` : '';
    return `${faults}{\n${body.source}\n}`;
  }

  /** A push of value the region does inline (CALL's return address). */
  private push(value: number, start: number, exitAfter: string): string {
    this.segments |= 1 << 2; this.stack = true;
    return pushSource(num(value), `${num(start)}, nr, bi`, exitAfter);
  }

  /** Per instruction of b: true when its flag update is dead (dead-flags.ts, over what inlines). */
  private deadFlags(b: Block): boolean[] {
    const inline = b.instrs.map((i, j) => (isDirectBranch(i) && j < b.count - 1) || (i.entry.handler === 'nop' && i.callout === undefined) || inlines(i));
    return deadFlagUpdates(b.instrs, inline);
  }

  emitBlock(b: Block, k: number, following: number): void {
    const n = b.count, out = this.lines;
    const dead = this.deadFlags(b);
    this.current = k; this.following = following; this.selfLoop = this.branchesToItself(b);
    out.push(`case ${num(k)}: ${this.selfLoop ? 'for (;;) ' : ''}{`);
    out.push(`if (nr + ${num(n)} > B) { pc = ${num(b.startEip)}; break loop; }`);
    // Between blocks, as the run loop does: a pending interrupt is taken before the block.
    out.push(`if (IFI && nr !== 0) { c.instrStart = ${num(b.startEip)}; T.loopRetired = nr; T.current = BL[${num(k)}]; if (c.env.interruptPending()) { pc = ${num(b.startEip)}; break loop; } }`);
    for (let j = 0; j < n; j++) {
      const i = b.instrs[j], start = b.starts[j], end = b.ends[j];
      if (j === n - 1) { this.emitLast(b, k, i, start, end); break; }
      const next = b.starts[j + 1];
      const exitAfter = `nr += ${num(j + 1)}; pc = ${num(next)}; break loop;`;
      if (isDirectBranch(i)) {                       // a trace through JMP/CALL: the block goes on at the target
        if (i.entry.handler === 'call') out.push(this.push(end, start, exitAfter));
        continue;
      }
      const body = this.inline(i, start, exitAfter, dead[j]);
      if (body !== undefined) { out.push(body); continue; }
      out.push(this.call(i, k, start, end));
      if (mayWriteMemory(i)) out.push(`if (!P.valid || c.stopRequested) { ${exitAfter} }`);
    }
    out.push('}');
  }

  private emitLast(b: Block, k: number, i: Instr, start: number, end: number): void {
    const out = this.lines, count = num(b.count), h = i.entry.handler;
    if (isDirectBranch(i)) {
      const target = branchTarget(i, end);
      if (h === 'jcc') {
        const cond = conditionSource(i.entry.opcode & 0xF);
        const region = this.region;
        if (!this.selfLoop && region.indexOf(target) === this.following && region.indexOf(end) !== this.following) {
          out.push(`if (!${cond}) { nr += ${count}; ${this.goto(end, false)} }`, `nr += ${count}; ${this.goto(target)}`);
        } else {
          out.push(`if (${cond}) { ${this.limitCheck(target, start)} nr += ${count}; ${this.goto(target, false)} }`, `nr += ${count}; ${this.goto(end)}`);
        }
        return;
      }
      out.push(this.limitCheck(target, start));
      if (h === 'call') out.push(this.push(end, start, `nr += ${count}; pc = ${num(target)}; break loop;`));
      out.push(`nr += ${count}; ${this.goto(target)}`);
      return;
    }
    const plain = keepsBlockOpen(i);                 // no control transfer: the block was cut by its length
    const exitAfter = `nr += ${count}; pc = ${num(end)}; break loop;`;
    const body = h === 'ret' || plain ? this.inline(i, start, exitAfter) : undefined;
    if (body !== undefined && h === 'ret') {
      out.push(body, `nr += ${count};`,
        `{ const o = (pc - EB) >>> 0; if (o < 4096 && (bi = IX[o]) >= 0) continue loop; break loop; }`);
      return;
    }
    if (body !== undefined) { out.push(body, `nr += ${count}; ${this.goto(end)}`); return; }
    out.push(this.call(i, k, start, end), `nr += ${count};`);
    if (plain) out.push(mayWriteMemory(i) ? `if (!P.valid || c.stopRequested) { pc = ${num(end)}; break loop; }` : '', this.goto(end));
    else if (staysInRegion(i)) {
      // An indirect jump or call, LOOP, JECXZ, a REP string slice…: on at its EIP when a block of the
      // region starts there (a write to this code or a stop request still leaves).
      out.push('pc = c.eip;', mayWriteMemory(i) ? 'if (!P.valid || c.stopRequested) break loop;' : '',
        `{ const o = (pc - EB) >>> 0; if (o < 4096 && (bi = IX[o]) >= 0) continue loop; break loop; }`);
    } else out.push('pc = c.eip; break loop;');    // anything else returns to the run loop after it
  }
}

/** True when the region may go on after i's handler at whatever EIP it leaves: the instruction keeps
 *  CS, the mode, IF and TF and calls nothing outside the CPU (innocuous in the table, no segment,
 *  control or debug register operand, no callout). */
function staysInRegion(i: Instr): boolean {
  if (i.callout !== undefined || !i.chainable || i.entry.virt !== 'innocuous') return false;
  return i.entry.operands.every((kind) => kind[0] !== 'S' && kind[0] !== 'C' && kind[0] !== 'D');
}

/** Whether each decoded instruction's template rewrites for a region (asked again on every rebuild). */
const inlineCache = new WeakMap<Instr, boolean>();

/** True when i's template rewrites for a region (no callout replaced it, nothing the locals do not model). */
function inlines(i: Instr): boolean {
  let known = inlineCache.get(i);
  if (known === undefined) {
    const specialized = specializedTemplate(i);
    known = specialized !== undefined && rewriteForRegion(specialized, i, { start: 0, exitAfter: '' }) !== undefined;
    inlineCache.set(i, known);
  }
  return known;
}

/** i's handler template with its operands filled in, or undefined (a callout replaced it, or no template). */
function specializedTemplate(i: Instr): string | undefined {
  const template = i.callout === undefined ? handlerSource(i.entry, i.opSize32, i.isMem) : undefined;
  return template === undefined ? undefined : specializeBody(template, i);
}

/** Builds the body of region's function (c = cpu, B = budget, T = translator). */
export function regionSource(region: Region): RegionSource {
  const e = new RegionEmitter(region);
  // Cases in EIP order, so a fall-through usually reaches the next case without the switch.
  const order = region.blocks.map((_b, k) => k).sort((x, y) => (region.blocks[x].startEip >>> 0) - (region.blocks[y].startEip >>> 0));
  order.forEach((k, at) => e.emitBlock(region.blocks[k], k, at + 1 < order.length ? order[at + 1] : -1));
  const body = [
    'const R = c.reg32;',
    'const m8 = M8, m16 = M16, m32 = M32, cp = CP, rm = RM, wm = WM;',
    DECLARE,
    `const IFI = (fl & ${num(FLAG_IF)}) !== 0;`,
    'let nr = 0, pc = 0, tp = 0;',
    `let bi = IX[(c.eip - EB) & 0xFFF];`,
    'try {',
    'loop: for (;;) {',
    'switch (bi) {',
    ...e.lines,
    'default: pc = c.eip; break loop;',
    '}',
    '}',
    '} catch (err) {',
    `T.loopRetired = nr; T.current = BL[bi];`,
    SYNC_OUT,
    'throw err;',
    '}',
    SYNC_OUT,
    'c.eip = pc;',
    'return nr;',
  ].join('\n');
  return { body, segments: e.segments, stack: e.stack, instrs: e.calls, inlined: e.inlined };
}

/** Source of the factory binding the closure values: the direct-access helpers over the CPU's RAM,
 *  the handler-called Instrs (i<k>) and their handlers (x<k>). */
export function regionFactorySource(region: Region, source: RegionSource): string {
  const binds = source.instrs.map((_i, k) => `const i${num(k)} = I[${num(k)}], x${num(k)} = X[${num(k)}];`);
  return [
    ...binds,
    `const EB = ${num(region.eipBase)};`,
    'const MEM = CPU.memory, M8 = MEM.ram, M16 = MEM.ram16, M32 = MEM.ram32, CP = MEM.codePage;',
    'const RM = CPU.mmu.direct.read, WM = CPU.mmu.direct.write;',
    // Slow paths (the inline fast path missed): the checked access, which may fault or reach a
    // device, then the page is learned for the fast path.
    'function SR(a, size, s, n, k) { CPU.instrStart = s; T0.loopRetired = n; T0.current = BL[k];',
    '  const v = size === 1 ? CPU.readLin8(a) : size === 2 ? CPU.readLin16(a) : CPU.readLin32(a);',
    '  CPU.learnDirect(a, false); return v; }',
    'function SW(a, size, v, s, n, k) { CPU.instrStart = s; T0.loopRetired = n; T0.current = BL[k];',
    '  if (size === 1) CPU.writeLin8(a, v); else if (size === 2) CPU.writeLin16(a, v); else CPU.writeLin32(a, v);',
    '  CPU.learnDirect(a, true); return true; }',
    `return function region_${num(region.blocks[0].startEip >>> 0)}(c, B, T) {`,
    source.body,
    '};',
  ].join('\n');
}
