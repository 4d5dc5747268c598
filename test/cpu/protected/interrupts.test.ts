// Protected-mode exceptions and interrupts: interrupt and trap gates, error codes, IDT faults, ring 3 →
// ring 0 with the stack from the TSS, IRET back, external interrupts, #DF and the triple fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Machine, CODE, USER_CODE, KSTACK_TOP, USTACK_TOP, KCODE, KDATA, UCODE, UDATA, KCODE16, TSS, IDT_LIMIT,
} from '../helpers/machine.js';
import {
  gate, sel, segment, ACC_P, ACC_S, ACC_CODE, ACC_CONFORMING, ACC_READ, FLAG_G, FLAG_DB, TYPE_INT32, TYPE_TRAP32,
  TYPE_INT16, TYPE_CALL32, idtError, DE, BP, OF, UD, DF, TS, NP, GP, EF_IF, EF_OF, EF_RF, FAULT_EFLAGS,
} from '../helpers/encode.js';
import { CS, DS, ES, SS, ESP, EAX, EBX } from '../../../engine/cpu/registers.js';

test('#UD: UD2 enters the interrupt gate with no error code; the saved EIP is the faulting instruction', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x0F, 0x0B, // ud2
  ]);
  m.run();
  assert.ok(m.inHandler(UD));
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 12);
  assert.deepEqual(m.stack(3), [CODE, KCODE, FAULT_EFLAGS]); // EIP, CS, EFLAGS (a fault pushes RF = 1)
  assert.equal(m.cpu.lastException?.vector, UD);
});

test('#DE: DIV by zero faults on the DIV with the flags of the XOR before it', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x31, 0xC9,                   // xor ecx, ecx
    0xB8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1
    0xF7, 0xF1,                   // div ecx
  ]);
  m.run();
  assert.ok(m.inHandler(DE));
  assert.deepEqual(m.stack(3), [CODE + 7, KCODE, EF_RF | 0x46]); // ZF PF from the XOR, RF
  assert.equal(m.cpu.reg32[EAX], 1);
});

test('#GP(selector) pushes its error code below the return frame', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x66, 0xB8, 0x00, 0x02, // mov ax, 0x200   (GDT index 64, beyond the 64-entry GDT)
    0x8E, 0xD8,             // mov ds, ax
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 16);
  assert.deepEqual(m.stack(4), [0x200, CODE + 4, KCODE, FAULT_EFLAGS]); // error code, EIP, CS, EFLAGS
  assert.equal(m.cpu.segSel[DS], KDATA, 'DS keeps its old value');
});

test('interrupt gate clears IF; the pushed EFLAGS keeps IF = 1', () => {
  const m = new Machine();
  m.enterProtected();
  m.setIdt(0x40, gate(KCODE, m.handler(0x40), TYPE_INT32, 0));
  m.write(CODE, [
    0xFB,       // sti
    0xCD, 0x40, // int 0x40
  ]);
  m.run();
  assert.ok(m.inHandler(0x40));
  assert.deepEqual(m.stack(3), [CODE + 3, KCODE, 0x202]); // return after INT, IF set in the image
  assert.equal(m.cpu.getEflags() & EF_IF, 0);
});

test('trap gate leaves IF set', () => {
  const m = new Machine();
  m.enterProtected();
  m.setIdt(0x40, gate(KCODE, m.handler(0x40), TYPE_TRAP32, 0));
  m.write(CODE, [
    0xFB,       // sti
    0xCD, 0x40, // int 0x40
  ]);
  m.run();
  assert.ok(m.inHandler(0x40));
  assert.equal(m.cpu.getEflags() & EF_IF, EF_IF);
  assert.deepEqual(m.stack(3), [CODE + 3, KCODE, 0x202]);
});

test('RF: a fault pushes RF = 1; after the handler\'s IRET it lasts one instruction only', () => {
  const m = new Machine();
  m.enterProtected({ eflags: 0x202 });
  m.setIdt(UD, gate(KCODE, CODE + 0x100, TYPE_TRAP32, 0));
  m.write(CODE + 0x100, [
    0x81, 0x7C, 0x24, 0x08, 0x02, 0x02, 0x01, 0x00, // cmp dword [esp+8], 0x10202   (the image has RF)
    0x75, 0xFE,                                     // jne $                        (stop here if not)
    0x83, 0x04, 0x24, 0x02,                         // add dword [esp], 2           (skip the UD2)
    0xCF,                                           // iretd                        (restores RF = 1)
  ]);
  m.write(CODE, [
    0x0F, 0x0B, // ud2
    0x90,       // nop      (runs with RF = 1; RF is clear once it completes)
    0x90,       // nop
    0xEB, 0xFE, // jmp $
  ]);
  m.run(5);
  assert.equal(m.cpu.eip, CODE + 3, 'handler checked the image, returned, one NOP ran');
  m.env.pendingInterrupts.push(0x30);
  m.run(5);
  assert.ok(m.inHandler(0x30));
  assert.deepEqual(m.stack(3), [CODE + 3, KCODE, 0x202], 'an interrupt between instructions pushes RF = 0');
});

