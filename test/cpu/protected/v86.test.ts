// Virtual-8086 mode: entered by IRET with VM = 1 from ring 0, real-mode style segments and 16-bit code,
// IOPL-sensitive instructions trapping to the ring-0 #GP handler with the V86 frame (GS FS DS ES SS
// ESP EFLAGS CS EIP), INT n through the IDT at IOPL 3, I/O through the TSS bitmap, IRET back to V86.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE, KSTACK_TOP, KCODE, KDATA, USER_CODE, DATA } from '../helpers/machine.js';
import { gate, TYPE_INT32, GP, BP, idtError, EF_VM, EF_IF, EF_IOPL3, EF_RF } from '../helpers/encode.js';
import { CS, DS, ES, FS, GS, SS, EAX, EBX, EDX, ESP } from '../../../engine/cpu/registers.js';

/** V86 segments the tests start with: code at 2000:0000 (= USER_CODE), stack 3000:FFF0, data 5000. */
const V86_CS = 0x2000, V86_SS = 0x3000, V86_SP = 0xFFF0, V86_DS = 0x5000, V86_FS = 0x5100, V86_GS = 0x5200;

/**
 * Ring-0 machine that IRETs into V86 mode (VM = 1, eflags as given) with the 16-bit code at
 * 2000:0000; after this returns the CPU is in V86 mode at the first V86 instruction.
 */
function enterV86(code: readonly number[], eflags = 0x2): Machine {
  const m = new Machine();
  m.enterProtected();
  m.write(USER_CODE, code);
  const frame = [0, V86_CS, EF_VM | eflags, V86_SP, V86_SS, V86_DS, V86_DS, V86_FS, V86_GS]; // EIP CS EFLAGS ESP SS ES DS FS GS
  frame.forEach((v, k) => m.w32(KSTACK_TOP - 36 + 4 * k, v));
  m.cpu.reg32[ESP] = KSTACK_TOP - 36;
  m.write(CODE, [
    0xCF, // iretd
  ]);
  m.run(1);
  return m;
}

/** The V86 frame the ring-0 handler sees above an error code (or none). */
function v86Frame(eip: number, eflags: number, sp = V86_SP): number[] {
  return [eip, V86_CS, eflags, sp, V86_SS, V86_DS, V86_DS, V86_FS, V86_GS];
}

test('IRET with VM = 1 from ring 0 enters V86 mode: CPL 3, real-mode segment bases, 16-bit code', () => {
  const m = enterV86([
    0xB8, 0x34, 0x12, // mov ax, 0x1234
    0xA3, 0x10, 0x00, // mov [0x10], ax
    0x01, 0xC0,       // add ax, ax
    0xEB, 0xFE,       // jmp $
  ]);
  const cpu = m.cpu;
  assert.equal(cpu.mode, 'v86');
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.segSel[CS], V86_CS);
  assert.equal(cpu.segBase[CS], V86_CS << 4);
  assert.equal(cpu.segBase[SS], V86_SS << 4);
  assert.equal(cpu.segBase[GS], V86_GS << 4);
  assert.equal(cpu.reg32[ESP], V86_SP);
  assert.equal(cpu.codeSize32, false);
  assert.equal(cpu.getEflags() & EF_VM, EF_VM);
  m.run(10);
  assert.equal(m.r16(DATA + 0x10), 0x1234);
  assert.equal(cpu.reg32[EAX] & 0xFFFF, 0x2468);
  assert.equal(cpu.eip, 8);
});

test('V86: MOV to a segment register loads base = selector × 16 without descriptors', () => {
  const m = enterV86([
    0xB8, 0x00, 0x60,       // mov ax, 0x6000
    0x8E, 0xD8,             // mov ds, ax
    0x8B, 0x1E, 0x20, 0x00, // mov bx, [0x20]
    0xEB, 0xFE,             // jmp $
  ]);
  m.w16(0x60020, 0xBEEF);
  m.run(5);
  assert.equal(m.cpu.segSel[DS], 0x6000);
  assert.equal(m.cpu.segBase[DS], 0x60000);
  assert.equal(m.cpu.reg32[EBX] & 0xFFFF, 0xBEEF);
});

