// Far control transfers: CALL/JMP far (direct and through call gates), RETF (same and outer
// privilege) and IRET (real, V86, same privilege, outer privilege, return to V86) — SDM Vol. 2 rules.
import type { Cpu } from '../cpu.js';
import type { Handler } from '../instr.js';
import type { IsaEntry } from '../isa/index.js';
import { fault, Vector } from '../fault.js';
import { loadCodeSegment, loadSegment, readDescriptor, setSegmentCache, parseDescriptor, type Descriptor } from '../descriptors.js';
import { stackFromTss } from '../interrupts.js';
import { returnFromNestedTask, switchTask, switchThroughTaskGate } from '../task-switch.js';
import { CS, DS, ES, FS, GS, SS, FLAG_IOPL, FLAG_NT, FLAG_VM, FLAG_IF, ESP } from '../registers.js';

type Push = (v: number) => void;

/** Reads the far pointer operand: immediate (Ap) or memory (Mp). Returns [offset, selector]. */
function farPointer(cpu: Cpu, i: { imm: number; imm2: number; isMem: boolean; seg: number; addrSize32: boolean }, opSize32: boolean, fromMem: boolean, ea: () => number): [number, number] {
  if (!fromMem) return [opSize32 ? i.imm >>> 0 : i.imm & 0xFFFF, i.imm2 & 0xFFFF];
  const off = ea();
  const offset = opSize32 ? cpu.read32(i.seg, off) >>> 0 : cpu.read16(i.seg, off);
  const selOff = i.addrSize32 ? off + (opSize32 ? 4 : 2) : (off + (opSize32 ? 4 : 2)) & 0xFFFF;
  return [offset, cpu.read16(i.seg, selOff)];
}

function realModeTransfer(cpu: Cpu, selector: number, offset: number): void {
  if (offset > cpu.segLimit[CS]) fault(Vector.GP, 0, `far target 0x${offset.toString(16)} beyond CS limit`);
  if (cpu.v86) loadSegment(cpu, CS, selector); else cpu.loadRealSegment(CS, selector);
  cpu.eip = offset;
}

/** Checks a code-segment descriptor for a direct far JMP/CALL at the current CPL. */
function checkDirectCode(cpu: Cpu, selector: number, d: Descriptor): void {
  const err = selector & 0xFFFC;
  const conforming = (d.type & 4) !== 0;
  if (conforming ? d.dpl > cpu.cpl : ((selector & 3) > cpu.cpl || d.dpl !== cpu.cpl)) {
    fault(Vector.GP, err, `far transfer to code segment 0x${selector.toString(16)} (DPL ${d.dpl}) from CPL ${cpu.cpl}`);
  }
  if (!d.present) fault(Vector.NP, err, `code segment 0x${selector.toString(16)} not present`);
}

function checkLimit(d: Descriptor, offset: number): void {
  if (offset > d.limit) fault(Vector.GP, 0, `far target 0x${offset.toString(16)} beyond the code segment limit`);
}

/** Protected-mode far JMP or CALL to selector:offset; push is undefined for JMP. */
function protectedTransfer(cpu: Cpu, selector: number, offset: number, opSize32: boolean, push: Push | undefined): void {
  if ((selector & ~3) === 0) fault(Vector.GP, 0, 'far transfer to a null selector');
  const d = readDescriptor(cpu, selector);
  const err = selector & 0xFFFC;
  if (d.s) {
    if (!(d.type & 8)) fault(Vector.GP, err, `far transfer to data segment 0x${selector.toString(16)}`);
    checkDirectCode(cpu, selector, d);
    checkLimit(d, offset);
    if (push) { push(cpu.segSel[CS]); push(cpu.eip); }
    loadCodeSegment(cpu, selector, d, cpu.cpl);
    cpu.eip = offset;
    return;
  }
  if (d.type === 0x4 || d.type === 0xC) { callGate(cpu, selector, d, push); return; }
  if (d.type === 0x5 || d.type === 0x1 || d.type === 0x9) {
    if (d.dpl < cpu.cpl || d.dpl < (selector & 3)) fault(Vector.GP, err, `task switch through 0x${selector.toString(16)} (DPL ${d.dpl}) from CPL ${cpu.cpl}`);
    if (d.type === 0x5) switchThroughTaskGate(cpu, d, push ? 'call' : 'jmp');
    else switchTask(cpu, selector, d, push ? 'call' : 'jmp');
    return;
  }
  fault(Vector.GP, err, `far transfer to system descriptor type ${d.type}`);
}

