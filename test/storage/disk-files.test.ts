// `hvdbg run --disk FILE[,writable]` end to end with guests/ide (built from source in guests/) and
// temporary image files: a writable image holds the guest's writes afterwards (also after a triple
// fault); a read-only image is byte-identical while the guest still saw its own writes; missing and
// short images are refused before the guest starts. Plus the file-backed disk on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/cli-process.js';
import { FileDisk, openDisks, closeDisks, parseDiskSpec } from '../../src/cli/disk-files.js';
import { CowOverlay } from '../../engine/storage/cow-overlay.js';

const GUEST = 'guests/ide/kernel.elf';
const SIGNATURE = Buffer.from('HVDBG-DISK-TEST!');
/** The pattern guests/ide writes to sector 1. */
const PATTERN = Buffer.from(Array.from({ length: 512 }, (_, k) => (k * 7 + 0x5A) & 0xFF));

function tempDir(): string { return mkdtempSync(join(tmpdir(), 'hvdbg-disk-')); }

/** An image of sectors sectors with the signature in sector 0 and sector 1 zero. */
function makeImage(dir: string, name: string, sectors = 1024): string {
  const img = Buffer.alloc(sectors * 512);
  SIGNATURE.copy(img, 0);
  img.fill(0xEE, 1024);                              // sectors 2.. hold something the guest must not disturb
  const file = join(dir, name);
  writeFileSync(file, img);
  return file;
}

const EXPECTED_OUTPUT = [
  'ide guest',
  "identify: model 'hvdbg disk', lba28 sectors 1024, lba48 yes, multiple up to 16",
  'sector 0: signature ok',
  'sector 1: written',
  'sector 1: read back ok',
  'lba48: skipped (disk not larger than 2^28 sectors)',
  'IDE OK',
  '',
].join('\n');

test('writable image: the guest passes and the file holds sector 1 as written afterwards', async () => {
  const dir = tempDir();
  try {
    const file = makeImage(dir, 'rw.img');
    const before = readFileSync(file);
    const r = await runCli(['run', GUEST, '--disk', `${file},writable`, '--timeout', '20']);
    assert.equal(r.stdout.toString('latin1'), EXPECTED_OUTPUT, r.stderr);
    assert.equal(r.status, 33, r.stderr);
    const after = readFileSync(file);
    assert.equal(after.length, before.length);
    assert.deepEqual(after.subarray(512, 1024), PATTERN);
    assert.deepEqual(after.subarray(0, 512), before.subarray(0, 512));
    assert.deepEqual(after.subarray(1024), before.subarray(1024));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('read-only image: the guest reads back its own writes, the file is byte-identical afterwards', async () => {
  const dir = tempDir();
  try {
    const file = makeImage(dir, 'ro.img');
    const before = readFileSync(file);
    const r = await runCli(['run', GUEST, '--disk', file, '--timeout', '20']);
    assert.equal(r.stdout.toString('latin1'), EXPECTED_OUTPUT, r.stderr);
    assert.equal(r.status, 33, r.stderr);
    assert.ok(readFileSync(file).equals(before), 'the image did not change');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('writable image and a guest that triple-faults right after writing (no FLUSH CACHE): the write is in the file', async () => {
  const dir = tempDir();
  try {
    const file = makeImage(dir, 'crash.img');
    const r = await runCli(['run', GUEST, '--disk', `${file},writable`, '--append', 'triple-fault', '--timeout', '20']);
    assert.match(r.stdout.toString('latin1'), /sector 1: written\ntriple-faulting before FLUSH CACHE\n$/);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(readFileSync(file).subarray(512, 1024), PATTERN);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an image larger than 2^28 sectors (sparse): the guest writes and reads sector 2^28 with LBA48', async () => {
  const dir = tempDir();
  try {
    const file = makeImage(dir, 'big.img', 1024);
    truncateSync(file, (2 ** 28 + 8) * 512);
    const r = await runCli(['run', GUEST, '--disk', `${file},writable`, '--timeout', '20']);
    assert.match(r.stdout.toString('latin1'), /^lba48: sector 2\^28 written and read back ok\nIDE OK\n$/m, r.stderr);
    assert.equal(r.status, 33, r.stderr);
    const disk = FileDisk.open(file, false);
    try {
      const sector = disk.read(2 ** 28, 1);
      assert.deepEqual(Array.from(sector.subarray(0, 4)), [0xA5, 0xA4, 0xA7, 0xA6]);
    } finally { disk.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('missing, short and empty images, and a third disk: exit 2 naming the file, nothing runs', async () => {
  const dir = tempDir();
  try {
    const missing = join(dir, 'missing.img');
    let r = await runCli(['run', GUEST, '--disk', missing]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `hvdbg: cannot open disk image '${missing}': no such file or directory\n`);
    assert.equal(r.stdout.length, 0);
    const short = join(dir, 'short.img');
    writeFileSync(short, Buffer.alloc(1000));
    r = await runCli(['run', GUEST, '--disk', `${short},writable`]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `hvdbg: disk image '${short}' is 1000 bytes; it must be a non-empty whole number of 512-byte sectors\n`);
    assert.ok(readFileSync(short).equals(Buffer.alloc(1000)));
    const empty = join(dir, 'empty.img');
    writeFileSync(empty, '');
    r = await runCli(['run', GUEST, '--disk', empty]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /disk image '.*empty\.img' is 0 bytes/);
    const ok = makeImage(dir, 'ok.img');
    r = await runCli(['run', GUEST, '--disk', ok, '--disk', ok, '--disk', ok]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--disk: at most 2 disks/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('FileDisk and openDisks: write-through for writable images, an overlay for read-only ones', () => {
  const dir = tempDir();
  try {
    assert.deepEqual(parseDiskSpec('a.img'), { file: 'a.img', writable: false });
    assert.deepEqual(parseDiskSpec('a,b.img,writable'), { file: 'a,b.img', writable: true });
    const rwFile = makeImage(dir, 'a.img', 8), roFile = makeImage(dir, 'b.img', 8);
    const disks = openDisks([{ file: rwFile, writable: true }, { file: roFile, writable: false }]);
    const [rw, ro] = disks.devices;
    assert.ok(ro instanceof CowOverlay);
    rw.write(3, new Uint8Array(512).fill(0x42));
    assert.equal(readFileSync(rwFile)[3 * 512], 0x42, 'written through before any flush');
    ro.write(3, new Uint8Array(512).fill(0x42));
    assert.equal(ro.read(3, 1)[0], 0x42);
    assert.equal(readFileSync(roFile)[3 * 512], 0xEE);
    assert.throws(() => disks.files[1].write(0, new Uint8Array(512)), /read-only/);
    assert.throws(() => rw.read(7, 2), RangeError);
    closeDisks(disks);
    closeDisks(disks);                               // twice is harmless
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
