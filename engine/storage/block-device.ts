// Disk images as the engine sees them: fixed-size 512-byte sectors addressed by LBA. No Node imports,
// so the engine stays host-independent; the CLI provides file-backed devices (src/cli/disk-files.ts).

export const SECTOR_SIZE = 512;

/** A disk of sectorCount 512-byte sectors. */
export interface BlockDevice {
  /** Number of sectors (the image size / 512). */
  readonly sectorCount: number;
  /** True when write() is refused (the controller then aborts guest writes). */
  readonly readOnly?: boolean;
  /** Reads count sectors from lba; the result is count*512 bytes. Out-of-range → RangeError. */
  read(lba: number, count: number): Uint8Array;
  /** Writes data (a multiple of 512 bytes) at lba. Out-of-range → RangeError. */
  write(lba: number, data: Uint8Array): void;
  /** Makes earlier writes durable (no-op for memory-backed devices). */
  flush(): void;
}

/** Throws RangeError unless [lba, lba+count) lies inside a disk of sectorCount sectors. */
export function checkRange(sectorCount: number, lba: number, count: number): void {
  if (!Number.isSafeInteger(lba) || !Number.isSafeInteger(count) || lba < 0 || count < 0 || lba + count > sectorCount) {
    throw new RangeError(`sectors ${lba}+${count} outside a disk of ${sectorCount} sectors`);
  }
}

/** Sector count of a write of data, which must be whole sectors. */
export function sectorsOf(data: Uint8Array): number {
  if (data.length % SECTOR_SIZE !== 0) throw new RangeError(`write of ${data.length} bytes is not whole sectors`);
  return data.length / SECTOR_SIZE;
}
