// Reads log entries back into snapshots and compares QEMU's with hvdbg's, field by field, leaving
// out what the SDM leaves undefined for the case.
import { GDT_BYTES, LOG, NO_FAULT, SCRATCH_SIZE } from './layout.js';
import type { TestCase } from './test-case.js';
import { undefinedResults, type UndefinedResults } from './undefined-results.js';
import { correctQemu } from './corrections.js';

/** The architectural state after one case, as the snapshot code logged it. */
export interface Snapshot {
  regs: number[];        // EAX..EDI
  eflags: number;
  faultVector: number;   // NO_FAULT when none
  faultEip: number;
  faultError: number;
  faultEflags: number;   // EFLAGS image the exception pushed
  tag: number;           // 1 = the branch fell through
  sregs: number[];       // ES, CS, SS, DS, FS, GS
  scratch: Uint8Array;
  gdt: number[];         // GDT dwords
}

export function readSnapshot(log: Uint8Array, k: number): Snapshot {
  const at = k * LOG.size;
  const v = new DataView(log.buffer, log.byteOffset + at, LOG.size);
  const u32 = (o: number): number => v.getUint32(o, true);
  return {
    regs: Array.from({ length: 8 }, (_, r) => u32(LOG.regs + 4 * r)),
    eflags: u32(LOG.eflags), faultVector: u32(LOG.faultVector), faultEip: u32(LOG.faultEip), faultError: u32(LOG.faultError), faultEflags: u32(LOG.faultEflags),
    tag: log[at + LOG.tag],
    sregs: Array.from({ length: 6 }, (_, s) => v.getUint16(LOG.sregs + 2 * s, true)),
    scratch: log.slice(at + LOG.scratch, at + LOG.scratch + SCRATCH_SIZE),
    gdt: Array.from({ length: GDT_BYTES / 4 }, (_, d) => u32(LOG.gdt + 4 * d)),
  };
}

/** One field on which the two CPUs disagree. */
export interface Difference {
  field: string;   // 'eax', 'eflags', 'exception', 'memory' …
  qemu: string;
  ours: string;
  bits?: number;   // for eflags and registers: the differing bits
  offsets?: number[]; // for memory: the differing scratch offsets
}

export const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const SREG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const FLAG_NAMES: Array<[number, string]> = [[0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x100, 'TF'],
  [0x200, 'IF'], [0x400, 'DF'], [0x800, 'OF'], [0x3000, 'IOPL'], [0x4000, 'NT'], [0x10000, 'RF'], [0x20000, 'VM'], [0x40000, 'AC'],
  [0x80000, 'VIF'], [0x100000, 'VIP'], [0x200000, 'ID']];

export function hex(v: number, digits = 8): string { return (v >>> 0).toString(16).padStart(digits, '0'); }
export function flagNames(bits: number): string {
  return FLAG_NAMES.filter(([m]) => bits & m).map(([, n]) => n).join(',');
}

/**
 * Compares QEMU's snapshot q (after corrections.ts) with hvdbg's e for case c; returns the differences
 * (empty = agreement), the undefined-result mask used and the corrections applied to q.
 */
export function compareSnapshots(c: TestCase, rawQemu: Snapshot, e: Snapshot): { diffs: Difference[]; undef: UndefinedResults; corrections: string[] } {
  const { corrected: q, applied } = correctQemu(c, rawQemu);
  const undef = undefinedResults(c);
  const diffs: Difference[] = [];
  const faulted = q.faultVector !== NO_FAULT || e.faultVector !== NO_FAULT;
  if (q.faultVector !== e.faultVector) {
    diffs.push({ field: 'exception', qemu: vectorText(q.faultVector), ours: vectorText(e.faultVector) });
  } else if (q.faultVector !== NO_FAULT) {
    if (q.faultEip !== e.faultEip) diffs.push({ field: 'exception eip', qemu: hex(q.faultEip), ours: hex(e.faultEip) });
    if (q.faultError !== e.faultError) diffs.push({ field: 'error code', qemu: hex(q.faultError, 4), ours: hex(e.faultError, 4) });
    if (q.faultEflags !== e.faultEflags) {
      diffs.push({ field: 'exception eflags', qemu: hex(q.faultEflags), ours: hex(e.faultEflags), bits: (q.faultEflags ^ e.faultEflags) >>> 0 });
    }
  }
  for (let r = 0; r < 8; r++) {
    const bits = ((q.regs[r] ^ e.regs[r]) & ~(faulted ? 0 : undef.regs.get(r) ?? 0)) >>> 0;
    if (bits) diffs.push({ field: REG_NAMES[r], qemu: hex(q.regs[r]), ours: hex(e.regs[r]), bits });
  }
  const flagBits = ((q.eflags ^ e.eflags) & ~(faulted ? 0 : undef.flags)) >>> 0;
  if (flagBits) diffs.push({ field: 'eflags', qemu: hex(q.eflags), ours: hex(e.eflags), bits: flagBits });
  if (q.tag !== e.tag) diffs.push({ field: 'branch', qemu: q.tag ? 'not taken' : 'taken', ours: e.tag ? 'not taken' : 'taken' });
  for (let s = 0; s < 6; s++) {
    if (q.sregs[s] !== e.sregs[s]) diffs.push({ field: SREG_NAMES[s], qemu: hex(q.sregs[s], 4), ours: hex(e.sregs[s], 4) });
  }
  for (let d = 0; d < q.gdt.length; d++) {
    if (q.gdt[d] !== e.gdt[d]) {
      diffs.push({ field: `gdt[0x${((d >> 1) * 8).toString(16)}].${d & 1 ? 'high' : 'low'}`, qemu: hex(q.gdt[d]), ours: hex(e.gdt[d]), bits: (q.gdt[d] ^ e.gdt[d]) >>> 0 });
    }
  }
  const bytes: number[] = [];
  for (let k = 0; k < SCRATCH_SIZE; k++) {
    if (q.scratch[k] !== e.scratch[k] && (faulted || !undef.memory.has(k))) bytes.push(k);
  }
  if (bytes.length) {
    const lo = bytes[0], hi = bytes[bytes.length - 1];
    const show = (s: Uint8Array): string => Array.from(s.slice(lo, hi + 1), (x) => hex(x, 2)).join(' ');
    diffs.push({ field: `memory scratch+0x${lo.toString(16)}..0x${hi.toString(16)}`, qemu: show(q.scratch), ours: show(e.scratch), offsets: bytes });
  }
  return { diffs, undef, corrections: applied };
}

const VECTOR_SHORT: Readonly<Record<number, string>> = {
  0: '#DE', 1: '#DB', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 17: '#AC',
};
export function vectorText(v: number): string {
  if (v === NO_FAULT) return 'none';
  return VECTOR_SHORT[v] ? `${VECTOR_SHORT[v]} (${v})` : `vector ${v}`;
}
