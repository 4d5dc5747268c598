// ByteWriter: builds little-endian DWARF byte sequences by hand for the reader tests (integers,
// LEB128, strings, and length fields patched once the data after them is known).

export class ByteWriter {
  private out: number[] = [];

  get length(): number { return this.out.length; }
  get pos(): number { return this.out.length; }

  u8(...vs: number[]): this { for (const v of vs) this.out.push(v & 0xFF); return this; }
  u16(v: number): this { return this.u8(v, v >> 8); }
  u24(v: number): this { return this.u8(v, v >> 8, v >> 16); }
  u32(v: number): this { return this.u8(v, v >>> 8, v >>> 16, v >>> 24); }
  u64(v: number | bigint): this {
    const b = BigInt(v);
    for (let k = 0n; k < 8n; k++) this.out.push(Number((b >> (8n * k)) & 0xFFn));
    return this;
  }
  uleb(v: number | bigint): this {
    let b = BigInt(v);
    do {
      let byte = Number(b & 0x7Fn);
      b >>= 7n;
      if (b !== 0n) byte |= 0x80;
      this.out.push(byte);
    } while (b !== 0n);
    return this;
  }
  sleb(v: number | bigint): this {
    let b = BigInt(v);
    for (;;) {
      const byte = Number(b & 0x7Fn);
      b >>= 7n;
      const done = (b === 0n && (byte & 0x40) === 0) || (b === -1n && (byte & 0x40) !== 0);
      this.out.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }
  cstr(s: string): this { for (const b of new TextEncoder().encode(s)) this.out.push(b); this.out.push(0); return this; }
  bytes(b: ArrayLike<number>): this { for (let k = 0; k < b.length; k++) this.out.push(b[k] & 0xFF); return this; }

  /** Reserves a 4-byte field and returns a function that fills it with the byte count written since. */
  length32(): () => void {
    const at = this.out.length;
    this.u32(0);
    return () => { this.patch32(at, this.out.length - at - 4); };
  }
  patch32(at: number, v: number): void {
    this.out[at] = v & 0xFF; this.out[at + 1] = (v >>> 8) & 0xFF; this.out[at + 2] = (v >>> 16) & 0xFF; this.out[at + 3] = (v >>> 24) & 0xFF;
  }

  finish(): Uint8Array { return Uint8Array.from(this.out); }
}

/** Bytes from numbers. */
export const bytes = (...vs: number[]): Uint8Array => Uint8Array.from(vs);
