// ATA/IDE PIO controller on the primary channel, driven through the port bus with MemoryDisks:
// IDENTIFY, LBA28/CHS/LBA48 reads and writes (single and multiple), interrupts and nIEN, SRST,
// errors, absent drives, read-only disks and save/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../engine/devices/io-bus.js';
import {
  AtaController, ATA_PRIMARY_COMMAND_PORT as CMD, ATA_PRIMARY_CONTROL_PORT as CTL,
  ER_ABRT, ER_IDNF, ST_BSY, ST_DRDY, ST_DRQ, ST_DSC, ST_ERR,
} from '../../engine/devices/ata/ata-controller.js';
import { MemoryDisk } from '../../engine/storage/memory-disk.js';
import type { BlockDevice } from '../../engine/storage/block-device.js';

const READY = ST_DRDY | ST_DSC;

/** A controller on a bus with an IRQ line that records its edges. */
function setup(disks: (BlockDevice | undefined)[] = [new MemoryDisk(1024)]) {
  const io = new IoBus();
  const irq = { level: false, edges: 0, raise() { if (!this.level) this.edges++; this.level = true; }, lower() { this.level = false; } };
  const ata = new AtaController(irq, disks);
  io.register(CMD, 8, 'ata', ata.commandBlock);
  io.register(CTL, 1, 'ata ctl', ata.controlBlock);
  const out = (reg: number, v: number) => io.write(CMD + reg, 1, v);
  const inb = (reg: number) => io.read(CMD + reg, 1);
  const alt = () => io.read(CTL, 1);
  const readWords = (n: number) => { const w: number[] = []; for (let k = 0; k < n; k++) w.push(io.read(CMD, 2)); return w; };
  const readBytes = (sectors: number) => {
    const b = new Uint8Array(sectors * 512);
    for (let k = 0; k < sectors * 256; k++) { const w = io.read(CMD, 2); b[2 * k] = w & 0xFF; b[2 * k + 1] = w >> 8; }
    return b;
  };
  const writeBytes = (b: Uint8Array) => { for (let k = 0; k < b.length; k += 2) io.write(CMD, 2, b[k] | (b[k + 1] << 8)); };
  /** LBA28 task file then the command. */
  const lba28 = (cmd: number, lba: number, count: number, dev = 0) => {
    out(6, 0xE0 | (dev << 4) | ((lba >>> 24) & 0x0F)); out(2, count & 0xFF);
    out(3, lba & 0xFF); out(4, (lba >>> 8) & 0xFF); out(5, (lba >>> 16) & 0xFF); out(7, cmd);
  };
  /** LBA48 task file (previous, then current) then the command. */
  const lba48 = (cmd: number, lba: number, count: number) => {
    out(6, 0x40);
    out(2, count >> 8); out(3, Math.floor(lba / 2 ** 24) & 0xFF); out(4, Math.floor(lba / 2 ** 32) & 0xFF); out(5, Math.floor(lba / 2 ** 40) & 0xFF);
    out(2, count & 0xFF); out(3, lba & 0xFF); out(4, (lba >>> 8) & 0xFF); out(5, (lba >>> 16) & 0xFF);
    out(7, cmd);
  };
  return { io, irq, ata, out, inb, alt, readWords, readBytes, writeBytes, lba28, lba48 };
}

function patterned(sectors: number, seed: number): Uint8Array {
  const b = new Uint8Array(sectors * 512);
  for (let k = 0; k < b.length; k++) b[k] = (k * 13 + seed + (k >> 9)) & 0xFF;
  return b;
}

test('power-on: ready, ATA signature in the task file, absent slave reads 0x00, empty channel 0x7F', () => {
  const t = setup();
  assert.equal(t.inb(7), READY);
  assert.deepEqual([t.inb(2), t.inb(3), t.inb(4), t.inb(5)], [1, 1, 0, 0]);
  t.out(6, 0xB0);                                   // select the slave
  assert.equal(t.inb(7), 0x00);
  assert.equal(t.alt(), 0x00);
  t.out(7, 0xEC);                                   // ignored by the absent slave
  assert.equal(t.inb(7), 0x00);
  assert.equal(t.irq.edges, 0);
  const empty = setup([]);
  assert.equal(empty.inb(7), 0x7F);
  assert.equal(empty.alt(), 0x7F);
});

