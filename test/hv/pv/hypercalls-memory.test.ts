// The memory hypercalls on a freshly loaded pv guest: mmu_update, update_va_mapping, mmuext_op,
// set_gdt and memory_op — successes and every refusal (hypervisor memory, writable page tables,
// the hypervisor's slots, bad pointers, other domains, unknown commands).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDescriptor } from '../../../engine/cpu/descriptors.js';
import { GDT_VIRT } from '../../../engine/hv/pv/abi.js';
import { pvMachine } from './pv-machine.js';

const BASE = 0xC0000000;
const SCRATCH = 0x300000;                 // pseudo-physical scratch area inside the initial mapping
const va = (phys: number) => BASE + phys;
const EPERM = -1, ESRCH = -3, EFAULT = -14, EINVAL = -22, ENOSYS = -38, DOMID_SELF = 0x7FF0;
const UNMAPPED = 0x10000000;              // no page table maps it

function setup() {
  const m = pvMachine();
  const mem = m.vm.memory;
  const pd = m.boot.pageDirectory;
  const l1 = mem.read32(pd + (BASE >>> 22) * 4) & ~0xFFF;
  const pteAddress = (phys: number) => l1 + (phys >>> 12) * 4;
  const region = m.pv.domain.region;
  return { m, mem, pd, l1, pteAddress, region };
}

test('mmu_update: validated page-table writes, done count, and Xen\'s error returns', () => {
  const { m, mem, pd, l1, pteAddress, region } = setup();
  const req = (k: number, ptr: number, val: number) => { mem.write32(SCRATCH + k * 16, ptr); mem.write32(SCRATCH + k * 16 + 4, 0); mem.write32(SCRATCH + k * 16 + 8, val); mem.write32(SCRATCH + k * 16 + 12, 0); };
  const done = va(SCRATCH + 0x800);
  // Map frame 0x301 at the page of 0x302000: allowed, written, done = 1.
  req(0, pteAddress(0x302000), 0x301000 | 3);
  assert.equal(m.hypercall(1, va(SCRATCH), 1, done, DOMID_SELF), 0);
  assert.equal(mem.read32(pteAddress(0x302000)), 0x301000 | 3);
  assert.equal(mem.read32(SCRATCH + 0x800), 1);
  assert.deepEqual(m.lastHypercall().decoded, { count: 1, cmd: 'normal_pt_update', done: 1 });
  // Hypervisor memory: -EPERM, nothing written; done counts the requests before it.
  req(0, pteAddress(0x303000), 0x303000 | 3);
  req(1, pteAddress(0x304000), (region.base + 0x1000) | 1);
  assert.equal(m.hypercall(1, va(SCRATCH), 2, done, DOMID_SELF), EPERM);
  assert.equal(mem.read32(SCRATCH + 0x800), 1);
  assert.equal(mem.read32(pteAddress(0x303000)), 0x303000 | 3, 'the request before the refused one took effect');
  assert.equal(mem.read32(pteAddress(0x304000)), 0x304000 | 0x23, 'the initial mapping (P, RW, A) is unchanged');
  assert.match(String(m.lastHypercall().decoded?.refused), /hypervisor memory/);
  // A writable mapping of the page directory or of a page table: -EINVAL.
  req(0, pteAddress(0x305000), pd | 3);
  assert.equal(m.hypercall(1, va(SCRATCH), 1, 0, DOMID_SELF), EINVAL);
  req(0, pteAddress(0x305000), l1 | 3);
  assert.equal(m.hypercall(1, va(SCRATCH), 1, 0, DOMID_SELF), EINVAL);
  // …read-only is fine.
  req(0, pteAddress(0x305000), l1 | 1);
  assert.equal(m.hypercall(1, va(SCRATCH), 1, 0, DOMID_SELF), 0);
  // The hypervisor's page-directory slots, and addresses outside any page table.
  req(0, pd + 1008 * 4, 0x306000 | 3);
  assert.equal(m.hypercall(1, va(SCRATCH), 1, 0, DOMID_SELF), EINVAL);
  req(0, SCRATCH + 0x10, 0);
  assert.equal(m.hypercall(1, va(SCRATCH), 1, 0, DOMID_SELF), EINVAL);
  // Another domain, a bad request pointer, an unsupported request kind.
  assert.equal(m.hypercall(1, va(SCRATCH), 1, 0, 1), ESRCH);
  assert.equal(m.hypercall(1, UNMAPPED, 1, 0, DOMID_SELF), EFAULT);
  assert.equal(m.hypercall(1, va(SCRATCH), 0xFFFFFFFF, 0, DOMID_SELF), EINVAL, 'a batch longer than 1024 is refused, not run');
  req(0, pteAddress(0x305000) | 1, 0x305);
  assert.equal(m.hypercall(1, va(SCRATCH), 1, 0, DOMID_SELF), ENOSYS);
});