function callGate(cpu: Cpu, gateSel: number, gate: Descriptor, push: Push | undefined): void {
  const err = gateSel & 0xFFFC;
  if (gate.dpl < cpu.cpl || gate.dpl < (gateSel & 3)) fault(Vector.GP, err, `call gate 0x${gateSel.toString(16)} DPL ${gate.dpl} below CPL ${cpu.cpl}`);
  if (!gate.present) fault(Vector.NP, err, `call gate 0x${gateSel.toString(16)} not present`);
  const [lo, hi] = gate.raw;
  const selector = lo >>> 16;
  const gate32 = gate.type === 0xC;
  const offset = gate32 ? ((lo & 0xFFFF) | (hi & 0xFFFF0000)) >>> 0 : lo & 0xFFFF;
  const paramCount = hi & 0x1F;
  if ((selector & ~3) === 0) fault(Vector.GP, 0, 'call gate with a null code selector');
  const d = readDescriptor(cpu, selector);
  if (!d.s || !(d.type & 8) || d.dpl > cpu.cpl) fault(Vector.GP, selector & 0xFFFC, `call gate target 0x${selector.toString(16)} is not a usable code segment`);
  if (!d.present) fault(Vector.NP, selector & 0xFFFC, 'call gate target not present');
  checkLimit(d, offset);
  const conforming = (d.type & 4) !== 0;
  if (!push) { // JMP through a gate: no privilege change
    if (!conforming && d.dpl !== cpu.cpl) fault(Vector.GP, selector & 0xFFFC, 'JMP through a call gate to another privilege level');
    loadCodeSegment(cpu, selector, d, cpu.cpl);
    cpu.eip = offset;
    return;
  }
  const pushG = gate32 ? (v: number) => cpu.push32(v) : (v: number) => cpu.push16(v);
  if (!conforming && d.dpl < cpu.cpl) {
    const newCpl = d.dpl;
    const oldSs = cpu.segSel[SS], oldEsp = cpu.reg32[ESP], oldCs = cpu.segSel[CS], oldEip = cpu.eip;
    const params: number[] = [];
    for (let k = paramCount - 1; k >= 0; k--) {
      const off = cpu.stackSize32 ? (oldEsp + k * (gate32 ? 4 : 2)) | 0 : (oldEsp + k * (gate32 ? 4 : 2)) & 0xFFFF;
      params.push(gate32 ? cpu.read32(SS, off) : cpu.read16(SS, off));
    }
    const { ss, esp } = stackFromTss(cpu, newCpl);
    const ssDesc = readDescriptor(cpu, ss, Vector.TS);
    if ((ss & 3) !== newCpl || ssDesc.dpl !== newCpl || !ssDesc.s || (ssDesc.type & 0xA) !== 2) fault(Vector.TS, ss & 0xFFFC, 'invalid stack segment in the TSS');
    setSegmentCache(cpu, SS, ss, ssDesc);
    cpu.reg32[ESP] = esp;
    cpu.cpl = newCpl;
    pushG(oldSs); pushG(oldEsp);
    for (const p of params) pushG(p);
    pushG(oldCs); pushG(oldEip);
  } else {
    pushG(cpu.segSel[CS]); pushG(cpu.eip);
  }
  loadCodeSegment(cpu, selector, d, conforming ? cpu.cpl : d.dpl);
  cpu.eip = offset;
}

export function farJump(entry: IsaEntry, opSize32: boolean): Handler {
  const fromMem = entry.operands[0][0] === 'M';
  return (cpu, i) => {
    const [offset, selector] = farPointer(cpu, i, opSize32, fromMem, () => cpu.ea(i));
    if (!cpu.protectedMode || cpu.v86) realModeTransfer(cpu, selector, offset);
    else protectedTransfer(cpu, selector, offset, opSize32, undefined);
  };
}

