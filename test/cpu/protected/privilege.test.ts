// Privilege rules: far JMP/CALL/RETF through code segments and call gates (ring 3 → ring 0 with
// parameters, back with the outer stack), IOPL-sensitive CLI/STI/POPF, I/O permission through IOPL
// and the TSS bitmap, privileged instructions at ring 3, SYSENTER/SYSEXIT, task switches refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Machine, CODE, USER_CODE, KSTACK_TOP, USTACK_TOP, KCODE, KDATA, UCODE, UDATA, KCODE16, TSS_SEL, DATA, TSS,
} from '../helpers/machine.js';
import {
  gate, segment, code32, data32, ACC_P, ACC_S, ACC_CODE, ACC_READ, ACC_CONFORMING, FLAG_G, FLAG_DB,
  TYPE_CALL32, TYPE_CALL16, GP, NP, EF_IF,
} from '../helpers/encode.js';
import { CS, DS, ES, SS, EAX, ECX, EDX, EBX, ESP, ESI } from '../../../engine/cpu/registers.js';
import { ISA } from '../../../engine/cpu/isa/index.js';
import { decode } from '../../../engine/cpu/decoder.js';
import { resolveHandler } from '../../../engine/cpu/dispatch.js';

/** The ring-0 handler for vector was entered with [errorCode, eip] on top of its stack. */
function assertFault(m: Machine, vector: number, errorCode: number, eip: number): void {
  assert.ok(m.inHandler(vector), `expected vector ${vector}, got ${JSON.stringify(m.cpu.lastException)}`);
  assert.deepEqual(m.stack(2), [errorCode, eip]);
}

// ---- far JMP / CALL / RETF through code segments ----

test('far JMP to a code segment at the same privilege loads CS:EIP and sets the accessed bit', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, code32(0));
  m.write(CODE, [
    0xEA, 0x00, 0x01, 0x01, 0x00, 0x40, 0x00, // jmp 0x40:0x10100
  ]);
  m.write(CODE + 0x100, [
    0xEB, 0xFE, // jmp $
  ]);
  m.run(5);
  assert.equal(m.cpu.segSel[CS], 0x40);
  assert.equal(m.cpu.eip, 0x10100);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP);
  assert.equal(m.gdtHigh(8) & 0x100, 0x100);
});

for (const [what, desc, vector, code] of [
  ['a data segment', data32(0), GP, 0x40],
  ['a not-present code segment', segment(0, 0xFFFFF, ACC_S | ACC_CODE | ACC_READ, FLAG_G | FLAG_DB), NP, 0x40],
  ['a non-conforming DPL-3 code segment from CPL 0', code32(3), GP, 0x40],
  ['an offset beyond the code segment limit', segment(0, 0xFFFF, ACC_P | ACC_S | ACC_CODE | ACC_READ, FLAG_DB), GP, 0],
] as const) {
  test(`far JMP to ${what}: ${vector === NP ? '#NP' : '#GP'}(${code ? 'selector' : '0'})`, () => {
    const m = new Machine();
    m.enterProtected();
    m.setGdt(8, desc);
    m.write(CODE, [
      0xEA, 0x00, 0x01, 0x01, 0x00, 0x40, 0x00, // jmp 0x40:0x10100
    ]);
    m.run();
    assertFault(m, vector, code, CODE);
    assert.equal(m.stack(3)[2], KCODE, 'CS unchanged');
  });
}

test('far JMP to a null selector: #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0xFF, 0x2B, // jmp fword [ebx]
  ]);
  m.w32(DATA, 0x10100); m.w16(DATA + 4, 0);
  m.cpu.reg32[EBX] = DATA;
  m.run();
  assertFault(m, GP, 0, CODE);
});

