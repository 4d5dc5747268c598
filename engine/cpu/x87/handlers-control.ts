// x87 control instructions: FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW (m16, AX), FLDENV, FNSTENV, FRSTOR,
// FNSAVE, FXSAVE, FXRSTOR, FINCSTP, FDECSTP, FNOP and the 8087/287 leftovers FNENI, FNDISI, FNSETPM.
import type { HandlerFactory } from '../dispatch.js';
import { applyEnvironment, envSize, frstor, fsave, fxrstor, fxsave, readEnvironment, storeEnvironment } from './environment.js';
import { esc, Esc, updateFerr } from './escape.js';
import { probeWrite } from './memory.js';

const fninit: HandlerFactory = () => esc(Esc.NoWait, (_cpu, _i, f) => { f.init(); });

const fnclex: HandlerFactory = () => esc(Esc.NoWait, (_cpu, _i, f) => {
  f.sw &= ~0x7F;
  f.ferrAsserted = false;
});

const fldcw: HandlerFactory = () => esc(Esc.Control, (cpu, i, f) => {
  f.setControlWord(cpu.read16(i.seg, cpu.ea(i)));
  updateFerr(f);
});

const fnstcw: HandlerFactory = () => esc(Esc.NoWait, (cpu, i, f) => { cpu.write16(i.seg, cpu.ea(i), f.cw); });

const fnstsw: HandlerFactory = (entry) => {
  if (entry.operands[0] === 'AX') return esc(Esc.NoWait, (cpu, _i, f) => { cpu.reg16[0] = f.statusWord(); });
  return esc(Esc.NoWait, (cpu, i, f) => { cpu.write16(i.seg, cpu.ea(i), f.statusWord()); });
};

/** FNSTENV stores the environment, then masks every exception (as the SDM says). */
const fnstenv: HandlerFactory = (_e, op32) => esc(Esc.NoWait, (cpu, i, f) => {
  const off = cpu.ea(i);
  probeWrite(cpu, i.seg, off, envSize(op32));
  storeEnvironment(cpu, f, i.seg, off, op32);
  f.cw |= 0x3F;
  updateFerr(f);
});

const fldenv: HandlerFactory = (_e, op32) => esc(Esc.Control, (cpu, i, f) => {
  applyEnvironment(f, readEnvironment(cpu, i.seg, cpu.ea(i), op32));
  updateFerr(f);
});

const fnsave: HandlerFactory = (_e, op32) => esc(Esc.NoWait, (cpu, i, f) => { fsave(cpu, f, i.seg, cpu.ea(i), op32); });

const frstorHandler: HandlerFactory = (_e, op32) => esc(Esc.Control, (cpu, i, f) => {
  frstor(cpu, f, i.seg, cpu.ea(i), op32);
  updateFerr(f);
});

const fxsaveHandler: HandlerFactory = () => esc(Esc.NoWait, (cpu, i, f) => { fxsave(cpu, f, i.seg, cpu.ea(i)); });

const fxrstorHandler: HandlerFactory = () => esc(Esc.NoWait, (cpu, i, f) => {
  fxrstor(cpu, f, i.seg, cpu.ea(i));
  updateFerr(f);
});

/** FINCSTP/FDECSTP rotate TOP without touching tags or contents. */
const fstackptr: HandlerFactory = (entry) => {
  const delta = entry.mnemonic === 'fincstp' ? 1 : -1;
  return esc(Esc.Numeric, (_cpu, _i, f) => { f.top = (f.top + delta) & 7; f.setC1(false); });
};

/** FNOP: a numeric instruction that does nothing (it still waits and records the pointers). */
const fnop: HandlerFactory = () => esc(Esc.Numeric, () => {});

/** FNENI, FNDISI, FNSETPM: 8087/287 controls that a P6 executes as no-ops without waiting. */
const fnlegacy: HandlerFactory = () => esc(Esc.NoWait, () => {});

export const X87_CONTROL_HANDLERS: Record<string, HandlerFactory> = {
  fninit, fnclex, fldcw, fnstcw, fnstsw, fnstenv, fldenv, fnsave, frstor: frstorHandler,
  fxsave: fxsaveHandler, fxrstor: fxrstorHandler, fstackptr, fnop, fnlegacy,
};
