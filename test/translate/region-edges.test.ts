// Edge cases of the translator's region tier, each run in lockstep against the interpreter with
// regions formed early: self-modifying code, page faults, direct-map coherence (PTE changes, CPL),
// A20, budgets, 8/16-bit forms, CALL/RET, and MMIO. Code bytes are hand-assembled (listed per line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, PageTables, CODE, DATA, HANDLERS, KSTACK_TOP, USER_CODE, PAGE_DIR } from '../cpu/helpers/machine.js';
import type { MmioHandler } from '../../engine/memory/guest-memory.js';
import { machinePair, runLockstep, snapshot, withEagerRegions, type ByteRange } from './region-harness.js';
import { attachFastA20 } from './fast-a20-port.js';

/** Run sizes cycled by most cases: tiny ones end inside blocks, large ones let regions run long. */
const SLICES = [7, 64, 1, 250, 33, 1000, 3, 5000, 19, 128];
const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESI = 6, EBP = 5;
const PF = 14;
const CR0_PG = 0x80000000, CR0_WP = 0x10000;

/** Protected mode, code bytes at CODE (and more at other addresses), then extra setup. */
function protectedSetup(code: number[], extra: (m: Machine) => void = () => {}): (m: Machine) => void {
  return (m) => { m.enterProtected(); m.write(CODE, code); extra(m); };
}

/** Page tables identity-mapping [0, 2 MiB) with flags, then map(pt); CR3 set, CR0.PG and CR0.WP on. */
function enablePaging(m: Machine, identityFlags: number, map: (pt: PageTables) => void): PageTables {
  const pt = new PageTables(m);
  pt.identity(0, 0x200000, identityFlags);
  map(pt);
  m.cpu.cr3 = PAGE_DIR;
  m.cpu.cr0 |= CR0_PG | CR0_WP;
  m.cpu.updatePagingMode();
  return pt;
}

/** The machine is halted in the HLT stub the standard IDT sends vector to. */
function inHandler(m: Machine, vector: number): boolean {
  return m.cpu.halted && (m.cpu.eip >>> 0) === HANDLERS + vector * 16 + 1;
}

// ---- 1. self-modifying code ----

// Every 16th pass patches the low byte of the MOV EAX immediate just ahead (same page, same block).
const SMC_SAME_PAGE = [
  0xF7, 0xC1, 0x0F, 0x00, 0x00, 0x00,   // 10000 loop: test ecx, 15
  0x75, 0x06,                           // 10006: jne 1000e
  0x88, 0x0D, 0x0F, 0x00, 0x01, 0x00,   // 10008: mov byte [1000f], cl   (the immediate below)
  0xB8, 0x00, 0x00, 0x00, 0x00,         // 1000e: mov eax, imm32
  0x01, 0xC3,                           // 10013: add ebx, eax
  0x41,                                 // 10015: inc ecx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 10016: cmp ecx, 300
  0x75, 0xE2,                           // 1001c: jne loop
  0xF4,                                 // 1001e: hlt
];

test('1a. a region that patches an immediate on its own code page leaves after the write and runs the new code', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(SMC_SAME_PAGE));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[CODE, 0x20]], label: 'smc same page' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    let ebx = 0;
    for (let ecx = 0; ecx < 300; ecx++) ebx += (ecx & ~15) & 0xFF;
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.equal(c.reg32[EBX], ebx, 'every pass added the immediate last written');
    assert.equal(c.instructions, 300 * 7 + 19 + 1, '7 per pass, 19 patches, HLT');
  });
});

// Page A patches the immediate of a function on page B (every 16th pass) and, from pass 40 on,
// calls it: page B becomes code after the patches started (the direct map learned it writable) and
// holds a region of its own when later patches land.
const SMC_CALLER = [
  0xF7, 0xC1, 0x0F, 0x00, 0x00, 0x00,   // 10000 loop: test ecx, 15
  0x75, 0x06,                           // 10006: jne 1000e
  0x88, 0x0D, 0x01, 0x10, 0x01, 0x00,   // 10008: mov byte [11001], cl   (funcb's immediate)
  0x83, 0xF9, 0x28,                     // 1000e: cmp ecx, 40
  0x72, 0x07,                           // 10011: jb 1001a
  0xE8, 0xE8, 0x0F, 0x00, 0x00,         // 10013: call funcb (11000)
  0x01, 0xC3,                           // 10018: add ebx, eax
  0x41,                                 // 1001a: inc ecx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 1001b: cmp ecx, 300
  0x75, 0xDD,                           // 10021: jne loop
  0xF4,                                 // 10023: hlt
];
const SMC_CALLEE = [
  0xB8, 0x00, 0x56, 0x34, 0x12,         // 11000 funcb: mov eax, 0x12345600
  0x01, 0xC6,                           // 11005: add esi, eax
  0xC3,                                 // 11007: ret
];

