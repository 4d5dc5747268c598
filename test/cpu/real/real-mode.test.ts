// Real mode: INT and exceptions through the IVT and IRET, far CALL/JMP/RETF, 32-bit prefixes, the
// 64 KiB offset limit (#GP/#SS), POPF, HLT woken by an interrupt, the switch to protected mode and
// back, unreal mode (a 4 GiB limit kept in the cache), protected-only instructions (#UD), and the
// triple fault of a zero-length IVT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, GDT, GDT_LIMIT, KCODE, KCODE16 } from '../helpers/machine.js';
import { EF_IF, DE, UD, BP, BR, GP, SS_FAULT } from '../helpers/encode.js';
import { CS, DS, SS, EAX, EBX, ECX, ESI, ESP } from '../../../engine/cpu/registers.js';

const BOOT = 0x7C00; // code at 0000:7C00, stack 0000:8000, a scratch table at 0000:7E00
const SCRATCH = 0x7E00;

/** Real-mode machine with the standard IVT of HLT stubs and code at 0000:7C00. */
function real(code: readonly number[], eflags = 0x2): Machine {
  const m = new Machine();
  m.buildIvt();
  m.enterReal(0, BOOT, 0, 0x8000);
  m.cpu.setEflags(eflags);
  m.write(BOOT, code);
  return m;
}

test('INT n through the IVT: FLAGS, CS, IP pushed, IF cleared, CS:IP from the vector', () => {
  const m = real([
    0xCD, 0x21, // int 0x21
  ], 0x202);
  m.run();
  assert.ok(m.inRealHandler(0x21));
  assert.equal(m.cpu.segSel[CS], 0x1100);
  assert.equal(m.cpu.segBase[CS], 0x11000);
  assert.equal(m.cpu.reg32[ESP], 0x8000 - 6);
  assert.deepEqual(m.stack(3, 2), [BOOT + 2, 0x0000, 0x0202]);
  assert.equal(m.cpu.getEflags() & EF_IF, 0);
});

test('IRET returns from the IVT handler and restores FLAGS', () => {
  const m = real([
    0xCD, 0x21,       // int 0x21
    0xB8, 0x34, 0x12, // mov ax, 0x1234
    0xEB, 0xFE,       // jmp $
  ], 0x202);
  m.w16(0x21 * 4, 0x7D00); m.w16(0x21 * 4 + 2, 0); // vector 0x21 → 0000:7D00
  m.write(0x7D00, [
    0xCF, // iret
  ]);
  m.run(4);
  assert.equal(m.cpu.eip, BOOT + 5);
  assert.equal(m.cpu.reg32[EAX] & 0xFFFF, 0x1234);
  assert.equal(m.cpu.reg32[ESP], 0x8000);
  assert.equal(m.cpu.getEflags(), 0x202);
});

test('LIDT moves the real-mode IVT', () => {
  const m = real([
    0x0F, 0x01, 0x1E, 0x00, 0x7E, // lidt [0x7e00]
    0xCD, 0x21,                   // int 0x21
  ]);
  m.w16(SCRATCH, 0x3FF); m.w32(SCRATCH + 2, 0x20000);
  m.w16(0x20000 + 0x21 * 4, 0x0010); m.w16(0x20000 + 0x21 * 4 + 2, 0x3000); // vector 0x21 → 3000:0010
  m.w8(0x30010, 0xF4); // hlt
  m.run();
  assert.equal(m.cpu.idtrBase, 0x20000);
  assert.equal(m.cpu.segSel[CS], 0x3000);
  assert.equal(m.cpu.eip, 0x11);
});

test('#DE in real mode: vector 0 with IP at the DIV, no error code', () => {
  const m = real([
    0x31, 0xC9,       // xor cx, cx
    0xB8, 0x01, 0x00, // mov ax, 1
    0xF7, 0xF1,       // div cx
  ]);
  m.run();
  assert.ok(m.inRealHandler(DE));
  assert.deepEqual(m.stack(2, 2), [BOOT + 5, 0]);
  assert.equal(m.cpu.reg32[ESP], 0x8000 - 6);
});

test('#UD in real mode: UD2 through vector 6', () => {
  const m = real([
    0x0F, 0x0B, // ud2
  ]);
  m.run();
  assert.ok(m.inRealHandler(UD));
  assert.deepEqual(m.stack(2, 2), [BOOT, 0]);
});