test('16-bit interrupt gate pushes a 16-bit frame (IP, CS, FLAGS)', () => {
  const m = new Machine();
  m.enterProtected();
  m.w8(0x8000, 0xF4); // hlt, at KCODE16:8000
  m.setIdt(0x42, gate(KCODE16, 0x8000, TYPE_INT16, 0));
  m.write(CODE, [
    0xCD, 0x42, // int 0x42
  ]);
  m.run();
  assert.equal(m.cpu.segSel[CS], KCODE16);
  assert.equal(m.cpu.eip, 0x8001);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 6);
  assert.deepEqual(m.stack(3, 2), [(CODE + 2) & 0xFFFF, KCODE, 0x2]);
});

test('INT3 and INTO are traps: the saved EIP follows the instruction', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0xCC, // int3
  ]);
  m.run();
  assert.ok(m.inHandler(BP));
  assert.deepEqual(m.stack(2), [CODE + 1, KCODE]);

  const m2 = new Machine();
  m2.enterProtected();
  m2.write(CODE, [
    0xB0, 0x7F, // mov al, 0x7f
    0x04, 0x01, // add al, 1      (signed overflow: OF = 1)
    0xCE,       // into
  ]);
  m2.run();
  assert.ok(m2.inHandler(OF));
  assert.equal(m2.stack(1)[0], CODE + 5);
  assert.equal(m2.stack(3)[2] & EF_OF, EF_OF);
});

test('INTO with OF = 0 does nothing', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x31, 0xC0, // xor eax, eax
    0xCE,       // into
    0xEB, 0xFE, // jmp $
  ]);
  m.run(20);
  assert.equal(m.cpu.eip, CODE + 3);
  assert.equal(m.cpu.lastException, undefined);
});

test('INT n through a gate with DPL < CPL raises #GP(vector*8+2) at ring 3', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.write(USER_CODE, [
    0xCD, 0x40, // int 0x40   (gate DPL 0)
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(6), [idtError(0x40), USER_CODE, UCODE, FAULT_EFLAGS, USTACK_TOP, UDATA]);
});

test('INT3 at ring 3 checks the gate DPL too: #GP(0x1A)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.write(USER_CODE, [
    0xCC, // int3   (gate DPL 0)
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.equal(m.stack(1)[0], idtError(BP));
});

test('exceptions ignore the gate DPL: #UD at ring 3 reaches a DPL-0 gate', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.write(USER_CODE, [
    0x0F, 0x0B, // ud2
  ]);
  m.run();
  assert.ok(m.inHandler(UD));
  assert.equal(m.cpu.cpl, 0);
  assert.deepEqual(m.stack(5), [USER_CODE, UCODE, FAULT_EFLAGS, USTACK_TOP, UDATA]);
});

test('not-present gate: #NP(vector*8+2)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setIdt(0x41, gate(KCODE, m.handler(0x41), TYPE_INT32, 0, 0, false));
  m.write(CODE, [
    0xCD, 0x41, // int 0x41
  ]);
  m.run();
  assert.ok(m.inHandler(NP));
  assert.deepEqual(m.stack(2), [idtError(0x41), CODE]);
});

