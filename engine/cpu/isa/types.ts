// Types of the instruction table: the one source of truth for decoding, disassembly, dispatch and
// the virtualization class of every instruction.

/** How an instruction relates to virtualization (Popek–Goldberg, as the hypervisor strategies use it). */
export type VirtClass =
  | 'innocuous'   // behaves identically in a guest: runs directly
  | 'privileged'  // traps (#GP) outside ring 0: trap-and-emulate works
  | 'sensitive';  // sensitive but unprivileged: reads or changes privileged state without trapping

/** Instruction family: one handler file per family. */
export type Family =
  | 'alu' | 'shift' | 'muldiv' | 'bcd' | 'bit' | 'data' | 'stack' | 'string' | 'control'
  | 'flag' | 'system' | 'io' | 'segment' | 'x87' | 'misc';

/**
 * One row of the table. Operand kinds use the SDM Appendix A letters: E/G/M/R = ModRM r/m, reg,
 * memory-only, register-only; I immediate; J relative; O moffs; A far pointer; S segment register;
 * C/D control/debug register; X/Y string source/destination; Z register in the opcode's low bits;
 * sizes b/w/d/v (16|32)/z (imm 16|32)/p (far ptr)/a (BOUND pair)/s (pseudo-descriptor). Fixed
 * operands are register names (AL, eAX, DX, CL), '1', or a segment register name.
 */
export interface IsaEntry {
  readonly opcode: number;          // 0x00–0xFF one-byte map, 0x100–0x1FF the 0F map
  readonly ext: number;             // ModRM.reg for group opcodes, -1 otherwise
  readonly modrmForm: 'any' | 'mem' | 'reg'; // which ModRM.mod forms the row covers
  readonly prefix: number;          // mandatory prefix (0xF3 for PAUSE), 0 if none
  readonly mnemonic: string;        // Intel mnemonic; 'a|b' = 16-bit|32-bit operand-size spelling
  readonly operands: readonly string[]; // operand kinds, destination first
  readonly handler: string;         // name of the family handler factory that executes it
  readonly family: Family;          // handler file
  readonly flagsRead: string;       // flags tested, as letters of 'oszapcdi'
  readonly flagsWritten: string;    // flags written
  readonly flagsUndefined: string;  // flags left undefined by the SDM
  readonly virt: VirtClass;         // virtualization class
  readonly hasModrm: boolean;       // derived: the encoding has a ModRM byte
}