test('INT3 (trap) and BOUND (fault) through the IVT', () => {
  let m = real([
    0xCC, // int3
  ]);
  m.run();
  assert.ok(m.inRealHandler(BP));
  assert.equal(m.stack(1, 2)[0], BOOT + 1);
  m = real([
    0x62, 0x07, // bound ax, [bx]   (AX = 10 outside [0, 5])
  ]);
  m.w16(SCRATCH, 0); m.w16(SCRATCH + 2, 5);
  m.cpu.reg32[EBX] = SCRATCH; m.cpu.reg32[EAX] = 10;
  m.run();
  assert.ok(m.inRealHandler(BR));
  assert.equal(m.stack(1, 2)[0], BOOT);
});

test('far CALL and RETF in real mode', () => {
  const m = real([
    0x9A, 0x00, 0x03, 0x00, 0x10, // call 0x1000:0x0300
    0xEB, 0xFE,                   // jmp $
  ]);
  m.write(0x10300, [
    0x8C, 0xC8, // mov ax, cs
    0xCB,       // retf
  ]);
  m.run(1);
  assert.equal(m.cpu.segSel[CS], 0x1000);
  assert.equal(m.cpu.eip, 0x300);
  assert.deepEqual(m.stack(2, 2), [BOOT + 5, 0]);
  m.run(3);
  assert.equal(m.cpu.reg32[EAX] & 0xFFFF, 0x1000);
  assert.equal(m.cpu.segSel[CS], 0);
  assert.equal(m.cpu.eip, BOOT + 5);
  assert.equal(m.cpu.reg32[ESP], 0x8000);
});

test('RETF imm16 releases the caller\'s parameters', () => {
  const m = real([
    0x68, 0x11, 0x11,             // push 0x1111
    0x68, 0x22, 0x22,             // push 0x2222
    0x9A, 0x00, 0x03, 0x00, 0x10, // call 0x1000:0x0300
    0xEB, 0xFE,                   // jmp $
  ]);
  m.write(0x10300, [
    0xCA, 0x04, 0x00, // retf 4
  ]);
  m.run(5);
  assert.equal(m.cpu.eip, BOOT + 11);
  assert.equal(m.cpu.reg32[ESP], 0x8000);
});

test('indirect far CALL through memory and far JMP', () => {
  const m = real([
    0xFF, 0x1F, // call far [bx]
  ]);
  m.w16(SCRATCH, 0x0300); m.w16(SCRATCH + 2, 0x1000);
  m.write(0x10300, [
    0xEA, 0x00, 0x04, 0x00, 0x20, // jmp 0x2000:0x0400
  ]);
  m.write(0x20400, [
    0xF4, // hlt
  ]);
  m.cpu.reg32[EBX] = SCRATCH;
  m.run();
  assert.equal(m.cpu.segSel[CS], 0x2000);
  assert.equal(m.cpu.segBase[CS], 0x20000);
  assert.equal(m.cpu.eip, 0x401);
  assert.deepEqual(m.stack(2, 2), [BOOT + 2, 0]);
});

test('operand- and address-size prefixes in real mode', () => {
  const m = real([
    0x66, 0xB8, 0x78, 0x56, 0x34, 0x12, // mov eax, 0x12345678
    0x67, 0x66, 0x8B, 0x1C, 0x8E,       // mov ebx, [esi+ecx*4]
    0xEB, 0xFE,                         // jmp $
  ]);
  m.w32(SCRATCH + 4, 0xAABBCCDD | 0);
  m.cpu.reg32[ESI] = SCRATCH; m.cpu.reg32[ECX] = 1;
  m.run(2);
  assert.equal(m.cpu.reg32[EAX], 0x12345678);
  assert.equal(m.cpu.reg32[EBX] >>> 0, 0xAABBCCDD);
});

