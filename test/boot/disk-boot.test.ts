// Disk boot end to end: `hvdbg run --disk IMAGE` with no kernel boots sector 0 of the image. The
// guests mbr-int13 (loads its kernel with the BIOS) and mbr-ata (drives the IDE ports itself) enter
// protected mode and report over COM1; a disk without the boot signature is refused before the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, jsonSummary } from '../cli/cli-process.js';

test('mbr-int13: INT 10h banner, INT 13h extended read, INT 15h A20, protected mode, "MBR INT13 OK"', async () => {
  const image = readFileSync('guests/mbr-int13/disk.img');
  const r = await runCli(['run', '--disk', 'guests/mbr-int13/disk.img', '--timeout', '20']);
  assert.equal(r.stdout.toString('latin1'), [
    'hvdbg mbr-int13: loading the kernel with INT 13h\r',
    'kernel loaded, A20 on, entering protected mode\r',
    'MBR INT13 OK',
    '',
  ].join('\n'), r.stderr);
  assert.equal(r.status, 33, r.stderr);
  assert.deepEqual(readFileSync('guests/mbr-int13/disk.img'), image, 'a read-only disk is unchanged');
});

test('mbr-ata: the boot sector reads its kernel by ATA PIO without BIOS disk services, "MBR ATA OK"', async () => {
  const r = await runCli(['run', '--disk', 'guests/mbr-ata/disk.img', '--timeout', '20', '--json']);
  const out = r.stdout.toString('latin1');
  assert.match(out, /^hvdbg mbr-ata: loading the kernel by ATA PIO\r\n/);
  assert.match(out, /\nMBR ATA OK\n$/);
  assert.equal(r.status, 33, r.stderr);
  const summary = jsonSummary(r);
  assert.equal(summary.kernel, 'guests/mbr-ata/disk.img');
});

test('a disk without the 55 AA boot signature: exit status 2 and a message naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-disk-boot-'));
  const file = join(dir, 'blank.img');
  writeFileSync(file, new Uint8Array(4096));
  const r = await runCli(['run', '--disk', file]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout.length, 0);
  assert.equal(r.stderr.trim(), `hvdbg: ${file}: not bootable: sector 0 does not end with the boot signature 55 AA (found 00 00)`);
});

test('no kernel and no disk is still a usage error', async () => {
  const r = await runCli(['run']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^hvdbg run: missing the kernel file/);
});
