// A decoded instruction: everything the handlers, the disassembler and the hypervisor need, filled
// once by the decoder and cached per physical code address.
import type { IsaEntry } from './isa/index.js';
import type { Cpu } from './cpu.js';
import type { Block } from './translate/block.js';

/** The one handler signature every instruction family implements. */
export type Handler = (cpu: Cpu, i: Instr) => void;

export class Instr {
  entry!: IsaEntry;         // the table row
  exec!: Handler;           // what runs: the specialised handler, or a strategy's callout in its place
  direct!: Handler;         // the instruction's own semantics (equals exec unless a callout replaced it)
  callout: Handler | undefined = undefined; // the TranslationPolicy callout that replaced it, if any
  opcode = 0;               // 0x00–0x1FF
  length = 0;               // bytes, prefixes included
  bytes: number[] = [];     // the raw bytes (for the debugger and exit events)
  codeSize32 = true;        // CS default size the instruction was decoded for
  opSize32 = true;          // effective operand size is 32 bits
  addrSize32 = true;        // effective address size is 32 bits
  segOverride = -1;         // segment-override prefix (ES..GS) or -1
  rep = 0;                  // 0, 0xF3 (REP/REPE) or 0xF2 (REPNE)
  lock = false;             // LOCK prefix present
  hasModrm = false;         // a ModRM byte was decoded
  mod = 0;                  // ModRM.mod
  reg = 0;                  // ModRM.reg (or register in the opcode's low bits)
  rm = 0;                   // ModRM.rm
  isMem = false;            // the r/m operand is memory
  base = -1;                // EA base register or -1
  index = -1;               // EA index register or -1
  scale = 0;                // EA index shift (0–3)
  disp = 0;                 // EA displacement (sign-extended)
  seg = 3;                  // segment of the memory operand (override or default)
  imm = 0;                  // first immediate (sign- or zero-extended as the operand kind says)
  imm2 = 0;                 // second immediate (ENTER level, far-pointer selector)
  chainable = true;         // control may fall through to a cached successor without a new fetch
  next: Instr | undefined = undefined; // cached fall-through successor on the same code page
  taken: Instr | undefined = undefined; // cached branch target on the same linear and physical page
  takenEip = 0;             // the EIP that taken was decoded for
  page: CodePageCache | undefined = undefined; // the cache page holding this instruction
  headOf: Block | undefined = undefined; // the translation block that starts at this instruction
}

/** Decoded instructions of one physical page; valid turns false when the page is written. */
export interface CodePageCache {
  valid: boolean;                          // false once the page's bytes changed
  readonly slots: Array<Instr | undefined>; // by offset in the page
}