test('vector beyond the IDT limit: #GP(vector*8+2)', () => {
  const m = new Machine();
  m.enterProtected();
  m.cpu.idtrLimit = 0x20 * 8 - 1; // vectors 0..0x1F only
  m.write(CODE, [
    0xCD, 0x20, // int 0x20
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(2), [idtError(0x20), CODE]);
  assert.ok(IDT_LIMIT > m.cpu.idtrLimit);
});

test('an IDT entry that is not a gate (call gate type): #GP(vector*8+2)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setIdt(0x44, gate(KCODE, m.handler(0x44), TYPE_CALL32, 0));
  m.write(CODE, [
    0xCD, 0x44, // int 0x44
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.equal(m.stack(1)[0], idtError(0x44));
});

test('gate whose code segment is not present: #NP(code selector)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(0, 0xFFFFF, ACC_S | ACC_CODE | ACC_READ, FLAG_G | FLAG_DB)); // P = 0
  m.setIdt(0x43, gate(sel(8), m.handler(0x43), TYPE_INT32, 0));
  m.write(CODE, [
    0xCD, 0x43, // int 0x43
  ]);
  m.run();
  assert.ok(m.inHandler(NP));
  assert.equal(m.stack(1)[0], sel(8));
});

test('gate offset beyond the handler code segment limit: #GP(0) before anything is pushed', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(0, 0xFFFF, ACC_P | ACC_S | ACC_CODE | ACC_READ, FLAG_DB)); // 64 KiB code segment
  m.setIdt(0x46, gate(sel(8), 0x12345, TYPE_INT32, 0));
  m.write(CODE, [
    0xCD, 0x46, // int 0x46
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(4), [0, CODE, KCODE, FAULT_EFLAGS]);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 16);
});

test('MOV SS holds off a pending interrupt for one instruction', () => {
  const m = new Machine();
  m.enterProtected({ eflags: 0x202 });
  m.write(CODE, [
    0x8E, 0xD0, // mov ss, eax
    0x90,       // nop
    0xEB, 0xFE, // jmp $
  ]);
  m.cpu.reg32[EAX] = KDATA;
  m.run(1);
  m.env.pendingInterrupts.push(0x30);
  m.run(10);
  assert.ok(m.inHandler(0x30));
  assert.equal(m.stack(1)[0], CODE + 3, 'the NOP ran before the interrupt');
});

test('ring 3 → ring 0 through an interrupt gate: SS:ESP from the TSS, the outer stack pushed, CPL 0', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.setIdt(0x80, gate(KCODE, m.handler(0x80), TYPE_INT32, 3));
  m.write(USER_CODE, [
    0x6A, 0x55, // push 0x55
    0xCD, 0x80, // int 0x80
  ]);
  m.run();
  assert.ok(m.inHandler(0x80));
  assert.equal(m.cpu.cpl, 0);
  assert.equal(m.cpu.segSel[SS], KDATA);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 20);
  // EIP, CS, EFLAGS, ESP, SS of ring 3
  assert.deepEqual(m.stack(5), [USER_CODE + 4, UCODE, 0x2, USTACK_TOP - 4, UDATA]);
  assert.equal(m.r32(USTACK_TOP - 4), 0x55, 'the user stack is untouched by the switch');
  assert.equal(m.cpu.segSel[DS], UDATA, 'data segments are kept on entry');
});

test('IRET from ring 0 back to ring 3: outer SS:ESP restored, DS with DPL 0 nulled', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.setIdt(0x80, gate(KCODE, CODE + 0x100, TYPE_INT32, 3));
  m.write(CODE + 0x100, [
    0xB8, 0x10, 0x00, 0x00, 0x00, // mov eax, 0x10   (KDATA)
    0x8E, 0xD8,                   // mov ds, eax
    0xCF,                         // iretd
  ]);
  m.write(USER_CODE, [
    0xCD, 0x80, // int 0x80
    0x8C, 0xDB, // mov ebx, ds
    0xEB, 0xFE, // jmp $
  ]);
  m.cpu.reg32[EBX] = -1;
  m.run(20);
  assert.equal(m.cpu.cpl, 3);
  assert.equal(m.cpu.segSel[CS], UCODE);
  assert.equal(m.cpu.eip, USER_CODE + 4);
  assert.equal(m.cpu.segSel[SS], UDATA);
  assert.equal(m.cpu.reg32[ESP], USTACK_TOP);
  assert.equal(m.cpu.segSel[DS], 0, 'DS (DPL 0 < CPL 3) is nulled by the return');
  assert.equal(m.cpu.reg32[EBX] & 0xFFFF, 0);
  assert.equal(m.cpu.segSel[ES], UDATA, 'ES (DPL 3) is kept');
});

test('external interrupt: taken after the instruction following STI, not while IF = 0', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x90,       // nop
    0x90,       // nop
    0xFB,       // sti
    0x90,       // nop
    0xEB, 0xFE, // jmp $
  ]);
  m.env.pendingInterrupts.push(0x30);
  m.run(2);
  assert.equal(m.cpu.eip, CODE + 2, 'IF = 0: the interrupt waits');
  assert.deepEqual(m.env.pendingInterrupts, [0x30]);
  m.run(10);
  assert.ok(m.inHandler(0x30));
  assert.deepEqual(m.stack(3), [CODE + 4, KCODE, 0x202], 'one instruction after STI runs first');
});

