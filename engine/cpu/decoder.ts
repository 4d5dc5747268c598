// Table-driven decoder: prefixes, opcode maps, ModRM/SIB, displacement and immediates, all chosen by
// the operand kinds of the ISA table row. Code bytes come through a fetch callback (CS + paging).
import { OPCODE_SLOTS, LOCKABLE, type IsaEntry } from './isa/index.js';
import { Instr, type Handler } from './instr.js';
import { fault, Vector } from './fault.js';
import { EBP, ESP, DS, SS } from './registers.js';

/** Reads the code byte at offset from the instruction start (may raise #PF/#GP). */
export type FetchByte = (offset: number) => number;
/** Chooses the handler for a row given operand size and memory/register form. */
export type HandlerResolver = (entry: IsaEntry, opSize32: boolean, isMem: boolean) => Handler;

const MAX_LENGTH = 15;

/** Handlers after which the next instruction must be fetched afresh (they may change CS or the mode). */
const BREAKS_CHAIN = new Set(['callf', 'jmpf', 'retf', 'iret', 'int', 'int3', 'into', 'int1', 'popf', 'movsr', 'lseg']);

/** 16-bit addressing: base/index registers for ModRM.rm 0–7 (EBX=3, EBP=5, ESI=6, EDI=7). */
const EA16_BASE = [3, 3, 5, 5, 6, 7, 5, 3];
const EA16_INDEX = [6, 7, 6, 7, -1, -1, -1, -1];

export function decode(fetch: FetchByte, codeSize32: boolean, resolve: HandlerResolver): Instr {
  const i = new Instr();
  let pos = 0;
  const next = (): number => {
    if (pos >= MAX_LENGTH) fault(Vector.GP, 0, 'instruction longer than 15 bytes');
    const b = fetch(pos++);
    i.bytes.push(b);
    return b;
  };
  let opSize32 = codeSize32, addrSize32 = codeSize32;
  let b: number;
  // Prefixes.
  for (;;) {
    b = next();
    if (b === 0x66) opSize32 = !codeSize32;
    else if (b === 0x67) addrSize32 = !codeSize32;
    else if (b === 0x26 || b === 0x2E || b === 0x36 || b === 0x3E) i.segOverride = (b >> 3) & 3;
    else if (b === 0x64 || b === 0x65) i.segOverride = b - 0x60;
    else if (b === 0xF0) i.lock = true;
    else if (b === 0xF2 || b === 0xF3) i.rep = b;
    else break;
  }
  let opcode = b;
  if (b === 0x0F) opcode = 0x100 | next();
  i.opcode = opcode;
  i.codeSize32 = codeSize32;
  i.opSize32 = opSize32;
  i.addrSize32 = addrSize32;
  const slot = OPCODE_SLOTS[opcode];
  if (!slot) fault(Vector.UD, undefined, `undefined opcode ${opcodeText(opcode)}`);
  let entry: IsaEntry | undefined;
  if (slot.hasModrm) {
    const modrm = next();
    i.hasModrm = true;
    i.mod = modrm >> 6; i.reg = (modrm >> 3) & 7; i.rm = modrm & 7;
    i.isMem = i.mod !== 3;
    entry = i.isMem ? slot.mem[i.reg] : (slot.regRm?.[i.reg * 8 + i.rm] ?? slot.reg[i.reg]);
    if (!entry) fault(Vector.UD, undefined, `undefined opcode ${opcodeText(opcode)} /${i.reg}${i.isMem ? '' : ' (register form)'}`);
    // MOV to/from CR/DR ignore mod and always use the register form.
    if (entry.operands.some((o) => o[0] === 'R')) i.isMem = false;
    else if (i.isMem) decodeEa(i, next, addrSize32);
  } else {
    entry = (i.rep === 0xF3 && slot.f3) ? slot.f3 : slot.mem[0];
    if (!entry) fault(Vector.UD, undefined, `undefined opcode ${opcodeText(opcode)}`);
    i.reg = opcode & 7;
  }
  if (i.segOverride >= 0) i.seg = i.segOverride;
  if (i.lock && (!LOCKABLE.has(entry.mnemonic) || !i.isMem || !/^[EM]/.test(entry.operands[0]))) {
    fault(Vector.UD, undefined, `LOCK prefix not allowed on ${entry.mnemonic}`);
  }
  decodeImmediates(i, entry, next, opSize32, addrSize32);
  i.entry = entry;
  i.length = pos;
  i.chainable = entry.family !== 'system' && !BREAKS_CHAIN.has(entry.handler);
  i.exec = resolve(entry, opSize32, i.isMem);
  return i;
}

function decodeEa(i: Instr, next: () => number, addrSize32: boolean): void {
  if (!addrSize32) {
    if (i.mod === 0 && i.rm === 6) {
      i.disp = next() | (next() << 8);
      i.disp = (i.disp << 16) >> 16;
      if (i.segOverride < 0) i.seg = DS;
      return;
    }
    i.base = EA16_BASE[i.rm];
    i.index = EA16_INDEX[i.rm];
    if (i.mod === 1) i.disp = (next() << 24) >> 24;
    else if (i.mod === 2) i.disp = ((next() | (next() << 8)) << 16) >> 16;
    if (i.segOverride < 0) i.seg = i.base === EBP ? SS : DS;
    return;
  }
  let base = i.rm;
  if (i.rm === 4) {
    const sib = next();
    i.scale = sib >> 6;
    const index = (sib >> 3) & 7;
    i.index = index === 4 ? -1 : index;
    base = sib & 7;
    if (base === 5 && i.mod === 0) {
      i.base = -1;
      i.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
      if (i.segOverride < 0) i.seg = DS;
      return;
    }
  } else if (i.rm === 5 && i.mod === 0) {
    i.base = -1;
    i.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
    if (i.segOverride < 0) i.seg = DS;
    return;
  }
  i.base = base;
  if (i.mod === 1) i.disp = (next() << 24) >> 24;
  else if (i.mod === 2) i.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
  if (i.segOverride < 0) i.seg = (base === ESP || base === EBP) ? SS : DS;
}

function decodeImmediates(i: Instr, e: IsaEntry, next: () => number, opSize32: boolean, addrSize32: boolean): void {
  const read16 = () => next() | (next() << 8);
  const read32 = () => next() | (next() << 8) | (next() << 16) | (next() << 24);
  let first = true;
  const put = (v: number) => { if (first) { i.imm = v; first = false; } else i.imm2 = v; };
  for (const op of e.operands) {
    switch (op) {
      case 'Ib': put(next()); break;
      case 'Ibs': case 'Jb': put((next() << 24) >> 24); break;
      case 'Iw': put(read16()); break;
      case 'Iz': case 'Iv': put(opSize32 ? read32() : read16()); break;
      case 'Jz': put(opSize32 ? read32() : (read16() << 16) >> 16); break;
      case 'Ob': case 'Ov':
        i.isMem = true; i.base = -1; i.index = -1;
        i.disp = addrSize32 ? read32() : read16();
        if (i.segOverride < 0) i.seg = DS;
        break;
      case 'Ap': i.imm = opSize32 ? read32() : read16(); i.imm2 = read16(); first = false; break;
      default: break;
    }
  }
}

function opcodeText(opcode: number): string {
  return opcode >= 0x100 ? `0F ${(opcode & 0xFF).toString(16).padStart(2, '0').toUpperCase()}`
    : opcode.toString(16).padStart(2, '0').toUpperCase();
}
