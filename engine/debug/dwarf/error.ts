// DwarfError: why debug information cannot be read, as one line naming the file, the section and
// the byte offset inside it (".debug_info offset 0x1c: unknown attribute form 0x55").

/** Malformed or unsupported DWARF/CFI data; never a bug in the reader. */
export class DwarfError extends Error {
  /** Section name as in the ELF file (".debug_info", ".eh_frame"). */
  readonly section: string;
  /** Byte offset inside the section where the problem was found. */
  readonly offset: number;
  /** The problem without the location prefix. */
  readonly problem: string;

  constructor(section: string, offset: number, problem: string, file?: string) {
    super(`${file ? `${file}: ` : ''}${section} offset ${hexOf(offset)}: ${problem}`);
    this.name = 'DwarfError';
    this.section = section;
    this.offset = offset;
    this.problem = problem;
  }
}

/** 0x-prefixed lower-case hex of a non-negative integer (bigint or number). */
export function hexOf(n: number | bigint): string {
  if (typeof n === 'bigint') return (n < 0n ? '-0x' + (-n).toString(16) : '0x' + n.toString(16));
  return n < 0 ? '-0x' + (-n).toString(16) : '0x' + n.toString(16);
}