test('1b. a write to code on another page that holds a region (and became code after being written) reaches it', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(SMC_CALLER, (m) => m.write(CODE + 0x1000, SMC_CALLEE)));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[CODE + 0x1000, 8]], label: 'smc other page' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    let sum = 0;
    for (let ecx = 40; ecx < 300; ecx++) sum = (sum + (0x12345600 | ((ecx & ~15) & 0xFF))) | 0;
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.equal(c.reg32[EBX], sum, 'every call returned the immediate last written');
    assert.equal(c.reg32[ESI], sum);
  });
});

// ---- 2. a page fault inside a region ----

// Reads [esi] and writes [esi+8], 64 bytes further each pass, from linear 0x400000 (RAM at 0x70000)
// into 0x401000, which is not present (read fault) or read-only (write fault, CR0.WP on).
const WALK_PAGES = [
  0x41,                                 // 10000 loop: inc ecx
  0x8B, 0x06,                           // 10001: mov eax, [esi]
  0x01, 0xC3,                           // 10003: add ebx, eax
  0x89, 0x4E, 0x08,                     // 10005: mov [esi+8], ecx
  0x83, 0xC6, 0x40,                     // 10008: add esi, 64
  0xEB, 0xF3,                           // 1000b: jmp loop
];

for (const { name, pte, cr2, errorCode, faultEip } of [
  { name: 'not-present page (read)', pte: 0, cr2: 0x401000, errorCode: 0, faultEip: CODE + 1 },
  { name: 'read-only page (write)', pte: 0x71000 | 1, cr2: 0x401008, errorCode: 3, faultEip: CODE + 5 },
]) {
  test(`2. a page fault in a hot region loop, ${name}: same EIP, CR2, error code, registers and count`, () => {
    withEagerRegions(() => {
      const pair = machinePair(protectedSetup(WALK_PAGES, (m) => {
        for (let a = 0; a < 0x2000; a += 4) m.w32(0x70000 + a, a * 0x01000193);
        enablePaging(m, 3, (pt) => { pt.map4k(0x400000, 0x70000, 3); pt.setPte(0x401000, pte); });
        m.cpu.reg32[ESI] = 0x400000;
      }));
      const ranges: ByteRange[] = [[0x70000, 0x2000], [KSTACK_TOP - 16, 16]];
      const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: name });
      assert.ok(inRegions > 0, 'instructions ran in regions');
      const c = pair.fast.cpu;
      assert.ok(inHandler(pair.fast, PF), 'the #PF handler stub was entered');
      assert.deepEqual(snapshot(pair.fast).exception, { vector: PF, errorCode, eip: faultEip });
      assert.equal(c.cr2 >>> 0, cr2);
      assert.equal(c.reg32[ECX], 65, '64 passes, then the fault in the 65th');
      assert.deepEqual(pair.fast.stack(2), [errorCode, faultEip], 'error code and faulting EIP pushed');
    });
  });
}

// ---- 3. direct-map coherence ----

// Reads [0x400000] and writes [0x400004] each pass. After pass 100 the guest points the PTE at
// frame 0x71000 and runs INVLPG; after pass 200 at 0x72000 and reloads CR3.
const PTE_400000 = 0x102000;         // the second page table PageTables allocates (asserted below)
const REMAP_LOOP = [
  0xA1, 0x00, 0x00, 0x40, 0x00,                         // 10000 loop: mov eax, [400000]
  0x01, 0xC3,                                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x00, 0x40, 0x00,                   // 10007: mov [400004], ecx
  0x41,                                                 // 1000d: inc ecx
  0x83, 0xF9, 0x64,                                     // 1000e: cmp ecx, 100
  0x75, 0x11,                                           // 10011: jne 10024
  0xC7, 0x05, 0x00, 0x20, 0x10, 0x00, 0x03, 0x10, 0x07, 0x00, // 10013: mov dword [102000], 0x71003
  0x0F, 0x01, 0x3D, 0x00, 0x00, 0x40, 0x00,             // 1001d: invlpg [400000]
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,                   // 10024: cmp ecx, 200
  0x75, 0x10,                                           // 1002a: jne 1003c
  0xC7, 0x05, 0x00, 0x20, 0x10, 0x00, 0x03, 0x20, 0x07, 0x00, // 1002c: mov dword [102000], 0x72003
  0x0F, 0x20, 0xDA,                                     // 10036: mov edx, cr3
  0x0F, 0x22, 0xDA,                                     // 10039: mov cr3, edx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,                   // 1003c: cmp ecx, 300
  0x75, 0xBC,                                           // 10042: jne loop
  0xF4,                                                 // 10044: hlt
];

