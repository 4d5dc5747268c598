// x87 family: the handler factories named by the x87 rows (engine/cpu/isa/x87-table.ts) and FWAIT.
// The semantics live in engine/cpu/x87/: state, number formats, arithmetic, and one file per group.
import type { HandlerFactory } from '../dispatch.js';
import { fwaitHandler } from '../x87/escape.js';
import { X87_CONTROL_HANDLERS } from '../x87/handlers-control.js';
import { X87_DATA_HANDLERS } from '../x87/handlers-data.js';
import { X87_MATH_HANDLERS } from '../x87/handlers-math.js';
import { X87_SPECIAL_HANDLERS } from '../x87/handlers-special.js';

export const X87_HANDLERS: Record<string, HandlerFactory> = {
  ...X87_DATA_HANDLERS, ...X87_MATH_HANDLERS, ...X87_SPECIAL_HANDLERS, ...X87_CONTROL_HANDLERS,
  fwait: () => fwaitHandler,
};
