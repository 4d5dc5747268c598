// The FPU view: ST(0)–ST(7) as numbers with their 80-bit images and tags, the control word (masks,
// precision, rounding), the status word (exceptions, condition codes, TOP), the tag word, the
// last-instruction pointers and MXCSR.
import type { Fpu } from '../../cpu/x87/fpu.js';
import { f80ToDouble } from '../../cpu/x87/float80.js';
import { leaf, type InspectNode } from './node.js';
import { bitNames, hex } from './format.js';

const TAG_NAMES = ['valid', 'zero', 'special', 'empty'] as const;
const PRECISION = ['24-bit (single)', 'reserved', '53-bit (double)', '64-bit (extended)'] as const;
const ROUNDING = ['to nearest', 'down (toward −∞)', 'up (toward +∞)', 'toward zero'] as const;
const EXCEPTIONS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'IE'], [0x02, 'DE'], [0x04, 'ZE'], [0x08, 'OE'], [0x10, 'UE'], [0x20, 'PE'],
];
const STATUS_BITS: ReadonlyArray<readonly [number, string]> = [
  ...EXCEPTIONS, [0x40, 'SF'], [0x80, 'ES'], [0x100, 'C0'], [0x200, 'C1'], [0x400, 'C2'], [0x4000, 'C3'], [0x8000, 'B'],
];

/** "0x037f (masks IM DM ZM OM UM PM, 64-bit (extended), to nearest)". */
export function describeControlWord(cw: number): string {
  const masks = EXCEPTIONS.filter(([bit]) => cw & bit).map(([, name]) => name.replace('E', 'M'));
  return `${hex(cw, 4)} (masks ${masks.length ? masks.join(' ') : 'none'}, ${PRECISION[(cw >> 8) & 3]}, rounding ${ROUNDING[(cw >> 10) & 3]})`;
}

/** "0x3800 [C0] TOP=7". */
export function describeStatusWord(sw: number): string {
  return `${hex(sw, 4)} [${bitNames(sw, STATUS_BITS).join(' ')}] TOP=${(sw >> 11) & 7}`;
}

/** The number a register holds, as text ("3.5", "-inf", "nan"). */
function numberText(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? '+inf' : '-inf';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

/** The FPU scope. */
export function fpuNodes(fpu: Fpu): InspectNode[] {
  const stack = Array.from({ length: 8 }, (_, i): InspectNode => {
    const r = fpu.phys(i);
    const tag = TAG_NAMES[fpu.tagOf(r)];
    const image = `${hex(fpu.sx[r], 4)}:${hex(fpu.hi[r])}${hex(fpu.lo[r]).slice(2)}`;
    const value = fpu.isEmpty(i) ? `empty (R${r})` : `${numberText(f80ToDouble(fpu.sx[r], fpu.hi[r], fpu.lo[r]))} (R${r}, ${tag})`;
    return {
      name: `ST${i}`, value, type: 'float80',
      children: () => [leaf('physical register', `R${r}`), leaf('tag', tag), leaf('80-bit image', image, 'sign+exponent:significand')],
    };
  });
  const sw = fpu.statusWord();
  return [
    ...stack,
    leaf('FCW', describeControlWord(fpu.cw), 'uint16'),
    leaf('FSW', describeStatusWord(sw), 'uint16'),
    leaf('FTW', `${hex(fpu.tagWord(), 4)} (${Array.from({ length: 8 }, (_, r) => `R${r} ${TAG_NAMES[fpu.tagOf(r)]}`).join(', ')})`, 'uint16'),
    leaf('FIP', `${hex(fpu.fcs, 4)}:${hex(fpu.fip)}`, 'pointer'),
    leaf('FOP', hex(fpu.fop, 3), 'uint11'),
    leaf('FDP', `${hex(fpu.fds, 4)}:${hex(fpu.fdp)}`, 'pointer'),
    leaf('MXCSR', hex(fpu.mxcsr), 'uint32'),
  ];
}
