// Disassembler: Intel syntax text for one instruction, derived from its ISA table row and the decoded
// Instr (the same decoder the CPU runs, so the text always shows what the CPU would execute). The
// style follows iced's Intel formatter with the "MemDefault" options (see docs/cpu.md, Disassembler):
// lowercase, 0x hex with 0–9 in decimal, no space after commas, absolute zero-padded branch targets,
// size keywords only where the size is not implied, dataNN/addrNN where a prefix would be invisible.
import { decode, type FetchByte, type HandlerResolver } from '../decoder.js';
import { mnemonicFor, type IsaEntry } from '../isa/index.js';
import type { Instr } from '../instr.js';
import { CS, DS, SEG_NAMES } from '../registers.js';
import {
  num, regName, kindSize, isStringKind, needsSizeKeyword, memoryText, stringText, xlatText,
} from './operands.js';

export interface DisasmOptions {
  /** Names a branch target (e.g. from ELF symbols); the number is printed when it returns undefined. */
  symbolize?: (address: number) => string | undefined;
}

export interface Disassembly {
  text: string;       // e.g. "mov cl,fs:[eax+0x12]" or "(bad)"
  length: number;     // bytes the instruction occupies (1 for an undefined opcode)
  bytes: number[];    // those bytes
}

/** The text for bytes the CPU would refuse (#UD, or longer than 15 bytes). */
export const BAD = '(bad)';

/** Disassembly never runs anything: every row resolves to this no-op handler. */
const noHandler: HandlerResolver = () => () => undefined;

/** Mnemonics the table spells as the SDM does but the formatting profile spells otherwise. */
const SPELLING: Readonly<Record<string, string>> = { retf: 'ret far', wait: 'fwait', xlatb: 'xlat' };

/** Reads past the end of a byte array: the instruction is cut off, which disassembles as (bad). */
class Truncated extends Error {}

/**
 * Disassembles the instruction at code[0] (or fetch(0)), which sits at linear/IP address `address`
 * (branch targets are absolute). codeSize32 is the CS default size (D bit; false in real/V86 mode).
 * Bytes the CPU would reject, or an instruction cut off by the end of the array, give (bad) with
 * length 1. Errors a fetch callback throws for the first byte propagate (unreadable memory).
 */
export function disassemble(
  code: Uint8Array | ((offset: number) => number), address: number, codeSize32: boolean, options: DisasmOptions = {},
): Disassembly {
  const raw: FetchByte = typeof code === 'function' ? code : (off) => {
    if (off >= code.length) throw new Truncated();
    return code[off];
  };
  let first: number | undefined;
  const fetch: FetchByte = (off) => {
    const b = raw(off);
    if (off === 0) first = b;
    return b;
  };
  let i: Instr;
  try {
    i = decode(fetch, codeSize32, noHandler);
  } catch (err) {
    if (first === undefined) throw err instanceof Truncated ? new RangeError('disassemble: no code bytes') : err;
    // #UD or #GP from the decoder, or the bytes ran out (end of the array, unreadable next page).
    return { text: BAD, length: 1, bytes: [first] };
  }
  const text = formatInstr(i, address, options);
  if (text === BAD) return { text, length: 1, bytes: i.bytes.slice(0, 1) };
  return { text, length: i.length, bytes: i.bytes.slice(0, i.length) };
}