test('HLT waits for an interrupt and resumes into its handler', () => {
  const m = new Machine();
  m.enterProtected({ eflags: 0x202 });
  m.write(CODE, [
    0xF4,       // hlt
    0xEB, 0xFE, // jmp $
  ]);
  m.run(10);
  assert.equal(m.cpu.halted, true);
  assert.equal(m.env.hlts, 1);
  m.env.pendingInterrupts.push(0x31);
  m.run(10);
  assert.ok(m.inHandler(0x31));
  assert.equal(m.stack(1)[0], CODE + 1);
});

test('#TS(SS0) when the TSS ring-0 stack selector has RPL 3 (handler runs at ring 3)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.w16(TSS + 8, UDATA); // SS0 = 0x23: not a ring-0 stack
  m.setIdt(0x80, gate(KCODE, m.handler(0x80), TYPE_INT32, 3));
  m.setIdt(TS, gate(UCODE, USER_CODE + 0x100, TYPE_INT32, 0)); // a ring-3 handler needs no stack switch
  m.write(USER_CODE, [
    0xCD, 0x80, // int 0x80
  ]);
  m.write(USER_CODE + 0x100, [
    0xEB, 0xFE, // jmp $
  ]);
  m.run(10);
  assert.equal(m.cpu.eip, USER_CODE + 0x100);
  assert.equal(m.cpu.cpl, 3);
  assert.deepEqual(m.stack(4), [UDATA & ~3, USER_CODE, UCODE, FAULT_EFLAGS]);
  assert.equal(m.cpu.lastException?.vector, TS);
});

test('#DF: a #GP whose gate is not present becomes a double fault with error code 0', () => {
  const m = new Machine();
  m.enterProtected();
  m.setIdt(GP, gate(KCODE, m.handler(GP), TYPE_INT32, 0, 0, false));
  m.write(CODE, [
    0x66, 0xB8, 0x00, 0x02, // mov ax, 0x200
    0x8E, 0xD8,             // mov ds, ax
  ]);
  m.run();
  assert.ok(m.inHandler(DF));
  assert.deepEqual(m.stack(4), [0, CODE + 4, KCODE, 0x2]);
  assert.equal(m.cpu.lastException?.vector, DF);
  assert.equal(m.env.tripleFaults.length, 0);
});

test('triple fault: #GP and #DF gates both missing shut the CPU down and tell the environment', () => {
  const m = new Machine();
  m.enterProtected();
  m.setIdt(GP, gate(KCODE, m.handler(GP), TYPE_INT32, 0, 0, false));
  m.setIdt(DF, gate(KCODE, m.handler(DF), TYPE_INT32, 0, 0, false));
  m.write(CODE, [
    0x66, 0xB8, 0x00, 0x02, // mov ax, 0x200
    0x8E, 0xD8,             // mov ds, ax
    0xEB, 0xFE,             // jmp $
  ]);
  const retired = m.run(100);
  assert.equal(m.cpu.shutdown, true);
  assert.equal(m.env.tripleFaults.length, 1);
  assert.match(m.env.tripleFaults[0], /triple fault/);
  assert.equal(retired, 1, 'only the MOV AX retired');
  assert.equal(m.run(100), 0, 'a shut-down CPU runs nothing');
});

test('triple fault from a bad IDTR: every vector beyond a zero-length IDT', () => {
  const m = new Machine();
  m.enterProtected();
  m.cpu.idtrLimit = 0;
  m.write(CODE, [
    0x0F, 0x0B, // ud2
  ]);
  m.run();
  assert.equal(m.cpu.shutdown, true);
  assert.equal(m.env.tripleFaults.length, 1);
});

test('an interrupt into a conforming DPL-0 code segment from ring 3 stays at ring 3', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.setGdt(8, segment(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE | ACC_CONFORMING | ACC_READ, FLAG_G | FLAG_DB)); // conforming, DPL 0
  m.setIdt(0x81, gate(sel(8), USER_CODE + 0x100, TYPE_INT32, 3));
  m.write(USER_CODE, [
    0xCD, 0x81, // int 0x81
  ]);
  m.write(USER_CODE + 0x100, [
    0xEB, 0xFE, // jmp $
  ]);
  m.run(10);
  assert.equal(m.cpu.eip, USER_CODE + 0x100);
  assert.equal(m.cpu.cpl, 3);
  assert.equal(m.cpu.segSel[CS], sel(8, 3));
  assert.equal(m.cpu.segSel[SS], UDATA, 'no stack switch');
  assert.deepEqual(m.stack(3), [USER_CODE + 2, UCODE, 0x2]);
});
