// BootError: why a kernel image cannot be loaded, as one line that names the file and the problem
// (the CLI prints it as-is; the debug adapter shows it in the launch error).

/** A loader failure caused by the input (bad file, unsupported format, does not fit), never a bug. */
export class BootError extends Error {
  /** The display name of the file being loaded. */
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'BootError';
    this.file = file;
  }
}

/** Formats n as 0x-prefixed lower-case hex (unsigned 32-bit when it fits). */
export function hex(n: number): string {
  return '0x' + (n >= 0 && n <= 0xFFFF_FFFF ? n >>> 0 : n).toString(16);
}

/** Formats a byte count as the largest exact binary unit: 64 MiB, 640 KiB, 4097 bytes. */
export function formatBytes(n: number): string {
  if (n > 0 && n % (1 << 30) === 0) return `${n / (1 << 30)} GiB`;
  if (n > 0 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n > 0 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