test('3a. a region loop sees a linear page move to another frame after INVLPG and after a CR3 reload', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(REMAP_LOOP, (m) => {
      const pt = enablePaging(m, 3, (p) => p.map4k(0x400000, 0x70000, 3));
      assert.equal(pt.pteAddr(0x400000), PTE_400000, 'the guest code patches this PTE');
      m.w32(0x70000, 0x1111); m.w32(0x71000, 0x2222); m.w32(0x72000, 0x3333);
    }));
    const ranges: ByteRange[] = [[0x70000, 8], [0x71000, 8], [0x72000, 8]];
    const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: 'remap' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.equal(f.cpu.halted, true);
    assert.equal(f.cpu.reg32[EBX], 100 * (0x1111 + 0x2222 + 0x3333), '100 reads from each frame');
    assert.deepEqual([f.r32(0x70004), f.r32(0x71004), f.r32(0x72004)], [99, 199, 299], 'the writes followed the frame');
  });
});

// Ring 0 reads and writes a supervisor page (0x402000) 100 times, then IRETs to ring 3, which
// loops over a user page (0x403000) and after 100 passes turns to the supervisor page: #PF (P|U).
const KERNEL_THEN_USER = [
  0xA1, 0x00, 0x20, 0x40, 0x00,         // 10000 kloop: mov eax, [402000]
  0x01, 0xC3,                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x20, 0x40, 0x00,   // 10007: mov [402004], ecx
  0x41,                                 // 1000d: inc ecx
  0x83, 0xF9, 0x64,                     // 1000e: cmp ecx, 100
  0x75, 0xED,                           // 10011: jne kloop
  0x6A, 0x23,                           // 10013: push 0x23        (SS = UDATA)
  0x68, 0x00, 0x00, 0x04, 0x00,         // 10015: push 0x40000     (ESP = USTACK_TOP)
  0x6A, 0x02,                           // 1001a: push 2           (EFLAGS)
  0x6A, 0x1B,                           // 1001c: push 0x1b        (CS = UCODE)
  0x68, 0x00, 0x00, 0x02, 0x00,         // 1001e: push 0x20000     (EIP = USER_CODE)
  0xCF,                                 // 10023: iret
];
const USER_LOOP = [
  0x66, 0xB8, 0x23, 0x00,               // 20000: mov ax, 0x23
  0x8E, 0xD8,                           // 20004: mov ds, ax
  0x8E, 0xC0,                           // 20006: mov es, ax
  0xBA, 0x00, 0x30, 0x40, 0x00,         // 20008: mov edx, 0x403000
  0x8B, 0x02,                           // 2000d uloop: mov eax, [edx]
  0x01, 0xC3,                           // 2000f: add ebx, eax
  0x89, 0x4A, 0x04,                     // 20011: mov [edx+4], ecx
  0x41,                                 // 20014: inc ecx
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,   // 20015: cmp ecx, 200
  0x75, 0x05,                           // 2001b: jne 20022
  0xBA, 0x00, 0x20, 0x40, 0x00,         // 2001d: mov edx, 0x402000   (the supervisor page)
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 20022: cmp ecx, 300
  0x75, 0xE3,                           // 20028: jne uloop
  0xF4,                                 // 2002a: hlt
];

test('3b. CPL-3 code in a region does not reach a supervisor page the direct map learned at CPL 0', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(KERNEL_THEN_USER, (m) => {
      m.write(USER_CODE, USER_LOOP);
      enablePaging(m, 7, (pt) => { pt.map4k(0x402000, 0x73000, 3); pt.map4k(0x403000, 0x74000, 7); });
      m.w32(0x73000, 0x5000); m.w32(0x74000, 0x7);
    }));
    const ranges: ByteRange[] = [[0x73000, 8], [0x74000, 8], [KSTACK_TOP - 20, 20]];
    const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: 'cpl 3' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.ok(inHandler(f, PF), 'the #PF handler stub was entered');
    assert.deepEqual(snapshot(f).exception, { vector: PF, errorCode: 5, eip: USER_CODE + 0xD });
    assert.equal(f.cpu.cr2 >>> 0, 0x402000);
    assert.equal(f.cpu.reg32[ECX], 200);
    assert.equal(f.cpu.reg32[EBX], 100 * 0x5000 + 100 * 0x7, 'no user read reached the supervisor page');
  });
});

