// Hardware task switching (SDM Vol. 3, 8.3): far JMP/CALL to a TSS or task gate, interrupts through
// a task gate, and IRET with NT set. Saves the outgoing state into the current TSS, loads the
// incoming one (CR3, EFLAGS, registers, LDTR, segments), and keeps busy bits and the back link.
import type { Cpu } from './cpu.js';
import { fault, Vector } from './fault.js';
import {
  loadSegment, parseDescriptor, readDescriptor, loadCodeSegment, setSegmentCache, systemRead16, systemRead32, systemWrite16,
  systemWrite32, type Descriptor,
} from './descriptors.js';
import { CR0_TS, CS, FLAG_NT, FLAG_VM, SS, ES, DS, FS, GS } from './registers.js';

import { writeControlRegister } from './exec/system.js';

export type TaskSwitchSource = 'jmp' | 'call' | 'int' | 'iret';

/** Offsets of the 32-bit TSS fields. */
const TSS32 = { link: 0, cr3: 0x1C, eip: 0x20, eflags: 0x24, regs: 0x28, segs: 0x48, ldt: 0x60, minLimit: 0x67 };
/** Offsets of the 16-bit TSS fields. */
const TSS16 = { link: 0, eip: 0x0E, eflags: 0x10, regs: 0x12, segs: 0x22, ldt: 0x2A, minLimit: 0x2B };
/** Segment registers in TSS order: ES CS SS DS (FS GS in a 32-bit TSS). */
const SEG_ORDER = [ES, CS, SS, DS, FS, GS];

function descriptorAddress(cpu: Cpu, selector: number): number { return (cpu.gdtrBase + (selector & ~7)) | 0; }

function setBusy(cpu: Cpu, selector: number, busy: boolean): void {
  const addr = descriptorAddress(cpu, selector) + 4;
  const hi = systemRead32(cpu, addr);
  systemWrite32(cpu, addr, busy ? hi | 0x200 : hi & ~0x200);
}

/**
 * Switches to the task whose TSS selector and descriptor are given. eip is the outgoing task's
 * resume address; errorCode, when defined, is pushed on the new task's stack (exceptions).
 */
export function switchTask(cpu: Cpu, selector: number, d: Descriptor, source: TaskSwitchSource, errorCode?: number): void {
  const err = selector & 0xFFFC;
  if (selector & 4) fault(Vector.GP, err, 'task switch to a TSS selector in the LDT');
  const is32 = d.type === 0x9 || d.type === 0xB;
  const busy = (d.type & 2) !== 0;
  if (d.s || (d.type & 5) !== 1) fault(Vector.GP, err, `selector 0x${selector.toString(16)} is not a TSS`);
  if (source === 'iret' ? !busy : busy) fault(Vector.GP, err, `TSS 0x${selector.toString(16)} is ${busy ? 'busy' : 'not busy'}`);
  if (!d.present) fault(Vector.NP, err, `TSS 0x${selector.toString(16)} not present`);
  const layout = is32 ? TSS32 : TSS16;
  if (d.limit < layout.minLimit) fault(Vector.TS, err, `TSS 0x${selector.toString(16)} limit 0x${d.limit.toString(16)} is too small`);
  // A hypervisor sees the switch here: after the descriptor checks, before any state moves (SDM 26.4.2).
  cpu.env.taskSwitch(source, selector & 0xFFFF);

  saveOutgoing(cpu, source);
  if (source === 'jmp' || source === 'iret') setBusy(cpu, cpu.trSel, false);
  const oldTr = cpu.trSel;
  const base = d.base | 0;
  if (source === 'call' || source === 'int') systemWrite16(cpu, base + layout.link, oldTr);
  if (source !== 'iret') setBusy(cpu, selector, true);
  cpu.trSel = selector; cpu.trBase = base; cpu.trLimit = d.limit; cpu.trRights = d.rights | 2;
  loadIncoming(cpu, base, is32, source);
  cpu.cr0 |= CR0_TS;
  if (errorCode !== undefined) { if (is32) cpu.push32(errorCode); else cpu.push16(errorCode); }
}

function saveOutgoing(cpu: Cpu, source: TaskSwitchSource): void {
  const is32 = (cpu.trRights & 0x8) !== 0;
  const layout = is32 ? TSS32 : TSS16;
  if (cpu.trLimit < layout.minLimit) fault(Vector.TS, cpu.trSel & 0xFFFC, 'current TSS is too small to save the task state');
  const base = cpu.trBase;
  let flags = cpu.getEflags();
  if (source === 'iret') flags &= ~FLAG_NT;
  const w = is32 ? (off: number, v: number) => systemWrite32(cpu, base + off, v) : (off: number, v: number) => systemWrite16(cpu, base + off, v);
  w(layout.eip, cpu.eip);
  w(layout.eflags, flags);
  for (let r = 0; r < 8; r++) w(layout.regs + r * (is32 ? 4 : 2), cpu.reg32[r]);
  const segCount = is32 ? 6 : 4;
  for (let k = 0; k < segCount; k++) systemWrite16(cpu, base + layout.segs + k * (is32 ? 4 : 2), cpu.segSel[SEG_ORDER[k]]);
}