test('far CALL and RETF at the same privilege', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, code32(0));
  m.write(CODE, [
    0x9A, 0x00, 0x01, 0x01, 0x00, 0x40, 0x00, // call 0x40:0x10100
    0xEB, 0xFE,                               // jmp $
  ]);
  m.write(CODE + 0x100, [
    0xB8, 0x2A, 0x00, 0x00, 0x00, // mov eax, 42
    0xCB,                         // retf
  ]);
  m.run(1);
  assert.equal(m.cpu.segSel[CS], 0x40);
  assert.deepEqual(m.stack(2), [CODE + 7, KCODE]);
  m.run(5);
  assert.equal(m.cpu.segSel[CS], KCODE);
  assert.equal(m.cpu.eip, CODE + 7);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP);
  assert.equal(m.cpu.reg32[EAX], 42);
});

test('far CALL to a conforming DPL-0 segment from ring 3 keeps CPL 3 (CS.RPL = 3)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.setGdt(8, segment(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE | ACC_CONFORMING | ACC_READ, FLAG_G | FLAG_DB));
  m.write(USER_CODE, [
    0x9A, 0x00, 0x01, 0x02, 0x00, 0x40, 0x00, // call 0x40:0x20100
  ]);
  m.write(USER_CODE + 0x100, [
    0xEB, 0xFE, // jmp $
  ]);
  m.run(5);
  assert.equal(m.cpu.eip, USER_CODE + 0x100);
  assert.equal(m.cpu.cpl, 3);
  assert.equal(m.cpu.segSel[CS], 0x43);
  assert.equal(m.cpu.segSel[SS], UDATA);
  assert.deepEqual(m.stack(2), [USER_CODE + 7, UCODE]);
});

test('RETF to a more privileged ring (RPL < CPL): #GP(selector)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.write(USER_CODE, [
    0x6A, 0x08,                   // push 0x08   (KCODE)
    0x68, 0x00, 0x00, 0x01, 0x00, // push 0x10000
    0xCB,                         // retf
  ]);
  m.run();
  assertFault(m, GP, KCODE, USER_CODE + 7);
  assert.equal(m.stack(3)[2], UCODE);
});

test('IRET to ring 3 with an outer SS of the wrong privilege: #GP(SS selector)', () => {
  const m = new Machine();
  m.enterProtected();
  [USER_CODE, UCODE, 0x2, USTACK_TOP, KDATA].forEach((v, k) => m.w32(KSTACK_TOP - 20 + 4 * k, v)); // SS = KDATA (DPL 0)
  m.cpu.reg32[ESP] = KSTACK_TOP - 20;
  m.write(CODE, [
    0xCF, // iretd
  ]);
  m.run();
  assertFault(m, GP, KDATA, CODE);
  assert.equal(m.cpu.cpl, 0);
});

// ---- call gates ----

/** Ring-3 caller: pushes two parameters and calls through the gate at GDT 9 (selector 0x4B). */
function callGateMachine(handler: readonly number[]): Machine {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.setGdt(9, gate(KCODE, CODE + 0x200, TYPE_CALL32, 3, 2));
  m.write(USER_CODE, [
    0x6A, 0x11,                               // push 0x11
    0x6A, 0x22,                               // push 0x22
    0x9A, 0x00, 0x00, 0x00, 0x00, 0x4B, 0x00, // call 0x4b:0   (offset ignored)
    0xEB, 0xFE,                               // jmp $
  ]);
  m.write(CODE + 0x200, handler);
  return m;
}

test('call gate ring 3 → ring 0 with 2 parameters: TSS stack, parameters copied, CPL 0', () => {
  const m = callGateMachine([
    0xF4, // hlt
  ]);
  m.run();
  assert.equal(m.cpu.eip, CODE + 0x201);
  assert.equal(m.cpu.cpl, 0);
  assert.equal(m.cpu.segSel[CS], KCODE);
  assert.equal(m.cpu.segSel[SS], KDATA);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 24);
  // EIP, CS, the two parameters in their original order, then the caller's ESP and SS.
  assert.deepEqual(m.stack(6), [USER_CODE + 11, UCODE, 0x22, 0x11, USTACK_TOP - 8, UDATA]);
});

