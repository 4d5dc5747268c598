// Generates specialised interpreter handlers as JavaScript source from the table row: one
// monomorphic function per (row, operand size, form), so operand access, the operation and the
// lazy-flag update stay in one function (no boxing between closures). Rows the generator does not
// cover use the closure factories in exec/. Generated source embeds only table-derived identifiers
// and numbers; the translator tier reuses these fragments.
import type { IsaEntry } from '../isa/index.js';
import type { Handler } from '../instr.js';
import { computeCF, getCF, testCondition, SIZE_MASK } from '../flags.js';
import { fault } from '../fault.js';
import { operandCode, trunc, type OperandCode } from './operand-code.js';
import { operandSize } from '../exec/operands.js';

/** Helpers the generated code may call (passed in as `H`; the translator passes the same). */
export const HELPERS = { computeCF, getCF, testCondition, fault, MASK: SIZE_MASK };

const ALL_ARITH = 0x8D5, RESULT_FLAGS = 0xC4, CF_OF_AF = 0x811;
const LAZY_OP: Record<string, number> = { add: 0, adc: 1, sub: 2, sbb: 3, cmp: 2 };

function lazyArith(op: number, size: number, d: string, s: string, r: string): string {
  return `c.lazyOp = ${op}; c.lazySize = ${size}; c.lazyDst = ${d}; c.lazySrc = ${s}; c.lazyRes = ${r}; c.lazyMask = ${ALL_ARITH};`;
}
function lazyResult(size: number, r: string, eager: string): string {
  return `c.lazyOp = 4; c.lazySize = ${size}; c.lazyDst = 0; c.lazySrc = 0; c.lazyRes = ${r}; c.flags = (c.flags & ${~CF_OF_AF}) | ${eager}; c.lazyMask = ${RESULT_FLAGS};`;
}

function binary(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  const writes = e.handler !== 'cmp' && e.handler !== 'test';
  const size = operandSize(e.operands[0], o32);
  const dst = operandCode(e.operands[0], o32, mem, writes), src = operandCode(e.operands[1], o32, mem, false);
  if (!dst || !src) return undefined;
  const setup = dst.prologue || src.prologue;
  const lines = [setup, `const d = ${dst.read}; const s = ${trunc(src.read, size)};`];
  switch (e.handler) {
    case 'add': case 'sub': case 'cmp':
      lines.push(`const r = ${trunc(`d ${e.handler === 'add' ? '+' : '-'} s`, size)};`, lazyArith(LAZY_OP[e.handler], size, 'd', 's', 'r'));
      break;
    case 'adc': case 'sbb':
      lines.push(`const cf = H.getCF(c); const r = ${trunc(`d ${e.handler === 'adc' ? '+' : '-'} s ${e.handler === 'adc' ? '+' : '-'} cf`, size)};`,
        lazyArith(LAZY_OP[e.handler], size, 'd', 's', 'r'), 'c.lazyCarryIn = cf;');
      break;
    case 'and': case 'or': case 'xor': case 'test': {
      const op = e.handler === 'or' ? '|' : e.handler === 'xor' ? '^' : '&';
      lines.push(`const r = ${trunc(`d ${op} s`, size)};`, lazyResult(size, 'r', '0'));
      break;
    }
    default: return undefined;
  }
  if (writes) lines.push(dst.write('r'));
  return lines.join('\n');
}

function incDec(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  const size = operandSize(e.operands[0], o32);
  const op = operandCode(e.operands[0], o32, mem, true);
  if (!op) return undefined;
  const inc = e.handler === 'inc';
  return [op.prologue, `const d = ${op.read};`, `const r = ${trunc(`d ${inc ? '+' : '-'} 1`, size)};`,
    `if (c.lazyMask & 1) c.flags = (c.flags & ~1) | H.computeCF(c);`,
    `c.lazyOp = ${inc ? 5 : 6}; c.lazySize = ${size}; c.lazyDst = d; c.lazySrc = 1; c.lazyRes = r; c.lazyMask = ${ALL_ARITH & ~1};`,
    op.write('r')].join('\n');
}

function move(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  const dst = operandCode(e.operands[0], o32, mem, true), src = operandCode(e.operands[1], o32, mem, false);
  if (!dst || !src || e.operands[0] === 'Sw' || e.operands[1] === 'Sw') return undefined;
  if (dst.prologue && src.prologue) return undefined;
  return [dst.prologue || src.prologue, `const v = ${src.read};`, dst.write('v')].join('\n');
}

