// Random test cases from the instruction table: picks an implemented row (the handler families the
// strategies cover), adds prefixes, encodes its operands from the row's operand kinds with memory
// operands steered into the scratch buffer, and lets the row's strategy shape values that matter.
import { ISA, LOCKABLE, type IsaEntry } from '../../engine/cpu/isa/index.js';
import { CaseBuilder, EAX, ECX } from './case-builder.js';
import { SEL } from './layout.js';
import { isRegFieldKind, isRmKind, memorySize, operandSize } from './operand-kinds.js';
import type { Rng } from './rng.js';
import { STRATEGIES, regValue, type Strategy } from './strategies.js';
import type { CaseFacts, TestCase } from './test-case.js';
import { le16, le32 } from './x86.js';

/** Handlers that are shift/rotate operations (their count decides which flags are defined). */
const SHIFTS = new Set(['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'shld', 'shrd']);

/** The rows the generator draws from, grouped by handler (only handlers with a strategy). */
export const GENERATED_ROWS: ReadonlyMap<string, readonly IsaEntry[]> = (() => {
  const m = new Map<string, IsaEntry[]>();
  for (const row of ISA) {
    const s = STRATEGIES[row.handler];
    if (!s || (s.rows && !s.rows(row))) continue;
    if (!m.has(row.handler)) m.set(row.handler, []);
    m.get(row.handler)!.push(row);
  }
  return m;
})();
const HANDLERS = [...GENERATED_ROWS.keys()];

/** Generates count cases starting at index first. */
export function generateCases(rng: Rng, first: number, count: number): TestCase[] {
  const out: TestCase[] = [];
  for (let k = 0; k < count; k++) {
    const handler = rng.pick(HANDLERS);
    out.push(generateCase(rng, first + k, rng.pick(GENERATED_ROWS.get(handler)!)));
  }
  return out;
}

/** Generates one case for row. */
export function generateCase(rng: Rng, index: number, row: IsaEntry): TestCase {
  const s = STRATEGIES[row.handler];
  const b = new CaseBuilder(rng, row);
  if (row.prefix) b.prefixes.push(row.prefix);
  const sizeVariable = row.operands.some((k) => /^[A-Z][vz]$|^eAX$|^[A-Z]p$|^Ma$/.test(k)) || row.mnemonic.includes('|');
  if (sizeVariable && rng.chance(s.opSize16 ?? 0.25)) b.useOpSize16();
  const rmKind = row.operands.find(isRmKind);
  const maybeMemory = rmKind !== undefined && row.modrmForm !== 'reg' && rmKind[0] !== 'R';
  if (maybeMemory && rng.chance(s.addr16 ?? 0.08)) b.useAddr16();
  s.before?.(b);
  if (s.custom) s.custom(b);
  else encodeOperands(b, s);
  s.after?.(b);
  addNoisePrefixes(b);
  shuffle(rng, b.prefixes);
  return b.build(index, facts(b));
}

/** Encodes the row's operands in table order: ModRM (reg field, r/m), moffs, immediates, branch offsets. */
function encodeOperands(b: CaseBuilder, s: Strategy): void {
  const row = b.row, rng = b.rng;
  const regKind = row.operands.find(isRegFieldKind);
  const rmKind = row.operands.find(isRmKind);
  if (row.hasModrm) {
    const reg = row.ext >= 0 ? row.ext : s.regField ? s.regField(b) : regKind ? rng.range(0, 7) : 0;
    let memory: boolean;
    if (row.modrmForm === 'mem' || rmKind?.[0] === 'M') memory = true;
    else if (row.modrmForm === 'reg' || rmKind?.[0] === 'R') memory = false;
    else memory = rng.chance(s.memory ?? 0.5);
    if (memory) {
      const size = memorySize(rmKind ?? 'M', b.opSize);
      b.memoryRm(reg, { size, ...s.memoryRange?.(b) });
    } else {
      b.registerRm(reg, s.rmReg ? s.rmReg(b) : rng.range(0, 7));
    }
  }
  for (const kind of row.operands) {
    switch (kind) {
      case 'Ib': case 'Ibs': b.imm.push((s.imm8 ? s.imm8(b) : rng.value()) & 0xFF); break;
      case 'Iw': b.imm.push(...le16(s.imm16 ? s.imm16(b) : rng.value())); break;
      case 'Iz': case 'Iv': b.imm.push(...(b.opSize32 ? le32(rng.value()) : le16(rng.value()))); break;
      case 'Jb': b.imm.push(8); b.tagged = true; break;
      case 'Jz': b.imm.push(...(b.opSize32 ? le32(8) : le16(8))); b.tagged = true; break;
      case 'Ob': case 'Ov': {
        const off = rng.range(0, 112);
        let seg = 3;
        if (rng.chance(0.2)) { seg = rng.range(0, 5); if (seg !== 3) b.prefixes.push([0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65][seg]); }
        if (!b.addr32 && !b.windowed(seg)) { b.prefixes.push(0x64); seg = 4; }
        const target = b.segOffset(seg, off);
        b.disp = b.addr32 ? le32(target) : le16(target);
        b.memOffset = off; b.memSeg = seg;
        break;
      }
      default: break;
    }
  }
}

/** Occasional prefixes that change nothing (or must raise #UD, for LOCK). */
function addNoisePrefixes(b: CaseBuilder): void {
  const rng = b.rng, row = b.row;
  const memoryDest = b.memOffset !== undefined && isRmKind(row.operands[0] ?? '') && b.modrm?.mod !== 3;
  const lockable = LOCKABLE.has(row.mnemonic.split('|')[0]);
  if (lockable && memoryDest && rng.chance(0.2)) b.prefixes.push(0xF0);
  else if (row.opcode < 0x100 && rng.chance(0.01)) b.prefixes.push(0xF0); // (QEMU 7.2 aborts on some LOCK 0F xx register forms)
  if (b.memOffset === undefined && !b.implicitMemory && rng.chance(0.03)) b.prefixes.push(rng.pick([0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65]));
  const oneByte = row.opcode < 0x100 && row.opcode !== 0x90 && row.family !== 'string' && !row.prefix;
  if (oneByte && !b.prefixes.some((p) => p === 0xF2 || p === 0xF3) && rng.chance(0.02)) b.prefixes.push(rng.pick([0xF2, 0xF3]));
}

function shuffle<T>(rng: Rng, items: T[]): void {
  for (let k = items.length - 1; k > 0; k--) {
    const j = rng.below(k + 1);
    [items[k], items[j]] = [items[j], items[k]];
  }
}

/** Handlers whose first r/m operand is only read (or not accessed at all), never written. */
const RM_NOT_WRITTEN = new Set(['cmp', 'test', 'bt', 'push', 'jmp', 'call', 'jmpf', 'callf', 'bound', 'lar', 'lsl', 'verr',
  'verw', 'lea', 'nop', 'invlpg']);
/** Selectors of segments that cannot be written (code) or are read-only data. */
const UNWRITABLE = new Set<number>([SEL.code, SEL.codeReadable, SEL.codeExecOnly, SEL.conforming, SEL.readOnly]);

/** What the undefined-result rules and the explanations need to know about this case. */
function facts(b: CaseBuilder): CaseFacts {
  const row = b.row, ops = row.operands;
  const dest = ops[0] ?? '';
  const opSize = operandSize(dest, b.opSize) ?? b.opSize;
  const f: CaseFacts = { opSize };
  if (SHIFTS.has(row.handler)) {
    const countKind = ops[ops.length - 1];
    const raw = countKind === '1' ? 1 : countKind === 'CL' ? b.regs[ECX] & 0xFF : b.imm[b.imm.length - 1];
    f.count = raw & 0x1F;
  }
  if (row.handler === 'bsf' || row.handler === 'bsr') {
    f.sourceZero = (b.memOffset !== undefined && b.modrm!.mod !== 3
      ? b.peek(b.memOffset, b.opSize)
      : regValue(b.regs, b.modrm!.rm, b.opSize)) === 0;
  }
  if (isRmKind(dest) && b.modrm) {
    if (b.modrm.mod === 3) f.destReg = b.modrm.rm; else f.destMem = b.memOffset;
  } else if (/^G/.test(dest) && b.modrm) f.destReg = b.modrm.reg;
  else if (/^Z/.test(dest)) f.destReg = row.opcode & 7;
  else if (dest === 'AL' || dest === 'eAX') f.destReg = EAX;
  if (b.prefixes.includes(0xF0)) {
    const memoryDest = b.modrm !== undefined && b.modrm.mod !== 3 && isRmKind(dest);
    f.lock = LOCKABLE.has(row.mnemonic.split('|')[0]) && memoryDest ? 'valid' : 'invalid';
  }
  const rmMemory = b.modrm !== undefined && b.modrm.mod !== 3 && row.family !== 'string' && row.handler !== 'xlat';
  const written = (isRmKind(dest) && !RM_NOT_WRITTEN.has(row.handler)) || /^O/.test(dest);
  if ((rmMemory || /^O/.test(dest) || /^O/.test(ops[1] ?? '')) && written) f.segmentViolation = UNWRITABLE.has(b.selector(b.memSeg));
  return f;
}