test('a word at offset 0xFFFF: #GP (vector 13) through DS, #SS (vector 12) through SS; 0xFFFE is fine', () => {
  let m = real([
    0xA1, 0xFE, 0xFF, // mov ax, [0xfffe]
    0xA1, 0xFF, 0xFF, // mov ax, [0xffff]
  ]);
  m.w16(0xFFFE, 0x4242);
  m.run();
  assert.equal(m.cpu.reg32[EAX] & 0xFFFF, 0x4242);
  assert.ok(m.inRealHandler(GP));
  assert.deepEqual(m.stack(2, 2), [BOOT + 3, 0], 'no error code in real mode');
  m = real([
    0x36, 0xA1, 0xFF, 0xFF, // mov ax, ss:[0xffff]
  ]);
  m.run();
  assert.ok(m.inRealHandler(SS_FAULT));
});

test('POPF in real mode may set IOPL, NT and IF; PUSHF shows them (bit 15 stays 0)', () => {
  const m = real([
    0x68, 0xFF, 0xFE, // push 0xfeff   (everything but TF)
    0x9D,             // popf
    0x9C,             // pushf
    0x58,             // pop ax
    0xEB, 0xFE,       // jmp $
  ]);
  m.run(4);
  assert.equal(m.cpu.reg32[EAX] & 0xFFFF, 0x7ED7);
});

test('HLT waits; an external interrupt goes through the IVT with IP after the HLT', () => {
  const m = real([
    0xFB,       // sti
    0xF4,       // hlt
    0xEB, 0xFE, // jmp $
  ]);
  m.run(10);
  assert.equal(m.cpu.halted, true);
  m.env.pendingInterrupts.push(0x08);
  m.run(10);
  assert.ok(m.inRealHandler(0x08));
  assert.deepEqual(m.stack(3, 2), [BOOT + 2, 0, 0x202]);
});

for (const [asm, bytes] of [['sldt ax', [0x0F, 0x00, 0xC0]], ['str ax', [0x0F, 0x00, 0xC8]], ['lar ax, bx', [0x0F, 0x02, 0xC3]],
  ['verr ax', [0x0F, 0x00, 0xE0]], ['arpl ax, bx', [0x63, 0xD8]], ['ltr ax', [0x0F, 0x00, 0xD8]]] as const) {
  test(`${asm} is #UD in real mode`, () => {
    const m = real(bytes);
    m.run();
    assert.ok(m.inRealHandler(UD), `got ${JSON.stringify(m.cpu.lastException)}`);
  });
}

test('real → 32-bit protected (LGDT, CR0.PE, far JMP) → 16-bit protected → real mode', () => {
  const m = real([
    0x0F, 0x01, 0x16, 0x00, 0x7E, // lgdt [0x7e00]
    0x0F, 0x20, 0xC0,             // mov eax, cr0
    0x0C, 0x01,                   // or al, 1
    0x0F, 0x22, 0xC0,             // mov cr0, eax
    0xEA, 0x40, 0x7C, 0x08, 0x00, // jmp 0x08:0x7c40
  ]);
  m.buildTables();
  m.w16(SCRATCH, GDT_LIMIT); m.w32(SCRATCH + 2, GDT);
  m.write(0x7C40, [
    0x66, 0xB8, 0x10, 0x00,                   // mov ax, 0x10
    0x8E, 0xD8,                               // mov ds, ax
    0x8E, 0xD0,                               // mov ss, ax
    0xBC, 0x00, 0x90, 0x00, 0x00,             // mov esp, 0x9000
    0xB8, 0xFE, 0xCA, 0x00, 0x00,             // mov eax, 0xcafe
    0xEA, 0x80, 0x7C, 0x00, 0x00, 0x30, 0x00, // jmp 0x30:0x7c80   (16-bit code)
  ]);
  m.write(0x7C80, [
    0xB8, 0x38, 0x00,             // mov ax, 0x38     (16-bit data, limit 0xFFFF)
    0x8E, 0xD8,                   // mov ds, ax
    0x8E, 0xD0,                   // mov ss, ax
    0x0F, 0x20, 0xC0,             // mov eax, cr0
    0x24, 0xFE,                   // and al, 0xfe
    0x0F, 0x22, 0xC0,             // mov cr0, eax
    0xEA, 0x00, 0x7D, 0x00, 0x00, // jmp 0x0000:0x7d00
  ]);
  m.write(0x7D00, [
    0x31, 0xC0,       // xor ax, ax
    0x8E, 0xD8,       // mov ds, ax
    0x8E, 0xD0,       // mov ss, ax
    0xBC, 0x00, 0x80, // mov sp, 0x8000
    0x68, 0x34, 0x12, // push 0x1234
    0xEB, 0xFE,       // jmp $
  ]);
  const cpu = m.cpu;
  m.run(5);
  assert.equal(cpu.mode, 'protected');
  assert.equal(cpu.segSel[CS], KCODE);
  assert.equal(cpu.codeSize32, true);
  assert.equal(cpu.eip, 0x7C40);
  assert.equal(cpu.gdtrBase, GDT);
  m.run(6);
  assert.equal(cpu.segSel[CS], KCODE16);
  assert.equal(cpu.codeSize32, false);
  assert.equal(cpu.reg32[EAX], 0xCAFE);
  assert.equal(cpu.stackSize32, true);
  m.run(7);
  assert.equal(cpu.mode, 'real');
  assert.equal(cpu.segSel[CS], 0);
  assert.equal(cpu.segBase[CS], 0);
  assert.equal(cpu.eip, 0x7D00);
  assert.equal(cpu.codeSize32, false);
  assert.equal(cpu.stackSize32, false, 'SS came from a 16-bit descriptor before PE was cleared');
  m.run(6);
  assert.equal(cpu.reg32[ESP] & 0xFFFF, 0x7FFE);
  assert.equal(m.r16(0x7FFE), 0x1234);
  assert.equal(cpu.segSel[SS], 0);
  assert.equal(cpu.segLimit[DS], 0xFFFF);
});

