// INT 13h: fixed-disk services for drives 80h and 81h (the primary IDE master and slave): reset,
// status, CHS read/write with a 16-head, 63-sector geometry derived from the image size, drive
// parameters, disk type, and the EDD extensions (41h check, 42h/43h read/write through a disk address
// packet, 48h extended parameters). Errors set CF and AH, and AH is kept in the BIOS data area.
import type { BiosCall } from './call.js';
import type { BiosMachine } from './machine.js';
import { BDA } from './data-area.js';
import { DS, ES, EBX, ESI } from '../../cpu/registers.js';
import { SECTOR_SIZE, type BlockDevice } from '../../storage/block-device.js';

export const HEADS = 16, SECTORS_PER_TRACK = 63, MAX_CYLINDERS = 1024;
/** INT 13h status codes. */
export const DiskStatus = {
  ok: 0x00, badCommand: 0x01, sectorNotFound: 0x04, writeProtected: 0x03, dmaBoundary: 0x09,
  notReady: 0xAA, timeout: 0x80,
} as const;

/** CHS geometry the BIOS reports for a disk of sectorCount sectors. */
export function diskGeometry(sectorCount: number): { cylinders: number; heads: number; sectors: number } {
  const cylinders = Math.max(1, Math.min(MAX_CYLINDERS, Math.ceil(sectorCount / (HEADS * SECTORS_PER_TRACK))));
  return { cylinders, heads: HEADS, sectors: SECTORS_PER_TRACK };
}

export class BiosDisk {
  constructor(private readonly m: BiosMachine) {}

  private get driveCount(): number { return this.m.disks.filter((d) => d !== undefined).length; }

  handle(c: BiosCall): void {
    const fn = c.ah;
    const disk = c.dl >= 0x80 ? this.m.disks[c.dl - 0x80] : undefined;
    if (fn === 0x01) { c.al = 0; return this.finish(c, this.m.memory.read8(BDA.diskStatus)); }
    if (!disk) return this.finish(c, fn === 0x08 && c.dl >= 0x80 ? DiskStatus.badCommand : DiskStatus.timeout);
    switch (fn) {
      case 0x00: case 0x0D: case 0x10: case 0x11: return this.finish(c, DiskStatus.ok);
      case 0x02: case 0x03: return this.transferChs(c, disk, fn === 0x03);
      case 0x08: return this.parameters(c, disk);
      case 0x15: {
        const n = disk.sectorCount;
        c.carry = false; c.ah = 0x03; c.cx = n >>> 16; c.dx = n & 0xFFFF;
        return;
      }
      case 0x41:
        if (c.bx !== 0x55AA) return this.finish(c, DiskStatus.badCommand);
        c.bx = 0xAA55; c.cx = 0x0001;  // fixed-disk access subset (42h–44h, 47h, 48h)
        c.carry = false; c.ah = 0x21;  // EDD 1.1
        return;
      case 0x42: case 0x43: return this.transferPacket(c, disk, fn === 0x43);
      case 0x44: case 0x47: return this.finish(c, DiskStatus.ok);
      case 0x48: return this.extendedParameters(c, disk);
      default: return this.finish(c, DiskStatus.badCommand);
    }
  }

  private finish(c: BiosCall, status: number): void {
    this.m.memory.write8(BDA.diskStatus, status);
    if (status === 0) c.ok(); else c.fail(status);
  }

  private transferChs(c: BiosCall, disk: BlockDevice, write: boolean): void {
    const count = c.al;
    const sector = c.cl & 0x3F, cylinder = c.ch | ((c.cl & 0xC0) << 2), head = c.dh;
    if (count === 0 || sector === 0 || head >= HEADS || sector > SECTORS_PER_TRACK) { c.al = 0; return this.finish(c, DiskStatus.sectorNotFound); }
    const lba = (cylinder * HEADS + head) * SECTORS_PER_TRACK + sector - 1;
    const buffer = c.linear(ES, c.reg16(EBX));
    const done = this.transfer(disk, lba, count, buffer, write, c);
    c.al = done.sectors;
    this.finish(c, done.status);
  }

  /** Moves up to count sectors between the disk at lba and guest memory at buffer; stops at the first error. */
  private transfer(disk: BlockDevice, lba: number, count: number, buffer: number, write: boolean, c: BiosCall): { sectors: number; status: number } {
    if (write && disk.readOnly) return { sectors: 0, status: DiskStatus.writeProtected };
    for (let i = 0; i < count; i++) {
      if (lba + i >= disk.sectorCount) return { sectors: i, status: DiskStatus.sectorNotFound };
      const at = buffer + i * SECTOR_SIZE;
      try {
        if (write) disk.write(lba + i, c.readBytes(at, SECTOR_SIZE));
        else c.writeBytes(at, disk.read(lba + i, 1));
      } catch {
        return { sectors: i, status: write ? DiskStatus.writeProtected : DiskStatus.sectorNotFound };
      }
    }
    return { sectors: count, status: DiskStatus.ok };
  }

  /** AH=42h/43h: DS:SI → disk address packet {size, 0, count, offset, segment, lba(64)[, flat buffer(64)]}. */
  private transferPacket(c: BiosCall, disk: BlockDevice, write: boolean): void {
    const dap = c.linear(DS, c.reg16(ESI));
    const size = c.read8(dap);
    if (size < 0x10) return this.finish(c, DiskStatus.badCommand);
    const count = c.read16(dap + 2);
    const offset = c.read16(dap + 4), segment = c.read16(dap + 6);
    const lbaHigh = c.read32(dap + 12);
    const lba = c.read32(dap + 8) + lbaHigh * 0x1_0000_0000;
    let buffer = ((segment << 4) + offset) >>> 0;
    if (offset === 0xFFFF && segment === 0xFFFF && size >= 0x18) buffer = c.read32(dap + 16);
    const done = this.transfer(disk, lba, count, buffer, write, c);
    c.write16(dap + 2, done.sectors);
    this.finish(c, done.status);
  }

  private parameters(c: BiosCall, disk: BlockDevice): void {
    const g = diskGeometry(disk.sectorCount);
    const maxCyl = g.cylinders - 1;
    c.ch = maxCyl & 0xFF;
    c.cl = (g.sectors & 0x3F) | ((maxCyl >> 2) & 0xC0);
    c.dh = g.heads - 1;
    c.dl = this.driveCount;
    c.bl = 0;
    c.al = 0;
    this.finish(c, DiskStatus.ok);
  }

  /** AH=48h: DS:SI → result buffer (the caller sets its size in the first word; at least 1Ah). */
  private extendedParameters(c: BiosCall, disk: BlockDevice): void {
    const at = c.linear(DS, c.reg16(ESI));
    if (c.read16(at) < 0x1A) return this.finish(c, DiskStatus.badCommand);
    const g = diskGeometry(disk.sectorCount);
    c.write16(at, 0x1A);
    c.write16(at + 2, 0x0002);               // CHS information valid
    c.write32(at + 4, g.cylinders);
    c.write32(at + 8, g.heads);
    c.write32(at + 12, g.sectors);
    c.write32(at + 16, disk.sectorCount % 0x1_0000_0000);
    c.write32(at + 20, Math.floor(disk.sectorCount / 0x1_0000_0000));
    c.write16(at + 24, SECTOR_SIZE);
    this.finish(c, DiskStatus.ok);
  }
}