test('IDENTIFY DEVICE: model, LBA28 words 60–61, LBA48 words 100–103, command-set bits, IRQ', () => {
  const small = setup([new MemoryDisk(1024)]);
  small.out(6, 0xA0); small.out(7, 0xEC);
  assert.equal(small.alt(), READY | ST_DRQ);
  assert.equal(small.irq.level, true);
  const w = small.readWords(256);
  assert.equal(small.alt(), READY, 'DRQ ends after 256 words');
  const model = w.slice(27, 47).map((x) => String.fromCharCode(x >> 8, x & 0xFF)).join('').trimEnd();
  assert.equal(model, 'hvdbg disk');
  assert.equal(w[0], 0x0040);
  assert.equal(w[47], 0x8010);
  assert.equal(w[49] & 0x0200, 0x0200, 'LBA supported');
  assert.deepEqual([w[60], w[61]], [1024, 0]);
  assert.deepEqual(w.slice(100, 104), [1024, 0, 0, 0]);
  assert.equal(w[83] & 0xC000, 0x4000, 'word 83 valid');
  assert.equal(w[83] & 0x3400, 0x3400, 'FLUSH CACHE, FLUSH CACHE EXT, 48-bit address supported');
  assert.equal(w[86] & 0x3400, 0x3400, 'and enabled');
  assert.equal(small.inb(7), READY);
  assert.equal(small.irq.level, false, 'reading status acknowledges the interrupt');

  // A disk larger than LBA28 reaches: words 60–61 saturate at 0x0FFFFFFF, 100–103 hold the size.
  const big: BlockDevice = { sectorCount: 2 ** 33 + 5, read: (_l, c) => new Uint8Array(c * 512), write() {}, flush() {} };
  const b = setup([big]);
  b.out(7, 0xEC);
  const wb = b.readWords(256);
  assert.deepEqual([wb[60], wb[61]], [0xFFFF, 0x0FFF]);
  assert.deepEqual(wb.slice(100, 104), [5, 0, 2, 0]);
});

test('READ SECTORS: multi-sector LBA28 with an interrupt per sector, 32-bit data reads', () => {
  const disk = new MemoryDisk(patterned(64, 3));
  const t = setup([disk]);
  t.lba28(0x20, 10, 3);
  assert.equal(t.irq.edges, 1);
  assert.deepEqual(t.readBytes(1), disk.bytes.slice(10 * 512, 11 * 512));
  assert.equal(t.irq.edges, 2, 'a new interrupt for the next sector');
  assert.equal(t.alt(), READY | ST_DRQ);
  const dwords = new Uint8Array(512);
  for (let k = 0; k < 128; k++) new DataView(dwords.buffer).setUint32(4 * k, t.io.read(CMD, 4), true);
  assert.deepEqual(dwords, disk.bytes.slice(11 * 512, 12 * 512));
  assert.deepEqual(t.readBytes(1), disk.bytes.slice(12 * 512, 13 * 512));
  assert.equal(t.alt(), READY);
  assert.equal(t.irq.edges, 3);
});

