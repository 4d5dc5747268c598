// Miscellaneous: NOP (one- and multi-byte), PAUSE, UD2, WAIT/FWAIT.
import type { HandlerFactory } from '../dispatch.js';
import { fault, Vector } from '../fault.js';
import { CR0_MP, CR0_TS } from '../registers.js';

const nop: HandlerFactory = () => () => {};
const pause: HandlerFactory = () => () => {};
const ud2: HandlerFactory = () => () => fault(Vector.UD, undefined, 'UD2');
/** WAIT raises #NM when CR0.MP and CR0.TS are both set; otherwise it waits for the (idle) FPU. */
const fwait: HandlerFactory = () => (cpu) => {
  if ((cpu.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) fault(Vector.NM, undefined, 'WAIT with CR0.TS and CR0.MP set');
};

export const MISC_HANDLERS: Record<string, HandlerFactory> = { nop, pause, ud2, fwait };