/** Enters protected mode, loads DS with the flat 4 GiB KDATA, returns to real mode and reloads DS = 0. */
const UNREAL = [
  0x0F, 0x01, 0x16, 0x00, 0x7E, // lgdt [0x7e00]
  0x0F, 0x20, 0xC0,             // mov eax, cr0
  0x0C, 0x01,                   // or al, 1
  0x0F, 0x22, 0xC0,             // mov cr0, eax
  0xBB, 0x10, 0x00,             // mov bx, 0x10    (KDATA: base 0, limit 4 GiB)
  0x8E, 0xDB,                   // mov ds, bx
  0x24, 0xFE,                   // and al, 0xfe
  0x0F, 0x22, 0xC0,             // mov cr0, eax
  0x31, 0xDB,                   // xor bx, bx
  0x8E, 0xDB,                   // mov ds, bx
];
const READ_ABOVE_1M = [
  0x67, 0x66, 0xA1, 0x00, 0x00, 0x20, 0x00, // mov eax, [dword 0x200000]   (addr32, data32)
  0xEB, 0xFE,                               // jmp $
];

test('unreal mode: a 4 GiB DS limit loaded in protected mode survives the return to real mode', () => {
  const m = real([...UNREAL, ...READ_ABOVE_1M]);
  m.buildTables();
  m.w16(SCRATCH, GDT_LIMIT); m.w32(SCRATCH + 2, GDT);
  m.w32(0x200000, 0xFEEDFACE | 0);
  m.run(12);
  const cpu = m.cpu;
  assert.equal(cpu.mode, 'real');
  assert.equal(cpu.segSel[DS], 0);
  assert.equal(cpu.segBase[DS], 0);
  assert.equal(cpu.segLimit[DS], 0xFFFFFFFF);
  assert.equal(cpu.reg32[EAX] >>> 0, 0xFEEDFACE);
  assert.equal(cpu.lastException, undefined);
});

test('without the unreal trick the same access above 64 KiB is #GP (vector 13)', () => {
  const m = real(READ_ABOVE_1M);
  m.run();
  assert.ok(m.inRealHandler(GP));
  assert.equal(m.stack(1, 2)[0], BOOT);
});

test('a zero-length IVT: INT → #GP → #DF → triple fault, reported to the environment', () => {
  const m = real([
    0x0F, 0x01, 0x1E, 0x00, 0x7E, // lidt [0x7e00]   (limit 0)
    0xCD, 0x21,                   // int 0x21
    0xEB, 0xFE,                   // jmp $
  ]);
  m.w16(SCRATCH, 0); m.w32(SCRATCH + 2, 0);
  m.run(10);
  assert.equal(m.cpu.shutdown, true);
  assert.equal(m.env.tripleFaults.length, 1);
  assert.equal(m.run(10), 0);
});
