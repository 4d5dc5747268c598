// The "Registers" scope: the vCPU's general registers, EIP, EFLAGS (hex and decoded) and segment
// selectors as DAP variables.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Cpu } from '../../engine/cpu/cpu.js';
import { EFLAGS_BIT_NAMES, FLAG_IOPL, REG32_NAMES, SEG_NAMES } from '../../engine/cpu/registers.js';
import { hex32 } from './vm-runner.js';

/** Selectors in the order a person expects to read them. */
const SEGMENT_ORDER = ['cs', 'ds', 'es', 'fs', 'gs', 'ss'] as const;

/** "0x00000246 [PF ZF IF]", plus IOPL when it is not 0. */
export function describeEflags(eflags: number): string {
  const names = EFLAGS_BIT_NAMES.filter(([bit]) => (eflags & bit) !== 0).map(([, name]) => name);
  const iopl = (eflags & FLAG_IOPL) >>> 12;
  if (iopl !== 0) names.push(`IOPL=${iopl}`);
  return `0x${hex32(eflags)} [${names.join(' ')}]`;
}

/** The register variables, read from the vCPU now. */
export function registerVariables(cpu: Cpu): DebugProtocol.Variable[] {
  const variable = (name: string, value: string, type: string): DebugProtocol.Variable =>
    ({ name, value, type, variablesReference: 0 });
  const general = REG32_NAMES.map((name, index) => variable(name.toUpperCase(), `0x${hex32(cpu.reg32[index])}`, 'uint32'));
  const segments = SEGMENT_ORDER.map((name) => {
    const selector = cpu.segSel[SEG_NAMES.indexOf(name)];
    return variable(name.toUpperCase(), `0x${selector.toString(16).padStart(4, '0')}`, 'selector');
  });
  return [
    ...general,
    variable('EIP', `0x${hex32(cpu.eip)}`, 'uint32'),
    variable('EFLAGS', describeEflags(cpu.getEflags()), 'eflags'),
    ...segments,
  ];
}
