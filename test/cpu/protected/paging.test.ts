// Paging: #PF with CR2 and the error code (not present, CR0.WP, user/supervisor, fetch), accessed and
// dirty bits, 4 MiB pages with CR4.PSE, global pages across a CR3 reload and INVLPG, the TLB, the
// MOV CR0/CR3/CR4 effects and their #GP checks, and #PF escalating to #DF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Machine, PageTables, CODE, USER_CODE, KSTACK_TOP, USTACK_TOP, KCODE, UCODE, UDATA, DATA, PAGE_DIR,
} from '../helpers/machine.js';
import {
  PTE_P, PTE_W, PTE_U, PTE_A, PTE_D, PTE_G, PDE_PS, PF, GP, DF, gate, sel, segment, ACC_S, ACC_CODE, ACC_READ,
  FLAG_G, FLAG_DB, TYPE_INT32, FAULT_EFLAGS,
} from '../helpers/encode.js';
import { DS, EAX, ECX, EBX, ESP } from '../../../engine/cpu/registers.js';
import { writeControlRegister } from '../../../engine/cpu/exec/system.js';

const CR0_PG = 0x80000000 | 0, CR0_WP = 0x10000, CR4_PSE = 0x10, CR4_PGE = 0x80;

interface PagingSetup { ring3?: boolean; wp?: boolean; pse?: boolean; pge?: boolean }

/**
 * Protected mode with paging on: the first MiB identity-mapped supervisor read/write, the user code
 * page and the top user-stack page user read/write; everything else unmapped until a test maps it.
 */
function paged(setup: PagingSetup = {}): { m: Machine; pt: PageTables } {
  const m = new Machine();
  m.enterProtected(setup.ring3 ? { cs: UCODE } : {});
  const pt = new PageTables(m);
  pt.identity(0, 0x100000, PTE_P | PTE_W);
  pt.identity(USER_CODE, USER_CODE + 0x1000, PTE_P | PTE_W | PTE_U);
  pt.identity(USTACK_TOP - 0x1000, USTACK_TOP, PTE_P | PTE_W | PTE_U);
  const cpu = m.cpu;
  writeControlRegister(cpu, 4, (setup.pse ? CR4_PSE : 0) | (setup.pge ? CR4_PGE : 0));
  writeControlRegister(cpu, 3, PAGE_DIR);
  writeControlRegister(cpu, 0, cpu.cr0 | CR0_PG | (setup.wp ? CR0_WP : 0));
  return { m, pt };
}

/** The #PF handler was entered with errorCode for the instruction at eip, and CR2 = address. */
function assertPageFault(m: Machine, address: number, errorCode: number, eip: number): void {
  assert.ok(m.inHandler(PF), `expected #PF, got ${JSON.stringify(m.cpu.lastException)}`);
  assert.equal(m.cpu.cr2 >>> 0, address, 'CR2');
  assert.deepEqual(m.stack(2), [errorCode, eip], 'error code, EIP');
}

test('not-present read at CPL 0: #PF, CR2 = address, error code 0', () => {
  const { m } = paged();
  m.write(CODE, [
    0xA1, 0x00, 0x00, 0x40, 0x00, // mov eax, [0x400000]
  ]);
  m.run();
  assertPageFault(m, 0x400000, 0, CODE);
});

test('not-present write at CPL 0: error code 2 (W)', () => {
  const { m } = paged();
  m.write(CODE, [
    0xA3, 0x00, 0x00, 0x40, 0x00, // mov [0x400000], eax
  ]);
  m.run();
  assertPageFault(m, 0x400000, 2, CODE);
});

test('write to a read-only page at CPL 0 with CR0.WP = 1: #PF error code 3 (P|W), memory unchanged', () => {
  const { m, pt } = paged({ wp: true });
  pt.map4k(DATA, DATA, PTE_P);
  m.write(CODE, [
    0x89, 0x03, // mov [ebx], eax
  ]);
  m.cpu.reg32[EBX] = DATA + 0x10; m.cpu.reg32[EAX] = 0x1234;
  m.run();
  assertPageFault(m, DATA + 0x10, 3, CODE);
  assert.equal(m.r32(DATA + 0x10), 0);
});

