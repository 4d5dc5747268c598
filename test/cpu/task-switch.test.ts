// Hardware task switches: far JMP and CALL to a TSS, CALL through a task gate, an interrupt through
// an IDT task gate (error code on the new task's stack), and IRET with NT back to the caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE, KCODE, KDATA, TSS, TSS_SEL, GDT, FREE_GDT_INDEX } from './helpers/machine.js';
import { gate, sel, systemSegment, TYPE_TASK, TYPE_TSS32 } from './helpers/encode.js';
import { EAX } from '../../engine/cpu/registers.js';

const TSS2 = 0x60000, CODE2 = 0x12000, STACK2 = 0x38000;
const TSS2_SEL = sel(FREE_GDT_INDEX), GATE_SEL = sel(FREE_GDT_INDEX + 1);

/** A second 32-bit task: flat ring-0 segments, EIP = CODE2, EAX = 0x1234. */
function addTask(m: Machine): void {
  m.setGdt(FREE_GDT_INDEX, systemSegment(TSS2, 0x67, TYPE_TSS32));
  m.setGdt(FREE_GDT_INDEX + 1, gate(TSS2_SEL, 0, TYPE_TASK, 0));
  m.w32(TSS2 + 0x20, CODE2);          // EIP
  m.w32(TSS2 + 0x24, 0x2);            // EFLAGS
  m.w32(TSS2 + 0x28, 0x1234);         // EAX
  m.w32(TSS2 + 0x38, STACK2);         // ESP
  m.w16(TSS2 + 0x48, KDATA); m.w16(TSS2 + 0x4C, KCODE); m.w16(TSS2 + 0x50, KDATA); // ES CS SS
  m.w16(TSS2 + 0x54, KDATA); m.w16(TSS2 + 0x58, KDATA); m.w16(TSS2 + 0x5C, KDATA); // DS FS GS
}
const typeOf = (m: Machine, selector: number) => (m.r32(GDT + (selector >> 3) * 8 + 4) >>> 8) & 0xF;

test('JMP far to a TSS: state saved in the old TSS, new task loaded, busy bits moved, CR0.TS set', () => {
  const m = new Machine();
  m.enterProtected();
  addTask(m);
  m.write(CODE, [
    0xBB, 0x78, 0x56, 0x34, 0x12,             // mov ebx, 0x12345678
    0xEA, 0x00, 0x00, 0x00, 0x00, TSS2_SEL, 0, // jmp far TSS2_SEL:0
  ]);
  m.write(CODE2, [0xF4]);                     // hlt (in task 2)
  m.run();
  assert.equal(m.cpu.eip, CODE2 + 1);
  assert.equal(m.cpu.trSel, TSS2_SEL);
  assert.equal(m.cpu.reg32[EAX], 0x1234);
  assert.equal(m.r32(TSS + 0x20), CODE + 12, 'old task EIP saved after the JMP');
  assert.equal(m.r32(TSS + 0x34), 0x12345678, 'old task EBX saved');
  assert.equal(typeOf(m, TSS_SEL), 0x9, 'old TSS no longer busy');
  assert.equal(typeOf(m, TSS2_SEL), 0xB, 'new TSS busy');
  assert.ok(m.cpu.cr0 & 8, 'CR0.TS');
  assert.equal(m.cpu.getEflags() & 0x4000, 0, 'no NT after a JMP');
});

test('CALL through a task gate nests (back link, NT) and IRET returns to the caller', () => {
  const m = new Machine();
  m.enterProtected();
  addTask(m);
  m.write(CODE, [
    0x9A, 0x00, 0x00, 0x00, 0x00, GATE_SEL, 0, // call far GATE_SEL:0
    0xF4,                                      // hlt (back in task 1)
  ]);
  m.write(CODE2, [0xCF]);                      // iret (task 2 returns)
  m.run();
  assert.equal(m.cpu.trSel, TSS_SEL, 'back in the first task');
  assert.equal(m.cpu.eip, CODE + 8, 'resumed after the CALL and halted');
  assert.equal(m.r16(TSS2), TSS_SEL, 'the back link names the caller');
  assert.equal(typeOf(m, TSS2_SEL), 0x9, 'IRET cleared the nested task busy bit');
  assert.equal(typeOf(m, TSS_SEL), 0xB, 'the caller stays busy');
  assert.equal(m.r32(TSS2 + 0x24) & 0x4000, 0, 'NT cleared in the nested task saved EFLAGS');
});

test('an exception through an IDT task gate switches task and pushes the error code there', () => {
  const m = new Machine();
  m.enterProtected();
  addTask(m);
  m.setIdt(13, gate(TSS2_SEL, 0, TYPE_TASK, 0));
  m.write(CODE, [
    0x66, 0xB8, 0x00, 0x02, // mov ax, 0x200 (beyond the GDT)
    0x8E, 0xD8,             // mov ds, ax   → #GP(0x200) through the task gate
  ]);
  m.write(CODE2, [0xF4]);   // hlt
  m.run();
  assert.equal(m.cpu.trSel, TSS2_SEL);
  assert.equal(m.cpu.eip, CODE2 + 1);
  assert.equal(m.cpu.reg32[4], STACK2 - 4, 'error code pushed on the new task stack');
  assert.equal(m.stack(1)[0], 0x200);
  assert.ok(m.cpu.getEflags() & 0x4000, 'NT set: the handler task is nested');
  assert.equal(m.r32(TSS + 0x20), CODE + 4, 'the faulting task resumes at the faulting MOV DS');
});

test('JMP to a busy TSS is #GP(selector)', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [0xEA, 0x00, 0x00, 0x00, 0x00, TSS_SEL, 0]); // jmp far to the current (busy) TSS
  m.run();
  assert.ok(m.inHandler(13));
  assert.equal(m.stack(1)[0], TSS_SEL);
});
