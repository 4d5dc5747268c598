// GuestMemory: the guest-physical address space — RAM, ROM and MMIO regions — shared by the CPU,
// devices, loaders and the debugger. Page-granular region kinds keep the RAM fast path to one lookup.

/** A guest-physical address (what the memory bus sees, after paging). */
export type PhysicalAddress = number & { readonly __physical?: unique symbol };
/** A guest-linear address (segment base + offset, before paging). */
export type LinearAddress = number & { readonly __linear?: unique symbol };

/** Handler for a memory-mapped I/O region; offsets are relative to the region base. */
export interface MmioHandler {
  /** Reads size (1, 2 or 4) bytes at offset. */
  read(offset: number, size: 1 | 2 | 4): number;
  /** Writes size (1, 2 or 4) bytes at offset. */
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** What occupies one 4 KiB physical page. */
export const enum PageKind { Ram = 0, Rom = 1, Mmio = 2, Unmapped = 3 }

const PAGE_SHIFT = 12;
const PAGE_COUNT = 1 << 20; // 4 GiB / 4 KiB

interface MmioRegion { base: number; size: number; name: string; handler: MmioHandler }

/** Thrown for configuration mistakes such as overlapping regions (never by guest accesses). */
export class MemoryConfigError extends Error {}

export class GuestMemory {
  readonly ram: Uint8Array;                       // backing store for RAM and ROM pages (below ramSize)
  readonly ram16: Uint16Array;                     // the same bytes as aligned words (little-endian host)
  readonly ram32: Int32Array;                      // the same bytes as aligned dwords (little-endian host)
  readonly ramSize: number;                        // bytes of guest RAM
  readonly pageKind = new Uint8Array(PAGE_COUNT);  // PageKind per physical page
  /** Per physical page: nonzero when decoded code from this page is cached (writes must invalidate it). */
  readonly codePage = new Uint8Array(PAGE_COUNT);
  /** Called with the physical page number when a write hits a page marked in codePage. */
  onCodeWrite: (page: number) => void = () => {};
  /** Called after the A20 gate opens or closes: addresses with bit 20 set now name other bytes. */
  onA20Change?: () => void;
  /**
   * Called for every guest access that leaves the RAM fast path (MMIO, ROM, unmapped): after a read
   * with the value read, before a write with the value written. The hw strategy's EPT checks these;
   * absent, such accesses cost nothing more.
   */
  slowAccessObserver?: (physical: number, size: 1 | 2 | 4, write: boolean, value: number) => void;
  /** Which vCPU is executing (the Vm sets it with several vCPUs), for observers that attribute accesses. */
  accessingVcpu: () => number = () => 0;
  private a20Mask = -1;                            // ANDed into every CPU access: all ones, or bit 20 clear (A20 off)
  private readonly mmio: MmioRegion[] = [];
  private readonly romImages = new Map<number, Uint8Array>(); // ROM above RAM: page base → bytes

  constructor(ramSize: number) {
    if (ramSize <= 0 || ramSize % 4096 !== 0 || ramSize > 0xF000_0000) {
      throw new MemoryConfigError(`guest RAM size ${ramSize} must be a positive multiple of 4 KiB below 3.75 GiB`);
    }
    this.ramSize = ramSize;
    this.ram = new Uint8Array(ramSize);
    this.ram16 = new Uint16Array(this.ram.buffer);
    this.ram32 = new Int32Array(this.ram.buffer);
    this.pageKind.fill(PageKind.Unmapped);
    this.pageKind.fill(PageKind.Ram, 0, ramSize >>> PAGE_SHIFT);
  }

  /**
   * The A20 gate (8042 output port bit 1, port 0x92 bit 1). When false, bit 20 of every address
   * the CPU reads or writes is forced to 0, so 0x100000 wraps to 0 as on an 8086. Loaders and the
   * debugger's readBytes/writeBytes see memory unmasked.
   */
  get a20Enabled(): boolean { return this.a20Mask === -1; }
  set a20Enabled(on: boolean) {
    const mask = on ? -1 : ~0x100000;
    if (mask === this.a20Mask) return;
    this.a20Mask = mask;
    this.onA20Change?.();
  }

