// Rewrites a specialised handler body (codegen templates, as blocks inline them) for a region: guest
// registers and lazy flags become the region function's locals, memory operands go through the
// direct-access helpers, and flag reads become expressions over those locals. A body that still
// refers to CPU state the rewrite does not know is refused (the region calls its handler instead).
import type { Instr } from '../instr.js';
import { num } from './specialize.js';

/** What a rewritten body needs from the region around it. */
export interface RewriteContext {
  readonly start: number;          // the instruction's EIP (for instrStart on the slow paths)
  /** Source that leaves the region right after this instruction (its write hit code or asked to stop). */
  readonly exitAfter: string;
}

/** A body rewritten for a region, and the segments its memory accesses assume flat. */
export interface RegionBody {
  readonly source: string;
  readonly segments: number;       // bit mask of segment registers used for data
  readonly stack: boolean;         // uses the stack (SS flat and 32-bit required)
}

const SS = 2;
const LAZY_FIELDS: Record<string, string> = {
  flags: 'fl', lazyOp: 'lo', lazySize: 'lz', lazyDst: 'ld', lazySrc: 'ls', lazyRes: 'lr', lazyMask: 'lm', lazyCarryIn: 'lc',
};
/** CPU fields a rewritten body may still read (constant while a region runs, or read by the exits). */
const ALLOWED_CPU = /\bc\.(?:segLimit\[1\]|stackSize32|stopRequested|instrStart)/g;

/** A 32-bit register as an int32 local. */
export const reg = (n: number): string => `r${num(n)}`;

function read8(a: number): string {
  const r = reg(a >> 2);
  return (a & 1) ? `((${r} >> 8) & 0xFF)` : `(${r} & 0xFF)`;
}
function write8(a: number, v: string): string {
  const r = reg(a >> 2);
  return (a & 1) ? `${r} = (${r} & -65281) | (((${v}) & 0xFF) << 8);` : `${r} = (${r} & -256) | ((${v}) & 0xFF);`;
}

const ALIGN: Record<string, number> = { 8: 0, 16: 1, 32: 3 };
const VIEW: Record<string, [string, number]> = { 8: ['m8', 0], 16: ['m16', 1], 32: ['m32', 2] };

/**
 * A bits-wide read at linear address addr (an identifier) as an expression: straight from RAM when
 * the direct map has the page and the access is aligned, else the checked slow path SR.
 */
export function readSource(bits: '8' | '16' | '32', addr: string, slowArgs: string): string {
  const [view, shift] = VIEW[bits];
  const aligned = ALIGN[bits] ? ` && (${addr} & ${ALIGN[bits]}) === 0` : '';
  // Entries are 1 + the page's RAM offset (0: none); the shift of an aligned index drops the 1.
  const index = shift ? `(rm[${addr} >>> 12] + (${addr} & 0xFFF)) >> ${shift}` : `rm[${addr} >>> 12] - 1 + (${addr} & 0xFFF)`;
  return `(rm[${addr} >>> 12] !== 0${aligned} ? ${view}[${index}] : SR(${addr}, ${Number(bits) / 8}, ${slowArgs}))`;
}

/** A bits-wide write statement; onSlow runs after a slow-path write (which may have hit code or asked to stop). */
export function writeSource(bits: '8' | '16' | '32', addr: string, value: string, slowArgs: string, onSlow: string): string {
  const [view, shift] = VIEW[bits];
  const aligned = ALIGN[bits] ? ` && (${addr} & ${ALIGN[bits]}) === 0` : '';
  const index = shift ? `(we + (${addr} & 0xFFF)) >> ${shift}` : `we - 1 + (${addr} & 0xFFF)`;
  return `{ const we = wm[${addr} >>> 12]; if (we !== 0${aligned} && cp[we >>> 12] === 0) ${view}[${index}] = ${value};` +
    ` else { SW(${addr}, ${Number(bits) / 8}, ${value}, ${slowArgs}); ${onSlow} } }`;
}

/** PUSH of a 32-bit value on a flat 32-bit stack: the write lands before ESP moves, as push32 does. */
export function pushSource(value: string, slowArgs: string, exitAfter: string): string {
  return `{ const sp = (r4 - 4) | 0; let slow = false; ${writeSource('32', 'sp', value, slowArgs, 'slow = true;')} r4 = sp;` +
    ` if (slow && (!P.valid || c.stopRequested)) { ${exitAfter} } }`;
}

/** Index of a typed-array register access as the templates write it: "3", "(3)", "(3) << 1", "(((3) & 3) << 2) | ((3) >> 2)". */
function arrayIndex(kind: '8' | '16' | '32', text: string): number | undefined {
  const t = text.trim();
  let m = /^\(?(\d+)\)?$/.exec(t);
  if (m) return Number(m[1]);
  if (kind === '16' && (m = /^\((\d+)\) << 1$/.exec(t))) return Number(m[1]) << 1;
  if (kind === '8' && (m = /^\(\(\((\d+)\) & 3\) << 2\) \| \(\((\d+)\) >> 2\)$/.exec(t)) && m[1] === m[2]) {
    const n = Number(m[1]);
    return ((n & 3) << 2) | (n >> 2);
  }
  return undefined;
}