test('V86: the 66h prefix selects 32-bit operands', () => {
  const m = enterV86([
    0x66, 0xB8, 0x78, 0x56, 0x34, 0x12, // mov eax, 0x12345678
    0xEB, 0xFE,                         // jmp $
  ]);
  m.run(2);
  assert.equal(m.cpu.reg32[EAX], 0x12345678);
});

test('V86: an access beyond the 64 KiB segment limit is #GP(0) to ring 0', () => {
  const m = enterV86([
    0xA1, 0xFF, 0xFF, // mov ax, [0xffff]
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(10), [0, ...v86Frame(0, EF_RF | EF_VM | 0x2)]);
});

test('V86: INT n with IOPL < 3 is #GP(0) to the ring-0 handler with the full V86 frame', () => {
  const m = enterV86([
    0xCD, 0x21, // int 0x21
  ]);
  m.run();
  const cpu = m.cpu;
  assert.ok(m.inHandler(GP));
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.mode, 'protected');
  assert.equal(cpu.segSel[SS], KDATA);
  assert.equal(cpu.reg32[ESP], KSTACK_TOP - 40);
  // error code, EIP, CS, EFLAGS (RF: a fault), ESP, SS, ES, DS, FS, GS
  assert.deepEqual(m.stack(10), [0, ...v86Frame(0, EF_RF | EF_VM | 0x2)]);
  for (const s of [DS, ES, FS, GS]) assert.equal(cpu.segSel[s], 0, 'data segments are nulled on the way out of V86');
  assert.equal(cpu.getEflags() & EF_VM, 0);
});

test('V86: INT n with IOPL = 3 goes through the IDT gate (DPL 3) to ring 0 with the V86 frame', () => {
  const m = enterV86([
    0xCD, 0x21, // int 0x21
  ], EF_IOPL3 | EF_IF);
  m.setIdt(0x21, gate(KCODE, m.handler(0x21), TYPE_INT32, 3));
  m.run();
  assert.ok(m.inHandler(0x21));
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 36);
  assert.deepEqual(m.stack(9), v86Frame(2, EF_VM | EF_IOPL3 | EF_IF | 0x2));
  assert.equal(m.cpu.getEflags() & (EF_IF | EF_VM), 0, 'interrupt gate: IF and VM cleared');
});

test('V86: INT n at IOPL 3 through a DPL-0 gate is #GP(vector*8+2)', () => {
  const m = enterV86([
    0xCD, 0x21, // int 0x21
  ], EF_IOPL3);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.equal(m.stack(1)[0], idtError(0x21));
});

test('V86: INT3 is not IOPL-sensitive: with IOPL 0 it reaches a DPL-3 gate', () => {
  const m = enterV86([
    0xCC, // int3
  ]);
  m.setIdt(BP, gate(KCODE, m.handler(BP), TYPE_INT32, 3));
  m.run();
  assert.ok(m.inHandler(BP), `got ${JSON.stringify(m.cpu.lastException)}`);
  assert.deepEqual(m.stack(9), v86Frame(1, EF_VM | 0x2));
});

test('V86: IRET from the ring-0 handler returns to V86 and the next instruction', () => {
  const m = enterV86([
    0xCD, 0x21,       // int 0x21
    0xB8, 0x00, 0x60, // mov ax, 0x6000
    0xEB, 0xFE,       // jmp $
  ], EF_IOPL3);
  m.setIdt(0x21, gate(KCODE, CODE + 0x100, TYPE_INT32, 3));
  m.write(CODE + 0x100, [
    0xCF, // iretd
  ]);
  m.run(4);
  const cpu = m.cpu;
  assert.equal(cpu.mode, 'v86');
  assert.equal(cpu.segSel[CS], V86_CS);
  assert.equal(cpu.eip, 5);
  assert.equal(cpu.reg32[EAX] & 0xFFFF, 0x6000);
  assert.equal(cpu.segSel[DS], V86_DS);
  assert.equal(cpu.segBase[FS], V86_FS << 4);
  assert.equal(cpu.reg32[ESP], V86_SP);
});

for (const [asm, bytes] of [['cli', [0xFA]], ['sti', [0xFB]], ['pushf', [0x9C]], ['popf', [0x9D]], ['iret', [0xCF]]] as const) {
  test(`V86: ${asm} with IOPL < 3 is #GP(0)`, () => {
    const m = enterV86(bytes, EF_IF);
    m.run();
    assert.ok(m.inHandler(GP));
    assert.deepEqual(m.stack(10), [0, ...v86Frame(0, EF_RF | EF_VM | EF_IF | 0x2)]);
  });
}