function extend(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  const src = operandCode(e.operands[1], o32, mem, false), dst = operandCode('Gv', o32, mem, true);
  if (!src || !dst) return undefined;
  const shift = e.operands[1] === 'Eb' ? 24 : 16;
  const value = e.handler === 'movsx' ? `((${src.read} << ${shift}) >> ${shift})` : src.read;
  return [src.prologue, dst.write(trunc(value, o32 ? 4 : 2))].join('\n');
}

function lea(_e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  if (!mem) return undefined;
  return o32 ? 'c.reg32[i.reg] = c.ea(i);' : 'c.reg16[i.reg << 1] = c.ea(i);';
}

/** Jcc: the common "compare then branch" case is decided straight from the lazy operands. */
function jcc(e: IsaEntry, o32: boolean): string {
  const cc = e.opcode & 0xF;
  const target = o32 ? '(c.eip + i.imm) | 0' : '(c.eip + i.imm) & 0xFFFF';
  let fast: string | undefined;
  const m = 'H.MASK[c.lazySize]';
  const sh = '(32 - 8 * c.lazySize)';
  switch (cc >> 1) {
    case 1: fast = `((c.lazyDst & ${m}) >>> 0) < ((c.lazySrc & ${m}) >>> 0)`; break;           // B
    case 2: fast = `(c.lazyRes & ${m}) === 0`; break;                                           // E
    case 3: fast = `((c.lazyDst & ${m}) >>> 0) <= ((c.lazySrc & ${m}) >>> 0)`; break;          // BE
    case 6: fast = `((c.lazyDst << ${sh}) >> ${sh}) < ((c.lazySrc << ${sh}) >> ${sh})`; break;  // L
    case 7: fast = `((c.lazyDst << ${sh}) >> ${sh}) <= ((c.lazySrc << ${sh}) >> ${sh})`; break; // LE
    default: break;
  }
  const neg = cc & 1 ? '!' : '';
  const cond = fast
    ? `(c.lazyMask === ${ALL_ARITH} && c.lazyOp === 2) ? ${neg}(${fast}) : H.testCondition(c, ${cc})`
    : `H.testCondition(c, ${cc})`;
  return [`if (${cond}) {`, `const t = ${target};`,
    `if ((t >>> 0) > c.segLimit[1]) H.fault(13, 0, 'jump target beyond CS limit');`, 'c.eip = t;', '}'].join('\n');
}

function shift(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  const size = operandSize(e.operands[0], o32), bits = size * 8;
  const op = operandCode(e.operands[0], o32, mem, true);
  const count = e.operands[1] === '1' ? '1' : e.operands[1] === 'CL' ? '(c.reg8[4] & 31)' : '(i.imm & 31)';
  if (!op) return undefined;
  const mask = size === 4 ? '-1' : size === 2 ? '0xFFFF' : '0xFF';
  const lines = [op.prologue, `const n = ${count};`, `const v = ${op.read};`, 'if (n !== 0) {'];
  switch (e.handler) {
    case 'shl':
      lines.push(`const u = v & ${mask};`, `const r = n >= 32 ? 0 : ${trunc(`u << n`, size)};`,
        `const cf = n > ${bits} ? 0 : (u >>> (${bits} - n)) & 1;`, `const of = ((r >>> ${bits - 1}) & 1) ^ cf;`);
      break;
    case 'shr':
      lines.push(`const u = (v & ${mask}) >>> 0;`, `const r = ${trunc('u >>> n', size)};`,
        `const cf = (u >>> (n - 1)) & 1;`, `const of = (u >>> ${bits - 1}) & 1;`);
      break;
    case 'sar':
      lines.push(`const sv = (v << ${32 - bits}) >> ${32 - bits};`, `const r = ${trunc('sv >> n', size)};`,
        `const cf = (sv >> (n - 1)) & 1;`, 'const of = 0;');
      break;
    default: return undefined;
  }
  lines.push(lazyResult(size, 'r', '(cf | (of << 11))'), op.write('r'), '}');
  return lines.join('\n');
}

function pushPop(e: IsaEntry, o32: boolean): string | undefined {
  if (e.operands[0] !== 'Zv') return undefined;
  if (e.handler === 'push') return o32 ? 'c.push32(c.reg32[i.reg]);' : 'c.push16(c.reg16[i.reg << 1]);';
  return o32 ? 'c.reg32[i.reg] = c.pop32();' : 'c.reg16[i.reg << 1] = c.pop16();';
}