/** Condition code cc (0–15) as a boolean expression over the region's flag locals. */
export function conditionSource(cc: number): string {
  const mask = '(lz === 4 ? -1 : lz === 2 ? 0xFFFF : 0xFF)';
  const cf = '((lm & 1) ? H.carryOf(lo, lz, ld, ls, lr, lc) === 1 : (fl & 1) !== 0)';
  const zf = `((lm & 0x40) ? (lr & ${mask}) === 0 : (fl & 0x40) !== 0)`;
  const sf = '((lm & 0x80) ? ((lr >>> ((lz << 3) - 1)) & 1) === 1 : (fl & 0x80) !== 0)';
  const of = '((lm & 0x800) ? H.overflowOf(lo, lz, ld, ls, lr) === 1 : (fl & 0x800) !== 0)';
  const pf = '((lm & 4) ? H.PARITY[lr & 0xFF] === 1 : (fl & 4) !== 0)';
  // After SUB/CMP (every flag pending), the relations come straight from the operands.
  const sh = '(32 - (lz << 3))';
  const sub = 'lm === 0x8D5 && lo === 2';
  let r: string;
  switch (cc >> 1) {
    case 0: r = of; break;
    case 1: r = `(${sub} ? ((ld & ${mask}) >>> 0) < ((ls & ${mask}) >>> 0) : ${cf})`; break;
    case 2: r = zf; break;
    case 3: r = `(${sub} ? ((ld & ${mask}) >>> 0) <= ((ls & ${mask}) >>> 0) : (${cf} || ${zf}))`; break;
    case 4: r = sf; break;
    case 5: r = pf; break;
    case 6: r = `(${sub} ? ((ld << ${sh}) >> ${sh}) < ((ls << ${sh}) >> ${sh}) : ${sf} !== ${of})`; break;
    default: r = `(${sub} ? ((ld << ${sh}) >> ${sh}) <= ((ls << ${sh}) >> ${sh}) : (${zf} || ${sf} !== ${of}))`; break;
  }
  return (cc & 1) ? `!${r}` : r;
}

/** The region form of body (already specialised for i), or undefined when it cannot be rewritten. */
export function rewriteForRegion(body: string, i: Instr, ctx: RewriteContext): RegionBody | undefined {
  let segments = 0, stack = false, unknown = false;
  const start = num(ctx.start);
  const slowArgs = `${start}, nr, bi`;
  let s = body;
  // Segmentation: the region runs only while the segment is flat, so the offset is the linear address.
  s = s.replace(/c\.linear\(\((\d)\), (.+?), ([124]), (true|false)\)/g, (_m, seg: string, ea: string) => {
    segments |= 1 << Number(seg);
    return ea;
  });
  const leaveIfNeeded = `if (!P.valid || c.stopRequested) { ${ctx.exitAfter} }`;
  s = s.replace(/c\.readLin(8|16|32)\(lin\)/g, (_m, bits: '8' | '16' | '32') => readSource(bits, 'lin', slowArgs));
  s = s.replace(/c\.writeLin(8|16|32)\(lin, ([^;]+)\);/g, (_m, bits: '8' | '16' | '32', v: string) =>
    writeSource(bits, 'lin', v, slowArgs, leaveIfNeeded));
  // The stack (SS flat, 32-bit): the write lands before ESP moves, as push32 does.
  s = s.replace(/c\.push32\(([^;]+)\);/g, (_m, v: string) => {
    segments |= 1 << SS; stack = true;
    return pushSource(v, slowArgs, ctx.exitAfter);
  });
  s = s.replace(/c\.pop32\(\)/g, () => {
    segments |= 1 << SS; stack = true;
    return `(tp = ${readSource('32', 'r4', slowArgs)}, r4 = (r4 + 4) | 0, tp)`;
  });
  // Registers: writes first (a typed-array element on the left of =), then reads.
  s = s.replace(/c\.reg(8|16|32)\[([^\]]+)\] = ([^;]+);/g, (m, kind: '8' | '16' | '32', index: string, v: string) => {
    const a = arrayIndex(kind, index);
    if (a === undefined) { unknown = true; return m; }
    if (kind === '32') return `${reg(a)} = ${v};`;
    if (kind === '16') return `${reg(a >> 1)} = (${reg(a >> 1)} & -65536) | ((${v}) & 0xFFFF);`;
    return write8(a, v);
  });
  s = s.replace(/c\.reg(8|16|32)\[([^\]]+)\]/g, (m, kind: '8' | '16' | '32', index: string) => {
    const a = arrayIndex(kind, index);
    if (a === undefined) { unknown = true; return m; }
    if (kind === '32') return reg(a);
    if (kind === '16') return `(${reg(a >> 1)} & 0xFFFF)`;
    return read8(a);
  });
  // Flags: the lazy fields are locals; readers evaluate them in place.
  s = s.replace(/H\.testCondition\(c, (\d+)\)/g, (_m, cc: string) => conditionSource(Number(cc)));
  s = s.replace(/H\.getCF\(c\)/g, '((lm & 1) ? H.carryOf(lo, lz, ld, ls, lr, lc) : (fl & 1))');
  s = s.replace(/H\.computeCF\(c\)/g, 'H.carryOf(lo, lz, ld, ls, lr, lc)');
  s = s.replace(/\bc\.(flags|lazyOp|lazySize|lazyDst|lazySrc|lazyRes|lazyMask|lazyCarryIn)\b/g, (_m, f: string) => LAZY_FIELDS[f]);
  // Control transfer of a template (RET): the region dispatches on pc.
  s = s.replace(/\bc\.eip = t;/g, 'pc = t;');
  if (unknown) return undefined;
  // Anything else of the CPU, or of the Instr, is outside what the locals model.
  if (/\bc\./.test(s.replace(ALLOWED_CPU, '')) || /\bi\./.test(s) || /\bH\.MASK\b/.test(s)) return undefined;
  if (i.lock) return undefined;
  return { source: s, segments, stack };
}
