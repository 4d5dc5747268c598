// ATA/IDE PIO controller: one channel (primary: command block 0x1F0–0x1F7, control block 0x3F6,
// IRQ14) with a master and an optional slave backed by BlockDevices. Implements IDENTIFY, READ/WRITE
// SECTORS and MULTIPLE in LBA28, CHS and LBA48 (EXT) forms, FLUSH CACHE, SET MULTIPLE, SET FEATURES,
// INITIALIZE DEVICE PARAMETERS; anything else is aborted. Commands complete at once (no BSY phase).
import type { PortHandler } from '../io-bus.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { defaultGeometry, identifyDevice, MAX_MULTIPLE, type Geometry } from './identify.js';

export const ATA_PRIMARY_COMMAND_PORT = 0x1F0, ATA_PRIMARY_CONTROL_PORT = 0x3F6, ATA_PRIMARY_IRQ = 14;

// Status register bits.
export const ST_BSY = 0x80, ST_DRDY = 0x40, ST_DF = 0x20, ST_DSC = 0x10, ST_DRQ = 0x08, ST_ERR = 0x01;
// Error register bits.
export const ER_UNC = 0x40, ER_IDNF = 0x10, ER_ABRT = 0x04;
// Device control register bits.
export const DC_NIEN = 0x02, DC_SRST = 0x04, DC_HOB = 0x80;
// Device/head register bits.
export const DH_LBA = 0x40, DH_DEV = 0x10, DH_OBSOLETE = 0xA0;

/** Status read from an absent slave while the master is present (the master answers for it). */
export const ABSENT_SLAVE_STATUS = 0x00;
/** Status read from a channel with no drive at all (DD7 pulled down, the rest floating). */
export const EMPTY_CHANNEL_STATUS = 0x7F;

/** The controller's interrupt output (IRQ14 on the PIC). */
export interface AtaIrq { raise(): void; lower(): void }

type Transfer = 'none' | 'read' | 'write' | 'identify';

interface Drive {
  disk?: BlockDevice;
  status: number;
  error: number;
  multiple: number;       // sectors per DRQ block for READ/WRITE MULTIPLE (0 = not set)
  geometry: Geometry;     // current CHS translation (INITIALIZE DEVICE PARAMETERS changes it)
  buffer: Uint8Array;     // the current DRQ block
  pos: number;            // next byte of buffer the host moves
  end: number;            // bytes in the current block
  transfer: Transfer;
  lba: number;            // next sector of the transfer
  remaining: number;      // sectors still to move after the current block
  block: number;          // sectors per DRQ block of this transfer
}

export interface AtaDriveState {
  status: number; error: number; multiple: number; geometry: Geometry;
  buffer: number[]; pos: number; end: number; transfer: Transfer; lba: number; remaining: number; block: number;
}

export interface AtaState {
  features: number[]; count: number[]; lbaLow: number[]; lbaMid: number[]; lbaHigh: number[];  // [current, previous]
  device: number; control: number; irqPending: boolean; drives: AtaDriveState[];
}

/** A task-file register with its previous value (the "high order byte" LBA48 reads back with HOB). */
class Fifo2 {
  cur = 0; prev = 0;
  write(v: number): void { this.prev = this.cur; this.cur = v & 0xFF; }
  read(hob: boolean): number { return hob ? this.prev : this.cur; }
}

export class AtaController {
  private readonly drives: [Drive, Drive];
  private readonly features = new Fifo2();
  private readonly count = new Fifo2();
  private readonly lbaLow = new Fifo2();
  private readonly lbaMid = new Fifo2();
  private readonly lbaHigh = new Fifo2();
  private device = DH_OBSOLETE;
  private control = 0;
  private irqPending = false;

  /** The command block (register offsets 0–7), to register at 0x1F0. */
  readonly commandBlock: PortHandler = {
    read: (offset, size) => this.readCommandBlock(offset, size),
    write: (offset, size, value) => this.writeCommandBlock(offset, size, value),
  };
  /** The control block (alternate status / device control), to register at 0x3F6. */
  readonly controlBlock: PortHandler = {
    read: () => this.alternateStatus(),
    write: (_offset, _size, value) => this.writeControl(value & 0xFF),
  };

  constructor(private readonly irq: AtaIrq, disks: readonly (BlockDevice | undefined)[] = []) {
    if (disks.length > 2) throw new RangeError('an ATA channel has at most two drives');
    this.drives = [this.newDrive(disks[0]), this.newDrive(disks[1])];
    for (const d of this.drives) this.setSignature(d);
  }