  /**
   * Where the CPU may access the physical page holding addr straight in `ram` (the translator's fast
   * path): the page's offset in `ram` after the A20 mask, or -1 when accesses must take the checked
   * path (MMIO, unmapped, beyond RAM; for writes also ROM and pages holding decoded code).
   */
  directPageBase(addr: PhysicalAddress, write: boolean): number {
    const base = ((addr & this.a20Mask) >>> 0) & ~0xFFF;
    const page = base >>> PAGE_SHIFT;
    if (base + 0x1000 > this.ramSize) return -1;
    const kind = this.pageKind[page];
    if (write ? kind !== PageKind.Ram || this.codePage[page] !== 0 : kind > PageKind.Rom) return -1;
    return base;
  }

  /** Maps an MMIO region; refuses overlaps with other MMIO or ROM regions. */
  mapMmio(base: number, size: number, name: string, handler: MmioHandler): void {
    this.claimPages(base, size, name, PageKind.Mmio);
    this.mmio.push({ base, size, name, handler });
  }

  /** Marks [base, base+size) as read-only; contents come from image (copied). */
  mapRom(base: number, image: Uint8Array, name: string): void {
    const size = Math.ceil(image.length / 4096) * 4096;
    this.claimPages(base, size, name, PageKind.Rom);
    if (base + size <= this.ramSize) this.ram.set(image, base);
    else {
      for (let off = 0; off < size; off += 4096) {
        const page = new Uint8Array(4096);
        page.set(image.subarray(off, Math.min(off + 4096, image.length)));
        this.romImages.set(base + off, page);
      }
    }
  }

  private claimPages(base: number, size: number, name: string, kind: PageKind): void {
    if (base % 4096 !== 0 || size % 4096 !== 0 || size <= 0) {
      throw new MemoryConfigError(`${name}: region ${hex(base)}+${hex(size)} is not page-aligned`);
    }
    for (let p = base >>> PAGE_SHIFT; p < (base + size) >>> PAGE_SHIFT; p++) {
      const k = this.pageKind[p];
      if (k === PageKind.Mmio || k === PageKind.Rom) {
        throw new MemoryConfigError(`${name}: region ${hex(base)}+${hex(size)} overlaps an existing region at ${hex(p << PAGE_SHIFT)}`);
      }
    }
    this.pageKind.fill(kind, base >>> PAGE_SHIFT, (base + size) >>> PAGE_SHIFT);
  }

  /** True when [addr, addr+length) is plain RAM (what loaders may write into). */
  isRam(addr: PhysicalAddress, length: number): boolean {
    if (addr < 0 || length < 0 || addr + length > this.ramSize) return false;
    for (let p = addr >>> PAGE_SHIFT; p <= (addr + Math.max(length, 1) - 1) >>> PAGE_SHIFT; p++) {
      if (this.pageKind[p] !== PageKind.Ram) return false;
    }
    return true;
  }

  read8(addr: PhysicalAddress): number {
    addr = (addr & this.a20Mask) >>> 0;
    const kind = this.pageKind[addr >>> PAGE_SHIFT];
    if (kind <= PageKind.Rom && addr < this.ramSize) return this.ram[addr];
    return this.slowRead(addr, 1);
  }

  read16(addr: PhysicalAddress): number {
    addr = (addr & this.a20Mask) >>> 0;
    if ((addr & 0xFFF) <= 0xFFE && this.pageKind[addr >>> PAGE_SHIFT] <= PageKind.Rom && addr + 1 < this.ramSize) {
      return this.ram[addr] | (this.ram[addr + 1] << 8);
    }
    if ((addr & 0xFFF) === 0xFFF) return this.read8(addr) | (this.read8(addr + 1) << 8);
    return this.slowRead(addr, 2);
  }

  read32(addr: PhysicalAddress): number {
    addr = (addr & this.a20Mask) >>> 0;
    if ((addr & 0xFFF) <= 0xFFC && this.pageKind[addr >>> PAGE_SHIFT] <= PageKind.Rom && addr + 3 < this.ramSize) {
      if ((addr & 3) === 0) return this.ram32[addr >>> 2];
      const r = this.ram;
      return r[addr] | (r[addr + 1] << 8) | (r[addr + 2] << 16) | (r[addr + 3] << 24);
    }
    if ((addr & 0xFFF) > 0xFFC) return (this.read16(addr) | (this.read16(addr + 2) << 16));
    return this.slowRead(addr, 4);
  }

  write8(addr: PhysicalAddress, value: number): void {
    addr = (addr & this.a20Mask) >>> 0;
    const page = addr >>> PAGE_SHIFT;
    if (this.pageKind[page] === PageKind.Ram && addr < this.ramSize) {
      if (this.codePage[page]) this.onCodeWrite(page);
      this.ram[addr] = value;
      return;
    }
    this.slowWrite(addr, 1, value);
  }

