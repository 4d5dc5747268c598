// fw_cfg through its ports as a guest reads it: select with a 16-bit OUT to 0x510, read bytes from
// 0x511. Signature, interface ID, RAM size, CPU counts, command line, the file directory and files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FwCfg, FwCfgKey } from '../../engine/devices/fw-cfg.js';
import type { PortHandler } from '../../engine/devices/io-bus.js';
import { Vm } from '../../engine/hv/vm.js';

/** Reads n bytes of item selector through a port interface at 0x510/0x511. */
function item(io: { read(port: number, size: 1 | 2 | 4): number; write(port: number, size: 1 | 2 | 4, v: number): void }, selector: number, n: number): number[] {
  io.write(0x510, 2, selector);
  return Array.from({ length: n }, () => io.read(0x511, 1));
}

/** The device alone, addressed like the bus would. */
function bus(dev: PortHandler) {
  return { read: (port: number, size: 1 | 2 | 4) => dev.read(port - 0x510, size), write: (port: number, size: 1 | 2 | 4, v: number) => dev.write(port - 0x510, size, v) };
}

const u32le = (b: number[]) => (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
const u32be = (b: number[]) => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;

test('the PC answers at 0x510/0x511: "QEMU", ID 1 (no DMA), RAM size, 1 CPU, empty directory', () => {
  const vm = new Vm({ memoryBytes: 64 << 20 });
  assert.equal(String.fromCharCode(...item(vm.io, FwCfgKey.Signature, 4)), 'QEMU');
  assert.equal(u32le(item(vm.io, FwCfgKey.Id, 4)), 1);
  const ram = item(vm.io, FwCfgKey.RamSize, 8);
  assert.equal(u32le(ram.slice(0, 4)), 64 << 20);
  assert.equal(u32le(ram.slice(4)), 0);
  assert.deepEqual(item(vm.io, FwCfgKey.NbCpus, 2), [1, 0]);
  assert.deepEqual(item(vm.io, FwCfgKey.MaxCpus, 2), [1, 0]);
  assert.deepEqual(item(vm.io, FwCfgKey.FileDir, 4), [0, 0, 0, 0]);
  assert.deepEqual(item(vm.io, FwCfgKey.CmdlineSize, 4), [0, 0, 0, 0]);
});

test('reading past an item, an unknown selector, or a write selector gives zeros; selecting restarts at offset 0', () => {
  const io = bus(new FwCfg({ ramBytes: 1 << 20, cpus: 2 }));
  assert.deepEqual(item(io, FwCfgKey.Signature, 6), [0x51, 0x45, 0x4D, 0x55, 0, 0]);
  assert.deepEqual(item(io, 0x1234, 3), [0, 0, 0]);
  assert.deepEqual(item(io, 0x4000 | FwCfgKey.Signature, 2), [0, 0]);
  io.write(0x510, 2, FwCfgKey.Signature);
  io.read(0x511, 1);
  io.write(0x511, 1, 0x99);                 // data writes are ignored
  assert.equal(io.read(0x511, 1), 0x45);
  io.write(0x510, 2, FwCfgKey.Signature);
  assert.equal(io.read(0x511, 1), 0x51, 'a new select starts from the first byte');
  assert.deepEqual(item(io, FwCfgKey.NbCpus, 2), [2, 0]);
});

test('command line: size includes the NUL, data is the bytes', () => {
  const dev = new FwCfg({ ramBytes: 1 << 20, cpus: 1 });
  dev.setCommandLine('console=ttyS0');
  const io = bus(dev);
  assert.equal(u32le(item(io, FwCfgKey.CmdlineSize, 4)), 14);
  assert.equal(String.fromCharCode(...item(io, FwCfgKey.CmdlineData, 14)), 'console=ttyS0\0');
});

test('file directory: big-endian count, then size, select, reserved and a 56-byte name per file, sorted by name', () => {
  const dev = new FwCfg({ ramBytes: 1 << 20, cpus: 1 });
  dev.addFile('opt/hvdbg/test', Uint8Array.of(1, 2, 3));
  dev.addFile('etc/e820', new Uint8Array(40).fill(7));
  const io = bus(dev);
  const dir = item(io, FwCfgKey.FileDir, 4 + 2 * 64);
  assert.equal(u32be(dir.slice(0, 4)), 2);
  const entry = (k: number) => {
    const e = dir.slice(4 + k * 64, 4 + (k + 1) * 64);
    const name = String.fromCharCode(...e.slice(8)).replace(/\0+$/, '');
    return { size: u32be(e.slice(0, 4)), select: (e[4] << 8) | e[5], reserved: (e[6] << 8) | e[7], name };
  };
  assert.deepEqual(entry(0), { size: 40, select: 0x20, reserved: 0, name: 'etc/e820' });
  assert.deepEqual(entry(1), { size: 3, select: 0x21, reserved: 0, name: 'opt/hvdbg/test' });
  assert.deepEqual(item(io, 0x21, 3), [1, 2, 3]);
  assert.equal(dev.fileSelector('etc/e820'), 0x20);
  assert.throws(() => dev.addFile('x'.repeat(56), new Uint8Array(1)), /longer than 55 bytes/);
});

test('save/restore keeps the selector and the read position', () => {
  const a = new FwCfg({ ramBytes: 1 << 20, cpus: 1 });
  a.write(0, 2, FwCfgKey.Signature);
  a.read(1, 1);
  const b = new FwCfg({ ramBytes: 1 << 20, cpus: 1 });
  b.loadState(JSON.parse(JSON.stringify(a.saveState())));
  assert.equal(b.read(1, 1), 0x45);
});