test('RETF 8 from the call gate back to ring 3: outer stack restored past the parameters, DS nulled', () => {
  const m = callGateMachine([
    0xB8, 0x10, 0x00, 0x00, 0x00, // mov eax, 0x10   (KDATA)
    0x8E, 0xD8,                   // mov ds, eax
    0xCA, 0x08, 0x00,             // retf 8
  ]);
  m.run(20);
  assert.equal(m.cpu.cpl, 3);
  assert.equal(m.cpu.segSel[CS], UCODE);
  assert.equal(m.cpu.eip, USER_CODE + 11);
  assert.equal(m.cpu.segSel[SS], UDATA);
  assert.equal(m.cpu.reg32[ESP], USTACK_TOP, 'the 8 parameter bytes popped from the outer stack');
  assert.equal(m.cpu.segSel[DS], 0, 'DS with DPL 0 < CPL 3 is nulled');
  assert.equal(m.cpu.segSel[ES], UDATA);
});

test('RETF to ring 3 keeps a DS that holds a conforming code segment', () => {
  const m = callGateMachine([
    0xB8, 0x50, 0x00, 0x00, 0x00, // mov eax, 0x50   (GDT 10: conforming, readable, DPL 0)
    0x8E, 0xD8,                   // mov ds, eax
    0xCA, 0x08, 0x00,             // retf 8
  ]);
  m.setGdt(10, segment(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE | ACC_CONFORMING | ACC_READ, FLAG_G | FLAG_DB));
  m.run(20);
  assert.equal(m.cpu.cpl, 3);
  assert.equal(m.cpu.segSel[DS], 0x50);
});

test('16-bit call gate ring 3 → ring 0 with one word parameter, RETF 2 back (caller below 64 KiB)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE, eip: 0xE000, esp: 0xF000 }); // a 16-bit gate saves only IP and SP
  m.setGdt(9, gate(KCODE16, 0x8000, TYPE_CALL16, 3, 1));
  m.write(0xE000, [
    0x66, 0x6A, 0x33,                         // push word 0x33
    0x9A, 0x00, 0x00, 0x00, 0x00, 0x4B, 0x00, // call 0x4b:0
    0xEB, 0xFE,                               // jmp $
  ]);
  m.write(0x8000, [
    0xF4,             // hlt                 (first run stops here)
    0xCA, 0x02, 0x00, // retf 2
  ]);
  m.run();
  assert.equal(m.cpu.cpl, 0);
  assert.equal(m.cpu.segSel[CS], KCODE16);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 10);
  // IP, CS, the parameter, SP, SS as words
  assert.deepEqual(m.stack(5, 2), [0xE00A, UCODE, 0x33, 0xEFFE, UDATA]);
  m.cpu.halted = false;
  m.run(5);
  assert.equal(m.cpu.cpl, 3);
  assert.equal(m.cpu.eip, 0xE00A);
  assert.equal(m.cpu.segSel[SS], UDATA);
  assert.equal(m.cpu.reg32[ESP], 0xF000);
});

test('call gate with DPL < CPL: #GP(gate selector)', () => {
  const m = callGateMachine([0xF4]);
  m.setGdt(9, gate(KCODE, CODE + 0x200, TYPE_CALL32, 0, 2));
  m.run();
  assertFault(m, GP, 0x48, USER_CODE + 4);
});

test('call gate not present: #NP(gate selector)', () => {
  const m = callGateMachine([0xF4]);
  m.setGdt(9, gate(KCODE, CODE + 0x200, TYPE_CALL32, 3, 2, false));
  m.run();
  assertFault(m, NP, 0x48, USER_CODE + 4);
});

test('16-bit call gate at the same privilege pushes a 16-bit CS:IP', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(9, gate(KCODE16, 0x8000, TYPE_CALL16, 0));
  m.w8(0x8000, 0xF4); // hlt
  m.write(CODE, [
    0x9A, 0x00, 0x00, 0x00, 0x00, 0x48, 0x00, // call 0x48:0
  ]);
  m.run();
  assert.equal(m.cpu.segSel[CS], KCODE16);
  assert.equal(m.cpu.eip, 0x8001);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 4);
  assert.deepEqual(m.stack(2, 2), [(CODE + 7) & 0xFFFF, KCODE]);
});

