// The Registers view: general registers, EIP, EFLAGS with each named bit, and the segment registers
// with their hidden parts (base, limit, rights from the descriptor cache), plus the CPU mode.
import type { Cpu } from '../../cpu/cpu.js';
import { CS, DS, EFLAGS_BIT_NAMES, ESP, EBP, FLAG_IOPL, REG32_NAMES, SEG_NAMES, SS } from '../../cpu/registers.js';
import { leaf, type InspectNode } from './node.js';
import { hex, hexWithBits } from './format.js';
import { describeRights, describeSelector } from './segments.js';

/** Segment registers in the order a person reads them. */
export const SEGMENT_ORDER = ['cs', 'ds', 'es', 'fs', 'gs', 'ss'] as const;

/** "0x00000246 [PF ZF IF]", plus IOPL when it is not 0. */
export function describeEflags(eflags: number): string {
  const iopl = (eflags & FLAG_IOPL) >>> 12;
  return hexWithBits(eflags, EFLAGS_BIT_NAMES, iopl ? [`IOPL=${iopl}`] : []);
}

/** "protected mode, CPL 0, 32-bit code, paging on". */
export function describeMode(cpu: Cpu): string {
  const mode = cpu.mode === 'real' ? 'real mode' : cpu.mode === 'v86' ? 'virtual-8086 mode' : 'protected mode';
  const parts = [mode, `CPL ${cpu.cpl}`, cpu.codeSize32 ? '32-bit code' : '16-bit code', cpu.paging ? 'paging on' : 'paging off'];
  if (cpu.halted) parts.push('halted');
  return parts.join(', ');
}

/** The linear address a general register points at (SS for ESP/EBP, DS otherwise). */
function registerTarget(cpu: Cpu, index: number): number {
  const seg = index === ESP || index === EBP ? SS : DS;
  return (cpu.segBase[seg] + cpu.reg32[index]) >>> 0;
}

/** EFLAGS: the value, then one child per named bit and IOPL. */
function eflagsNode(cpu: Cpu): InspectNode {
  const eflags = cpu.getEflags();
  return {
    name: 'EFLAGS', value: describeEflags(eflags), type: 'eflags', editable: true,
    children: () => [
      ...EFLAGS_BIT_NAMES.map(([bit, name]) => ({ ...leaf(name, (eflags & bit) !== 0 ? '1' : '0', 'bit'), editable: true })),
      { ...leaf('IOPL', String((eflags & FLAG_IOPL) >>> 12), 'uint2'), editable: true },
    ],
  };
}

/** A segment register: the selector, and the hidden descriptor cache as children. */
export function segmentNode(cpu: Cpu, name: string): InspectNode {
  const seg = SEG_NAMES.indexOf(name as typeof SEG_NAMES[number]);
  const selector = cpu.segSel[seg];
  const base = cpu.segBase[seg] >>> 0, limit = cpu.segLimit[seg] >>> 0, rights = cpu.segRights[seg];
  return {
    name: name.toUpperCase(), value: hex(selector, 4), type: 'selector', editable: true,
    memory: { space: 'linear', address: base },
    children: () => [
      leaf('selector', `${hex(selector, 4)} (${describeSelector(selector)})`, 'selector'),
      leaf('base', hex(base), 'uint32', { space: 'linear', address: base }),
      leaf('limit', hex(limit), 'uint32'),
      leaf('rights', `${hex(rights, 4)} (${describeRights(rights)})`, 'rights'),
    ],
  };
}

/** The Registers scope. */
export function registerNodes(cpu: Cpu): InspectNode[] {
  const general = REG32_NAMES.map((name, index): InspectNode => ({
    ...leaf(name.toUpperCase(), hex(cpu.reg32[index]), 'uint32', { space: 'linear', address: registerTarget(cpu, index) }),
    editable: true,
  }));
  const eipLinear = (cpu.segBase[CS] + cpu.eip) >>> 0;
  return [
    ...general,
    { ...leaf('EIP', hex(cpu.eip), 'uint32', { space: 'linear', address: eipLinear }), editable: true },
    eflagsNode(cpu),
    ...SEGMENT_ORDER.map((name) => segmentNode(cpu, name)),
    leaf('mode', describeMode(cpu), 'mode'),
  ];
}
