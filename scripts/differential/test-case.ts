// One generated test case: an instruction and the machine state it starts from, plus what the image
// builder must fill in and what the comparison needs to know about undefined results.
import type { IsaEntry } from '../../engine/cpu/isa/index.js';

/** A place that must hold the address the test continues at (the case's snapshot code). */
export type Fixup =
  | { in: 'bytes'; offset: number }            // a dword inside the instruction (far pointer offset)
  | { in: 'scratch'; offset: number }          // a dword in the initial scratch memory (return address …)
  | { in: 'reg'; reg: number };                // a register (JMP/CALL through a register)

/** Facts about the operands that decide which results the SDM leaves undefined. */
export interface CaseFacts {
  opSize: 1 | 2 | 4;        // operand size in bytes
  count?: number;           // shift/rotate count after the 5-bit mask (SHL, SHLD …)
  sourceZero?: boolean;     // BSF/BSR source operand is zero
  destReg?: number;         // register operand written (index EAX..EDI), when the destination is a register
  destMem?: number;         // scratch offset of a memory destination
  lock?: 'valid' | 'invalid'; // a LOCK prefix is present, on a lockable memory destination or not
  segmentViolation?: boolean; // the memory operand's segment forbids the access (write to code or read-only data)
}

export interface TestCase {
  index: number;            // position in the run
  row: IsaEntry;            // the instruction table row
  mnemonic: string;         // spelled for the operand size ('cwde', 'movsw' …)
  bytes: number[];          // the instruction, prefixes included
  prefixes: number[];       // the prefix bytes at the start of bytes
  regs: number[];           // EAX..EDI before the instruction (unsigned)
  eflags: number;           // EFLAGS before the instruction
  sregs: Partial<Record<'es' | 'ds' | 'fs' | 'gs', number>>; // selectors loaded before it (else the defaults)
  scratch: Uint8Array;      // scratch memory before the instruction
  tagged: boolean;          // a fall-through marker follows (a branch's taken path skips it)
  fixups: Fixup[];          // resume addresses to fill in
  facts: CaseFacts;
}

/** Default selectors at the start of every case (the snapshot code restores them). */
export const DEFAULT_SREGS = { es: 0x10, cs: 0x08, ss: 0x10, ds: 0x10, fs: 0x18, gs: 0x10 } as const;