test('JMP through a call gate to the same privilege pushes nothing', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(9, gate(KCODE, CODE + 0x200, TYPE_CALL32, 0));
  m.write(CODE, [
    0xEA, 0x00, 0x00, 0x00, 0x00, 0x48, 0x00, // jmp 0x48:0
  ]);
  m.write(CODE + 0x200, [
    0xEB, 0xFE, // jmp $
  ]);
  m.run(5);
  assert.equal(m.cpu.eip, CODE + 0x200);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP);
});

// ---- task switches: a busy TSS is never a target ----

test('far JMP to the busy TSS of the current task: #GP(TSS selector)', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0xEA, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, // jmp 0x28:0   (TSS_SEL, busy since LTR)
  ]);
  m.run();
  assertFault(m, GP, TSS_SEL, CODE);
  assert.equal(m.cpu.trSel, TSS_SEL);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 16, 'nothing pushed before the fault');
});

// ---- IOPL-sensitive flag instructions ----

test('CLI at CPL 3 with IOPL 0: #GP(0), IF unchanged', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE, eflags: 0x202 });
  m.write(USER_CODE, [
    0xFA, // cli
  ]);
  m.run();
  assertFault(m, GP, 0, USER_CODE);
  assert.equal(m.stack(4)[3] & EF_IF, EF_IF);
});

test('STI at CPL 3 with IOPL 0: #GP(0)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.write(USER_CODE, [
    0xFB, // sti
  ]);
  m.run();
  assertFault(m, GP, 0, USER_CODE);
});

test('CLI/STI at CPL 3 with IOPL 3 are allowed', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE, eflags: 0x3202 });
  m.write(USER_CODE, [
    0xFA,       // cli
    0xEB, 0xFE, // jmp $
  ]);
  m.run(1);
  assert.equal(m.cpu.getEflags(), 0x3002);
  assert.equal(m.cpu.lastException, undefined);
});

test('POPF at CPL 3 with IOPL 0 changes neither IF nor IOPL, and does not fault', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE, eflags: 0x202 });
  m.write(USER_CODE, [
    0x68, 0x01, 0x30, 0x00, 0x00, // push 0x3001   (IOPL 3, IF 0, CF 1)
    0x9D,                         // popfd
    0xEB, 0xFE,                   // jmp $
  ]);
  m.run(2);
  assert.equal(m.cpu.getEflags(), 0x203, 'only CF changed');
  assert.equal(m.cpu.lastException, undefined);
});

test('POPF at CPL 3 with IOPL 3 changes IF but not IOPL', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE, eflags: 0x3202 });
  m.write(USER_CODE, [
    0x68, 0x01, 0x00, 0x00, 0x00, // push 0x1   (IOPL 0, IF 0, CF 1)
    0x9D,                         // popfd
    0xEB, 0xFE,                   // jmp $
  ]);
  m.run(2);
  assert.equal(m.cpu.getEflags(), 0x3003);
});

test('POPF at CPL 0 changes IF and IOPL', () => {
  const m = new Machine();
  m.enterProtected({ eflags: 0x202 });
  m.write(CODE, [
    0x68, 0x01, 0x30, 0x00, 0x00, // push 0x3001
    0x9D,                         // popfd
    0xEB, 0xFE,                   // jmp $
  ]);
  m.run(2);
  assert.equal(m.cpu.getEflags(), 0x3003);
});

test('PUSHF at CPL 3 shows IF and IOPL; the image has RF clear', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE, eflags: 0x10202 });
  m.write(USER_CODE, [
    0x9C,       // pushfd
    0xEB, 0xFE, // jmp $
  ]);
  m.run(1);
  assert.equal(m.stack(1)[0], 0x202);
});