// ---- 4. A20 ----

// Reads [0x150000] and writes [0x150004] each pass; every 64th pass toggles A20 through port 0x92,
// so the accesses alternate between 0x150000 and its alias 0x050000.
const A20_LOOP = [
  0xA1, 0x00, 0x00, 0x15, 0x00,         // 10000 loop: mov eax, [150000]
  0x01, 0xC3,                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x00, 0x15, 0x00,   // 10007: mov [150004], ecx
  0x41,                                 // 1000d: inc ecx
  0xF7, 0xC1, 0x3F, 0x00, 0x00, 0x00,   // 1000e: test ecx, 63
  0x75, 0x06,                           // 10014: jne 1001c
  0xE4, 0x92,                           // 10016: in al, 0x92
  0x34, 0x02,                           // 10018: xor al, 2
  0xE6, 0x92,                           // 1001a: out 0x92, al
  0x81, 0xF9, 0x40, 0x01, 0x00, 0x00,   // 1001c: cmp ecx, 320
  0x75, 0xDC,                           // 10022: jne loop
  0xF4,                                 // 10024: hlt
];

test('4. toggling A20 through port 0x92 changes which bytes a region loop reaches', () => {
  withEagerRegions(() => {
    const resets: string[][] = [];
    const pair = machinePair(protectedSetup(A20_LOOP, (m) => {
      resets.push(attachFastA20(m));
      m.w32(0x150000, 0x1111); m.w32(0x050000, 0x2222);
    }));
    const ranges: ByteRange[] = [[0x150000, 8], [0x050000, 8]];
    const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: 'a20' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.equal(f.cpu.halted, true);
    assert.equal(f.memory.a20Enabled, false, 'five toggles from open');
    assert.equal(f.cpu.reg32[EBX], 64 * (3 * 0x1111 + 2 * 0x2222), 'three phases with A20 open, two closed');
    // Read unmasked (Machine.r32 goes through the closed A20 gate now).
    const dword = (a: number): number => new DataView(f.memory.readBytes(a, 4).slice().buffer).getUint32(0, true);
    assert.deepEqual([dword(0x150004), dword(0x050004)], [319, 255], 'the last writes of an open and a closed phase');
    assert.deepEqual(resets, [[], []], 'no fast reset requested');
  });
});

// ---- 5. budgets ----

// Three blocks: a pass adds ECX & 3 to EDX, and every 4th pass adds ECX to EBX and copies it to EDI
// through the stack.
const BUDGET_LOOP = [
  0x41,                                 // 10000 loop: inc ecx
  0x89, 0xC8,                           // 10001: mov eax, ecx
  0x83, 0xE0, 0x03,                     // 10003: and eax, 3
  0x75, 0x04,                           // 10006: jne 1000c
  0x01, 0xCB,                           // 10008: add ebx, ecx
  0x53,                                 // 1000a: push ebx
  0x5F,                                 // 1000b: pop edi
  0x01, 0xC2,                           // 1000c: add edx, eax
  0x81, 0xF9, 0x90, 0x01, 0x00, 0x00,   // 1000e: cmp ecx, 400
  0x75, 0xEA,                           // 10014: jne loop
  0xF4,                                 // 10016: hlt
];

test('5. run slices of every size from 1 to 50 over a region loop keep counts and state exact', () => {
  withEagerRegions(() => {
    let total = 0;
    for (let size = 1; size <= 50; size++) {
      const pair = machinePair(protectedSetup(BUDGET_LOOP, (m) => { m.cpu.reg32[EDX] = 0; }));
      const inRegions = runLockstep(pair, { slices: [size], ranges: [[KSTACK_TOP - 4, 4]], label: `slices of ${size}` });
      total += inRegions;
      if (size >= 10) assert.ok(inRegions > 0, `slices of ${size}: instructions ran in regions`);
      const c = pair.fast.cpu;
      assert.equal(c.halted, true);
      assert.deepEqual([c.reg32[EBX], c.reg32[EDX], c.reg32[7], c.instructions], [20200, 600, 20200, 400 * 7 + 100 * 3 + 1]);
    }
    assert.ok(total > 0);
  });
});