  write16(addr: PhysicalAddress, value: number): void {
    addr = (addr & this.a20Mask) >>> 0;
    const page = addr >>> PAGE_SHIFT;
    if ((addr & 0xFFF) <= 0xFFE && this.pageKind[page] === PageKind.Ram && addr + 1 < this.ramSize) {
      if (this.codePage[page]) this.onCodeWrite(page);
      this.ram[addr] = value; this.ram[addr + 1] = value >>> 8;
      return;
    }
    if ((addr & 0xFFF) === 0xFFF) { this.write8(addr, value); this.write8(addr + 1, value >>> 8); return; }
    this.slowWrite(addr, 2, value);
  }

  write32(addr: PhysicalAddress, value: number): void {
    addr = (addr & this.a20Mask) >>> 0;
    const page = addr >>> PAGE_SHIFT;
    if ((addr & 0xFFF) <= 0xFFC && this.pageKind[page] === PageKind.Ram && addr + 3 < this.ramSize) {
      if (this.codePage[page]) this.onCodeWrite(page);
      if ((addr & 3) === 0) { this.ram32[addr >>> 2] = value; return; }
      const r = this.ram;
      r[addr] = value; r[addr + 1] = value >>> 8; r[addr + 2] = value >>> 16; r[addr + 3] = value >>> 24;
      return;
    }
    if ((addr & 0xFFF) > 0xFFC) { this.write16(addr, value); this.write16(addr + 2, value >>> 16); return; }
    this.slowWrite(addr, 4, value);
  }

  /** Copies bytes into guest memory for loaders and the debugger (RAM pages only; returns false if not RAM). */
  writeBytes(addr: PhysicalAddress, bytes: Uint8Array): boolean {
    if (!this.isRam(addr, bytes.length)) return false;
    this.ram.set(bytes, addr);
    for (let p = addr >>> PAGE_SHIFT; p <= (addr + Math.max(bytes.length, 1) - 1) >>> PAGE_SHIFT; p++) {
      if (this.codePage[p]) this.onCodeWrite(p);
    }
    return true;
  }

  /** Reads bytes for the debugger and loaders; unmapped bytes read as 0xFF and MMIO is not touched. */
  readBytes(addr: PhysicalAddress, length: number): Uint8Array {
    const out = new Uint8Array(length).fill(0xFF);
    for (let i = 0; i < length; i++) {
      const a = (addr + i) >>> 0;
      const kind = this.pageKind[a >>> PAGE_SHIFT];
      if (kind <= PageKind.Rom) out[i] = a < this.ramSize ? this.ram[a] : (this.romImages.get(a & ~0xFFF)?.[a & 0xFFF] ?? 0xFF);
    }
    return out;
  }

  private findMmio(addr: number): MmioRegion | undefined {
    for (const r of this.mmio) if (addr >= r.base && addr < r.base + r.size) return r;
    return undefined;
  }

  private slowRead(addr: number, size: 1 | 2 | 4): number {
    if (this.slowAccessObserver === undefined) return this.unobservedSlowRead(addr, size);
    const value = this.unobservedSlowRead(addr, size);
    this.slowAccessObserver(addr, size, false, value);
    return value;
  }

  private unobservedSlowRead(addr: number, size: 1 | 2 | 4): number {
    const kind = this.pageKind[addr >>> PAGE_SHIFT];
    if (kind === PageKind.Mmio) {
      const r = this.findMmio(addr);
      if (r) return r.handler.read(addr - r.base, size);
    }
    if (kind === PageKind.Rom) {
      const img = this.romImages.get(addr & ~0xFFF);
      if (img) {
        let v = 0;
        for (let i = 0; i < size; i++) v |= img[(addr + i) & 0xFFF] << (8 * i);
        return v;
      }
    }
    return size === 1 ? 0xFF : size === 2 ? 0xFFFF : -1; // open bus
  }

  private slowWrite(addr: number, size: 1 | 2 | 4, value: number): void {
    this.slowAccessObserver?.(addr, size, true, value);
    if (this.pageKind[addr >>> PAGE_SHIFT] === PageKind.Mmio) {
      const r = this.findMmio(addr);
      if (r) r.handler.write(addr - r.base, size, value);
    }
    // ROM and unmapped: writes are ignored, as on a PC.
  }
}

function hex(n: number): string { return '0x' + (n >>> 0).toString(16); }