test('IRET at CPL 3 (same privilege) changes neither IOPL nor, with IOPL 0, IF', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE, eflags: 0x202 });
  m.write(USER_CODE, [
    0x68, 0x01, 0x30, 0x00, 0x00, // push 0x3001       (EFLAGS image: IOPL 3, IF 0, CF 1)
    0x6A, 0x1B,                   // push 0x1b         (UCODE)
    0x68, 0x0D, 0x00, 0x02, 0x00, // push 0x2000d      (the jmp $ below)
    0xCF,                         // iretd
    0xEB, 0xFE,                   // jmp $
  ]);
  m.run(10);
  assert.equal(m.cpu.eip, USER_CODE + 0xD);
  assert.equal(m.cpu.reg32[ESP], USTACK_TOP);
  assert.equal(m.cpu.getEflags(), 0x203, 'only CF taken from the image');
});

// ---- I/O permission ----

/** Ring-3 machine running one I/O instruction (then jmp $) with DX = port. */
function ioMachine(bytes: readonly number[], port: number, eflags = 0x2, allow?: [number, number]): Machine {
  const m = new Machine();
  m.enterProtected({ cs: UCODE, eflags });
  if (allow) m.allowPorts(allow[0], allow[1]);
  m.write(USER_CODE, [...bytes, 0xEB, 0xFE]);
  m.cpu.reg32[EDX] = port;
  m.cpu.reg32[EAX] = 0x11223344;
  m.run(3);
  return m;
}

test('OUT at CPL 3, IOPL 0, port denied by the bitmap: #GP(0), no I/O done', () => {
  const m = ioMachine([0xEE], 0x3F8); // out dx, al
  assertFault(m, GP, 0, USER_CODE);
  assert.deepEqual(m.env.io, []);
});

test('OUT at CPL 3, IOPL 0, port allowed by the bitmap reaches the machine', () => {
  const m = ioMachine([0xEE], 0x3F8, 0x2, [0x3F8, 1]); // out dx, al
  assert.equal(m.cpu.eip, USER_CODE + 1);
  assert.deepEqual(m.env.io, [{ dir: 'out', port: 0x3F8, size: 1, value: 0x44 }]);
});

test('a word OUT needs both ports allowed: 0x3F8 allowed, 0x3F9 denied → #GP(0)', () => {
  const m = ioMachine([0x66, 0xEF], 0x3F8, 0x2, [0x3F8, 1]); // out dx, ax
  assertFault(m, GP, 0, USER_CODE);
  const ok = ioMachine([0x66, 0xEF], 0x3F8, 0x2, [0x3F8, 2]); // out dx, ax
  assert.deepEqual(ok.env.io, [{ dir: 'out', port: 0x3F8, size: 2, value: 0x3344 }]);
});

test('a dword OUT whose four port bits straddle two bitmap bytes needs all four', () => {
  const ok = ioMachine([0xEF], 0x3FE, 0x2, [0x3FE, 4]); // out dx, eax   (ports 0x3FE..0x401)
  assert.deepEqual(ok.env.io, [{ dir: 'out', port: 0x3FE, size: 4, value: 0x11223344 }]);
  const denied = ioMachine([0xEF], 0x3FE, 0x2, [0x3FE, 3]); // out dx, eax   (0x401 denied)
  assertFault(denied, GP, 0, USER_CODE);
});

test('IN imm8 at CPL 3 through the bitmap returns the device value', () => {
  const m = ioMachine([0xE4, 0x60], 0, 0x2, [0x60, 1]); // in al, 0x60
  assert.equal(m.cpu.reg32[EAX], 0x112233A5);
  assert.deepEqual(m.env.io, [{ dir: 'in', port: 0x60, size: 1, value: 0xA5 }]);
});

test('IOPL 3 allows any port at CPL 3 without looking at the bitmap', () => {
  const m = ioMachine([0xEF], 0x1234, 0x3002); // out dx, eax
  assert.deepEqual(m.env.io, [{ dir: 'out', port: 0x1234, size: 4, value: 0x11223344 }]);
});

test('I/O bitmap offset beyond the TSS limit: every port denied', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.allowPorts(0x60, 1);
  m.w16(TSS + 0x66, 0x3000); // bitmap base beyond the limit
  m.write(USER_CODE, [
    0xE4, 0x60, // in al, 0x60
  ]);
  m.run();
  assertFault(m, GP, 0, USER_CODE);
});

