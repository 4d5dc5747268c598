// The debugger's memory access: linear and physical reads and writes, unreadable tails, errors that
// name the address and reason (unmapped, MMIO, ROM, too large), all-or-nothing writes, memoryReferences.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, PageTables } from '../../cpu/helpers/machine.js';
import { PTE_P, PTE_W } from '../../cpu/helpers/encode.js';
import { MAX_MEMORY_REQUEST, readGuestMemory, writeGuestMemory } from '../../../engine/debug/inspect/memory-access.js';
import { formatMemoryReference, parseMemoryReference } from '../../../engine/debug/inspect/memory-reference.js';

function paged(): Machine {
  const m = new Machine();
  m.enterProtected();
  const pt = new PageTables(m);
  pt.map4k(0xC0000000, 0x7000, PTE_P | PTE_W);
  pt.map4k(0xC0001000, 0x9000, PTE_P | PTE_W); // not contiguous in physical memory
  m.cpu.cr3 = pt.dir;
  m.cpu.cr0 |= 0x80000000;
  m.cpu.updatePagingMode();
  return m;
}

describe('guest memory access for the debugger', () => {
  it('reads linear memory across pages that are not physically contiguous', () => {
    const m = paged();
    m.write(0x7FFE, [0x11, 0x22]);
    m.write(0x9000, [0x33, 0x44]);
    const read = readGuestMemory(m.cpu, { space: 'linear', address: 0xC0000FFE }, 4);
    assert.ok(read.ok);
    assert.deepEqual([...read.value.bytes], [0x11, 0x22, 0x33, 0x44]);
    assert.equal(read.value.unreadable, 0);
  });

  it('reads physical memory directly, whatever the paging', () => {
    const m = paged();
    m.write(0x9000, [0xAB, 0xCD]);
    const read = readGuestMemory(m.cpu, { space: 'physical', address: 0x9000 }, 2);
    assert.ok(read.ok);
    assert.deepEqual([...read.value.bytes], [0xAB, 0xCD]);
  });

  it('returns the readable prefix and counts the rest as unreadable', () => {
    const m = paged();
    const read = readGuestMemory(m.cpu, { space: 'linear', address: 0xC0001FF0 }, 0x20);
    assert.ok(read.ok);
    assert.equal(read.value.bytes.length, 0x10);
    assert.equal(read.value.unreadable, 0x10);
    assert.match(read.value.reason ?? '', /linear 0xc0002000 is not mapped \(PTE 2 not present\)/);
  });

  it('fails with the reason when the first byte is unreadable', () => {
    const m = paged();
    const read = readGuestMemory(m.cpu, { space: 'linear', address: 0x40000000 }, 16);
    assert.deepEqual(read, { ok: false, error: 'linear 0x40000000 is not mapped (PDE 256 not present)' });
    const beyond = readGuestMemory(m.cpu, { space: 'physical', address: 0x10000000 }, 16);
    assert.equal(beyond.ok, false);
    assert.match(!beyond.ok ? beyond.error : '', /physical 0x10000000 is not backed by RAM, ROM or a device/);
  });

  it('refuses counts above the maximum and ranges past 4 GiB', () => {
    const m = paged();
    const huge = readGuestMemory(m.cpu, { space: 'physical', address: 0 }, MAX_MEMORY_REQUEST + 1);
    assert.equal(huge.ok, false);
    assert.match(!huge.ok ? huge.error : '', /more than the 1048576 bytes \(1 MiB\)/);
    const wrap = readGuestMemory(m.cpu, { space: 'physical', address: 0xFFFFFFF0 }, 0x20);
    assert.match(!wrap.ok ? wrap.error : '', /past the end of the 4 GiB address space/);
    assert.equal(readGuestMemory(m.cpu, { space: 'physical', address: 0 }, -1).ok, false);
  });

  it('never touches device memory', () => {
    const m = new Machine();
    let touched = 0;
    m.memory.mapMmio(0xFEC00000, 0x1000, 'test device', { read: () => { touched++; return 0; }, write: () => { touched++; } });
    const read = readGuestMemory(m.cpu, { space: 'physical', address: 0xFEC00000 }, 4);
    assert.match(!read.ok ? read.error : '', /device memory \(MMIO\)/);
    const write = writeGuestMemory(m.cpu, { space: 'physical', address: 0xFEC00000 }, new Uint8Array([1]));
    assert.equal(write.ok, false);
    assert.equal(touched, 0);
  });

  it('writes through the page tables, all or nothing', () => {
    const m = paged();
    const ok = writeGuestMemory(m.cpu, { space: 'linear', address: 0xC0000FFF }, new Uint8Array([1, 2]));
    assert.deepEqual(ok, { ok: true, value: 2 });
    assert.equal(m.r8(0x7FFF), 1);
    assert.equal(m.r8(0x9000), 2);
    // The second page is unmapped: nothing is written, not even the first page's bytes.
    m.w8(0x9FFF, 0x55);
    const partial = writeGuestMemory(m.cpu, { space: 'linear', address: 0xC0001FFF }, new Uint8Array([9, 9]));
    assert.equal(partial.ok, false);
    assert.match(!partial.ok ? partial.error : '', /^nothing was written: linear 0xc0002000 is not mapped/);
    assert.equal(m.r8(0x9FFF), 0x55);
  });

  it('linear addresses wrap at 1 MiB while the A20 gate is closed, as the CPU sees them; physical ones do not', () => {
    const m = new Machine();
    m.w8(0x000010, 0xAA);
    m.w8(0x100010, 0xBB);
    m.memory.a20Enabled = false;
    const linear = readGuestMemory(m.cpu, { space: 'linear', address: 0x100010 }, 1);
    assert.ok(linear.ok && linear.value.bytes[0] === 0xAA);
    const physical = readGuestMemory(m.cpu, { space: 'physical', address: 0x100010 }, 1);
    assert.ok(physical.ok && physical.value.bytes[0] === 0xBB);
  });

  it('refuses writes to ROM', () => {
    const m = new Machine();
    m.memory.mapRom(0xE0000, new Uint8Array(0x10000).fill(0xEA), 'bios');
    const write = writeGuestMemory(m.cpu, { space: 'physical', address: 0xEFFF0 }, new Uint8Array([0]));
    assert.match(!write.ok ? write.error : '', /physical 0x000efff0 is ROM/);
    const read = readGuestMemory(m.cpu, { space: 'physical', address: 0xEFFF0 }, 1);
    assert.ok(read.ok && read.value.bytes[0] === 0xEA, 'ROM is readable');
  });
});

describe('memoryReference strings', () => {
  it('round-trips linear and physical references', () => {
    assert.equal(formatMemoryReference({ space: 'linear', address: 0xC0001000 }), '0xc0001000');
    assert.equal(formatMemoryReference({ space: 'physical', address: 0xB8000 }), 'phys:0x000b8000');
    assert.deepEqual(parseMemoryReference('phys:0x000b8000'), { ok: true, location: { space: 'physical', address: 0xB8000 } });
    assert.deepEqual(parseMemoryReference('lin:4096'), { ok: true, location: { space: 'linear', address: 4096 } });
    assert.deepEqual(parseMemoryReference('0x10'), { ok: true, location: { space: 'linear', address: 16 } });
  });

  it('names what is wrong with a bad reference', () => {
    for (const bad of ['', 'eip', 'phys:', '0x100000000', 'disk:0x10']) {
      const parsed = parseMemoryReference(bad);
      assert.equal(parsed.ok, false, bad);
    }
    assert.match((parseMemoryReference(12) as { error: string }).error, /must be a string/);
  });
});
