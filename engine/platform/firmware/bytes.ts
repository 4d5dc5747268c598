// Little helpers for building firmware tables: a growable little-endian byte block addressed by
// guest-physical address, ASCII fields, and the 8-bit checksums MP and ACPI tables use.

/** The byte that makes the sum of bytes[start, end) plus itself zero (mod 256). */
export function checksumByte(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let k = start; k < end; k++) sum = (sum + bytes[k]) & 0xFF;
  return (0x100 - sum) & 0xFF;
}

/** Sum of bytes[start, end) mod 256: zero for a table whose checksum is right. */
export function byteSum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let k = start; k < end; k++) sum = (sum + bytes[k]) & 0xFF;
  return sum;
}

/** A block of guest memory being built: writes take guest-physical addresses inside [base, base + size). */
export class TableBlock {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(readonly base: number, readonly size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  private at(address: number, length: number): number {
    const off = address - this.base;
    if (off < 0 || off + length > this.size) {
      throw new RangeError(`firmware table write at 0x${address.toString(16)}+${length} is outside its block`);
    }
    return off;
  }

  u8(address: number, value: number): void { this.view.setUint8(this.at(address, 1), value & 0xFF); }
  u16(address: number, value: number): void { this.view.setUint16(this.at(address, 2), value & 0xFFFF, true); }
  u32(address: number, value: number): void { this.view.setUint32(this.at(address, 4), value >>> 0, true); }
  u64(address: number, value: number): void { this.view.setBigUint64(this.at(address, 8), BigInt(value), true); }

  /** ASCII text padded with pad (space or NUL) to exactly width bytes. */
  ascii(address: number, text: string, width: number, pad = 0x20): void {
    const off = this.at(address, width);
    for (let k = 0; k < width; k++) this.bytes[off + k] = k < text.length ? text.charCodeAt(k) & 0x7F : pad;
  }

  /** Stores at checksumAddress the byte that makes [start, start + length) sum to zero. */
  checksum(start: number, length: number, checksumAddress: number): void {
    const off = this.at(start, length);
    this.u8(checksumAddress, 0);
    this.u8(checksumAddress, checksumByte(this.bytes, off, off + length));
  }
}