test('REP OUTSB at CPL 3 through the bitmap writes each byte', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.allowPorts(0xE9, 1);
  m.write(DATA, [0x68, 0x69, 0x21]);
  m.write(USER_CODE, [
    0xF3, 0x6E, // rep outsb
    0xEB, 0xFE, // jmp $
  ]);
  m.cpu.reg32[EDX] = 0xE9; m.cpu.reg32[ESI] = DATA; m.cpu.reg32[ECX] = 3;
  m.run(5);
  assert.deepEqual(m.env.io.map((r) => r.value), [0x68, 0x69, 0x21]);
  assert.equal(m.cpu.reg32[ECX], 0);
  assert.equal(m.cpu.reg32[ESI], DATA + 3);
});

test('I/O at CPL 0 ignores the bitmap', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0xE6, 0x80, // out 0x80, al
  ]);
  m.cpu.reg32[EAX] = 0x55;
  m.run(1);
  assert.deepEqual(m.env.io, [{ dir: 'out', port: 0x80, size: 1, value: 0x55 }]);
});

// ---- privileged instructions: every 'privileged' row of the table traps at CPL 3 ----

const PRIVILEGED: Array<[string, number[]]> = [
  ['insb', [0x6C]], ['insd', [0x6D]], ['outsb', [0x6E]], ['outsd', [0x6F]],
  ['in al, 0x60', [0xE4, 0x60]], ['in eax, 0x60', [0xE5, 0x60]], ['out 0x60, al', [0xE6, 0x60]], ['out 0x60, eax', [0xE7, 0x60]],
  ['in al, dx', [0xEC]], ['in eax, dx', [0xED]], ['out dx, al', [0xEE]], ['out dx, eax', [0xEF]],
  ['hlt', [0xF4]], ['cli', [0xFA]], ['sti', [0xFB]],
  ['lldt ax', [0x0F, 0x00, 0xD0]], ['ltr ax', [0x0F, 0x00, 0xD8]],
  ['lgdt [ebx]', [0x0F, 0x01, 0x13]], ['lidt [ebx]', [0x0F, 0x01, 0x1B]],
  ['lmsw ax', [0x0F, 0x01, 0xF0]], ['invlpg [ebx]', [0x0F, 0x01, 0x3B]],
  ['clts', [0x0F, 0x06]], ['invd', [0x0F, 0x08]], ['wbinvd', [0x0F, 0x09]],
  ['mov eax, cr0', [0x0F, 0x20, 0xC0]], ['mov eax, dr7', [0x0F, 0x21, 0xF8]],
  ['mov cr0, eax', [0x0F, 0x22, 0xC0]], ['mov dr7, eax', [0x0F, 0x23, 0xF8]],
  ['wrmsr', [0x0F, 0x30]], ['rdmsr', [0x0F, 0x32]], ['sysexit', [0x0F, 0x35]],
];

test('the privileged list covers every row the table classes as privileged', () => {
  const covered = new Set(PRIVILEGED.map(([, bytes]) => decode((off) => bytes[off], true, resolveHandler).entry));
  const rows = ISA.filter((e) => e.virt === 'privileged');
  const missing = rows.filter((e) => !covered.has(e)).map((e) => `${e.mnemonic} ${e.opcode.toString(16)}/${e.ext}`);
  assert.deepEqual(missing, []);
  for (const e of covered) assert.equal(e.virt, 'privileged', `${e.mnemonic} is not a privileged row`);
});

for (const [asm, bytes] of PRIVILEGED) {
  test(`privileged at CPL 3 (IOPL 0, no I/O permission): ${asm} → #GP(0)`, () => {
    const m = new Machine();
    m.enterProtected({ cs: UCODE });
    m.write(USER_CODE, bytes);
    m.cpu.reg32[EBX] = DATA; m.cpu.reg32[EDX] = 0x60; m.cpu.reg32[ECX] = 0x174;
    m.run();
    assertFault(m, GP, 0, USER_CODE);
    assert.deepEqual(m.env.io, []);
  });
}