export function farCall(entry: IsaEntry, opSize32: boolean): Handler {
  const fromMem = entry.operands[0][0] === 'M';
  return (cpu, i) => {
    const [offset, selector] = farPointer(cpu, i, opSize32, fromMem, () => cpu.ea(i));
    const push: Push = opSize32 ? (v) => cpu.push32(v) : (v) => cpu.push16(v);
    const savedSp = cpu.reg32[ESP];
    try {
      if (!cpu.protectedMode || cpu.v86) {
        const oldCs = cpu.segSel[CS], oldIp = cpu.eip;
        if (offset > cpu.segLimit[CS] && !cpu.v86) fault(Vector.GP, 0, 'far call target beyond CS limit');
        push(oldCs); push(oldIp);
        realModeTransfer(cpu, selector, offset);
      } else {
        protectedTransfer(cpu, selector, offset, opSize32, push);
      }
    } catch (e) { cpu.reg32[ESP] = savedSp; throw e; }
  };
}

function stackRead(cpu: Cpu, index: number, size: 2 | 4): number {
  const sp = cpu.stackSize32 ? (cpu.reg32[ESP] + index * size) | 0 : (cpu.reg32[ESP] + index * size) & 0xFFFF;
  return size === 4 ? cpu.read32(SS, sp) : cpu.read16(SS, sp);
}
function addSp(cpu: Cpu, bytes: number): void {
  if (cpu.stackSize32) cpu.reg32[ESP] = (cpu.reg32[ESP] + bytes) | 0; else cpu.reg16[ESP << 1] = cpu.reg16[ESP << 1] + bytes;
}

export function farReturn(entry: IsaEntry, opSize32: boolean): Handler {
  const hasImm = entry.operands.length > 0;
  const size = opSize32 ? 4 : 2;
  return (cpu, i) => {
    const extra = hasImm ? i.imm & 0xFFFF : 0;
    const offset = stackRead(cpu, 0, size) >>> 0;
    const selector = stackRead(cpu, 1, size) & 0xFFFF;
    if (!cpu.protectedMode || cpu.v86) {
      realModeTransfer(cpu, selector, opSize32 ? offset : offset & 0xFFFF);
      addSp(cpu, 2 * size + extra);
      return;
    }
    returnToSegment(cpu, selector, offset, size, extra, false);
  };
}

/** Shared tail of RETF and IRET in protected mode: same or outer privilege. */
function returnToSegment(cpu: Cpu, selector: number, offset: number, size: 2 | 4, extra: number, iret: boolean): void {
  if ((selector & ~3) === 0) fault(Vector.GP, 0, 'return to a null code selector');
  const d = readDescriptor(cpu, selector);
  const err = selector & 0xFFFC;
  const rpl = selector & 3;
  if (!d.s || !(d.type & 8)) fault(Vector.GP, err, `return to non-code selector 0x${selector.toString(16)}`);
  if (rpl < cpu.cpl) fault(Vector.GP, err, `return to a more privileged ring (RPL ${rpl} < CPL ${cpu.cpl})`);
  const conforming = (d.type & 4) !== 0;
  if (conforming ? d.dpl > rpl : d.dpl !== rpl) fault(Vector.GP, err, `return: code segment DPL ${d.dpl} does not match RPL ${rpl}`);
  if (!d.present) fault(Vector.NP, err, 'return to a segment that is not present');
  checkLimit(d, offset);
  const frame = iret ? 3 : 2;
  if (rpl === cpu.cpl) {
    loadCodeSegment(cpu, selector, d, rpl);
    cpu.eip = offset;
    addSp(cpu, frame * size + extra);
    return;
  }
  const newEsp = stackRead(cpu, frame + extra / size, size);
  const newSs = stackRead(cpu, frame + extra / size + 1, size) & 0xFFFF;
  const ssDesc = readDescriptor(cpu, newSs);
  if ((newSs & 3) !== rpl || ssDesc.dpl !== rpl || !ssDesc.s || (ssDesc.type & 0xA) !== 2) fault(Vector.GP, newSs & 0xFFFC, 'return: bad outer stack segment');
  if (!ssDesc.present) fault(Vector.SS, newSs & 0xFFFC, 'return: outer stack segment not present');
  loadCodeSegment(cpu, selector, d, rpl);
  cpu.eip = offset;
  setSegmentCache(cpu, SS, newSs, ssDesc);
  if (cpu.stackSize32) cpu.reg32[ESP] = (size === 4 ? newEsp : newEsp & 0xFFFF) + extra;
  else cpu.reg16[ESP << 1] = newEsp + extra;
  // Data segments the outer ring may not use become null.
  for (const s of [ES, DS, FS, GS]) {
    const r = cpu.segRights[s];
    const dpl = (r >> 5) & 3;
    const conformingCode = (r & 0x1C) === 0x1C;
    if ((r & 0x80) && !conformingCode && dpl < rpl) { cpu.segSel[s] = 0; cpu.segRights[s] = 0; cpu.updateSegHints(s); }
  }
}