// ---- 6. 8- and 16-bit register forms ----

const NARROW_LOOP = [
  0x88, 0xCC,                           // 10000 loop: mov ah, cl
  0x00, 0xE7,                           // 10002: add bh, ah
  0x80, 0xC2, 0x07,                     // 10004: add dl, 7
  0x10, 0xDE,                           // 10007: adc dh, bl
  0x66, 0x01, 0xCE,                     // 10009: add si, cx
  0x66, 0xC1, 0xC7, 0x03,               // 1000c: rol di, 3
  0x66, 0x45,                           // 10010: inc bp
  0x66, 0x29, 0xF5,                     // 10012: sub bp, si
  0x66, 0x89, 0x35, 0x00, 0x00, 0x05, 0x00, // 10015: mov [50000], si
  0x88, 0x25, 0x02, 0x00, 0x05, 0x00,   // 1001c: mov [50002], ah
  0x30, 0x35, 0x03, 0x00, 0x05, 0x00,   // 10022: xor [50003], dh
  0x0F, 0xB7, 0x05, 0x00, 0x00, 0x05, 0x00, // 10028: movzx eax, word [50000]
  0x00, 0xC3,                           // 1002f: add bl, al
  0x66, 0xF7, 0xC6, 0x00, 0x80,         // 10031: test si, 0x8000
  0x78, 0x04,                           // 10036: js 1003c
  0x86, 0xE0,                           // 10038: xchg al, ah
  0x01, 0xC3,                           // 1003a: add ebx, eax
  0x66, 0x81, 0xFE, 0x34, 0x12,         // 1003c: cmp si, 0x1234
  0x73, 0x04,                           // 10041: jae 10047
  0x66, 0x83, 0xD7, 0x55,               // 10043: adc di, 0x55
  0x41,                                 // 10047: inc ecx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 10048: cmp ecx, 300
  0x75, 0xB0,                           // 1004e: jne loop
  0xF4,                                 // 10050: hlt
];

test('6. 8-bit (AH, BH, DH…) and 16-bit (0x66) register and memory forms inside a region loop', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(NARROW_LOOP, (m) => {
      const r = m.cpu.reg32;
      r[EBX] = 0x12345678; r[EDX] = 0x9ABCDEF0 | 0; r[ESI] = 0x0FEDCBA9; r[7] = 0x13572468; r[EBP] = 0x7FFF8000;
    }));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[DATA, 4]], label: 'narrow forms' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.equal(c.reg32[ECX], 300);
    assert.equal(c.reg32[ESI] >>> 16, 0x0FED, 'ADD SI, CX left the upper half of ESI alone');
    assert.equal(c.reg32[EBP] >>> 16, 0x7FFF, '16-bit INC/SUB on BP left the upper half of EBP alone');
  });
});

// ---- 7. CALL/RET, PUSH/POP, RET imm16, a RET leaving the region ----

// Page A: 200 passes calling func (RET) and func4 (RET 4) on the same page, then page B: 200 passes
// calling both from there, so their RETs land outside page A's region.
const CALLS_PAGE_A = [
  0x51,                                 // 10000 aloop: push ecx
  0xE8, 0x19, 0x00, 0x00, 0x00,         // 10001: call func (1001f)
  0x5A,                                 // 10006: pop edx
  0x01, 0xD3,                           // 10007: add ebx, edx
  0x51,                                 // 10009: push ecx
  0xE8, 0x17, 0x00, 0x00, 0x00,         // 1000a: call func4 (10026)
  0x41,                                 // 1000f: inc ecx
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,   // 10010: cmp ecx, 200
  0x75, 0xE8,                           // 10016: jne aloop
  0x31, 0xC9,                           // 10018: xor ecx, ecx
  0xE9, 0xE1, 0x0F, 0x00, 0x00,         // 1001a: jmp bloop (11000)
  0x8B, 0x44, 0x24, 0x04,               // 1001f func: mov eax, [esp+4]
  0x01, 0xC6,                           // 10023: add esi, eax
  0xC3,                                 // 10025: ret
  0x8B, 0x44, 0x24, 0x04,               // 10026 func4: mov eax, [esp+4]
  0x31, 0xC7,                           // 1002a: xor edi, eax
  0xD1, 0xC7,                           // 1002c: rol edi, 1
  0xC2, 0x04, 0x00,                     // 1002e: ret 4
];
const CALLS_PAGE_B = [
  0x51,                                 // 11000 bloop: push ecx
  0x51,                                 // 11001: push ecx
  0xE8, 0x1F, 0xF0, 0xFF, 0xFF,         // 11002: call func4 (10026)
  0xE8, 0x13, 0xF0, 0xFF, 0xFF,         // 11007: call func (1001f)
  0x58,                                 // 1100c: pop eax
  0x01, 0xC5,                           // 1100d: add ebp, eax
  0x41,                                 // 1100f: inc ecx
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,   // 11010: cmp ecx, 200
  0x75, 0xE8,                           // 11016: jne bloop
  0xF4,                                 // 11018: hlt
];

