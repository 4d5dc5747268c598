// Page-table walks as the debugger shows them: 4 KiB and 4 MiB pages, missing PDE/PTE, paging off,
// PAE refused, and no side effects (accessed bits and the TLB stay as the guest left them).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, PageTables } from '../../cpu/helpers/machine.js';
import { PTE_P, PTE_U, PTE_W } from '../../cpu/helpers/encode.js';
import { describeWalk, walkPageTables } from '../../../engine/debug/inspect/page-walk.js';

function pagedMachine(): { m: Machine; pt: PageTables } {
  const m = new Machine();
  m.enterProtected();
  const pt = new PageTables(m);
  pt.map4k(0xC0001000, 0x00005000, PTE_P | PTE_W);          // kernel page, read/write, supervisor
  pt.map4k(0xC0002000, 0x00006000, PTE_P | PTE_U);          // user, read-only
  pt.map4m(0x80000000, 0x00400000, PTE_P | PTE_W | PTE_U);  // 4 MiB page
  m.cpu.cr3 = pt.dir;
  m.cpu.cr0 |= 0x80000000;
  m.cpu.cr4 |= 0x10; // PSE
  m.cpu.updatePagingMode();
  return { m, pt };
}

describe('page walk', () => {
  it('translates a 4 KiB page and lists the PDE and PTE with their flags', () => {
    const { m, pt } = pagedMachine();
    const walk = walkPageTables(m.cpu, 0xC0001234);
    assert.equal(walk.physical, 0x5234);
    assert.equal(walk.pageSize, 4096);
    assert.equal(walk.writable, true);
    assert.equal(walk.user, false); // the PTE lacks U/S
    assert.deepEqual(walk.levels.map((l) => l.level), ['PDE', 'PTE']);
    assert.equal(walk.levels[0].entryAddress, pt.pdeAddr(0xC0001234));
    assert.equal(walk.levels[1].entryAddress, pt.pteAddr(0xC0001234));
    assert.deepEqual(walk.levels[1].flags, ['P', 'R/W']);
    const text = describeWalk(walk, m.cpu).join('\n');
    assert.match(text, /PTE at physical 0x[0-9a-f]{8} = 0x00005003 \[P R\/W\]/);
    assert.match(text, /→ physical 0x00005234 \(4 KiB page, read\/write, supervisor only\)/);
  });

  it('translates a 4 MiB page when CR4.PSE is on', () => {
    const { m } = pagedMachine();
    const walk = walkPageTables(m.cpu, 0x80123456);
    assert.equal(walk.physical, 0x00523456);
    assert.equal(walk.pageSize, 0x400000);
    assert.equal(walk.levels.length, 1);
    assert.ok(walk.levels[0].flags.includes('PS'));
  });

  it('names the missing level', () => {
    const { m } = pagedMachine();
    const noPde = walkPageTables(m.cpu, 0x40000000);
    assert.equal(noPde.physical, undefined);
    assert.equal(noPde.problem, 'PDE 256 not present');
    const noPte = walkPageTables(m.cpu, 0xC0003000);
    assert.equal(noPte.physical, undefined);
    assert.equal(noPte.problem, 'PTE 3 not present');
    assert.match(describeWalk(noPte).join('\n'), /not mapped: PTE 3 not present/);
  });

  it('says linear = physical while paging is off', () => {
    const m = new Machine();
    m.enterProtected();
    const walk = walkPageTables(m.cpu, 0x123456);
    assert.equal(walk.paging, false);
    assert.equal(walk.physical, 0x123456);
    assert.match(describeWalk(walk).join('\n'), /paging is off/);
  });

  it('refuses PAE paging with a reason instead of a wrong translation', () => {
    const { m } = pagedMachine();
    m.cpu.cr4 |= 0x20;
    const walk = walkPageTables(m.cpu, 0xC0001000);
    assert.equal(walk.physical, undefined);
    assert.match(walk.problem ?? '', /PAE/);
  });

  it('leaves accessed bits and the TLB untouched', () => {
    const { m, pt } = pagedMachine();
    const pteBefore = pt.pte(0xC0001000), pdeBefore = pt.pde(0xC0001000);
    const tlbBefore = m.cpu.mmu.tlbFlags[0xC0001];
    walkPageTables(m.cpu, 0xC0001000);
    assert.equal(pt.pte(0xC0001000), pteBefore);
    assert.equal(pt.pde(0xC0001000), pdeBefore);
    assert.equal(m.cpu.mmu.tlbFlags[0xC0001], tlbBefore);
    // The CPU's own walk does set A (so the check above can fail when the walk has side effects).
    m.cpu.readLin8(0xC0001000);
    assert.notEqual(pt.pte(0xC0001000), pteBefore);
  });
});
