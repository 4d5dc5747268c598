// Miscellaneous: NOP (one- and multi-byte), PAUSE, UD2 (WAIT/FWAIT lives with the x87 family).
import type { HandlerFactory } from '../dispatch.js';
import { fault, Vector } from '../fault.js';

const nop: HandlerFactory = () => () => {};
const pause: HandlerFactory = () => (cpu, i) => cpu.env.pause(i);
const ud2: HandlerFactory = () => () => fault(Vector.UD, undefined, 'UD2');
export const MISC_HANDLERS: Record<string, HandlerFactory> = { nop, pause, ud2 };