export function interruptReturn(opSize32: boolean): Handler {
  const size = opSize32 ? 4 : 2;
  return (cpu) => {
    if (!cpu.protectedMode) {
      const ip = stackRead(cpu, 0, size), cs = stackRead(cpu, 1, size) & 0xFFFF, fl = stackRead(cpu, 2, size);
      realModeTransfer(cpu, cs, opSize32 ? ip >>> 0 : ip & 0xFFFF);
      addSp(cpu, 3 * size);
      const keep = opSize32 ? 0x1A0000 : 0xFFFF0000; // VM, VIF, VIP are unchanged by IRET in real mode
      cpu.setEflags((cpu.getEflags() & keep) | (fl & ~keep));
      return;
    }
    if (cpu.v86) {
      if ((cpu.flags & FLAG_IOPL) !== FLAG_IOPL) fault(Vector.GP, 0, 'IRET in V86 mode with IOPL < 3');
      const ip = stackRead(cpu, 0, size), cs = stackRead(cpu, 1, size) & 0xFFFF, fl = stackRead(cpu, 2, size);
      realModeTransfer(cpu, cs, opSize32 ? ip >>> 0 : ip & 0xFFFF);
      addSp(cpu, 3 * size);
      const keep = FLAG_IOPL | FLAG_VM | (opSize32 ? 0 : 0xFFFF0000);
      cpu.setEflags((cpu.getEflags() & keep) | (fl & ~keep));
      return;
    }
    if (cpu.flags & FLAG_NT) { returnFromNestedTask(cpu); return; }
    const offset = stackRead(cpu, 0, size) >>> 0;
    const selector = stackRead(cpu, 1, size) & 0xFFFF;
    const newFlags = stackRead(cpu, 2, size);
    if (opSize32 && (newFlags & FLAG_VM) && cpu.cpl === 0) { returnToV86(cpu, offset, selector, newFlags); return; }
    const oldCpl = cpu.cpl;
    const oldFlags = cpu.getEflags();
    returnToSegment(cpu, selector, opSize32 ? offset : offset & 0xFFFF, size, 0, true);
    // Which EFLAGS bits IRET may change depends on the old CPL and IOPL.
    let mask = opSize32 ? 0x257FD5 : 0x7FD5;
    if (oldCpl > 0) mask &= ~FLAG_IOPL;
    if (oldCpl > ((oldFlags & FLAG_IOPL) >> 12)) mask &= ~FLAG_IF;
    mask &= ~FLAG_VM;
    cpu.setEflags((oldFlags & ~mask) | (newFlags & mask));
  };
}

function returnToV86(cpu: Cpu, offset: number, selector: number, newFlags: number): void {
  const esp = stackRead(cpu, 3, 4), ss = stackRead(cpu, 4, 4);
  const es = stackRead(cpu, 5, 4), ds = stackRead(cpu, 6, 4), fs = stackRead(cpu, 7, 4), gs = stackRead(cpu, 8, 4);
  cpu.setEflags(newFlags);
  cpu.cpl = 3;
  const v86Seg = (s: number, sel: number) => setSegmentCache(cpu, s, sel & 0xFFFF, parseDescriptor(((sel & 0xFFFF) << 20) | 0xFFFF, ((sel >>> 12) & 0xF) | 0xF300));
  v86Seg(CS, selector); v86Seg(SS, ss); v86Seg(ES, es); v86Seg(DS, ds); v86Seg(FS, fs); v86Seg(GS, gs);
  cpu.reg32[ESP] = esp;
  cpu.eip = offset & 0xFFFF;
}
