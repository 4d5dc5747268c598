// Disk images in the engine: MemoryDisk range checks and the copy-on-write overlay (the base is
// never written; the guest sees its own writes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDisk } from '../../engine/storage/memory-disk.js';
import { CowOverlay } from '../../engine/storage/cow-overlay.js';

test('MemoryDisk: reads and writes whole sectors, refuses out-of-range and partial writes', () => {
  const d = new MemoryDisk(4);
  assert.equal(d.sectorCount, 4);
  d.write(1, new Uint8Array(1024).fill(7));
  assert.deepEqual(d.read(0, 3), Uint8Array.from([...new Uint8Array(512), ...new Uint8Array(1024).fill(7)]));
  assert.throws(() => d.read(3, 2), RangeError);
  assert.throws(() => d.write(4, new Uint8Array(512)), RangeError);
  assert.throws(() => d.write(0, new Uint8Array(100)), RangeError);
  assert.throws(() => new MemoryDisk(4, true).write(0, new Uint8Array(512)));
});

test('CowOverlay: writes stay in the overlay, the base never changes, reads merge both', () => {
  const base = new MemoryDisk(new Uint8Array(4 * 512).fill(1), true);
  const cow = new CowOverlay(base);
  assert.equal(cow.sectorCount, 4);
  cow.write(1, new Uint8Array(512).fill(9));
  cow.write(2, new Uint8Array(512).fill(8));
  cow.write(2, new Uint8Array(512).fill(5));
  const all = cow.read(0, 4);
  assert.deepEqual([all[0], all[512], all[1024], all[1536]], [1, 9, 5, 1]);
  assert.ok(base.bytes.every((b) => b === 1), 'the base is untouched');
  assert.equal(cow.overlaySectors, 2);
  const copy = cow.read(1, 1);
  copy.fill(0);
  assert.equal(cow.read(1, 1)[0], 9, 'reads are copies');
  assert.throws(() => cow.write(3, new Uint8Array(1024)), RangeError);
  cow.flush();
  cow.discard();
  assert.equal(cow.read(1, 1)[0], 1);
});
