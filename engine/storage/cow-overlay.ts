// Copy-on-write overlay: reads come from the guest's own writes where there are any, else from a
// base device that is never written. Disks not marked writable run behind one, so the image file is
// never touched while the guest still sees what it wrote (until the run ends).
import { checkRange, sectorsOf, SECTOR_SIZE, type BlockDevice } from './block-device.js';

export class CowOverlay implements BlockDevice {
  private readonly dirty = new Map<number, Uint8Array>();   // lba → the sector as the guest wrote it

  constructor(private readonly base: BlockDevice) {}

  get sectorCount(): number { return this.base.sectorCount; }
  readonly readOnly = false;

  /** Number of sectors the guest has written (held in memory). */
  get overlaySectors(): number { return this.dirty.size; }

  read(lba: number, count: number): Uint8Array {
    checkRange(this.sectorCount, lba, count);
    const out = this.base.read(lba, count);
    if (this.dirty.size === 0) return out;
    for (let k = 0; k < count; k++) {
      const s = this.dirty.get(lba + k);
      if (s) out.set(s, k * SECTOR_SIZE);
    }
    return out;
  }

  write(lba: number, data: Uint8Array): void {
    const count = sectorsOf(data);
    checkRange(this.sectorCount, lba, count);
    for (let k = 0; k < count; k++) this.dirty.set(lba + k, data.slice(k * SECTOR_SIZE, (k + 1) * SECTOR_SIZE));
  }

  /** Nothing to make durable: the overlay lives only as long as the run. */
  flush(): void {}

  /** Forgets the guest's writes. */
  discard(): void { this.dirty.clear(); }
}