test('write to a read-only page at CPL 0 with CR0.WP = 0 succeeds and sets D', () => {
  const { m, pt } = paged({ wp: false });
  pt.map4k(DATA, DATA, PTE_P);
  m.write(CODE, [
    0x89, 0x03, // mov [ebx], eax
    0xEB, 0xFE, // jmp $
  ]);
  m.cpu.reg32[EBX] = DATA + 0x10; m.cpu.reg32[EAX] = 0x1234;
  m.run(3);
  assert.equal(m.cpu.lastException, undefined);
  assert.equal(m.r32(DATA + 0x10), 0x1234);
  assert.equal(pt.pte(DATA) & (PTE_A | PTE_D), PTE_A | PTE_D);
});

test('user read of a supervisor page: #PF error code 5 (P|U)', () => {
  const { m } = paged({ ring3: true });
  m.write(USER_CODE, [
    0x8B, 0x03, // mov eax, [ebx]
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.run();
  assertPageFault(m, DATA, 5, USER_CODE);
  assert.deepEqual(m.stack(6).slice(2), [UCODE, FAULT_EFLAGS, USTACK_TOP, UDATA]);
});

test('user write to a supervisor page: error code 7 (P|W|U)', () => {
  const { m } = paged({ ring3: true });
  m.write(USER_CODE, [
    0x89, 0x03, // mov [ebx], eax
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.run();
  assertPageFault(m, DATA, 7, USER_CODE);
});

test('user write to a read-only user page faults even with CR0.WP = 0: error code 7', () => {
  const { m, pt } = paged({ ring3: true, wp: false });
  pt.map4k(DATA, DATA, PTE_P | PTE_U);
  m.write(USER_CODE, [
    0x8B, 0x0B, // mov ecx, [ebx]     (reading is allowed)
    0x89, 0x03, // mov [ebx], eax
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.w32(DATA, 0x5A5A);
  m.run();
  assert.equal(m.cpu.reg32[ECX], 0x5A5A);
  assertPageFault(m, DATA, 7, USER_CODE + 2);
});

test('a supervisor translation in the TLB does not let ring 3 in', () => {
  const { m } = paged();
  m.loadSeg(DS, UDATA); // a DS ring 3 may keep after the IRET
  m.w32(KSTACK_TOP - 20, USER_CODE); m.w32(KSTACK_TOP - 16, UCODE); m.w32(KSTACK_TOP - 12, 0x2);
  m.w32(KSTACK_TOP - 8, USTACK_TOP); m.w32(KSTACK_TOP - 4, UDATA);
  m.cpu.reg32[ESP] = KSTACK_TOP - 20;
  m.write(CODE, [
    0x8B, 0x03, // mov eax, [ebx]   (ring 0: fills the TLB for DATA)
    0xCF,       // iretd            (to ring 3)
  ]);
  m.write(USER_CODE, [
    0x8B, 0x03, // mov eax, [ebx]   (ring 3: same page)
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.run();
  assertPageFault(m, DATA, 5, USER_CODE);
});

test('instruction fetch from a not-present page: #PF, EIP = CR2 = the target, error code 0', () => {
  const { m } = paged();
  m.write(CODE, [
    0xFF, 0xE0, // jmp eax
  ]);
  m.cpu.reg32[EAX] = 0x400000;
  m.run();
  assertPageFault(m, 0x400000, 0, 0x400000);
});

test('running off the end of a page into a not-present one: #PF at the first instruction of the new page', () => {
  const { m, pt } = paged();
  pt.map4k(0x200000, 0x200000, PTE_P | PTE_W); // 0x201000 stays unmapped
  m.write(CODE, [
    0xB9, 0xFE, 0x0F, 0x20, 0x00, // mov ecx, 0x200ffe
    0xFF, 0xE1,                   // jmp ecx
  ]);
  m.write(0x200FFE, [
    0x40, // inc eax
    0x40, // inc eax   (the last byte of the page)
  ]);
  m.run();
  assertPageFault(m, 0x201000, 0, 0x201000);
  assert.equal(m.cpu.reg32[EAX], 2, 'both INC retired, once each');
});

test('an instruction straddling into a not-present page faults with EIP at its first byte', () => {
  const { m, pt } = paged();
  pt.map4k(0x200000, 0x200000, PTE_P | PTE_W);
  m.write(CODE, [
    0xB9, 0xFD, 0x0F, 0x20, 0x00, // mov ecx, 0x200ffd
    0xFF, 0xE1,                   // jmp ecx
  ]);
  m.write(0x200FFD, [
    0xB8, 0x78, 0x56, // mov eax, 0x12345678 (continues on the next page)
  ]);
  m.run();
  assert.ok(m.inHandler(PF));
  assert.equal(m.cpu.cr2 >>> 12, 0x201, 'CR2 lies in the missing page');
  assert.deepEqual(m.stack(2), [0, 0x200FFD]);
  assert.equal(m.cpu.reg32[EAX], 0);
});

test('a write crossing into a read-only page faults before writing any byte', () => {
  const { m, pt } = paged({ wp: true });
  pt.map4k(0x60000, 0x60000, PTE_P | PTE_W);
  pt.map4k(0x61000, 0x61000, PTE_P);
  m.write(CODE, [
    0x89, 0x43, 0x02, // mov [ebx+2], eax
  ]);
  m.cpu.reg32[EBX] = 0x60FFC; m.cpu.reg32[EAX] = 0x11223344;
  m.run();
  assert.ok(m.inHandler(PF));
  assert.equal(m.cpu.cr2 >>> 12, 0x61);
  assert.deepEqual(m.stack(2), [3, CODE]);
  assert.equal(m.r16(0x60FFE), 0, 'the bytes on the writable page were not written');
});

test('accessed and dirty bits: a read sets A in the PDE and PTE, a write then sets D', () => {
  const { m, pt } = paged();
  pt.map4k(DATA, DATA, PTE_P | PTE_W);
  m.write(CODE, [
    0x8B, 0x03, // mov eax, [ebx]
    0x89, 0x03, // mov [ebx], eax
    0xEB, 0xFE, // jmp $
  ]);
  m.cpu.reg32[EBX] = DATA;
  assert.equal(pt.pte(DATA) & (PTE_A | PTE_D), 0);
  m.run(1);
  assert.equal(pt.pde(DATA) & PTE_A, PTE_A);
  assert.equal(pt.pte(DATA) & (PTE_A | PTE_D), PTE_A, 'read: A set, D clear');
  m.run(1);
  assert.equal(pt.pte(DATA) & (PTE_A | PTE_D), PTE_A | PTE_D, 'write: D set (even with the page already in the TLB)');
  assert.equal(pt.pde(DATA) & PTE_D, 0, 'D is not set in a PDE that points to a page table');
});

test('a faulting access sets no accessed bit in the PTE', () => {
  const { m, pt } = paged({ ring3: true });
  pt.map4k(DATA, DATA, PTE_P | PTE_W); // supervisor
  m.write(USER_CODE, [
    0x8B, 0x03, // mov eax, [ebx]
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.run();
  assert.ok(m.inHandler(PF));
  assert.equal(pt.pte(DATA) & PTE_A, 0);
});

test('4 MiB page with CR4.PSE: translation, A and D in the PDE', () => {
  const { m, pt } = paged({ pse: true });
  pt.map4m(0x800000, 0x400000, PTE_P | PTE_W);
  m.w32(0x400010, 0xB16B00B5 | 0);
  m.w32(0x7FF000, 0x7FF000);
  m.write(CODE, [
    0xA1, 0x10, 0x00, 0x80, 0x00, // mov eax, [0x800010]
    0xA3, 0x20, 0x00, 0x80, 0x00, // mov [0x800020], eax
    0x8B, 0x0D, 0x00, 0xF0, 0xBF, 0x00, // mov ecx, [0xbff000]   (the last 4 KiB of the large page)
    0xEB, 0xFE,                   // jmp $
  ]);
  m.run(3);
  assert.equal(m.cpu.reg32[EAX] >>> 0, 0xB16B00B5);
  assert.equal(m.r32(0x400020), 0xB16B00B5);
  assert.equal(m.cpu.reg32[ECX], 0x7FF000);
  assert.equal(pt.pde(0x800000) & (PTE_A | PTE_D | PDE_PS), PTE_A | PTE_D | PDE_PS);
});

test('without CR4.PSE the PS bit is ignored: the PDE points to a page table', () => {
  const { m, pt } = paged({ pse: false });
  pt.map4m(0x800000, 0x400000, PTE_P | PTE_W); // as a table, 0x400000 holds only zero PTEs
  m.write(CODE, [
    0xA1, 0x10, 0x00, 0x80, 0x00, // mov eax, [0x800010]
  ]);
  m.run();
  assertPageFault(m, 0x800010, 0, CODE);
});

test('4 MiB supervisor page read from ring 3: #PF error code 5', () => {
  const { m, pt } = paged({ ring3: true, pse: true });
  pt.map4m(0x800000, 0x400000, PTE_P | PTE_W);
  m.write(USER_CODE, [
    0x8B, 0x03, // mov eax, [ebx]
  ]);
  m.cpu.reg32[EBX] = 0x800000;
  m.run();
  assertPageFault(m, 0x800000, 5, USER_CODE);
});

test('global pages survive a CR3 reload but not INVLPG; non-global entries are flushed by CR3', () => {
  const { m, pt } = paged({ pge: true });
  pt.map4k(0x60000, 0x60000, PTE_P | PTE_W | PTE_G);
  pt.map4k(0x61000, 0x61000, PTE_P | PTE_W);
  m.w32(0x60000, 0x6000AAAA); m.w32(0x70000, 0x7000BBBB);
  m.w32(0x61000, 0x6100AAAA); m.w32(0x71000, 0x7100BBBB);
  m.write(CODE, [
    0xA1, 0x00, 0x00, 0x06, 0x00,       // mov eax, [0x60000]   (global: cached)
    0x8B, 0x0D, 0x00, 0x10, 0x06, 0x00, // mov ecx, [0x61000]   (not global: cached)
    0x0F, 0x20, 0xDA,                   // mov edx, cr3
    0x0F, 0x22, 0xDA,                   // mov cr3, edx         (flush non-global)
    0xA1, 0x00, 0x00, 0x06, 0x00,       // mov eax, [0x60000]
    0x8B, 0x0D, 0x00, 0x10, 0x06, 0x00, // mov ecx, [0x61000]
    0x0F, 0x01, 0x3B,                   // invlpg [ebx]         (EBX = 0x60000)
    0xA1, 0x00, 0x00, 0x06, 0x00,       // mov eax, [0x60000]
    0xEB, 0xFE,                         // jmp $
  ]);
  m.cpu.reg32[EBX] = 0x60000;
  m.run(2);
  assert.equal(m.cpu.reg32[EAX], 0x6000AAAA);
  assert.equal(m.cpu.reg32[ECX], 0x6100AAAA);
  // Remap both pages without telling the CPU.
  pt.setPte(0x60000, 0x70000 | PTE_P | PTE_W | PTE_G | PTE_A);
  pt.setPte(0x61000, 0x71000 | PTE_P | PTE_W | PTE_A);
  m.run(4);
  assert.equal(m.cpu.reg32[EAX], 0x6000AAAA, 'global entry kept across MOV CR3');
  assert.equal(m.cpu.reg32[ECX], 0x7100BBBB, 'non-global entry re-walked after MOV CR3');
  m.run(2);
  assert.equal(m.cpu.reg32[EAX], 0x7000BBBB, 'INVLPG dropped the global entry');
});

test('with CR4.PGE = 0 the G bit is ignored: MOV CR3 flushes the page', () => {
  const { m, pt } = paged({ pge: false });
  pt.map4k(0x60000, 0x60000, PTE_P | PTE_W | PTE_G);
  m.w32(0x60000, 0x6000AAAA); m.w32(0x70000, 0x7000BBBB);
  m.write(CODE, [
    0xA1, 0x00, 0x00, 0x06, 0x00, // mov eax, [0x60000]
    0x0F, 0x20, 0xDA,             // mov edx, cr3
    0x0F, 0x22, 0xDA,             // mov cr3, edx
    0xA1, 0x00, 0x00, 0x06, 0x00, // mov eax, [0x60000]
    0xEB, 0xFE,                   // jmp $
  ]);
  m.run(1);
  pt.setPte(0x60000, 0x70000 | PTE_P | PTE_W | PTE_G);
  m.run(3);
  assert.equal(m.cpu.reg32[EAX], 0x7000BBBB);
});

test('clearing CR4.PGE flushes global entries', () => {
  const { m, pt } = paged({ pge: true });
  pt.map4k(0x60000, 0x60000, PTE_P | PTE_W | PTE_G);
  m.w32(0x60000, 0x6000AAAA); m.w32(0x70000, 0x7000BBBB);
  m.write(CODE, [
    0xA1, 0x00, 0x00, 0x06, 0x00, // mov eax, [0x60000]
    0x0F, 0x22, 0xE1,             // mov cr4, ecx         (ECX = 0: PGE off)
    0xA1, 0x00, 0x00, 0x06, 0x00, // mov eax, [0x60000]
    0xEB, 0xFE,                   // jmp $
  ]);
  m.cpu.reg32[ECX] = 0;
  m.run(1);
  pt.setPte(0x60000, 0x70000 | PTE_P | PTE_W | PTE_G);
  m.run(2);
  assert.equal(m.cpu.cr4, 0);
  assert.equal(m.cpu.reg32[EAX], 0x7000BBBB);
});

test('MOV CR3 + MOV CR0 with PG turn paging on from inside the guest', () => {
  const m = new Machine();
  m.enterProtected();
  const pt = new PageTables(m);
  pt.identity(0, 0x100000, PTE_P | PTE_W);
  pt.map4k(0x800000, DATA, PTE_P | PTE_W);
  m.w32(DATA + 0x10, 0x600DF00D);
  m.write(CODE, [
    0xB8, 0x00, 0x00, 0x10, 0x00, // mov eax, 0x100000
    0x0F, 0x22, 0xD8,             // mov cr3, eax
    0x0F, 0x20, 0xC0,             // mov eax, cr0
    0x0D, 0x00, 0x00, 0x00, 0x80, // or eax, 0x80000000
    0x0F, 0x22, 0xC0,             // mov cr0, eax
    0xA1, 0x10, 0x00, 0x80, 0x00, // mov eax, [0x800010]
    0xEB, 0xFE,                   // jmp $
  ]);
  m.run(6);
  assert.equal(m.cpu.paging, true);
  assert.equal(m.cpu.cr3, PAGE_DIR);
  assert.equal(m.cpu.reg32[EAX], 0x600DF00D);
});

test('MOV CR2 in the #PF handler reads the faulting address', () => {
  const { m } = paged();
  m.setIdt(PF, gate(KCODE, CODE + 0x400, TYPE_INT32, 0));
  m.write(CODE + 0x400, [
    0x0F, 0x20, 0xD0, // mov eax, cr2
    0xF4,             // hlt
  ]);
  m.write(CODE, [
    0x8B, 0x03, // mov eax, [ebx]
  ]);
  m.cpu.reg32[EBX] = 0x00C0FFEE;
  m.run();
  assert.equal(m.cpu.eip, CODE + 0x404);
  assert.equal(m.cpu.reg32[EAX], 0x00C0FFEE);
});

for (const [what, value] of [['a reserved CR4 bit (bit 11)', 0x800], ['CR4.PAE (not supported)', 0x20]] as const) {
  test(`MOV CR4 with ${what}: #GP(0), CR4 unchanged`, () => {
    const m = new Machine();
    m.enterProtected();
    m.write(CODE, [
      0x0F, 0x22, 0xE1, // mov cr4, ecx
    ]);
    m.cpu.reg32[ECX] = value;
    m.run();
    assert.ok(m.inHandler(GP));
    assert.deepEqual(m.stack(2), [0, CODE]);
    assert.equal(m.cpu.cr4, 0);
  });
}

for (const [what, value] of [['PG without PE', 0x80000010 | 0], ['NW without CD', 0x20000011]] as const) {
  test(`MOV CR0 with ${what}: #GP(0)`, () => {
    const m = new Machine();
    m.enterProtected();
    const before = m.cpu.cr0;
    m.write(CODE, [
      0x0F, 0x22, 0xC1, // mov cr0, ecx
    ]);
    m.cpu.reg32[ECX] = value;
    m.run();
    assert.ok(m.inHandler(GP));
    assert.deepEqual(m.stack(2), [0, CODE]);
    assert.equal(m.cpu.cr0, before);
  });
}

test('#PF whose gate points to a not-present code segment becomes #DF; CR2 keeps the address', () => {
  const { m } = paged();
  m.setGdt(8, segment(0, 0xFFFFF, ACC_S | ACC_CODE | ACC_READ, FLAG_G | FLAG_DB)); // not present
  m.setIdt(PF, gate(sel(8), 0, TYPE_INT32, 0));
  m.write(CODE, [
    0xA1, 0x00, 0x00, 0x40, 0x00, // mov eax, [0x400000]
  ]);
  m.run();
  assert.ok(m.inHandler(DF));
  assert.deepEqual(m.stack(2), [0, CODE]);
  assert.equal(m.cpu.cr2, 0x400000);
});

test('#PF while pushing the #PF frame (ESP0 on a missing page) escalates to #DF and then a triple fault', () => {
  const { m, pt } = paged({ ring3: true });
  pt.map4k(KSTACK_TOP - 0x1000, 0, 0); // the ring-0 stack page is not present
  m.write(USER_CODE, [
    0x8B, 0x03, // mov eax, [ebx]
  ]);
  m.cpu.reg32[EBX] = 0x400000;
  m.run();
  assert.equal(m.cpu.shutdown, true);
  assert.equal(m.env.tripleFaults.length, 1);
  assert.equal(m.cpu.cr2 >>> 12, (KSTACK_TOP - 4) >>> 12, 'CR2 holds the last faulting address: the stack');
});


test('ring 3 under paging: GDT, IDT and TSS on supervisor pages are still read (implicit supervisor accesses)', () => {
  const { m, pt } = paged({ ring3: true });
  pt.identity(DATA, DATA + 0x1000, PTE_P | PTE_W | PTE_U);
  m.allowPorts(0x60, 1);
  m.setGdt(8, [0x0000FFFF, 0x00CFF200]); // ring-3 flat data, not yet accessed
  m.write(USER_CODE, [
    0x8E, 0xD9, // mov ds, ecx      (reads the GDT, sets its accessed bit)
    0xE4, 0x60, // in al, 0x60      (reads the TSS I/O bitmap)
    0x8B, 0x03, // mov eax, [ebx]   (EBX = 0x400000: #PF through the IDT and the TSS stack)
  ]);
  m.cpu.reg32[ECX] = sel(8, 3);
  m.cpu.reg32[EBX] = 0x400000;
  m.run();
  assert.equal(m.cpu.segSel[DS], sel(8, 3));
  assert.equal(m.gdtHigh(8) & 0x100, 0x100, 'accessed bit written to the supervisor GDT page');
  assert.deepEqual(m.env.io, [{ dir: 'in', port: 0x60, size: 1, value: 0xA5 }]);
  assertPageFault(m, 0x400000, 4, USER_CODE + 4);
});

test('INVLPG then a new walk of the same page keeps one TLB entry for it (mmu.size)', () => {
  const { m } = paged({ pge: true });
  m.write(CODE, [
    0x8B, 0x03,       // mov eax, [ebx]
    0x0F, 0x01, 0x3B, // invlpg [ebx]
    0x8B, 0x03,       // mov eax, [ebx]
    0x0F, 0x01, 0x3B, // invlpg [ebx]
    0x8B, 0x03,       // mov eax, [ebx]
    0xEB, 0xFE,       // jmp $
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.run(1);
  const cached = m.cpu.mmu.size;
  m.run(2);
  assert.equal(m.cpu.mmu.size, cached);
  m.run(2);
  assert.equal(m.cpu.mmu.size, cached);
});

test('MOV CR3 with 160 Ki global TLB entries cached keeps them all (no host error)', () => {
  const { m, pt } = paged({ pse: true, pge: true });
  for (let k = 1; k <= 160; k++) pt.map4m(k << 22, 0x400000, PTE_P | PTE_W | PTE_G); // 640 MiB, all aliasing one frame
  m.write(CODE, [
    0xBE, 0x00, 0x00, 0x40, 0x00,       // mov esi, 0x400000
    0xB9, 0x00, 0x80, 0x02, 0x00,       // mov ecx, 163840
    0x8B, 0x06,                         // l: mov eax, [esi]
    0x81, 0xC6, 0x00, 0x10, 0x00, 0x00, // add esi, 0x1000
    0xE2, 0xF6,                         // loop l
    0x0F, 0x20, 0xD8,                   // mov eax, cr3
    0x0F, 0x22, 0xD8,                   // mov cr3, eax
    0xEB, 0xFE,                         // jmp $
  ]);
  m.run(3 * 163840 + 10);
  assert.equal(m.cpu.eip, CODE + 26);
  assert.equal(m.cpu.lastException, undefined);
  assert.ok(m.cpu.mmu.size >= 163840, `${m.cpu.mmu.size} entries after the CR3 reload`);
});