/** Intel-syntax text of a decoded instruction at `address`. */
export function formatInstr(i: Instr, address: number, options: DisasmOptions = {}): string {
  const e = i.entry;
  if (!operandsValid(i, e)) return BAD;
  const strings = e.operands.some(isStringKind);
  let mnemonic = e.handler === 'jcxz'
    ? mnemonicFor(e, i.addrSize32)           // JCXZ/JECXZ: the count register follows the address size
    : mnemonicFor(e, i.opSize32);
  mnemonic = SPELLING[mnemonic] ?? mnemonic;
  let kinds = e.operands;
  let ops: string[];
  if (e.handler === 'nop' && e.operands.length === 0 && e.prefix === 0 && i.opSize32 !== i.codeSize32) {
    // 66 90 is XCHG eAX,eAX at the other operand size; the profile shows it as such.
    mnemonic = 'xchg';
    kinds = ['eAX', 'eAX'];
    ops = kinds.map((k) => operandText(i, e, k, 0, address, options));
  } else if (e.handler === 'xlat') {
    ops = [xlatText(i)];
  } else {
    // String instructions name their accumulator in the mnemonic (stosb, lodsd): drop AL/eAX.
    if (strings) kinds = kinds.filter((k) => k !== 'AL' && k !== 'eAX');
    // IMUL r,r/m,imm with the same register twice reads as the two-operand form "imul ecx,0x12".
    if (kinds.length === 3 && kinds[0][0] === 'G' && kinds[1][0] === 'E' && kinds[2][0] === 'I' && !i.isMem && i.reg === i.rm) {
      kinds = [kinds[0], kinds[2]];
    }
    let immIndex = 0;
    ops = kinds.map((k) => {
      const t = operandText(i, e, k, immIndex, address, options);
      if (/^[IJ]/.test(k)) immIndex++;
      return t;
    });
  }
  if (kinds.some((k) => k === 'Ap') || (kinds.length === 1 && kinds[0] === 'Mp')) mnemonic += ' far';

  const prefixes: string[] = [];
  if (i.opSize32 !== i.codeSize32 && operandSizeMatters(e) && !operandSizeShown(i, e, kinds)) {
    prefixes.push(i.opSize32 ? 'data32' : 'data16');
  }
  if (i.addrSize32 !== i.codeSize32 && (e.handler === 'loop' || kinds.some((k) => k[0] === 'O'))) {
    prefixes.push(i.addrSize32 ? 'addr32' : 'addr16');
  }
  const hle = hlePrefix(i, e);
  if (hle) prefixes.push(hle);
  if (i.lock) prefixes.push('lock');
  if (e.handler === 'jcc' && (i.segOverride === CS || i.segOverride === DS)) {
    prefixes.push(i.segOverride === CS ? 'hint-not-taken' : 'hint-taken');
  }
  if (i.segOverride === DS && (e.handler === 'call' || e.handler === 'jmp') && e.operands[0] === 'Ev') {
    prefixes.push('notrack');   // CET: DS on a near indirect branch (a plain DS override before CET)
  }
  const rep = repPrefix(i, e, strings);
  if (rep) prefixes.push(rep);

  const head = [...prefixes, mnemonic].join(' ');
  return ops.length ? head + ' ' + ops.join(',') : head;
}

/** Encodings the decoder accepts but the CPU rejects when it executes them (#UD). */
function operandsValid(i: Instr, e: IsaEntry): boolean {
  const sw = e.operands.indexOf('Sw');
  if (sw >= 0 && (i.reg > 5 || (sw === 0 && i.reg === CS))) return false; // no sreg 6/7; MOV CS,r/m
  if (e.operands.includes('Cd') && (i.reg === 1 || i.reg > 4)) return false; // CR1, CR5–CR7
  return true;
}

/** Text of one operand of kind `kind`; immIndex picks imm (0) or imm2 (1) for I/J kinds. */
function operandText(i: Instr, e: IsaEntry, kind: string, immIndex: number, address: number, options: DisasmOptions): string {
  const op32 = i.opSize32;
  const opMask = op32 ? 0xFFFFFFFF : 0xFFFF;
  const imm = immIndex === 0 ? i.imm : i.imm2;
  switch (kind) {
    case 'AL': return 'al';
    case 'CL': return 'cl';
    case 'DX': return 'dx';
    case 'eAX': return op32 ? 'eax' : 'ax';
    case '1': return '1';
    case 'ST': return 'st';              // x87 ST(0)
    case 'STi': return `st(${i.rm})`;    // x87 ST(i), i = ModRM.rm
    case 'AX': return 'ax';              // FNSTSW AX
    default: break;
  }
  if (/^[ECSDFG]S$/.test(kind)) return kind.toLowerCase();
  switch (kind[0]) {
    case 'E': case 'M': case 'R':
      if (!i.isMem) return regName(i.rm, kind[0] === 'R' ? 4 : kindSize(kind, op32) ?? 4);
      if ((kind === 'Me' || kind === 'Mst') && op32 !== i.codeSize32) {
        // x87 environment/state images whose layout an operand-size prefix changed: name the layout.
        const layout = kind === 'Me' ? (op32 ? 'fpuenv28' : 'fpuenv14') : (op32 ? 'fpustate108' : 'fpustate94');
        return layout + ' ptr ' + memoryText(i, undefined);
      }
      return memoryText(i, needsSizeKeyword(e) ? kindSize(kind, op32) : undefined, e.handler === 'lea');
    case 'G': case 'Z': return regName(i.reg, kindSize(kind, op32) ?? 4);
    case 'S': if (kind === 'Sw') return SEG_NAMES[i.reg]; break;
    case 'C': if (kind === 'Cd') return 'cr' + i.reg; break;
    case 'D': if (kind === 'Dd') return 'dr' + i.reg; break;
    case 'O': return memoryText(i, undefined);
    case 'X': case 'Y': return stringText(i, kind);
    case 'J': {
      const target = ((address + i.length + imm) & opMask) >>> 0;
      return options.symbolize?.(target) ?? num(target, op32 ? 8 : 4);
    }
    case 'A': // far pointer: offset,selector
      return num(i.imm & opMask, op32 ? 8 : 4) + ',' + num(i.imm2 & 0xFFFF, 4);
    case 'I':
      switch (kind) {
        case 'Ib': return num(imm & 0xFF);
        case 'Ibs': return num(imm & opMask);  // sign-extended to the operand size
        case 'Iw': return num(imm & 0xFFFF);
        default: return num(imm & opMask);     // Iz, Iv
      }
    default: break;
  }
  // A kind this file does not know yet (a new table row): show its name rather than fail; the
  // disassembler test lists every kind the table uses, so the gap shows up there.
  return kind.toLowerCase();
}

