// A translation block: the straight-line run of decoded instructions from one entry EIP to the first
// control transfer (or instruction the translator does not keep mid-block), all on one code page.
import type { CodePageCache, Instr } from '../instr.js';
import type { Region } from './region.js';

/** A block's compiled form: runs the block and returns how many instructions it retired. A block
 *  that loops on itself retires at most budget instructions and records its finished passes'
 *  instructions in loopState.loopRetired while it runs (the fault path adds them). */
export type BlockFunction = (cpu: unknown, budget: number, loopState: { loopRetired: number }) => number;

export class Block {
  readonly instrs: Instr[] = [];     // the instructions, in order
  readonly starts: number[] = [];    // EIP of each instruction
  readonly ends: number[] = [];      // fall-through EIP of each instruction
  hits = 0;                          // times entered before it was compiled
  run: BlockFunction | undefined = undefined; // compiled form once hot
  chainFall: Block | undefined = undefined;   // the block entered last after this one fell through
  chainTaken: Block | undefined = undefined;  // the block entered last after this one branched
  chainTakenEip = 0;                 // the EIP chainTaken starts at
  breakpointVersion = -1;            // CodeBreakpoints.version when breakpointInside was computed
  breakpointBase = 0;                // …and the CS base it was computed for
  breakpointInside = false;          // an armed code breakpoint is on one of the instructions
  region: Region | undefined = undefined; // the compiled region this block belongs to, once hot enough
  regionTried = false;               // a region was gathered from this block (once)

  constructor(
    readonly startEip: number,       // EIP of the first instruction
    readonly codeSize32: boolean,    // CS.D the instructions were decoded for
    readonly page: CodePageCache,    // the physical code page (valid turns false when written)
    readonly linearPage: number,     // linear page of the first instruction (chaining stays on it)
  ) {}

  lastByte = 0;                       // highest EIP any of its instruction bytes has (the CS limit must cover it)

  count = 0;                         // instructions (fields, not getters: the run loop reads them per block)
  endEip = 0;                        // EIP after the block when its last instruction does not transfer control
  lastChainable = false;             // the last instruction keeps CS and the mode (successors may be chained)

  /** Adds one instruction at eip whose fall-through is end. */
  push(i: Instr, eip: number, end: number): void {
    this.instrs.push(i); this.starts.push(eip); this.ends.push(end);
    this.count = this.instrs.length;
    this.endEip = end;
    this.lastChainable = i.chainable;
    this.lastByte = Math.max(this.lastByte, (end - 1) >>> 0);
  }
}

/** Handlers that may run in the middle of a block: no control transfer, no environment call, no
 *  change to CS, SS, IF, TF, the mode or paging. Everything else ends the block (it runs last). */
const MID_BLOCK_HANDLERS = new Set([
  'add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test', 'inc', 'dec', 'neg', 'not',
  'shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'shld', 'shrd',
  'mul', 'imul1', 'imul2', 'imul3', 'div', 'idiv',
  'mov', 'movzx', 'movsx', 'lea', 'xchg', 'cbw', 'cwd', 'xlat', 'bswap', 'setcc', 'cmovcc', 'xadd', 'cmpxchg',
  'bt', 'bts', 'btr', 'btc', 'bsf', 'bsr', 'nop',
  'push', 'pop', 'pusha', 'popa', 'enter', 'leave',
  'clc', 'stc', 'cmc', 'cld', 'std', 'lahf', 'sahf',
  'aaa', 'aas', 'daa', 'das', 'aam', 'aad', 'salc',
  'movs', 'stos', 'lods', 'cmps', 'scas',
]);

/** True when i may run mid-block; false when it must be the block's last instruction. */
export function keepsBlockOpen(i: Instr): boolean {
  if (i.callout !== undefined || !i.chainable) return false;
  const e = i.entry;
  if (!MID_BLOCK_HANDLERS.has(e.handler) || e.virt !== 'innocuous') return false;
  if (e.family === 'string' && i.rep !== 0) return false;   // REP repeats by moving EIP back
  for (const kind of e.operands) if (kind[0] === 'S' || kind[0] === 'C' || kind[0] === 'D') return false;
  return true;
}

/** True when i is a direct JMP or CALL (relative target): the block may go on at its target (a trace). */
export function continuesAtTarget(i: Instr): boolean {
  const e = i.entry;
  return (e.handler === 'jmp' || e.handler === 'call') && e.operands[0][0] === 'J' && i.callout === undefined && i.chainable;
}

/** True when i may write guest memory (a code page it writes must end the block after it). */
export function mayWriteMemory(i: Instr): boolean {
  const f = i.entry.family;
  return i.isMem || f === 'stack' || f === 'string' || i.entry.handler === 'call' || i.entry.operands.some((k) => k[0] === 'O' || k[0] === 'Y');
}