test('WRITE SECTORS and WRITE MULTIPLE reach the disk; READ MULTIPLE gives blocks of the multiple count', () => {
  const disk = new MemoryDisk(64);
  const t = setup([disk]);
  const data = patterned(3, 9);
  t.lba28(0x30, 5, 3);
  assert.equal(t.alt(), READY | ST_DRQ, 'DRQ at once for the first sector');
  assert.equal(t.irq.edges, 0, 'no interrupt before the first block');
  t.writeBytes(data.subarray(0, 512));
  assert.equal(t.irq.edges, 1);
  t.writeBytes(data.subarray(512));
  assert.equal(t.alt(), READY);
  assert.equal(t.irq.edges, 3);
  assert.deepEqual(disk.bytes.slice(5 * 512, 8 * 512), data);

  t.out(7, 0xC4);                                   // READ MULTIPLE before SET MULTIPLE: aborted
  assert.equal(t.inb(7), READY | ST_ERR);
  assert.equal(t.inb(1), ER_ABRT);
  t.out(2, 3); t.out(7, 0xC6);                      // not a power of two
  assert.equal(t.inb(7), READY | ST_ERR);
  t.out(2, 4); t.out(7, 0xC6);
  assert.equal(t.inb(7), READY);

  const more = patterned(6, 1);
  t.lba28(0xC5, 20, 6);                             // WRITE MULTIPLE: blocks of 4 then 2
  t.writeBytes(more.subarray(0, 4 * 512));
  assert.equal(t.alt(), READY | ST_DRQ);
  t.writeBytes(more.subarray(4 * 512));
  assert.equal(t.alt(), READY);
  assert.deepEqual(disk.bytes.slice(20 * 512, 26 * 512), more);

  const edges = t.irq.edges;
  t.lba28(0xC4, 20, 6);                             // READ MULTIPLE
  assert.equal(t.irq.edges, edges + 1);
  assert.deepEqual(t.readBytes(4), more.subarray(0, 4 * 512));
  assert.equal(t.irq.edges, edges + 2, 'one interrupt per block, not per sector');
  assert.deepEqual(t.readBytes(2), more.subarray(4 * 512));
  assert.equal(t.alt(), READY);
  t.out(7, 0xEC);
  assert.equal(t.readWords(256)[59], 0x0104, 'IDENTIFY word 59: multiple setting 4 valid');
});

test('LBA48: READ/WRITE SECTORS EXT and MULTIPLE EXT use the previous register bytes; HOB reads them back', () => {
  const sectors = 2 ** 28 + 16;
  const stored = new Map<number, Uint8Array>();
  const big: BlockDevice = {
    sectorCount: sectors,
    read: (lba, c) => { const o = new Uint8Array(c * 512); for (let k = 0; k < c; k++) o.set(stored.get(lba + k) ?? new Uint8Array(512), k * 512); return o; },
    write: (lba, d) => { for (let k = 0; k < d.length / 512; k++) stored.set(lba + k, d.slice(k * 512, (k + 1) * 512)); },
    flush() {},
  };
  const t = setup([big]);
  const lba = 2 ** 28 + 3;
  const data = patterned(2, 77);
  t.lba48(0x34, lba, 2);
  t.writeBytes(data);
  assert.equal(t.alt(), READY);
  assert.deepEqual(stored.get(lba), data.subarray(0, 512));
  assert.deepEqual(stored.get(lba + 1), data.subarray(512));
  t.io.write(CTL, 1, 0x80);                         // HOB: the previous bytes
  assert.deepEqual([t.inb(2), t.inb(3), t.inb(4), t.inb(5)], [0, 0x10, 0, 0]);
  t.io.write(CTL, 1, 0x00);
  t.lba48(0x24, lba, 2);
  assert.deepEqual(t.readBytes(2), data);
  t.out(2, 2); t.out(7, 0xC6);
  t.lba48(0x29, lba, 2);                            // READ MULTIPLE EXT
  assert.deepEqual(t.readBytes(2), data);
  assert.equal(t.alt(), READY);
  t.lba48(0x24, sectors - 1, 2);                    // past the end
  assert.equal(t.inb(7), READY | ST_ERR);
  assert.equal(t.inb(1), ER_IDNF);
});

test('CHS addressing with the default and INITIALIZE DEVICE PARAMETERS geometry', () => {
  const disk = new MemoryDisk(patterned(2048, 5));
  const t = setup([disk]);
  // cylinder 1, head 2, sector 3 with 16 heads × 63 sectors → LBA (1*16+2)*63+2 = 1136
  t.out(6, 0xA2); t.out(2, 1); t.out(3, 3); t.out(4, 1); t.out(5, 0); t.out(7, 0x20);
  assert.deepEqual(t.readBytes(1), disk.bytes.slice(1136 * 512, 1137 * 512));
  t.out(6, 0xA3); t.out(2, 32); t.out(7, 0x91);     // 4 heads, 32 sectors per track
  assert.equal(t.inb(7), READY);
  t.out(6, 0xA1); t.out(2, 1); t.out(3, 2); t.out(4, 2); t.out(5, 0); t.out(7, 0x20);   // (2*4+1)*32+1 = 289
  assert.deepEqual(t.readBytes(1), disk.bytes.slice(289 * 512, 290 * 512));
  t.out(6, 0xA0); t.out(3, 0); t.out(7, 0x20);      // sector 0 does not exist
  assert.equal(t.inb(7), READY | ST_ERR);
  assert.equal(t.inb(1), ER_IDNF);
});

