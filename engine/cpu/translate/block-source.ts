// JavaScript source of a compiled block. The source holds only numbers (EIPs, counts) and
// identifiers the translator chose (i0, x0, P, H and the table-derived handler bodies); guest
// bytes reach the code only as the Instr objects passed in by index, never as text.
import type { Instr } from '../instr.js';
import { handlerSource } from '../codegen/handler-codegen.js';
import { num, specializeBody } from './specialize.js';
import { deadFlagUpdates, withoutFlagUpdate } from './dead-flags.js';
import { FLAG_IF } from '../registers.js';
import { continuesAtTarget, keepsBlockOpen, mayWriteMemory, type Block } from './block.js';

/** The source and the closure values it refers to (i<k> = instrs[k], x<k> = handler of instrs[k]). */
export interface BlockSource {
  readonly body: string;                 // statements of function (c) { … }, returning the count
  readonly inlined: number;              // instructions emitted as inline code (the rest call handlers)
  readonly deadFlags: number;            // inline instructions whose flag update was dropped as dead
}

/** Inline body of i when the handler generator covers it (and no callout replaced it). */
function inlineBody(i: Instr): string | undefined {
  if (i.callout !== undefined) return undefined;
  const body = handlerSource(i.entry, i.opSize32, i.isMem);
  return body === undefined ? undefined : specializeBody(body, i);
}

/** Builds the source of a block's function. A block whose last instruction jumps back to its own
 *  start (selfLoops) is emitted as a loop: it runs again inside the function while the budget B
 *  allows, no stop, interrupt or code write intervened, counting finished passes in r and T.loopRetired. */
export function blockSource(block: Block): BlockSource {
  const lines: string[] = [];
  const n = block.count;
  const loop = selfLoops(block);
  const done = loop ? 'r + ' : '';        // early exits return the passes already retired plus their own
  if (loop) lines.push('let r = 0;', 'for (;;) {');
  let inlined = 0, deadFlags = 0;
  const bodies = block.instrs.map(inlineBody);
  const dead = deadFlagUpdates(block.instrs, bodies.map((b) => b !== undefined));
  for (let k = 0; k < n; k++) {
    const i = block.instrs[k];
    const last = k === n - 1;
    let body = bodies[k];
    if (body !== undefined && dead[k]) { body = withoutFlagUpdate(body); deadFlags++; }
    const pureRegisterOp = body !== undefined && !mayWriteMemory(i) && i.entry.family !== 'muldiv';
    // Faults restart at instrStart, and the fault path counts the instructions before it from it.
    if (!pureRegisterOp || last) lines.push(`c.instrStart = ${num(block.starts[k])};`);
    // Handlers and control transfers read EIP as the fall-through address.
    if (body === undefined || last || continuesAtTarget(i)) lines.push(`c.eip = ${num(block.ends[k])};`);
    if (body !== undefined) { lines.push(`{ const i = i${num(k)};`, body, '}'); inlined++; }
    else lines.push(`x${num(k)}(c, i${num(k)});`);
    if (!last && mayWriteMemory(i)) {
      // The write may have hit this block's own code page, or a device may have asked to stop.
      lines.push(`if (!P.valid || c.stopRequested) { c.eip = ${num(block.starts[k + 1])}; return ${done}${num(k + 1)}; }`);
    }
    if (!last && !keepsBlockOpen(i) && !continuesAtTarget(i)) throw new Error('translator: a block-ending instruction is not last');
  }
  if (loop) lines.push(...loopTail(block), '}');
  else lines.push(`return ${num(n)};`);
  return { body: lines.join('\n'), inlined, deadFlags };
}

/** True when block's last instruction is a direct JMP or Jcc whose target is the block's first instruction. */
export function selfLoops(block: Block): boolean {
  const n = block.count;
  const i = block.instrs[n - 1];
  const e = i.entry;
  if ((e.handler !== 'jcc' && e.handler !== 'jmp') || e.operands[0][0] !== 'J' || i.callout !== undefined || !i.chainable) return false;
  const end = block.ends[n - 1];
  if (block.codeSize32) return ((end + i.imm) | 0) === (block.startEip | 0);
  return ((end + i.imm) & 0xFFFF) === block.startEip;
}

/** End of one pass of a self-loop: count it, and go round again only when the run loop would have
 *  entered this block next and run it (same EIP, budget, no stop, page valid, no interrupt). */
function loopTail(block: Block): string[] {
  const n = num(block.count), start = num(block.startEip);
  const atStart = block.codeSize32 ? `(c.eip | 0) === ${num(block.startEip | 0)}` : `c.eip === ${start}`;
  return [
    `r += ${n}; T.loopRetired = r;`,
    `if (!(${atStart}) || r + ${n} > B || c.stopRequested || !P.valid) return r;`,
    // As the run loop does between blocks: instrStart names the next instruction (events count from it).
    `c.instrStart = ${start};`,
    `if ((c.flags & ${num(FLAG_IF)}) && !c.interruptShadow && c.env.interruptPending()) return r;`,
  ];
}

/** Source of the factory that binds the closure values: (I, X, P, H) => function block(c). */
export function factorySource(block: Block, body: string): string {
  const binds: string[] = [];
  for (let k = 0; k < block.count; k++) binds.push(`const i${num(k)} = I[${num(k)}], x${num(k)} = X[${num(k)}];`);
  return `${binds.join('\n')}\nreturn function block_${num(block.startEip >>> 0)}(c, B, T) {\n${body}\n};`;
}