test('mmu_update: a new page table must not be writable-mapped, and may map only the domain\'s RAM', () => {
  const { m, mem, pd, pteAddress, region } = setup();
  const table = 0x310000;
  for (let k = 0; k < 1024; k++) mem.write32(table + k * 4, 0);
  mem.write32(table, 0x311000 | 3);
  const write = (ptr: number, val: number) => { mem.write32(SCRATCH, ptr); mem.write32(SCRATCH + 8, val); return m.hypercall(1, va(SCRATCH), 1, 0, DOMID_SELF); };
  // Still mapped writable by the initial mapping: refused.
  assert.equal(write(pd + 100 * 4, table | 3), EINVAL);
  // Make it read-only first (update_va_mapping), then it may become a page table.
  assert.equal(m.hypercall(14, va(table), table | 1, 2), 0);
  assert.equal(write(pd + 100 * 4, table | 3), 0);
  // Now the frame is a page table: mapping it writable again is refused.
  assert.equal(m.hypercall(14, va(table), table | 3, 2), EINVAL);
  // A new table that maps hypervisor memory is refused whole.
  const bad = 0x312000;
  for (let k = 0; k < 1024; k++) mem.write32(bad + k * 4, 0);
  mem.write32(bad + 8, region.base | 1);
  assert.equal(m.hypercall(14, va(bad), bad | 1, 2), 0);
  assert.equal(write(pd + 101 * 4, bad | 3), EPERM);
  assert.equal(mem.read32(pd + 101 * 4), 0);
  assert.ok(pteAddress(0));
});

test('update_va_mapping: maps, flushes, and refuses hypervisor memory, the hole and unmapped tables', () => {
  const { m, mem, pteAddress, region } = setup();
  mem.write32(0x320000, 0x12345678);
  assert.equal(m.hypercall(14, va(0x321000), 0x320000 | 3, 2), 0);
  assert.equal(m.vm.cpu.readLin32(va(0x321000)), 0x12345678);
  assert.equal(mem.read32(pteAddress(0x321000)), 0x320000 | 0x23, 'P, RW, and A set by the walk');
  // The shared-info frame is the one hypervisor frame the guest may map (writable).
  assert.equal(m.hypercall(14, va(0x322000), region.sharedInfo | 3, 1), 0);
  // Any other hypervisor frame: -EPERM (the pv-hello guest shows it too).
  assert.equal(m.hypercall(14, va(0x323000), (region.sharedInfo + 0x1000) | 3, 2), EPERM);
  assert.equal(m.hypercall(14, va(0x323000), region.idt | 1, 2), EPERM);
  // The hypervisor hole, and an address no page table covers.
  assert.equal(m.hypercall(14, 0xFC000000, 0x320000 | 3, 2), EINVAL);
  assert.equal(m.hypercall(14, UNMAPPED, 0x320000 | 3, 2), EINVAL);
  // Non-RAM (the VGA hole) is not the domain's.
  assert.equal(m.hypercall(14, va(0x324000), 0xB8000 | 3, 2), EPERM);
});

test('mmuext_op: new_baseptr validates and adopts a page directory; pin, unpin, flushes and errors', () => {
  const { m, mem, pd } = setup();
  const newPd = 0x330000;
  for (let k = 0; k < 1024; k++) mem.write32(newPd + k * 4, k < 1008 ? mem.read32(pd + k * 4) : 0);
  const op = (k: number, cmd: number, arg1: number) => { mem.write32(SCRATCH + k * 12, cmd); mem.write32(SCRATCH + k * 12 + 4, arg1); mem.write32(SCRATCH + k * 12 + 8, 0); };
  const done = va(SCRATCH + 0x800);
  op(0, 5, newPd >>> 12);
  assert.equal(m.hypercall(26, va(SCRATCH), 1, done, DOMID_SELF), EINVAL, 'still mapped writable');
  assert.equal(mem.read32(SCRATCH + 0x800), 0);
  assert.equal(m.hypercall(14, va(newPd), newPd | 1, 2), 0);
  assert.equal(m.hypercall(26, va(SCRATCH), 1, done, DOMID_SELF), 0);
  assert.equal(m.vm.cpu.cr3, newPd);
  assert.equal(mem.read32(newPd + 1008 * 4), mem.read32(pd + 1008 * 4), 'hypervisor slot installed');
  assert.equal(mem.read32(SCRATCH + 0x800), 1);
  // The CPU still reaches the hypervisor's GDT through the new directory.
  assert.equal(readDescriptor(m.vm.cpu, 0xE019).dpl, 1);
  // Pin the old directory, unpin it, unpin again (not pinned), PAE/64-bit tables, flushes, unknown.
  op(0, 1, pd >>> 12); op(1, 4, pd >>> 12); op(2, 6, 0); op(3, 7, va(0x300000));
  assert.equal(m.hypercall(26, va(SCRATCH), 4, done, DOMID_SELF), 0);
  assert.equal(mem.read32(SCRATCH + 0x800), 4);
  op(0, 4, pd >>> 12);
  assert.equal(m.hypercall(26, va(SCRATCH), 1, 0, DOMID_SELF), EINVAL);
  op(0, 2, pd >>> 12);
  assert.equal(m.hypercall(26, va(SCRATCH), 1, 0, DOMID_SELF), EINVAL);
  op(0, 99, 0);
  assert.equal(m.hypercall(26, va(SCRATCH), 1, 0, DOMID_SELF), ENOSYS);
  assert.equal(m.hypercall(26, UNMAPPED, 1, 0, DOMID_SELF), EFAULT);
  assert.equal(m.hypercall(26, va(SCRATCH), 1, 0, 5), ESRCH);
  assert.equal(m.hypercall(26, va(SCRATCH), 1025, 0, DOMID_SELF), EINVAL);
});