/** CALL rel and RET (near, 32-bit stack and operand size: the common kernel case). */
function callRet(e: IsaEntry, o32: boolean): string | undefined {
  if (!o32) return undefined;
  if (e.handler === 'call') {
    if (e.operands[0] !== 'Jz') return undefined;
    return ['const t = (c.eip + i.imm) | 0;', "if ((t >>> 0) > c.segLimit[1]) H.fault(13, 0, 'call target beyond CS limit');",
      'c.push32(c.eip);', 'c.eip = t;'].join('\n');
  }
  const release = e.operands.length > 0;
  return ['const sp = c.reg32[4];', 'const t = c.pop32();',
    "if ((t >>> 0) > c.segLimit[1]) { c.reg32[4] = sp; H.fault(13, 0, 'return address beyond CS limit'); }",
    'c.eip = t;', release ? 'if (c.stackSize32) c.reg32[4] = (c.reg32[4] + i.imm) | 0; else c.reg16[8] = c.reg16[8] + i.imm;' : ''].join('\n');
}

function setcc(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  const dst = operandCode('Eb', o32, mem, true);
  if (!dst) return undefined;
  return [dst.prologue, dst.write(`H.testCondition(c, ${e.opcode & 0xF}) ? 1 : 0`)].join('\n');
}

function cmovcc(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  const src = operandCode('Ev', o32, mem, false), dst = operandCode('Gv', o32, mem, true);
  if (!src || !dst) return undefined;
  // The source is read (and may fault) whether or not the condition holds.
  return [src.prologue, `const v = ${src.read};`, `if (H.testCondition(c, ${e.opcode & 0xF})) { ${dst.write('v')} }`].join('\n');
}

function notNeg(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  const size = operandSize(e.operands[0], o32);
  const op = operandCode(e.operands[0], o32, mem, true);
  if (!op) return undefined;
  if (e.handler === 'not') return [op.prologue, op.write(trunc(`~${op.read}`, size))].join('\n');
  return [op.prologue, `const s = ${op.read};`, `const r = ${trunc('-s', size)};`, lazyArith(2, size, '0', 's', 'r'), op.write('r')].join('\n');
}

/** Two- and three-operand IMUL (32-bit): CF = OF = the product does not fit. */
function imulN(e: IsaEntry, o32: boolean, mem: boolean): string | undefined {
  if (!o32) return undefined;
  const src = operandCode('Ev', o32, mem, false), dst = operandCode('Gv', o32, mem, true);
  if (!src || !dst) return undefined;
  const other = e.handler === 'imul3' ? 'i.imm' : dst.read;
  return [src.prologue, `const a = ${src.read}; const b = ${other};`, 'const r = Math.imul(a, b);',
    'const of = (a * b) !== r ? 0x801 : 0;', lazyResult(4, 'r', 'of'), dst.write('r')].join('\n');
}

type Generator = (e: IsaEntry, opSize32: boolean, isMem: boolean) => string | undefined;

const GENERATORS: Record<string, Generator> = {
  add: binary, or: binary, adc: binary, sbb: binary, and: binary, sub: binary, xor: binary, cmp: binary, test: binary,
  inc: incDec, dec: incDec, mov: move, movzx: extend, movsx: extend, lea, jcc,
  shl: shift, shr: shift, sar: shift, push: pushPop, pop: pushPop,
  call: callRet, ret: callRet, setcc, cmovcc, not: notNeg, neg: notNeg, imul2: imulN, imul3: imulN,
};

/** Source of the specialised handler body for a row, or undefined when the generator has none. */
export function handlerSource(e: IsaEntry, opSize32: boolean, isMem: boolean): string | undefined {
  return GENERATORS[e.handler]?.(e, opSize32, isMem);
}

/** Compiles the specialised handler for a row, or undefined when the generator has none. */
export function generatedHandler(e: IsaEntry, opSize32: boolean, isMem: boolean): Handler | undefined {
  const body = handlerSource(e, opSize32, isMem);
  if (body === undefined) return undefined;
  const name = `${e.mnemonic.replace(/\W/g, '_')}_${e.operands.join('_')}_${opSize32 ? 'o32' : 'o16'}_${isMem ? 'mem' : 'reg'}`;
  // eslint-disable-next-line no-new-func
  const factory = new Function('H', `return function ${name}(c, i) {\n${body}\n};`) as (h: typeof HELPERS) => Handler;
  return factory(HELPERS);
}
