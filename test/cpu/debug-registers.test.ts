// Guest debugging facilities: EFLAGS.TF single-step traps and DR0–DR3 breakpoints (execution as a
// fault with RF in the pushed EFLAGS, data writes as a trap after the instruction), DR6 status bits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE, KCODE, DATA } from './helpers/machine.js';

const DB = 1;
const le32 = (v: number) => [v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, (v >>> 24) & 0xFF];

test('TF: POPF setting TF traps after the following instruction, with DR6.BS', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x9C,                                     // pushfd
    0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00, // or dword [esp], 0x100
    0x9D,                                     // popfd            (TF = 1; no trap after POPF itself)
    0x90,                                     // nop              (traps after this one)
    0x90,                                     // nop
  ]);
  m.run();
  assert.ok(m.inHandler(DB), `expected the #DB handler, stopped at ${m.cpu.eip.toString(16)}`);
  const [eip, cs, eflags] = m.stack(3);
  assert.equal(eip, CODE + 10, 'the trap returns to the instruction after the single-stepped NOP');
  assert.equal(cs, KCODE);
  assert.ok(eflags & 0x100, 'the pushed EFLAGS still has TF');
  assert.equal(m.cpu.getEflags() & 0x100, 0, 'the handler runs with TF clear');
  assert.ok(m.cpu.dr[6] & (1 << 14), 'DR6.BS is set');
});

test('DR0 execution breakpoint: #DB before the instruction, RF set in the pushed EFLAGS, DR6.B0', () => {
  const m = new Machine();
  m.enterProtected();
  const target = CODE + 16;
  m.write(CODE, [
    0xB8, ...le32(target),          // mov eax, target
    0x0F, 0x23, 0xC0,               // mov dr0, eax
    0xB8, 0x01, 0x00, 0x00, 0x00,   // mov eax, 1       (L0, R/W0 = execute, LEN0 = 1)
    0x0F, 0x23, 0xF8,               // mov dr7, eax
    0x90,                           // nop  (CODE + 16 - 1)
  ]);
  m.write(target, [0x40]);          // inc eax (never executed before the #DB)
  m.run();
  assert.ok(m.inHandler(DB));
  const [eip, , eflags] = m.stack(3);
  assert.equal(eip, target, 'a fault: the saved EIP is the breakpoint address');
  assert.ok(eflags & 0x10000, 'RF is set in the pushed EFLAGS so IRET resumes past the breakpoint');
  assert.equal(m.cpu.dr[6] & 0xF, 1, 'DR6.B0');
  assert.equal(m.cpu.reg32[0], 1, 'the instruction at the breakpoint did not run');
});

test('DR1 data-write breakpoint: #DB trap after the store, DR6.B1; reads do not trigger it', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0xB8, ...le32(DATA),            // mov eax, DATA
    0x0F, 0x23, 0xC8,               // mov dr1, eax
    0xB8, ...le32((1 << 2) | (1 << 20) | (3 << 22)), // mov eax, L1 | R/W1 = write | LEN1 = 4
    0x0F, 0x23, 0xF8,               // mov dr7, eax
    0xA1, ...le32(DATA),            // mov eax, [DATA]  (a read: no trap)
    0xA3, ...le32(DATA + 2),        // mov [DATA+2], eax (overlaps the watched dword: trap)
    0x90,                           // nop
  ]);
  m.run();
  assert.ok(m.inHandler(DB));
  assert.equal(m.stack(1)[0], CODE + 26, 'a trap: the saved EIP is the instruction after the store (CODE + 21)');
  assert.equal(m.cpu.dr[6] & 0xF, 2, 'DR6.B1');
});

test('without TF or DR7 the debug path stays off', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [0x90, 0x90, 0xF4]); // nop; nop; hlt
  m.run();
  assert.equal(m.cpu.debugActive, false);
  assert.equal(m.cpu.eip, CODE + 3);
  assert.equal(m.cpu.lastException, undefined);
});
