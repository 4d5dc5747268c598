// Operand text for the disassembler, derived from the table's operand kinds (SDM Appendix A letters)
// and the decoded Instr: registers, immediates, branch targets, ModRM and string memory operands, and
// the rule that decides when a memory operand needs a size keyword ("dword ptr").
import { ISA, type IsaEntry } from '../isa/index.js';
import type { Instr } from '../instr.js';
import { REG8_NAMES, REG16_NAMES, REG32_NAMES, SEG_NAMES, DS, SS, ESP, EBP } from '../registers.js';

/** Hex in the profile's style: 0–9 in decimal, otherwise 0x + lowercase hex, optionally zero-padded. */
export function num(v: number, padDigits = 0): string {
  const u = v >>> 0;
  return u <= 9 ? String(u) : '0x' + u.toString(16).padStart(padDigits, '0');
}

/** A general register of a size in bytes (1, 2 or 4). */
export function regName(r: number, size: number): string {
  return size === 1 ? REG8_NAMES[r] : size === 2 ? REG16_NAMES[r] : REG32_NAMES[r];
}

/** The size letter(s) after the addressing-method letter: 'Ev' → 'v', 'Ibs' → 'bs', 'M' → ''. */
function sizeLetter(kind: string): string {
  return kind.slice(1);
}

/** Is the kind a string operand (DS:eSI source or ES:eDI destination)? */
export function isStringKind(kind: string): boolean {
  return /^[XY][a-z]$/.test(kind);
}

/** Operand size in bytes of a kind, or undefined when the kind has no data size (M, Ms …). */
export function kindSize(kind: string, opSize32: boolean): number | undefined {
  switch (kind) {
    case 'AL': case 'CL': return 1;
    case 'DX': return 2;
    case 'eAX': return opSize32 ? 4 : 2;
    default: break;
  }
  switch (sizeLetter(kind)) {
    case 'b': case 'bs': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'q': return 8;
    case 'v': case 'z': return opSize32 ? 4 : 2;
    case 'p': return opSize32 ? 6 : 4;          // far pointer m16:32 / m16:16
    case 'fs': case 'di': return 4;             // x87 m32 real / m32 integer
    case 'fd': case 'qi': return 8;             // x87 m64 real / m64 integer
    case 'ft': case 'tb': return 10;            // x87 m80 real / m80 packed BCD
    case 'wi': return 2;                        // x87 m16 integer
    case 'a': return opSize32 ? 8 : 4;          // BOUND pair of dwords / words
    default: return undefined;                  // M (lea, invlpg), Ms (pseudo-descriptor)
  }
}

const SIZE_KEYWORDS: Readonly<Record<number, string>> = { 1: 'byte', 2: 'word', 4: 'dword', 6: 'fword', 8: 'qword', 10: 'tbyte' };

/** Operand kinds that name a register whose size the reader sees (the shift count CL does not count). */
function isSizingRegister(kind: string): boolean {
  return /^[GZS][a-z]$/.test(kind) || kind === 'eAX' || kind === 'AL';
}

const ptrCache = new Map<IsaEntry, boolean>();

/**
 * Whether the memory operand of a row needs a size keyword: only when the reader cannot tell the
 * size otherwise. With a register operand the register implies it, unless the same mnemonic has a
 * row with the same other operands and another memory size (movzx/movsx byte vs word) or the memory
 * operand is a BOUND pair. Without one, the keyword is shown when the size follows the operand size
 * (v/z/p) or the mnemonic has rows with other memory sizes (inc byte vs dword); instructions with one
 * possible memory size (setcc, sldt, cmpxchg8b, lgdt …) and size-less operands (M, Ms) get none.
 * Multi-byte NOP never touches its operand, so it never gets one.
 */
export function needsSizeKeyword(e: IsaEntry): boolean {
  let v = ptrCache.get(e);
  if (v === undefined) { v = computeNeedsSize(e); ptrCache.set(e, v); }
  return v;
}

