// Explicit x86 encodings for CPU tests: segment and system descriptors, gates, page-table entries,
// selectors and EFLAGS/CR bits, written out bit by bit so a test states exactly what the guest built.

/** An 8-byte descriptor as its two little-endian dwords [low, high]. */
export type Desc = readonly [number, number];

/** Access byte bits (descriptor bits 40–47). */
export const ACC_P = 0x80;           // present
export const ACC_S = 0x10;           // code/data (not system)
export const ACC_CODE = 0x08;        // executable
export const ACC_CONFORMING = 0x04;  // code: conforming
export const ACC_EXPAND_DOWN = 0x04; // data: expand-down
export const ACC_READ = 0x02;        // code: readable
export const ACC_WRITE = 0x02;       // data: writable
export const ACC_ACCESSED = 0x01;    // accessed
/** Flags nibble (descriptor bits 52–55). */
export const FLAG_G = 0x8;           // limit in 4 KiB units
export const FLAG_DB = 0x4;          // 32-bit code / big stack

/** DPL field of an access byte. */
export function dpl(level: number): number { return (level & 3) << 5; }

/** A code or data segment descriptor: base, limit (20 bits, in G units), access byte, flags nibble. */
export function segment(base: number, limit: number, access: number, flags: number): Desc {
  const lo = (limit & 0xFFFF) | ((base & 0xFFFF) << 16);
  const hi = ((base >>> 16) & 0xFF) | ((access & 0xFF) << 8) | (limit & 0xF0000) | ((flags & 0xF) << 20) | (base & 0xFF000000);
  return [lo | 0, hi | 0];
}

/** Flat 4 GiB 32-bit code segment (execute/read) at the given DPL. */
export function code32(level = 0, base = 0): Desc {
  return segment(base, 0xFFFFF, ACC_P | dpl(level) | ACC_S | ACC_CODE | ACC_READ, FLAG_G | FLAG_DB);
}
/** Flat 4 GiB 32-bit data segment (read/write) at the given DPL. */
export function data32(level = 0, base = 0): Desc {
  return segment(base, 0xFFFFF, ACC_P | dpl(level) | ACC_S | ACC_WRITE, FLAG_G | FLAG_DB);
}
/** 64 KiB 16-bit code segment (D = 0). */
export function code16(level = 0, base = 0): Desc {
  return segment(base, 0xFFFF, ACC_P | dpl(level) | ACC_S | ACC_CODE | ACC_READ, 0);
}
/** 64 KiB 16-bit data segment. */
export function data16(level = 0, base = 0): Desc {
  return segment(base, 0xFFFF, ACC_P | dpl(level) | ACC_S | ACC_WRITE, 0);
}

/** System descriptor types. */
export const TYPE_TSS16 = 0x1, TYPE_LDT = 0x2, TYPE_TSS16_BUSY = 0x3, TYPE_CALL16 = 0x4, TYPE_TASK = 0x5,
  TYPE_INT16 = 0x6, TYPE_TRAP16 = 0x7, TYPE_TSS32 = 0x9, TYPE_TSS32_BUSY = 0xB, TYPE_CALL32 = 0xC,
  TYPE_INT32 = 0xE, TYPE_TRAP32 = 0xF;

/** A system segment descriptor (TSS, LDT). */
export function systemSegment(base: number, limit: number, type: number, level = 0, present = true): Desc {
  return segment(base, limit, (present ? ACC_P : 0) | dpl(level) | type, 0);
}

/** An interrupt, trap, call or task gate: selector:offset, type, DPL, parameter count (call gates). */
export function gate(selector: number, offset: number, type: number, level = 0, params = 0, present = true): Desc {
  const lo = (offset & 0xFFFF) | ((selector & 0xFFFF) << 16);
  const hi = (offset & 0xFFFF0000) | (present ? 0x8000 : 0) | ((level & 3) << 13) | ((type & 0xF) << 8) | (params & 0x1F);
  return [lo | 0, hi | 0];
}

/** Selector for a GDT (or LDT) index with an RPL. */
export function sel(index: number, rpl = 0, ldt = false): number { return (index << 3) | (ldt ? 4 : 0) | (rpl & 3); }

/** Page-directory / page-table entry bits. */
export const PTE_P = 0x1, PTE_W = 0x2, PTE_U = 0x4, PTE_A = 0x20, PTE_D = 0x40, PDE_PS = 0x80, PTE_G = 0x100;

/** EFLAGS bits used by the tests. */
export const EF_CF = 0x1, EF_ZF = 0x40, EF_TF = 0x100, EF_IF = 0x200, EF_DF = 0x400, EF_OF = 0x800,
  EF_IOPL3 = 0x3000, EF_NT = 0x4000, EF_RF = 0x10000, EF_VM = 0x20000;
/** EFLAGS image a fault-class exception pushes for EFLAGS = 0x2: RF is set (SDM Vol. 3 17.3.1.1). */
export const FAULT_EFLAGS = EF_RF | 0x2;
/** EFLAGS with only the reserved bit 1. */
export const EF_RESERVED = 0x2;

/** Exception vectors. */
export const DE = 0, DB = 1, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11, SS_FAULT = 12, GP = 13, PF = 14;

/** Error code for an IDT entry (bit 1 = IDT, bit 0 = EXT). */
export function idtError(vector: number, ext = false): number { return vector * 8 + 2 + (ext ? 1 : 0); }