  /** The disk behind drive 0 (master) or 1 (slave). */
  disk(drive: 0 | 1): BlockDevice | undefined { return this.drives[drive].disk; }

  /** Flushes both disks (the host calls this when the run ends). */
  flushAll(): void { for (const d of this.drives) d.disk?.flush(); }

  private newDrive(disk: BlockDevice | undefined): Drive {
    return {
      disk, status: disk ? ST_DRDY | ST_DSC : 0, error: 0x01, multiple: 0,
      geometry: defaultGeometry(disk?.sectorCount ?? 0), buffer: new Uint8Array(MAX_MULTIPLE * 512),
      pos: 0, end: 0, transfer: 'none', lba: 0, remaining: 0, block: 1,
    };
  }

  private get selected(): Drive { return this.drives[(this.device & DH_DEV) ? 1 : 0]; }
  private get anyDrive(): boolean { return !!(this.drives[0].disk || this.drives[1].disk); }

  // ---- register access

  private readCommandBlock(offset: number, size: 1 | 2 | 4): number {
    if (offset === 0) return this.readData(size);
    if (offset === 7) {
      const s = this.statusOf(this.selected);
      if (this.selected.disk) this.clearIrq();      // reading status acknowledges the interrupt
      return s;
    }
    if (!this.anyDrive) return EMPTY_CHANNEL_STATUS;
    const hob = !!(this.control & DC_HOB);
    switch (offset) {
      case 1: return this.selected.disk ? this.selected.error : 0;
      case 2: return this.count.read(hob);
      case 3: return this.lbaLow.read(hob);
      case 4: return this.lbaMid.read(hob);
      case 5: return this.lbaHigh.read(hob);
      default: return this.device | DH_OBSOLETE;
    }
  }

