// The A20 gate: address-bit-20 masking in GuestMemory (the wrap at 1 MiB), port 0x92 (fast A20 and
// fast reset), the 0xCF9 reset control, both gate drivers together, and the a20 example guest booted
// by the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestMemory } from '../../engine/memory/guest-memory.js';
import { Port92, ResetControl } from '../../engine/devices/port92.js';
import { Vm } from '../../engine/hv/vm.js';
import { runCli } from '../cli/cli-process.js';

test('A20 off: bit 20 of every CPU access is cleared, so 0x100000 names 0x000000; on again: distinct', () => {
  const mem = new GuestMemory(4 << 20);
  mem.write32(0x000000, 0x11111111);
  mem.write32(0x100000, 0x22222222);
  mem.write8(0x3FFFFF, 0x5A);
  mem.a20Enabled = false;
  assert.equal(mem.read32(0x100000), 0x11111111, 'read wraps');
  assert.equal(mem.read8(0x3FFFFF), 0, '0x3FFFFF has bit 20 set: it names 0x2FFFFF');
  mem.write16(0x100004, 0xBEEF);
  assert.equal(mem.read16(0x000004), 0xBEEF, 'write wraps');
  // FFFF:0010 — the 8086 wrap a real-mode guest sees: a word at 0xFFFFF spans 0xFFFFF and 0x00000.
  mem.write8(0x0FFFFF, 0xAB);
  assert.equal(mem.read16(0x0FFFFF), 0x11AB, 'word at 0xFFFFF wraps its second byte to 0');
  assert.equal(mem.read32(0x1FFFFE) >>> 0, 0x1111AB00, 'a dword at 0x1FFFFE is 0x0FFFFE–0x0FFFFF then 0x000000–0x000001');
  mem.a20Enabled = true;
  assert.equal(mem.read32(0x100000), 0x22222222, 'the high copy was never touched');
  assert.equal(mem.read16(0x100004), 0, 'nor was 0x100004');
  assert.equal(mem.read8(0x3FFFFF), 0x5A);
  assert.deepEqual([...mem.readBytes(0x100000, 4)], [0x22, 0x22, 0x22, 0x22]);
});

test('readBytes/writeBytes (loaders, debugger) see memory unmasked even with A20 off', () => {
  const mem = new GuestMemory(4 << 20);
  mem.a20Enabled = false;
  assert.ok(mem.writeBytes(0x100000, Uint8Array.of(1, 2, 3, 4)));
  assert.deepEqual([...mem.readBytes(0x100000, 4)], [1, 2, 3, 4]);
  assert.deepEqual([...mem.readBytes(0, 4)], [0, 0, 0, 0]);
});

test('onA20Change fires once per real change (the CPU drops its decoded code there)', () => {
  const mem = new GuestMemory(2 << 20);
  let changes = 0;
  mem.onA20Change = () => changes++;
  assert.equal(mem.a20Enabled, true, 'open at power-on, as a BIOS leaves it');
  mem.a20Enabled = true;
  assert.equal(changes, 0);
  mem.a20Enabled = false; mem.a20Enabled = false;
  assert.equal(changes, 1);
  mem.a20Enabled = true;
  assert.equal(changes, 2);
});

test('port 0x92: bit 1 drives the gate and reads it back; a 0→1 edge on bit 0 requests a reset', () => {
  const gate = { a20Enabled: true };
  const resets: string[] = [];
  const p = new Port92(gate, (s) => resets.push(s));
  assert.equal(p.read(), 0x02);
  p.write(0, 1, 0x00);
  assert.equal(gate.a20Enabled, false);
  assert.equal(p.read(), 0x00);
  p.write(0, 1, 0x0A);
  assert.equal(gate.a20Enabled, true);
  assert.equal(p.read(), 0x0A, 'other bits read back');
  gate.a20Enabled = false;           // the 8042 closed it afterwards: last writer wins
  assert.equal(p.read(), 0x08);
  assert.deepEqual(resets, []);
  p.write(0, 1, 0x03);
  assert.deepEqual(resets, ['port 0x92 bit 0 (fast reset)']);
  p.write(0, 1, 0x03);
  assert.equal(resets.length, 1, 'only the rising edge resets');
  const q = new Port92(gate, () => {});
  q.loadState(JSON.parse(JSON.stringify(p.saveState())));
  assert.equal(q.read(), 0x03);
});

test('0xCF9: writing RST_CPU (bit 2) requests a reset, SYS_RST alone does not', () => {
  const resets: string[] = [];
  const rc = new ResetControl((s) => resets.push(s));
  rc.write(0, 1, 0x02);
  assert.equal(rc.read(), 0x02);
  assert.deepEqual(resets, []);
  rc.write(0, 1, 0x06);
  assert.deepEqual(resets, ['port 0xCF9 (reset control, value 0x6)']);
});

test('in the PC the 8042 and port 0x92 drive the same gate; a fast reset ends the run as a shutdown', () => {
  const vm = new Vm({ memoryBytes: 4 << 20 });
  assert.equal(vm.io.read(0x92, 1) & 2, 2);
  vm.io.write(0x64, 1, 0xDD);
  assert.equal(vm.memory.a20Enabled, false);
  assert.equal(vm.io.read(0x92, 1) & 2, 0, 'port 0x92 shows the gate the 8042 closed');
  vm.io.write(0x92, 1, 0x02);
  assert.equal(vm.memory.a20Enabled, true);
  vm.io.write(0x64, 1, 0xD0);
  assert.equal(vm.io.read(0x60, 1) & 2, 2, '8042 output port shows the gate port 0x92 opened');
  vm.io.write(0x92, 1, 0x03);
  vm.run(1);
  assert.deepEqual(vm.finalStop, { kind: 'shutdown', detail: 'reset requested by port 0x92 bit 0 (fast reset)' });
});

test('a20 guest: closes and opens the gate through 0xDD/0xDF, the 8042 output port and port 0x92 → "A20 OK", exit status 33', async () => {
  const r = await runCli(['run', 'guests/a20/kernel.elf', '--timeout', '20']);
  const out = r.stdout.toString('latin1');
  const methods = ['8042 commands 0xDD/0xDF', '8042 output port 0xD0/0xD1', 'port 0x92 bit 1'];
  for (const m of methods) {
    assert.ok(out.includes(`${m}: off [0x100000]=11111111 [0]=33333333 after write, on [0x100000]=22222222 [0]=33333333: ok\n`),
      `${m} line; stdout: ${out}\nstderr: ${r.stderr}`);
  }
  assert.ok(out.endsWith('A20 OK\n'), `stdout ends with the OK line: ${JSON.stringify(out)}`);
  assert.equal(r.status, 33, r.stderr);
});