// ---- SYSENTER / SYSEXIT ----

test('SYSEXIT to ring 3 and SYSENTER back to ring 0 through the SYSENTER MSRs', () => {
  const m = new Machine();
  m.enterProtected({ eflags: 0x202 });
  m.write(CODE, [
    0xB9, 0x74, 0x01, 0x00, 0x00, // mov ecx, 0x174   (SYSENTER_CS)
    0x31, 0xD2,                   // xor edx, edx
    0xB8, 0x08, 0x00, 0x00, 0x00, // mov eax, 0x8
    0x0F, 0x30,                   // wrmsr
    0xB9, 0x75, 0x01, 0x00, 0x00, // mov ecx, 0x175   (SYSENTER_ESP)
    0xB8, 0x00, 0x00, 0x03, 0x00, // mov eax, 0x30000
    0x0F, 0x30,                   // wrmsr
    0xB9, 0x76, 0x01, 0x00, 0x00, // mov ecx, 0x176   (SYSENTER_EIP)
    0xB8, 0x00, 0x03, 0x01, 0x00, // mov eax, 0x10300
    0x0F, 0x30,                   // wrmsr
    0xB9, 0x00, 0x00, 0x04, 0x00, // mov ecx, 0x40000 (user ESP)
    0xBA, 0x00, 0x00, 0x02, 0x00, // mov edx, 0x20000 (user EIP)
    0x0F, 0x35,                   // sysexit
  ]);
  m.write(USER_CODE, [
    0xB8, 0x2A, 0x00, 0x00, 0x00, // mov eax, 42
    0x0F, 0x34,                   // sysenter
  ]);
  m.write(CODE + 0x300, [
    0xF4, // hlt
  ]);
  m.run(13);
  assert.equal(m.cpu.cpl, 3);
  assert.equal(m.cpu.segSel[CS], 0x1B, 'SYSENTER_CS + 16, RPL 3');
  assert.equal(m.cpu.segSel[SS], 0x23, 'SYSENTER_CS + 24, RPL 3');
  assert.equal(m.cpu.reg32[ESP], USTACK_TOP);
  assert.equal(m.cpu.eip, USER_CODE);
  assert.equal(m.cpu.codeSize32, true);
  m.run(10);
  assert.equal(m.cpu.eip, CODE + 0x301);
  assert.equal(m.cpu.cpl, 0);
  assert.equal(m.cpu.segSel[CS], KCODE);
  assert.equal(m.cpu.segSel[SS], KDATA);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP);
  assert.equal(m.cpu.reg32[EAX], 42);
  assert.equal(m.cpu.getEflags() & EF_IF, 0, 'SYSENTER clears IF');
  assert.equal(m.cpu.segBase[CS], 0);
  assert.equal(m.cpu.segLimit[SS], 0xFFFFFFFF);
});

test('SYSENTER with SYSENTER_CS = 0: #GP(0)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.write(USER_CODE, [
    0x0F, 0x34, // sysenter
  ]);
  m.run();
  assertFault(m, GP, 0, USER_CODE);
});

test('RDMSR/WRMSR of the SYSENTER MSRs round-trip 64-bit values; an unknown MSR is #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x0F, 0x30,                   // wrmsr           (ECX = 0x175)
    0x31, 0xC0,                   // xor eax, eax
    0x31, 0xD2,                   // xor edx, edx
    0x0F, 0x32,                   // rdmsr
    0xB9, 0x34, 0x12, 0x00, 0x00, // mov ecx, 0x1234
    0x0F, 0x32,                   // rdmsr
  ]);
  m.cpu.reg32[ECX] = 0x175; m.cpu.reg32[EAX] = 0x89ABCDEF | 0; m.cpu.reg32[EDX] = 0x01234567;
  m.run(4);
  assert.equal(m.cpu.reg32[EAX] >>> 0, 0x89ABCDEF);
  assert.equal(m.cpu.reg32[EDX], 0x01234567);
  m.run();
  assertFault(m, GP, 0, CODE + 13);
});
