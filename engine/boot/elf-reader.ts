// Bounds-aware little-endian reads over an ELF file's bytes; every out-of-range structure becomes a
// "truncated ELF" BootError that names the structure, its offset and the file size.
import { BootError, hex } from './boot-error.js';

export class ElfReader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, readonly file: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** File size in bytes. */
  get size(): number { return this.bytes.length; }

  u8(offset: number): number { return this.view.getUint8(offset); }
  u16(offset: number): number { return this.view.getUint16(offset, true); }
  u32(offset: number): number { return this.view.getUint32(offset, true); }

  /** A BootError for this file. */
  error(problem: string): BootError { return new BootError(this.file, problem); }

  /** Throws "truncated ELF: <what> at offset X extends past end of file" unless [offset, offset+length) is in the file. */
  need(offset: number, length: number, what: string): void {
    if (offset + length > this.size) {
      throw this.error(`truncated ELF: ${what} at offset ${hex(offset)} extends past end of file (size ${hex(this.size)})`);
    }
  }

  /** The NUL-terminated string at offset within [tableStart, tableEnd), decoded as UTF-8. */
  cString(tableStart: number, tableEnd: number, offset: number): string {
    let end = tableStart + offset;
    while (end < tableEnd && this.bytes[end] !== 0) end++;
    return textDecoder.decode(this.bytes.subarray(tableStart + offset, end));
  }
}

const textDecoder = new TextDecoder('utf-8');