function loadIncoming(cpu: Cpu, base: number, is32: boolean, source: TaskSwitchSource): void {
  const layout = is32 ? TSS32 : TSS16;
  const r = is32 ? (off: number) => systemRead32(cpu, base + off) : (off: number) => systemRead16(cpu, base + off);
  if (is32 && cpu.paging) writeControlRegister(cpu, 3, systemRead32(cpu, base + TSS32.cr3));
  let flags = r(layout.eflags);
  if (!is32) flags = (cpu.getEflags() & 0xFFFF0000) | flags;
  if (source === 'call' || source === 'int') flags |= FLAG_NT;
  const eip = r(layout.eip);
  for (let k = 0; k < 8; k++) {
    const v = r(layout.regs + k * (is32 ? 4 : 2));
    if (is32) cpu.reg32[k] = v; else cpu.reg16[k << 1] = v;
  }
  const sels: number[] = [];
  for (let k = 0; k < (is32 ? 6 : 4); k++) sels.push(systemRead16(cpu, base + layout.segs + k * (is32 ? 4 : 2)));
  if (!is32) sels.push(0, 0);
  const ldt = systemRead16(cpu, base + layout.ldt);
  cpu.setEflags(flags);
  cpu.eip = eip;
  // From here on, faults belong to the new task and are reported as #TS with the bad selector.
  loadLdt(cpu, ldt);
  if (flags & FLAG_VM) {
    cpu.cpl = 3;
    SEG_ORDER.forEach((seg, k) => setSegmentCache(cpu, seg, sels[k], parseDescriptor(((sels[k] << 4) << 16) | 0xFFFF, ((sels[k] >>> 12) & 0xF) | 0xF300)));
    return;
  }
  const cs = sels[1];
  if ((cs & ~3) === 0) fault(Vector.TS, 0, 'new task has a null CS');
  const csDesc = readDescriptor(cpu, cs, Vector.TS);
  if (!csDesc.s || !(csDesc.type & 8)) fault(Vector.TS, cs & 0xFFFC, `new task CS 0x${cs.toString(16)} is not a code segment`);
  if (!csDesc.present) fault(Vector.NP, cs & 0xFFFC, 'new task code segment not present');
  loadCodeSegment(cpu, cs, csDesc, cs & 3);
  for (const k of [2, 0, 3, 4, 5]) {
    try { loadSegment(cpu, SEG_ORDER[k], sels[k]); } catch (e) {
      fault(Vector.TS, sels[k] & 0xFFFC, `new task segment ${['ES', 'CS', 'SS', 'DS', 'FS', 'GS'][k]} 0x${sels[k].toString(16)} is invalid: ${(e as { detail?: string }).detail ?? e}`);
    }
  }
}

function loadLdt(cpu: Cpu, sel: number): void {
  if ((sel & ~3) === 0) { cpu.ldtrSel = 0; cpu.ldtrBase = 0; cpu.ldtrLimit = 0; return; }
  const d = readDescriptor(cpu, sel & ~4, Vector.TS);
  if ((sel & 4) || d.s || d.type !== 2) fault(Vector.TS, sel & 0xFFFC, `new task LDT selector 0x${sel.toString(16)} is not an LDT`);
  if (!d.present) fault(Vector.TS, sel & 0xFFFC, 'new task LDT not present');
  cpu.ldtrSel = sel; cpu.ldtrBase = d.base | 0; cpu.ldtrLimit = d.limit;
}

/** Resolves a task gate (type 5) to its TSS and switches. */
export function switchThroughTaskGate(cpu: Cpu, gate: Descriptor, source: TaskSwitchSource, errorCode?: number): void {
  const tssSel = gate.raw[0] >>> 16;
  if (!gate.present) fault(Vector.NP, 0, 'task gate not present');
  const d = readDescriptor(cpu, tssSel & ~4);
  if (tssSel & 4) fault(Vector.GP, tssSel & 0xFFFC, 'task gate names a selector in the LDT');
  switchTask(cpu, tssSel, d, source, errorCode);
}

/** IRET with NT set: return to the task named by the back link of the current TSS. */
export function returnFromNestedTask(cpu: Cpu): void {
  const link = systemRead16(cpu, cpu.trBase);
  if (link & 4) fault(Vector.TS, link & 0xFFFC, 'back link selects the LDT');
  const d = readDescriptor(cpu, link, Vector.TS);
  switchTask(cpu, link, d, 'iret');
}

