// Bounds-checked little-endian reads over one DWARF section: fixed-size integers, LEB128, offsets of
// the 32- and 64-bit DWARF formats, addresses and C strings. Every read past the end of the section
// (or of the structure being read) throws a DwarfError naming the section and the offset.
import { DwarfError, hexOf } from './error.js';

/** The bytes of one section and what the reader needs to name it in errors. */
export interface Section {
  name: string;        // ".debug_info", ".eh_frame", ...
  bytes: Uint8Array;   // the section contents (not the whole file)
  address?: number;    // sh_addr, needed for pc-relative pointers in .eh_frame
  file?: string;       // display name of the ELF file, for error messages
}

/** An empty section with the given name (used when a file lacks it). */
export function emptySection(name: string, file?: string): Section {
  return { name, bytes: new Uint8Array(0), file };
}

const TWO_32 = 0x1_0000_0000;
const textDecoder = new TextDecoder('utf-8');

export class DwarfReader {
  /** Current offset within the section. */
  pos: number;
  /** One past the last byte this reader may read (the end of the section or of a structure). */
  end: number;
  private readonly view: DataView;

  constructor(readonly section: Section, pos = 0, end = section.bytes.length) {
    this.view = new DataView(section.bytes.buffer, section.bytes.byteOffset, section.bytes.byteLength);
    if (end > section.bytes.length) {
      throw new DwarfError(section.name, pos, `structure ends at ${hexOf(end)}, past the end of the section (size ${hexOf(section.bytes.length)})`, section.file);
    }
    this.pos = pos;
    this.end = end;
  }

  get bytes(): Uint8Array { return this.section.bytes; }
  get remaining(): number { return this.end - this.pos; }
  get atEnd(): boolean { return this.pos >= this.end; }

  /** A DwarfError at the given offset (default: the current one). */
  error(problem: string, at = this.pos): DwarfError {
    return new DwarfError(this.section.name, at, problem, this.section.file);
  }

  /** A reader over [pos, end) of the same section, sharing nothing but the bytes. */
  sub(pos: number, end: number): DwarfReader {
    if (pos < 0 || pos > this.section.bytes.length) throw this.error(`offset ${hexOf(pos)} is outside the section (size ${hexOf(this.section.bytes.length)})`, Math.max(0, pos));
    return new DwarfReader(this.section, pos, end);
  }

  /** Throws unless n more bytes can be read. */
  need(n: number, what = 'data'): void {
    if (n < 0 || this.pos + n > this.end) {
      throw this.error(`truncated ${what}: ${n} bytes needed but only ${Math.max(0, this.end - this.pos)} remain before offset ${hexOf(this.end)}`);
    }
  }

  seek(pos: number): void {
    if (pos < 0 || pos > this.end) throw this.error(`offset ${hexOf(pos)} is outside the readable range (ends at ${hexOf(this.end)})`);
    this.pos = pos;
  }

  skip(n: number, what = 'data'): void { this.need(n, what); this.pos += n; }

  u8(): number { this.need(1); return this.view.getUint8(this.pos++); }
  i8(): number { this.need(1); return this.view.getInt8(this.pos++); }
  u16(): number { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  i16(): number { this.need(2); const v = this.view.getInt16(this.pos, true); this.pos += 2; return v; }
  u24(): number { this.need(3); const v = this.view.getUint16(this.pos, true) + this.view.getUint8(this.pos + 2) * 0x10000; this.pos += 3; return v; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  u64Big(): bigint { this.need(8); const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  i64Big(): bigint { this.need(8); const v = this.view.getBigInt64(this.pos, true); this.pos += 8; return v; }

  /** An unsigned 64-bit value as a number; throws when it is above 2^53 (no exact double). */
  u64(what = 'value'): number {
    const at = this.pos;
    const lo = this.u32(), hi = this.u32();
    const v = hi * TWO_32 + lo;
    if (!Number.isSafeInteger(v)) throw this.error(`64-bit ${what} ${hexOf((BigInt(hi) << 32n) | BigInt(lo))} is too large`, at);
    return v;
  }

  /** An unsigned integer of 1, 2, 4 or 8 bytes. */
  unsigned(size: number, what = 'value'): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64(what);
      default: throw this.error(`unsupported ${what} size ${size}`);
    }
  }

  /** A target address of addressSize bytes (1, 2, 4 or 8). */
  address(addressSize: number): number { return this.unsigned(addressSize, 'address'); }

  /** A section offset: 4 bytes in the 32-bit DWARF format, 8 in the 64-bit one. */
  offset(is64: boolean): number { return is64 ? this.u64('offset') : this.u32(); }

  /**
   * The initial length field of a unit or entry: 0xffffffff followed by a 64-bit length selects the
   * 64-bit DWARF format; 0xfffffff0-0xfffffffe are reserved.
   */
  initialLength(): { length: number; is64: boolean } {
    const at = this.pos;
    const first = this.u32();
    if (first === 0xFFFF_FFFF) return { length: this.u64('unit length'), is64: true };
    if (first >= 0xFFFF_FFF0) throw this.error(`reserved initial length value ${hexOf(first)}`, at);
    return { length: first, is64: false };
  }

  /** Unsigned LEB128 as a number; throws if the value needs more than 53 bits. */
  uleb(): number {
    const at = this.pos;
    let result = 0, scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw this.error('truncated LEB128 number (no final byte before the end)', at);
      const b = this.bytes[this.pos++];
      const low = b & 0x7F;
      if (low !== 0) { // zero groups (padding) never overflow, whatever their position
        result += low * scale;
        if (result > Number.MAX_SAFE_INTEGER) throw this.error('LEB128 number is too large for a 53-bit integer', at);
      }
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }

  /** Signed LEB128 as a number; throws if the value needs more than 53 bits. */
  sleb(): number {
    const at = this.pos;
    const v = this.slebBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw this.error('LEB128 number is too large for a 53-bit integer', at);
    }
    return Number(v);
  }

  /** Unsigned LEB128 of any size. */
  ulebBig(): bigint {
    const at = this.pos;
    let result = 0n, shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw this.error('truncated LEB128 number (no final byte before the end)', at);
      const b = this.bytes[this.pos++];
      result |= BigInt(b & 0x7F) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return result;
      if (shift > 1024n) throw this.error('LEB128 number is longer than 146 bytes', at);
    }
  }

  /** Signed LEB128 of any size. */
  slebBig(): bigint {
    const at = this.pos;
    let result = 0n, shift = 0n, b = 0;
    for (;;) {
      if (this.pos >= this.end) throw this.error('truncated LEB128 number (no final byte before the end)', at);
      b = this.bytes[this.pos++];
      result |= BigInt(b & 0x7F) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
      if (shift > 1024n) throw this.error('LEB128 number is longer than 146 bytes', at);
    }
    if (b & 0x40) result -= 1n << shift;
    return result;
  }

  /** n raw bytes (a view into the section, not a copy). */
  block(n: number, what = 'block'): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A NUL-terminated UTF-8 string. */
  cstr(): string {
    const at = this.pos;
    let end = this.pos;
    while (end < this.end && this.bytes[end] !== 0) end++;
    if (end >= this.end) throw this.error('unterminated string (no NUL before the end)', at);
    const s = textDecoder.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
}

/** The NUL-terminated string at offset in a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Section, offset: number, from: string): string {
  if (offset < 0 || offset >= section.bytes.length) {
    throw new DwarfError(section.name, offset, `string offset ${hexOf(offset)} (from ${from}) is outside the section (size ${hexOf(section.bytes.length)})`, section.file);
  }
  return new DwarfReader(section, offset).cstr();
}