/** Whether operandText knows the operand kind (every kind the table uses should be known). */
export function operandKindKnown(kind: string): boolean {
  return /^(AL|CL|DX|AX|eAX|1|ST|STi|[ECSDFG]S|E[bwvd]|M([wdqpase]|fs|fd|ft|wi|di|qi|tb|st|fx)?|Rd|G[bwv]|Z[bvd]|Sw|Cd|Dd|O[bv]|[XY][bv]|J[bz]|Ap|I(b|bs|w|z|v))$/
    .test(kind);
}

/**
 * Whether the operand size changes what the instruction does: operands sized v/z/p/a, stack width
 * (push/pop/enter/leave), or the width of a near/far return or branch target. Segment-register moves,
 * multi-byte NOP and INT n ignore it.
 */
function operandSizeMatters(e: IsaEntry): boolean {
  if (e.handler === 'nop' || e.operands.includes('Sw')) return false;
  if (e.family === 'stack' || e.handler === 'ret' || e.handler === 'retf') return true;
  return e.operands.some((k) => k === 'eAX' || /^[A-Z][vzpa]$/.test(k) || k[0] === 'J');
}

/** Whether the text already shows the operand size: a size-specific mnemonic, register or size keyword. */
function operandSizeShown(i: Instr, e: IsaEntry, kinds: readonly string[]): boolean {
  if (e.mnemonic.includes('|') && e.handler !== 'jcxz') return true;
  return kinds.some((k) => {
    if (k === 'eAX' || /^[GZ]v$/.test(k)) return true;
    if (/^E[vz]$/.test(k)) return !i.isMem || needsSizeKeyword(e);
    if (/^[EM][vpa]$/.test(k)) return i.isMem && needsSizeKeyword(e);
    return false;
  });
}

/**
 * xacquire/xrelease (HLE hints, plain REPNE/REP before Haswell): F2/F3 on a LOCKed read-modify-write
 * or on XCHG with memory; F3 alone on MOV to memory.
 */
function hlePrefix(i: Instr, e: IsaEntry): string | undefined {
  if (i.rep === 0 || !i.isMem) return undefined;
  if (i.lock || e.handler === 'xchg') return i.rep === 0xF2 ? 'xacquire' : 'xrelease';
  if (i.rep === 0xF3 && e.handler === 'mov' && /^E[bvz]$/.test(e.operands[0])) return 'xrelease';
  return undefined;
}

/** rep/repe/repne on string instructions, "rep ret" (an old AMD idiom), and bnd on near branches. */
function repPrefix(i: Instr, e: IsaEntry, strings: boolean): string | undefined {
  if (i.rep === 0 || e.prefix === i.rep) return undefined;   // F3 90 = PAUSE consumed the prefix
  if (strings) return i.rep === 0xF2 ? 'repne' : e.flagsWritten ? 'repe' : 'rep';
  if (i.rep === 0xF3) return e.handler === 'ret' && e.operands.length === 0 ? 'rep' : undefined;
  return bndBranch(e) ? 'bnd' : undefined;
}

/** Near CALL, JMP (not the short form), Jcc and RET: the branches an MPX BND prefix can accompany. */
function bndBranch(e: IsaEntry): boolean {
  if (e.handler === 'ret' || e.handler === 'jcc') return true;
  if (e.handler === 'call') return e.operands[0] === 'Jz' || e.operands[0] === 'Ev';
  if (e.handler === 'jmp') return e.operands[0] === 'Jz' || e.operands[0] === 'Ev';
  return false;
}