function computeNeedsSize(e: IsaEntry): boolean {
  const memPos = e.operands.findIndex((k) => /^[EM][a-z]*$/.test(k));
  if (memPos < 0 || e.handler === 'nop') return false;
  const kind = e.operands[memPos];
  const letter = sizeLetter(kind);
  if (letter === '' || letter === 's') return false;
  if (letter === 'a') return true;
  const others = e.operands.filter((_, k) => k !== memPos);
  const sameShape = (r: IsaEntry): boolean =>
    r !== e && r.mnemonic === e.mnemonic && r.modrmForm !== 'reg' && r.operands.length === e.operands.length &&
    /^[EM][a-z]*$/.test(r.operands[memPos]);
  if (others.some(isSizingRegister)) {
    return ISA.some((r) => sameShape(r) && r.operands.every((k, n) => n === memPos || k === e.operands[n]) &&
      sizeLetter(r.operands[memPos]) !== letter);
  }
  if (letter === 'v' || letter === 'z' || letter === 'p') return true;
  return ISA.some((r) => r !== e && r.mnemonic === e.mnemonic && r.modrmForm !== 'reg' &&
    r.operands.some((k) => /^[EM][a-z]*$/.test(k) && sizeLetter(k) !== letter));
}

/** The default segment of a ModRM/moffs memory operand: SS for eBP/eSP bases, DS otherwise. */
function defaultSegment(i: Instr): number {
  return i.base === EBP || i.base === ESP ? SS : DS;
}

/** "seg:" when an override prefix names a segment other than the operand's default one. */
function segmentText(i: Instr, defaultSeg: number): string {
  return i.segOverride >= 0 && i.segOverride !== defaultSeg ? SEG_NAMES[i.segOverride] + ':' : '';
}

/**
 * A ModRM or moffs memory operand: [size ptr ][seg:][base+index*scale±disp]. LEA computes only the
 * offset, so its segment (override or not) is never shown.
 */
export function memoryText(i: Instr, sizeBytes: number | undefined, offsetOnly = false): string {
  const names = i.addrSize32 ? REG32_NAMES : REG16_NAMES;
  const mask = i.addrSize32 ? 0xFFFFFFFF : 0xFFFF;
  let inner = '';
  if (i.base >= 0) inner += names[i.base];
  if (i.index >= 0) {
    if (inner) inner += '+';
    inner += names[i.index];
    if (i.addrSize32 && (i.scale !== 0 || i.base < 0)) inner += '*' + (1 << i.scale);
  }
  if (!inner) {
    inner = num(i.disp & mask);
  } else if (i.disp !== 0) {
    const d = i.addrSize32 ? i.disp | 0 : (i.disp << 16) >> 16;
    inner += d < 0 ? '-' + num(-d) : '+' + num(d);
  }
  const kw = sizeBytes !== undefined ? SIZE_KEYWORDS[sizeBytes] + ' ptr ' : '';
  return kw + (offsetOnly ? '' : segmentText(i, defaultSegment(i))) + '[' + inner + ']';
}

/**
 * A string operand: X = DS:eSI (segment overridable), Y = ES:eDI (fixed). The override is shown on
 * the source when it is not DS, and then "es:" is written on the destination too, so the pair reads
 * unambiguously (movsb es:[edi],fs:[esi]).
 */
export function stringText(i: Instr, kind: string): string {
  const names = i.addrSize32 ? REG32_NAMES : REG16_NAMES;
  const shown = i.segOverride >= 0 && i.segOverride !== DS;
  if (kind[0] === 'X') return (shown ? SEG_NAMES[i.segOverride] + ':' : '') + '[' + names[6] + ']';
  return (shown ? 'es:' : '') + '[' + names[7] + ']';
}

/** XLAT's implicit table operand [eBX] (DS overridable). */
export function xlatText(i: Instr): string {
  const names = i.addrSize32 ? REG32_NAMES : REG16_NAMES;
  return segmentText(i, DS) + '[' + names[3] + ']';
}
