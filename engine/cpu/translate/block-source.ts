// JavaScript source of a compiled block. The source holds only numbers (EIPs, counts) and
// identifiers the translator chose (i0, x0, P, H and the table-derived handler bodies); guest
// bytes reach the code only as the Instr objects passed in by index, never as text.
import type { Instr } from '../instr.js';
import { handlerSource } from '../codegen/handler-codegen.js';
import { num, specializeBody } from './specialize.js';
import { deadFlagUpdates, withoutFlagUpdate } from './dead-flags.js';
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

/** Builds the source of a block's function. */
export function blockSource(block: Block): BlockSource {
  const lines: string[] = [];
  const n = block.count;
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
      lines.push(`if (!P.valid || c.stopRequested) { c.eip = ${num(block.starts[k + 1])}; return ${num(k + 1)}; }`);
    }
    if (!last && !keepsBlockOpen(i) && !continuesAtTarget(i)) throw new Error('translator: a block-ending instruction is not last');
  }
  lines.push(`return ${num(n)};`);
  return { body: lines.join('\n'), inlined, deadFlags };
}

/** Source of the factory that binds the closure values: (I, X, P, H) => function block(c). */
export function factorySource(block: Block, body: string): string {
  const binds: string[] = [];
  for (let k = 0; k < block.count; k++) binds.push(`const i${num(k)} = I[${num(k)}], x${num(k)} = X[${num(k)}];`);
  return `${binds.join('\n')}\nreturn function block_${num(block.startEip >>> 0)}(c) {\n${body}\n};`;
}