test('V86 with IOPL 3: CLI clears IF; PUSHF pushes FLAGS; POPF keeps IOPL', () => {
  const m = enterV86([
    0xFA,             // cli
    0x9C,             // pushf
    0x68, 0x02, 0x02, // push 0x0202   (IOPL 0, IF 1)
    0x9D,             // popf
    0xEB, 0xFE,       // jmp $
  ], EF_IOPL3 | EF_IF);
  m.run(1);
  assert.equal(m.cpu.getEflags() & EF_IF, 0);
  m.run(1);
  assert.equal(m.r16((V86_SS << 4) + V86_SP - 2), EF_IOPL3 | 0x2);
  m.run(2);
  assert.equal(m.cpu.getEflags(), EF_VM | EF_IOPL3 | EF_IF | 0x2);
  assert.equal(m.cpu.lastException, undefined);
});

test('V86: IRET with IOPL 3 stays in V86 mode (a real-mode style return)', () => {
  const m = enterV86([
    0x9C,             // pushf
    0x0E,             // push cs
    0x6A, 0x07,       // push 7
    0xCF,             // iret
    0xEB, 0xFE,       // jmp $   (skipped)
    0xB8, 0x42, 0x42, // mov ax, 0x4242
    0xEB, 0xFE,       // jmp $
  ], EF_IOPL3);
  m.run(7);
  assert.equal(m.cpu.mode, 'v86');
  assert.equal(m.cpu.eip, 10);
  assert.equal(m.cpu.reg32[EAX] & 0xFFFF, 0x4242);
  assert.equal(m.cpu.reg32[ESP], V86_SP);
  assert.equal(m.cpu.lastException, undefined);
});

test('V86: an interrupt gate to a conforming (non-ring-0 target) segment is #GP(selector)', () => {
  const m = enterV86([
    0xCD, 0x21, // int 0x21
  ], EF_IOPL3);
  m.setGdt(8, [0x0000FFFF, 0x00CF9E00]); // conforming readable code, DPL 0: the handler would run at CPL 3
  m.setIdt(0x21, gate(0x40, 0x100, TYPE_INT32, 3));
  m.run();
  assert.ok(m.inHandler(GP));
  assert.equal(m.stack(1)[0], 0x40);
});

test('V86: HLT is #GP(0)', () => {
  const m = enterV86([
    0xF4, // hlt
  ], EF_IOPL3);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(2), [0, 0]);
});

test('V86: IN/OUT go through the TSS I/O bitmap (allowed port reaches the machine)', () => {
  const m = enterV86([
    0xE6, 0x61, // out 0x61, al
    0xEC,       // in al, dx
    0xEB, 0xFE, // jmp $
  ]);
  m.allowPorts(0x61, 1);
  m.allowPorts(0x3F8, 1);
  m.cpu.reg32[EAX] = 0x7E; m.cpu.reg32[EDX] = 0x3F8;
  m.run(3);
  assert.deepEqual(m.env.io, [
    { dir: 'out', port: 0x61, size: 1, value: 0x7E },
    { dir: 'in', port: 0x3F8, size: 1, value: 0xA5 },
  ]);
  assert.equal(m.cpu.reg32[EAX] & 0xFF, 0xA5);
});

test('V86: a port denied by the bitmap is #GP(0) even with IOPL 3', () => {
  const m = enterV86([
    0xEE, // out dx, al
  ], EF_IOPL3);
  m.cpu.reg32[EDX] = 0x3F8;
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(2), [0, 0]);
  assert.deepEqual(m.env.io, []);
});

test('V86: an external interrupt exits to ring 0 with the V86 frame (gate DPL not checked)', () => {
  const m = enterV86([
    0x90,       // nop
    0xEB, 0xFE, // jmp $
  ], EF_IF);
  m.env.pendingInterrupts.push(0x30);
  m.run(5);
  assert.ok(m.inHandler(0x30));
  assert.deepEqual(m.stack(9), v86Frame(0, EF_VM | EF_IF | 0x2));
});
