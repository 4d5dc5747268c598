// The Linux test initramfs writer (scripts/linux/make-initramfs.mjs): a newc cpio archive read back
// here field by field, with the /init script, the console device node and the trailer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain JavaScript build script without type declarations
import { initramfsEntries, INIT_SCRIPT, newcArchive, SENTINEL } from '../../scripts/linux/make-initramfs.mjs';

interface Member { name: string; mode: number; size: number; rdev: [number, number]; data: Uint8Array; offset: number }

/** Reads a newc archive the way the kernel's init/initramfs.c does. */
function readNewc(archive: Uint8Array): Member[] {
  const text = new TextDecoder('latin1');
  const members: Member[] = [];
  let at = 0;
  for (;;) {
    assert.equal(at % 4, 0, 'every header starts on a 4-byte boundary');
    assert.equal(text.decode(archive.subarray(at, at + 6)), '070701');
    const field = (k: number) => parseInt(text.decode(archive.subarray(at + 6 + k * 8, at + 14 + k * 8)), 16);
    const nameSize = field(11), size = field(6);
    const name = text.decode(archive.subarray(at + 110, at + 110 + nameSize - 1));
    assert.equal(archive[at + 110 + nameSize - 1], 0, 'names are NUL-terminated');
    const dataAt = Math.ceil((at + 110 + nameSize) / 4) * 4;
    members.push({ name, mode: field(1), size, rdev: [field(9), field(10)], data: archive.subarray(dataAt, dataAt + size), offset: at });
    at = Math.ceil((dataAt + size) / 4) * 4;
    if (name === 'TRAILER!!!') break;
  }
  assert.equal(at, archive.length, 'nothing after the trailer');
  return members;
}

test('the initramfs is a newc archive with busybox, /init, /dev/console and the trailer', () => {
  const busybox = Uint8Array.from({ length: 1001 }, (_, k) => k & 0xFF);   // odd size: exercises the padding
  const members = readNewc(newcArchive(initramfsEntries(busybox)));
  const byName = new Map(members.map((m) => [m.name, m]));
  assert.deepEqual(members.map((m) => m.name), ['bin', 'bin/busybox', 'bin/sh', 'dev', 'dev/console', 'proc', 'sys', 'init', 'TRAILER!!!']);
  assert.deepEqual(byName.get('bin/busybox')!.data, busybox);
  assert.equal(byName.get('bin/busybox')!.mode, 0o100755);
  assert.equal(new TextDecoder().decode(byName.get('bin/sh')!.data), 'busybox');
  assert.equal(byName.get('bin/sh')!.mode, 0o120777);
  assert.equal(byName.get('dev/console')!.mode, 0o020600);
  assert.deepEqual(byName.get('dev/console')!.rdev, [5, 1]);
  const init = new TextDecoder().decode(byName.get('init')!.data);
  assert.equal(init, INIT_SCRIPT);
  assert.match(init, /^#!\/bin\/busybox sh\n/);
  assert.ok(init.includes(`echo ${SENTINEL} > /dev/console`));
  assert.equal(byName.get('init')!.mode, 0o100755);
});
