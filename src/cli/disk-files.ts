// Disk-image files behind the IDE drives of `hvdbg run --disk FILE[,writable]`. A writable image is
// written through to the file on every guest write (so a guest crash or triple fault loses nothing)
// and fsynced on FLUSH CACHE and at the end of the run. Any other image is opened read-only behind a
// copy-on-write overlay in memory: the guest sees its own writes, the file is never touched.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { checkRange, sectorsOf, SECTOR_SIZE, type BlockDevice } from '../../engine/storage/block-device.js';
import { CowOverlay } from '../../engine/storage/cow-overlay.js';
import { UsageError } from './usage-error.js';

/** One --disk option: the image file and whether the guest may change it. */
export interface DiskSpec { file: string; writable: boolean }

/** At most a master and a slave on the primary channel. */
export const MAX_DISKS = 2;

/** Parses FILE or FILE,writable (the option text of --disk). */
export function parseDiskSpec(text: string): DiskSpec {
  const m = /^(.*),(writable|rw|readonly|ro)$/.exec(text);
  const file = m ? m[1] : text;
  if (file === '') throw new UsageError(`--disk: missing the image file name in '${text}'`);
  return { file, writable: !!m && (m[2] === 'writable' || m[2] === 'rw') };
}

/** A disk image file, read and written with positioned synchronous I/O. */
export class FileDisk implements BlockDevice {
  readonly sectorCount: number;
  private fd: number | undefined;

  private constructor(readonly file: string, fd: number, bytes: number, readonly readOnly: boolean) {
    this.fd = fd;
    this.sectorCount = bytes / SECTOR_SIZE;
  }

  /** Opens file (read-only unless writable); a missing, empty or partial-sector image is a UsageError. */
  static open(file: string, writable: boolean): FileDisk {
    let fd: number;
    try {
      fd = openSync(file, writable ? 'r+' : 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' || code === 'EPERM'
        ? `permission denied${writable ? ' (a writable disk must be writable by you)' : ''}`
        : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
      throw new UsageError(`hvdbg: cannot open disk image '${file}': ${why}`);
    }
    const size = fstatSync(fd).size;
    if (size === 0 || size % SECTOR_SIZE !== 0) {
      closeSync(fd);
      throw new UsageError(`hvdbg: disk image '${file}' is ${size} bytes; it must be a non-empty whole number of 512-byte sectors`);
    }
    return new FileDisk(file, fd, size, !writable);
  }

  read(lba: number, count: number): Uint8Array {
    checkRange(this.sectorCount, lba, count);
    const out = new Uint8Array(count * SECTOR_SIZE);
    let done = 0;
    while (done < out.length) {
      const n = readSync(this.handle(), out, done, out.length - done, lba * SECTOR_SIZE + done);
      if (n <= 0) break;   // the file shrank under us: the rest reads as zeros
      done += n;
    }
    return out;
  }

  write(lba: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error(`disk image '${this.file}' is read-only`);
    checkRange(this.sectorCount, lba, sectorsOf(data));
    let done = 0;
    while (done < data.length) done += writeSync(this.handle(), data, done, data.length - done, lba * SECTOR_SIZE + done);
  }

  flush(): void {
    if (!this.readOnly && this.fd !== undefined) fsyncSync(this.fd);
  }

  /** Flushes (writable images) and closes the file; later calls do nothing. */
  close(): void {
    if (this.fd === undefined) return;
    try { this.flush(); } finally { closeSync(this.fd); this.fd = undefined; }
  }

  private handle(): number {
    if (this.fd === undefined) throw new Error(`disk image '${this.file}' is closed`);
    return this.fd;
  }
}

/** The opened disks of a run: devices for the VM (master first) and the files to close. */
export interface OpenDisks { devices: BlockDevice[]; files: FileDisk[] }

/** Opens every --disk before the guest starts; on any error closes what was opened and throws it. */
export function openDisks(specs: readonly DiskSpec[]): OpenDisks {
  if (specs.length > MAX_DISKS) throw new UsageError(`--disk: at most ${MAX_DISKS} disks (primary IDE master and slave), got ${specs.length}`);
  const opened: OpenDisks = { devices: [], files: [] };
  try {
    for (const spec of specs) {
      const file = FileDisk.open(spec.file, spec.writable);
      opened.files.push(file);
      opened.devices.push(spec.writable ? file : new CowOverlay(file));
    }
  } catch (error) {
    closeDisks(opened);
    throw error;
  }
  return opened;
}

/** Flushes writable images to stable storage and closes every file (at the end of the run). */
export function closeDisks(disks: OpenDisks): void {
  for (const f of disks.files) f.close();
}
