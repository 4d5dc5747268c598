// Interpreter dispatch derived from the table: each row names a handler factory in one of the family
// files; the factory specialises it for operand size and memory/register form, and results are cached.
import type { IsaEntry } from './isa/index.js';
import type { Handler } from './instr.js';
import { fault, Vector } from './fault.js';
import { generatedHandler } from './codegen/handler-codegen.js';
import { ALU_HANDLERS } from './exec/alu.js';
import { DATA_HANDLERS } from './exec/data.js';
import { STACK_HANDLERS } from './exec/stack.js';
import { CONTROL_HANDLERS } from './exec/control.js';
import { SHIFT_HANDLERS } from './exec/shift.js';
import { MULDIV_HANDLERS } from './exec/muldiv.js';
import { BCD_HANDLERS } from './exec/bcd.js';
import { BIT_HANDLERS } from './exec/bit.js';
import { FLAG_HANDLERS } from './exec/flag.js';
import { IO_HANDLERS } from './exec/io.js';
import { STRING_HANDLERS } from './exec/string.js';
import { SYSTEM_HANDLERS } from './exec/system.js';
import { SEGMENT_HANDLERS } from './exec/segment.js';
import { MISC_HANDLERS } from './exec/misc.js';
import { X87_HANDLERS } from './exec/x87.js';

/** Builds the handler for a row, given the effective operand size and whether r/m is memory. */
export type HandlerFactory = (entry: IsaEntry, opSize32: boolean, isMem: boolean) => Handler;

/** Every handler factory by the name the table uses. */
export const HANDLER_FACTORIES: Readonly<Record<string, HandlerFactory>> = {
  ...ALU_HANDLERS, ...DATA_HANDLERS, ...STACK_HANDLERS, ...CONTROL_HANDLERS, ...SHIFT_HANDLERS,
  ...MULDIV_HANDLERS, ...BCD_HANDLERS, ...BIT_HANDLERS, ...FLAG_HANDLERS, ...IO_HANDLERS,
  ...STRING_HANDLERS, ...SYSTEM_HANDLERS, ...SEGMENT_HANDLERS, ...MISC_HANDLERS, ...X87_HANDLERS,
};

const cache = new Map<IsaEntry, Handler[]>();

/** The specialised handler for (row, operand size, form); rows without a factory raise #UD with the reason. */
export function resolveHandler(entry: IsaEntry, opSize32: boolean, isMem: boolean): Handler {
  let variants = cache.get(entry);
  if (!variants) { variants = new Array(4); cache.set(entry, variants); }
  const k = (opSize32 ? 2 : 0) | (isMem ? 1 : 0);
  let h = variants[k];
  if (!h) {
    const factory = HANDLER_FACTORIES[entry.handler];
    h = (useGenerated ? generatedHandler(entry, opSize32, isMem) : undefined)
      ?? (factory ? factory(entry, opSize32, isMem) : undefined)
      ?? (() => fault(Vector.UD, undefined, `${entry.mnemonic} is not implemented by hvdbg yet`));
    variants[k] = h;
  }
  return h;
}

/** False makes every row use the closure factories (the differential test compares both). */
let useGenerated = true;
export function setGeneratedHandlers(enabled: boolean): void {
  useGenerated = enabled;
  cache.clear();
}