test('errors: unknown command and out-of-range LBA abort with ERR and an interrupt; FLUSH and SET FEATURES succeed', () => {
  const disk = new MemoryDisk(16);
  const t = setup([disk]);
  t.out(7, 0xA1);                                   // IDENTIFY PACKET DEVICE: not a packet device
  assert.equal(t.irq.level, true);
  assert.equal(t.alt(), READY | ST_ERR);
  assert.equal(t.inb(1), ER_ABRT);
  t.out(7, 0x55);
  assert.equal(t.inb(1), ER_ABRT);
  t.lba28(0x20, 15, 2);
  assert.equal(t.inb(7), READY | ST_ERR);
  assert.equal(t.inb(1), ER_IDNF);
  t.out(7, 0xE7);
  assert.equal(t.inb(7), READY);
  assert.equal(t.inb(1), 0);
  t.out(7, 0xEA);
  assert.equal(disk.flushes, 2);
  t.out(1, 0x03); t.out(2, 0x0C); t.out(7, 0xEF);   // SET FEATURES: transfer mode PIO 4
  assert.equal(t.inb(7), READY);
  const ro = setup([new MemoryDisk(16, true)]);
  ro.lba28(0x30, 0, 1);
  assert.equal(ro.inb(7), READY | ST_ERR);
  assert.equal(ro.inb(1), ER_ABRT);
});

test('nIEN masks the interrupt line; clearing it with a pending interrupt raises the line', () => {
  const t = setup();
  t.io.write(CTL, 1, 0x02);
  t.out(7, 0xE7);
  assert.equal(t.irq.level, false);
  assert.equal(t.alt(), READY);
  t.io.write(CTL, 1, 0x00);
  assert.equal(t.irq.level, true);
  assert.equal(t.alt(), READY);
  assert.equal(t.irq.level, true, 'alternate status does not acknowledge');
  t.inb(7);
  assert.equal(t.irq.level, false);
});

test('SRST: BSY while asserted, then ready with the signature, error 0x01, master selected, transfer cancelled', () => {
  const t = setup([new MemoryDisk(64), new MemoryDisk(64)]);
  t.lba28(0x20, 5, 2, 1);                            // a read on the slave, left half done
  t.readWords(10);
  t.io.write(CTL, 1, 0x04);
  assert.equal(t.alt() & ST_BSY, ST_BSY);
  t.out(7, 0xEC);                                   // ignored while busy
  t.io.write(CTL, 1, 0x00);
  assert.equal(t.alt(), READY);
  assert.equal(t.inb(6), 0xA0, 'master selected');
  assert.deepEqual([t.inb(1), t.inb(2), t.inb(3), t.inb(4), t.inb(5)], [0x01, 1, 1, 0, 0]);
  t.out(6, 0xB0);
  assert.equal(t.alt(), READY, 'the slave is ready too, with no data pending');
  assert.equal(t.io.read(CMD, 2), 0);
});

test('saveState/loadState resumes a read in the middle of a block', () => {
  const disk = new MemoryDisk(patterned(8, 42));
  const a = setup([disk]);
  a.lba28(0x20, 2, 2);
  a.readBytes(1);                                   // the first sector, then 100 words of the second
  a.readWords(100);
  const state = JSON.parse(JSON.stringify(a.ata.saveState()));
  const b = setup([disk]);
  b.ata.loadState(state);
  const rest = new Uint8Array(512 - 200);
  for (let k = 0; k < rest.length; k += 2) { const w = b.io.read(CMD, 2); rest[k] = w & 0xFF; rest[k + 1] = w >> 8; }
  assert.deepEqual(rest, disk.bytes.slice(3 * 512 + 200, 4 * 512));
  assert.equal(b.alt(), READY);
});