test('7. CALL/RET and RET imm16 inside a region, PUSH/POP, and RETs to return addresses outside it', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(CALLS_PAGE_A, (m) => m.write(CODE + 0x1000, CALLS_PAGE_B)));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[KSTACK_TOP - 16, 16]], label: 'calls' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.equal(c.reg32[EBX], 19900, 'POP EDX got each pushed ECX back');
    assert.equal(c.reg32[ESI], 2 * 19900, 'func read its argument on both pages');
    assert.equal(c.reg32[EBP], 19900);
    assert.equal(c.reg32[4] >>> 0, KSTACK_TOP, 'RET 4 and the POPs balanced the stack');
    assert.equal(c.instructions, 200 * 16 + 2 + 200 * 16 + 1, "16 per pass on each page, XOR and JMP between, HLT");
  });
});

// ---- 8. MMIO ----

const MMIO_BASE = 0xE0000000;
const MMIO_LOOP = [
  0xA1, 0x00, 0x00, 0x00, 0xE0,         // 10000 loop: mov eax, [e0000000]
  0x01, 0xC3,                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x00, 0x00, 0xE0,   // 10007: mov [e0000004], ecx
  0x66, 0x89, 0x0D, 0x08, 0x00, 0x00, 0xE0, // 1000d: mov [e0000008], cx
  0x0F, 0xB6, 0x15, 0x01, 0x00, 0x00, 0xE0, // 10014: movzx edx, byte [e0000001]
  0x01, 0xD6,                           // 1001b: add esi, edx
  0x41,                                 // 1001d: inc ecx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 1001e: cmp ecx, 300
  0x75, 0xDA,                           // 10024: jne loop
  0xF4,                                 // 10026: hlt
];

/** A device whose reads return a running counter; logs every access with the CPU's retired count. */
function countingDevice(m: Machine, log: string[]): MmioHandler {
  let reads = 0;
  return {
    read(offset, size) {
      const value = (++reads * 0x01010101 + offset) & (size === 4 ? -1 : size === 2 ? 0xFFFF : 0xFF);
      log.push(`read ${offset}/${size} = ${value >>> 0} at ${m.cpu.instructionsNow}`);
      return value;
    },
    write(offset, size, value) { log.push(`write ${offset}/${size} = ${value >>> 0} at ${m.cpu.instructionsNow}`); },
  };
}

test('8. a region loop reading and writing MMIO reaches the device every time, at the right instruction count', () => {
  withEagerRegions(() => {
    const logs: string[][] = [];
    const pair = machinePair(protectedSetup(MMIO_LOOP, (m) => {
      const log: string[] = [];
      logs.push(log);
      m.memory.mapMmio(MMIO_BASE, 0x1000, 'counter', countingDevice(m, log));
    }));
    const inRegions = runLockstep(pair, { slices: SLICES, label: 'mmio' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const [fastLog, slowLog] = logs;
    assert.equal(pair.fast.cpu.halted, true);
    assert.equal(fastLog.filter((l) => l.startsWith('read')).length, 600, 'two reads per pass reached the device');
    assert.equal(fastLog.filter((l) => l.startsWith('write')).length, 600, 'two writes per pass reached the device');
    assert.deepEqual(fastLog, slowLog, 'same accesses, values and retired counts as the interpreter');
    const direct = pair.fast.cpu.mmu.direct;
    assert.equal(direct.read[MMIO_BASE >>> 12], -1, 'the MMIO page never entered the direct map');
    assert.equal(direct.write[MMIO_BASE >>> 12], -1);
    assert.equal(pair.fast.cpu.reg32[EAX] >>> 0, (599 * 0x01010101) >>> 0, 'the last dword read is the 599th access');
  });
});
