// BCD family: DAA DAS AAA AAS AAM AAD and the undocumented SALC.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import { getAF, getCF, setResultFlags } from '../flags.js';
import { FLAG_AF, FLAG_CF } from '../registers.js';
import { fault, Vector } from '../fault.js';

function setAfCf(cpu: Cpu, af: boolean, cf: boolean, res: number): void {
  setResultFlags(cpu, 1, res, (af ? FLAG_AF : 0) | (cf ? FLAG_CF : 0));
}

const daa: HandlerFactory = () => (cpu) => {
  const old = cpu.reg8[0], oldCf = getCF(cpu) !== 0, oldAf = getAF(cpu);
  let al = old, cf = false, af = false;
  if ((al & 0xF) > 9 || oldAf) { cf = oldCf || al + 6 > 0xFF; al = (al + 6) & 0xFF; af = true; }
  if (old > 0x99 || oldCf) { al = (al + 0x60) & 0xFF; cf = true; }
  cpu.reg8[0] = al;
  setAfCf(cpu, af, cf, al);
};

const das: HandlerFactory = () => (cpu) => {
  const old = cpu.reg8[0], oldCf = getCF(cpu) !== 0, oldAf = getAF(cpu);
  let al = old, cf = false, af = false;
  if ((al & 0xF) > 9 || oldAf) { cf = oldCf || al < 6; al = (al - 6) & 0xFF; af = true; }
  if (old > 0x99 || oldCf) { al = (al - 0x60) & 0xFF; cf = true; }
  cpu.reg8[0] = al;
  setAfCf(cpu, af, cf, al);
};

const aaa: HandlerFactory = () => (cpu) => {
  const adjust = (cpu.reg8[0] & 0xF) > 9 || getAF(cpu);
  if (adjust) { cpu.reg16[0] = cpu.reg16[0] + 0x106; }
  cpu.reg8[0] &= 0xF;
  setAfCf(cpu, adjust, adjust, cpu.reg8[0]);
};

const aas: HandlerFactory = () => (cpu) => {
  const adjust = (cpu.reg8[0] & 0xF) > 9 || getAF(cpu);
  if (adjust) { cpu.reg16[0] = cpu.reg16[0] - 6; cpu.reg8[1] = cpu.reg8[1] - 1; }
  cpu.reg8[0] &= 0xF;
  setAfCf(cpu, adjust, adjust, cpu.reg8[0]);
};

const aam: HandlerFactory = () => (cpu, i) => {
  const base = i.imm & 0xFF;
  if (base === 0) fault(Vector.DE, undefined, 'AAM with base 0');
  const al = cpu.reg8[0];
  cpu.reg8[1] = Math.floor(al / base);
  cpu.reg8[0] = al % base;
  setAfCf(cpu, false, false, cpu.reg8[0]);
};

const aad: HandlerFactory = () => (cpu, i) => {
  const r = (cpu.reg8[0] + cpu.reg8[1] * (i.imm & 0xFF)) & 0xFF;
  cpu.reg16[0] = r;
  setAfCf(cpu, false, false, r);
};

const salc: HandlerFactory = () => (cpu) => { cpu.reg8[0] = getCF(cpu) ? 0xFF : 0; };

export const BCD_HANDLERS: Record<string, HandlerFactory> = { daa, das, aaa, aas, aam, aad, salc };