  private writeCommandBlock(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset === 0) { this.writeData(size, value); return; }
    value &= 0xFF;
    if (offset !== 7) this.control &= ~DC_HOB;   // writing the task file clears HOB
    switch (offset) {
      case 1: this.features.write(value); break;
      case 2: this.count.write(value); break;
      case 3: this.lbaLow.write(value); break;
      case 4: this.lbaMid.write(value); break;
      case 5: this.lbaHigh.write(value); break;
      case 6: this.device = value | DH_OBSOLETE; break;
      default: this.command(value);
    }
  }

  private statusOf(d: Drive): number {
    if (d.disk) return d.status;
    return this.anyDrive ? ABSENT_SLAVE_STATUS : EMPTY_CHANNEL_STATUS;
  }

  private alternateStatus(): number { return this.statusOf(this.selected); }

  private writeControl(value: number): void {
    const old = this.control;
    this.control = value;
    if ((value & DC_SRST) && !(old & DC_SRST)) {
      for (const d of this.drives) {
        this.endTransfer(d);
        d.status = d.disk ? ST_BSY | ST_DSC : 0;
      }
      this.clearIrq();
    } else if (!(value & DC_SRST) && (old & DC_SRST)) {
      this.device = DH_OBSOLETE;
      for (const d of this.drives) {
        d.status = d.disk ? ST_DRDY | ST_DSC : 0;
        d.error = 0x01;                              // diagnostics passed
        this.setSignature(d);
      }
    }
    if ((value ^ old) & DC_NIEN) this.driveLine();
  }

  /** The ATA signature in the task file (count 1, LBA 1, cylinder 0): a disk, not a packet device. */
  private setSignature(_d: Drive): void {
    this.count.cur = 1; this.lbaLow.cur = 1; this.lbaMid.cur = 0; this.lbaHigh.cur = 0;
  }

  // ---- interrupts

  private assertIrq(): void {
    this.irqPending = true;
    if (!(this.control & DC_NIEN)) { this.irq.lower(); this.irq.raise(); }   // a fresh edge each time
  }

  private clearIrq(): void {
    if (!this.irqPending) return;
    this.irqPending = false;
    this.irq.lower();
  }

  private driveLine(): void {
    if (this.irqPending && !(this.control & DC_NIEN)) this.irq.raise(); else this.irq.lower();
  }

  // ---- data port

  private readData(size: 1 | 2 | 4): number {
    const d = this.selected;
    if (!(d.status & ST_DRQ) || (d.transfer !== 'read' && d.transfer !== 'identify')) return 0;
    const n = size === 1 ? 2 : size;                 // byte reads still move a word, as 16-bit hardware does
    let v = 0;
    for (let k = 0; k < n && d.pos < d.end; k++) v |= d.buffer[d.pos++] << (8 * k);
    if (d.pos >= d.end) this.blockDone(d);
    return size === 1 ? v & 0xFF : v >>> 0;
  }

  private writeData(size: 1 | 2 | 4, value: number): void {
    const d = this.selected;
    if (!(d.status & ST_DRQ) || d.transfer !== 'write') return;
    const n = size === 1 ? 2 : size;
    for (let k = 0; k < n && d.pos < d.end; k++) d.buffer[d.pos++] = (value >>> (8 * k)) & 0xFF;
    if (d.pos >= d.end) this.blockDone(d);
  }

  /** The host moved the whole DRQ block: write it out, fetch the next one, or finish. */
  private blockDone(d: Drive): void {
    if (d.transfer === 'write') {
      const sectors = d.end / 512;
      try {
        d.disk!.write(d.lba, d.buffer.slice(0, d.end));
      } catch {
        this.fail(d, ER_ABRT);
        return;
      }
      d.lba += sectors;
      if (d.remaining > 0) this.nextWriteBlock(d);
      else { this.endTransfer(d); d.status = ST_DRDY | ST_DSC; }
      this.assertIrq();
      return;
    }
    if (d.transfer === 'read' && d.remaining > 0) { this.nextReadBlock(d); return; }
    this.endTransfer(d);
    d.status = ST_DRDY | ST_DSC;
  }

  private endTransfer(d: Drive): void {
    d.transfer = 'none'; d.pos = d.end = 0; d.remaining = 0;
  }

  // ---- commands

  private command(cmd: number): void {
    const d = this.selected;
    if (!d.disk || (d.status & ST_BSY)) return;      // an absent device ignores commands; BSY ignores them too
    this.endTransfer(d);
    this.clearIrq();
    d.error = 0;
    switch (cmd) {
      case 0xEC: this.identify(d); return;                       // IDENTIFY DEVICE
      case 0x20: case 0x21: this.startRead(d, false, 1); return; // READ SECTORS (with/without retry)
      case 0x30: case 0x31: this.startWrite(d, false, 1); return;// WRITE SECTORS
      case 0x24: this.startRead(d, true, 1); return;             // READ SECTORS EXT
      case 0x34: this.startWrite(d, true, 1); return;            // WRITE SECTORS EXT
      case 0xC4: case 0x29:                                      // READ MULTIPLE (EXT)
        if (!d.multiple) { this.fail(d, ER_ABRT); return; }
        this.startRead(d, cmd === 0x29, d.multiple); return;
      case 0xC5: case 0x39:                                      // WRITE MULTIPLE (EXT)
        if (!d.multiple) { this.fail(d, ER_ABRT); return; }
        this.startWrite(d, cmd === 0x39, d.multiple); return;
      case 0xC6: this.setMultiple(d); return;                    // SET MULTIPLE MODE
      case 0xE7: case 0xEA:                                      // FLUSH CACHE (EXT)
        try { d.disk.flush(); } catch { this.fail(d, ER_ABRT); return; }
        this.complete(d); return;
      case 0x91: {                                               // INITIALIZE DEVICE PARAMETERS
        const heads = (this.device & 0x0F) + 1, sectors = this.count.cur;
        if (sectors === 0) { this.fail(d, ER_ABRT); return; }
        const cylinders = Math.max(1, Math.min(65535, Math.floor(Math.min(d.disk.sectorCount, 16514064) / (heads * sectors))));
        d.geometry = { cylinders, heads, sectors };
        this.complete(d); return;
      }
      case 0xEF: this.complete(d); return;                       // SET FEATURES: accepted, nothing changes
      case 0x90:                                                 // EXECUTE DEVICE DIAGNOSTIC
        this.setSignature(d); d.error = 0x01; d.status = ST_DRDY | ST_DSC; this.assertIrq(); return;
      case 0xE5: this.count.cur = 0xFF; this.complete(d); return;// CHECK POWER MODE: active
      case 0x40: case 0x41: case 0x42: {                         // READ VERIFY SECTORS (EXT)
        const r = this.range(d, cmd === 0x42);
        if (r) this.complete(d);
        return;
      }
      default: this.fail(d, ER_ABRT);
    }
  }

  /** Ends a command without data: ready, interrupt. */
  private complete(d: Drive): void {
    d.status = ST_DRDY | ST_DSC;
    this.assertIrq();
  }

  /** Ends a command with an error. */
  private fail(d: Drive, error: number): void {
    this.endTransfer(d);
    d.error = error;
    d.status = ST_DRDY | ST_DSC | ST_ERR;
    this.assertIrq();
  }

  private identify(d: Drive): void {
    d.buffer.set(identifyDevice(d.disk!.sectorCount, d.geometry, d.multiple));
    d.transfer = 'identify'; d.pos = 0; d.end = 512;
    d.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.assertIrq();
  }

  private setMultiple(d: Drive): void {
    const n = this.count.cur;
    if (n > MAX_MULTIPLE || (n & (n - 1)) !== 0) { this.fail(d, ER_ABRT); return; }   // 0 disables
    d.multiple = n;
    this.complete(d);
  }

  /** The command's start sector and count from the task file, or undefined (after failing) when out of range. */
  private range(d: Drive, ext: boolean): { lba: number; count: number } | undefined {
    let lba: number, count: number;
    if (ext) {
      lba = ((this.lbaHigh.prev * 256 + this.lbaMid.prev) * 256 + this.lbaLow.prev) * 2 ** 24
        + (this.lbaHigh.cur << 16) + (this.lbaMid.cur << 8) + this.lbaLow.cur;
      count = (this.count.prev << 8) | this.count.cur || 65536;
    } else {
      count = this.count.cur || 256;
      if (this.device & DH_LBA) {
        lba = ((this.device & 0x0F) << 24) + (this.lbaHigh.cur << 16) + (this.lbaMid.cur << 8) + this.lbaLow.cur;
      } else {
        const g = d.geometry, cyl = (this.lbaHigh.cur << 8) | this.lbaMid.cur, head = this.device & 0x0F, sector = this.lbaLow.cur;
        if (sector === 0 || sector > g.sectors || head >= g.heads) { this.fail(d, ER_IDNF); return undefined; }
        lba = (cyl * g.heads + head) * g.sectors + sector - 1;
      }
    }
    if (lba + count > d.disk!.sectorCount) { this.fail(d, ER_IDNF); return undefined; }
    return { lba, count };
  }

  private startRead(d: Drive, ext: boolean, block: number): void {
    const r = this.range(d, ext);
    if (!r) return;
    d.transfer = 'read'; d.lba = r.lba; d.remaining = r.count; d.block = block;
    this.nextReadBlock(d);
  }

  private nextReadBlock(d: Drive): void {
    const n = Math.min(d.block, d.remaining);
    let data: Uint8Array;
    try {
      data = d.disk!.read(d.lba, n);
    } catch {
      this.fail(d, ER_UNC);
      return;
    }
    d.buffer.set(data);
    d.pos = 0; d.end = n * 512;
    d.lba += n; d.remaining -= n;
    d.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.assertIrq();
  }

  private startWrite(d: Drive, ext: boolean, block: number): void {
    if (d.disk!.readOnly) { this.fail(d, ER_ABRT); return; }
    const r = this.range(d, ext);
    if (!r) return;
    d.transfer = 'write'; d.lba = r.lba; d.remaining = r.count; d.block = block;
    this.nextWriteBlock(d);                          // the first block needs no interrupt
  }

  private nextWriteBlock(d: Drive): void {
    const n = Math.min(d.block, d.remaining);
    d.pos = 0; d.end = n * 512; d.remaining -= n;
    d.status = ST_DRDY | ST_DSC | ST_DRQ;
  }

  // ---- snapshots

  saveState(): AtaState {
    const regs = (r: Fifo2) => [r.cur, r.prev];
    return {
      features: regs(this.features), count: regs(this.count), lbaLow: regs(this.lbaLow), lbaMid: regs(this.lbaMid),
      lbaHigh: regs(this.lbaHigh), device: this.device, control: this.control, irqPending: this.irqPending,
      drives: this.drives.map((d) => ({
        status: d.status, error: d.error, multiple: d.multiple, geometry: { ...d.geometry },
        buffer: Array.from(d.buffer.subarray(0, d.end)), pos: d.pos, end: d.end, transfer: d.transfer,
        lba: d.lba, remaining: d.remaining, block: d.block,
      })),
    };
  }

  loadState(s: AtaState): void {
    const set = (r: Fifo2, v: number[]) => { r.cur = v[0]; r.prev = v[1]; };
    set(this.features, s.features); set(this.count, s.count); set(this.lbaLow, s.lbaLow);
    set(this.lbaMid, s.lbaMid); set(this.lbaHigh, s.lbaHigh);
    this.device = s.device; this.control = s.control; this.irqPending = s.irqPending;
    s.drives.forEach((ds, k) => {
      const d = this.drives[k];
      d.status = ds.status; d.error = ds.error; d.multiple = ds.multiple; d.geometry = { ...ds.geometry };
      d.buffer.fill(0); d.buffer.set(ds.buffer); d.pos = ds.pos; d.end = ds.end; d.transfer = ds.transfer;
      d.lba = ds.lba; d.remaining = ds.remaining; d.block = ds.block;
    });
    this.driveLine();
  }
}