test('set_gdt: checked descriptors appear in the hypervisor\'s GDT; ring 0, the hole, writable frames refused', () => {
  const { m, mem } = setup();
  const frame = 0x340000, list = SCRATCH;
  const fill = (hi1: number) => {
    for (let k = 0; k < 1024; k++) mem.write32(frame + k * 4, 0);
    mem.write32(frame + 8, 0x0000FFFF); mem.write32(frame + 12, hi1);   // entry 1
  };
  mem.write32(list, frame >>> 12);
  fill(0x00CBBA00);                        // code, DPL 1, base 0, limit 0xbffff pages (below the hole)
  assert.equal(m.hypercall(2, va(list), 2), EINVAL, 'the frame is still mapped writable');
  assert.equal(m.hypercall(14, va(frame), frame | 1, 2), 0);
  assert.equal(m.hypercall(2, va(list), 2), 0);
  const d = readDescriptor(m.vm.cpu, 0x09);
  assert.deepEqual([d.dpl, d.limit, d.s], [1, 0xBFFFFFFF, true]);
  assert.equal(mem.read32((mem.read32(m.pv.domain.region.holeTable + ((GDT_VIRT >>> 12) & 0x3FF) * 4) & ~0xFFF) + 12), 0x00CBBA00);
  // The GDT frame can no longer be mapped writable.
  assert.equal(m.hypercall(14, va(0x341000), frame | 3, 2), EINVAL);
  m.pv.domain.tables.gdtFrames.clear();   // let the test rewrite the frame through the hypervisor's view
  fill(0x00CB9A00);                        // DPL 0
  assert.equal(m.hypercall(2, va(list), 2), EINVAL);
  assert.match(String(m.lastHypercall().decoded?.refused), /DPL 0/);
  fill(0x00CFBA00);                        // limit 4 GiB: reaches the hole
  assert.equal(m.hypercall(2, va(list), 2), EINVAL);
  fill(0x0000AC00 | 0x00400000);           // a call gate (system descriptor)
  assert.equal(m.hypercall(2, va(list), 2), EINVAL);
  assert.equal(m.hypercall(2, va(list), 7169), EINVAL);
  assert.equal(m.hypercall(2, UNMAPPED, 2), EFAULT);
  mem.write32(list, m.pv.domain.region.base >>> 12);
  assert.equal(m.hypercall(2, va(list), 2), EPERM);
});

test('memory_op: reservation of DOMID_SELF, maximum RAM page; other domains, bad pointers, unknown commands', () => {
  const { m, mem } = setup();
  const nrPages = m.pv.domain.nrPages;
  mem.write32(SCRATCH, DOMID_SELF);
  assert.equal(m.hypercall(12, 3, va(SCRATCH)), nrPages);
  assert.equal(m.hypercall(12, 4, va(SCRATCH)), nrPages);
  assert.equal(m.hypercall(12, 2, 0), nrPages - 1);
  mem.write32(SCRATCH, 3);
  assert.equal(m.hypercall(12, 3, va(SCRATCH)), ESRCH);
  assert.equal(m.hypercall(12, 3, UNMAPPED), EFAULT);
  assert.equal(m.hypercall(12, 0, va(SCRATCH)), ENOSYS);
  assert.deepEqual(m.lastHypercall().decoded, { cmd: 'unknown (0)' });
});
