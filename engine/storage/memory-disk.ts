// A disk held in memory: for tests and for scratch disks.
import { checkRange, sectorsOf, SECTOR_SIZE, type BlockDevice } from './block-device.js';

export class MemoryDisk implements BlockDevice {
  readonly bytes: Uint8Array;
  flushes = 0;   // how many times flush() was called (tests check FLUSH CACHE reaches the disk)

  /** A zeroed disk of sectorCount sectors, or one holding a copy of image (whole sectors). */
  constructor(sizeOrImage: number | Uint8Array, readonly readOnly = false) {
    if (typeof sizeOrImage === 'number') this.bytes = new Uint8Array(sizeOrImage * SECTOR_SIZE);
    else { sectorsOf(sizeOrImage); this.bytes = sizeOrImage.slice(); }
  }

  get sectorCount(): number { return this.bytes.length / SECTOR_SIZE; }

  read(lba: number, count: number): Uint8Array {
    checkRange(this.sectorCount, lba, count);
    return this.bytes.slice(lba * SECTOR_SIZE, (lba + count) * SECTOR_SIZE);
  }

  write(lba: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('read-only disk');
    checkRange(this.sectorCount, lba, sectorsOf(data));
    this.bytes.set(data, lba * SECTOR_SIZE);
  }

  flush(): void { this.flushes++; }
}
