// Protected-mode segment loads and checks: #GP/#NP/#SS with the selector as error code, null
// selectors, the accessed bit, limits (expand-up and expand-down), read-only and execute-only
// segments, LDS/LSS/POP Sreg, the LDT, ARPL, segment bases and 16-bit protected mode (CS.D = 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Machine, CODE, USER_CODE, KSTACK_TOP, KCODE, KDATA, UCODE, UDATA, KCODE16, KDATA16, DATA, LDT,
} from '../helpers/machine.js';
import {
  segment, sel, dpl, ACC_P, ACC_S, ACC_CODE, ACC_READ, ACC_WRITE, ACC_EXPAND_DOWN, ACC_ACCESSED, FLAG_G, FLAG_DB,
  systemSegment, TYPE_LDT, data32, GP, NP, SS_FAULT, UD, FAULT_EFLAGS,
} from '../helpers/encode.js';
import { CS, DS, ES, FS, GS, SS, EAX, ECX, EDX, EBX, ESP, ESI, EDI } from '../../../engine/cpu/registers.js';

/** Ring-0 machine whose first instruction is `mov <seg>, ecx` with ECX = selector. */
function loadWith(modrm: number, selector: number, setup?: (m: Machine) => void, ring3 = false): Machine {
  const m = new Machine();
  m.enterProtected(ring3 ? { cs: UCODE } : {});
  setup?.(m);
  m.write(ring3 ? USER_CODE : CODE, [
    0x8E, modrm, // mov Sreg, ecx
    0xEB, 0xFE,  // jmp $
  ]);
  m.cpu.reg32[ECX] = selector;
  m.run(10);
  return m;
}
const MOV_DS = 0xD9, MOV_SS = 0xD1; // ModRM bytes of `mov ds, ecx` and `mov ss, ecx`

/** Asserts the standard ring-0 handler for vector was entered with errorCode for the instruction at eip. */
function assertFault(m: Machine, vector: number, errorCode: number, eip = CODE): void {
  assert.ok(m.inHandler(vector), `expected vector ${vector}, got ${JSON.stringify(m.cpu.lastException)}`);
  assert.deepEqual(m.stack(2), [errorCode, eip]);
}

test('MOV DS with a selector beyond the GDT limit: #GP(selector)', () => {
  assertFault(loadWith(MOV_DS, sel(64)), GP, sel(64));
});

test('MOV DS with an LDT selector while no LDT is loaded: #GP(selector)', () => {
  assertFault(loadWith(MOV_DS, sel(1, 0, true)), GP, sel(1, 0, true));
});

test('MOV DS with an execute-only code segment: #GP(selector)', () => {
  const m = loadWith(MOV_DS, sel(8), (mm) => mm.setGdt(8, segment(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE, FLAG_G | FLAG_DB)));
  assertFault(m, GP, sel(8));
});

test('MOV DS with a readable code segment is allowed', () => {
  const m = loadWith(MOV_DS, KCODE);
  assert.equal(m.cpu.segSel[DS], KCODE);
  assert.equal(m.cpu.lastException, undefined);
});

test('MOV DS with a system descriptor (the TSS): #GP(selector)', () => {
  assertFault(loadWith(MOV_DS, sel(5)), GP, sel(5));
});

test('MOV DS at CPL 3 with a DPL-0 data segment: #GP(selector)', () => {
  const m = loadWith(MOV_DS, KDATA, undefined, true);
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(2), [KDATA, USER_CODE]);
});

test('MOV DS at CPL 0 with RPL 3 to a DPL-0 segment: #GP(selector with RPL cleared)', () => {
  assertFault(loadWith(MOV_DS, KDATA | 3), GP, KDATA);
});

test('MOV DS with a not-present data segment: #NP(selector)', () => {
  const m = loadWith(MOV_DS, sel(8), (mm) => mm.setGdt(8, segment(0, 0xFFFFF, ACC_S | ACC_WRITE, FLAG_G | FLAG_DB)));
  assertFault(m, NP, sel(8));
});

test('MOV SS with a not-present segment: #SS(selector)', () => {
  const m = loadWith(MOV_SS, sel(8), (mm) => mm.setGdt(8, segment(0, 0xFFFFF, ACC_S | ACC_WRITE, FLAG_G | FLAG_DB)));
  assertFault(m, SS_FAULT, sel(8));
});

test('MOV SS with a read-only data segment: #GP(selector)', () => {
  const m = loadWith(MOV_SS, sel(8), (mm) => mm.setGdt(8, segment(0, 0xFFFFF, ACC_P | ACC_S, FLAG_G | FLAG_DB)));
  assertFault(m, GP, sel(8));
});

test('MOV SS with RPL ≠ CPL: #GP(selector)', () => {
  assertFault(loadWith(MOV_SS, KDATA | 1), GP, KDATA);
});

test('MOV SS with a DPL-3 segment at CPL 0: #GP(selector)', () => {
  assertFault(loadWith(MOV_SS, UDATA & ~3), GP, UDATA & ~3);
});

test('MOV SS with a null selector: #GP(0)', () => {
  assertFault(loadWith(MOV_SS, 0), GP, 0);
});

test('a null selector loads into DS; the first access through it is #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x31, 0xC0,                   // xor eax, eax
    0x8E, 0xD8,                   // mov ds, eax
    0xA1, 0x00, 0x10, 0x00, 0x00, // mov eax, [0x1000]
  ]);
  m.run();
  assert.equal(m.cpu.segSel[DS], 0);
  assertFault(m, GP, 0, CODE + 4);
});

test('loading a segment sets the accessed bit of its descriptor in the GDT', () => {
  const m = loadWith(MOV_DS, sel(8), (mm) => mm.setGdt(8, data32(0)));
  assert.equal(m.cpu.segSel[DS], sel(8));
  assert.equal((m.gdtHigh(8) >> 8) & ACC_ACCESSED, ACC_ACCESSED);
  assert.equal(m.gdtHigh(8) | 0x100, m.gdtHigh(8));
});

test('write through a read-only data segment: #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(DATA, 0xFFFF, ACC_P | ACC_S, 0)); // read-only
  m.write(CODE, [
    0x66, 0xB8, 0x40, 0x00,                         // mov ax, 0x40
    0x8E, 0xD8,                                     // mov ds, ax
    0xA1, 0x10, 0x00, 0x00, 0x00,                   // mov eax, [0x10]      (reads are fine)
    0xC6, 0x05, 0x10, 0x00, 0x00, 0x00, 0x01,       // mov byte [0x10], 1
  ]);
  m.w32(DATA + 0x10, 0xCAFEF00D);
  m.run();
  assert.equal(m.cpu.reg32[EAX] >>> 0, 0xCAFEF00D, 'base applied: DS:0x10 is physical DATA+0x10');
  assertFault(m, GP, 0, CODE + 11);
  assert.equal(m.r8(DATA + 0x10), 0x0D);
});

test('read through an execute-only code segment (CS override): #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(CODE, 0xFFFF, ACC_P | ACC_S | ACC_CODE, FLAG_DB)); // execute-only, base CODE
  m.loadSeg(CS, sel(8));
  m.cpu.eip = 0;
  m.write(CODE, [
    0x2E, 0x8B, 0x03, // mov eax, cs:[ebx]
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(3), [0, 0, sel(8)]);
});

test('flat segments keep their rights: CS-override read of a flat execute-only segment is #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE, FLAG_G | FLAG_DB)); // execute-only, 4 GiB
  m.loadSeg(CS, sel(8));
  m.write(CODE, [
    0x2E, 0x8B, 0x03, // mov eax, cs:[ebx]
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(3), [0, CODE, sel(8)]);
});

test('flat segments keep their rights: a write through a flat read-only DS is #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(0, 0xFFFFF, ACC_P | ACC_S, FLAG_G | FLAG_DB)); // read-only, 4 GiB
  m.loadSeg(DS, sel(8));
  m.write(CODE, [
    0x89, 0x03, // mov [ebx], eax
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.cpu.reg32[EAX] = 0x1234;
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(2), [0, CODE]);
  assert.equal(m.r32(DATA), 0);
});

test('segment limit: a dword that ends past the limit is #GP(0); one that ends on it is fine', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(DATA, 0xFFF, ACC_P | ACC_S | ACC_WRITE, FLAG_DB)); // byte-granular, limit 0xFFF
  m.loadSeg(DS, sel(8));
  m.write(CODE, [
    0xA1, 0xFC, 0x0F, 0x00, 0x00, // mov eax, [0xffc]   (bytes 0xffc..0xfff: inside)
    0xA1, 0xFE, 0x0F, 0x00, 0x00, // mov eax, [0xffe]   (bytes 0xffe..0x1001: beyond)
  ]);
  m.w32(DATA + 0xFFC, 0x11223344);
  m.run();
  assert.equal(m.cpu.reg32[EAX], 0x11223344);
  assertFault(m, GP, 0, CODE + 5);
});

test('stack limit: a PUSH at or below an expand-down SS limit is #SS(0)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  // Ring-3 expand-down stack, B = 1: valid offsets are 0x1001..0xFFFFFFFF.
  m.setGdt(8, segment(0, 0x1000, ACC_P | dpl(3) | ACC_S | ACC_WRITE | ACC_EXPAND_DOWN, FLAG_DB));
  m.loadSeg(SS, sel(8, 3));
  m.cpu.reg32[ESP] = 0x1008;
  m.cpu.reg32[EAX] = 0x77;
  m.write(USER_CODE, [
    0x50, // push eax   (ESP 0x1008 → 0x1004: inside)
    0x50, // push eax   (the dword at 0x1000 touches the limit: outside)
  ]);
  m.run();
  assert.ok(m.inHandler(SS_FAULT));
  assert.equal(m.r32(0x1004), 0x77);
  // The handler runs on the TSS stack: error code, EIP, CS, EFLAGS, ESP, SS of ring 3.
  assert.deepEqual(m.stack(6), [0, USER_CODE + 1, UCODE, FAULT_EFLAGS, 0x1004, sel(8, 3)]);
});

test('SS-relative access beyond the SS limit is #SS(0); the same through ES is #GP(0)', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.setGdt(8, segment(DATA, 0xFF, ACC_P | dpl(3) | ACC_S | ACC_WRITE, FLAG_DB)); // 256-byte ring-3 data
  m.loadSeg(SS, sel(8, 3));
  m.loadSeg(ES, sel(8, 3));
  m.cpu.reg32[ESP] = 0x80;
  m.cpu.reg32[EBX] = 0x100;
  m.write(USER_CODE, [
    0x36, 0x8B, 0x03, // mov eax, ss:[ebx]
  ]);
  m.run();
  assert.ok(m.inHandler(SS_FAULT));
  assert.deepEqual(m.stack(2), [0, USER_CODE]);

  const m2 = new Machine();
  m2.enterProtected({ cs: UCODE });
  m2.setGdt(8, segment(DATA, 0xFF, ACC_P | dpl(3) | ACC_S | ACC_WRITE, FLAG_DB));
  m2.loadSeg(ES, sel(8, 3));
  m2.cpu.reg32[EBX] = 0x100;
  m2.write(USER_CODE, [
    0x26, 0x8B, 0x03, // mov eax, es:[ebx]
  ]);
  m2.run();
  assert.ok(m2.inHandler(GP));
  assert.deepEqual(m2.stack(2), [0, USER_CODE]);
});

test('expand-down data segment: offsets above the limit are valid, at or below it #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(DATA, 0x0FFF, ACC_P | ACC_S | ACC_WRITE | ACC_EXPAND_DOWN, 0)); // 16-bit: 0x1000..0xFFFF
  m.loadSeg(DS, sel(8));
  m.write(CODE, [
    0x8B, 0x03,       // mov eax, [ebx]   EBX = 0x1000: valid
    0x8B, 0x01,       // mov eax, [ecx]   ECX = 0xFFFC: valid (ends at 0xFFFF)
    0x8B, 0x02,       // mov eax, [edx]   EDX = 0x0FFF: at the limit: #GP(0)
  ]);
  m.w32(DATA + 0x1000, 0x10001000);
  m.w32(DATA + 0xFFFC, 0x0000FFFC);
  m.cpu.reg32[EBX] = 0x1000; m.cpu.reg32[ECX] = 0xFFFC; m.cpu.reg32[EDX] = 0xFFF;
  m.run(1);
  assert.equal(m.cpu.reg32[EAX], 0x10001000);
  m.run(1);
  assert.equal(m.cpu.reg32[EAX], 0xFFFC);
  m.run();
  assertFault(m, GP, 0, CODE + 4);
});

test('expand-down 16-bit segment: a dword crossing 0xFFFF is #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(DATA, 0x0FFF, ACC_P | ACC_S | ACC_WRITE | ACC_EXPAND_DOWN, 0));
  m.loadSeg(DS, sel(8));
  m.write(CODE, [
    0x8B, 0x03, // mov eax, [ebx]   EBX = 0xFFFE: bytes up to 0x10001
  ]);
  m.cpu.reg32[EBX] = 0xFFFE;
  m.run();
  assertFault(m, GP, 0, CODE);
});

test('MOV to CS is #UD', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x8E, 0xC9, // mov cs, ecx
  ]);
  m.cpu.reg32[ECX] = KCODE;
  m.run();
  assert.ok(m.inHandler(UD));
});

test('LDS / LES / LFS / LGS / LSS load the pointer from memory', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, data32(0, DATA));
  const ptr = DATA + 0x100;
  m.w32(ptr, 0x12345678); m.w16(ptr + 4, sel(8));
  m.write(CODE, [
    0xC5, 0x33,       // lds esi, [ebx]
    0xC4, 0x3B,       // les edi, [ebx]     (DS is now based at DATA: EBX = 0x100)
    0x0F, 0xB4, 0x0B, // lfs ecx, [ebx]
    0x0F, 0xB5, 0x13, // lgs edx, [ebx]
    0x0F, 0xB2, 0x23, // lss esp, [ebx]
    0xEB, 0xFE,       // jmp $
  ]);
  m.w32(DATA + 0x100, 0x12345678); m.w16(DATA + 0x104, sel(8));
  m.cpu.reg32[EBX] = ptr;
  m.run(1);
  assert.equal(m.cpu.segSel[DS], sel(8));
  assert.equal(m.cpu.reg32[ESI], 0x12345678);
  m.cpu.reg32[EBX] = 0x100;
  m.run(5);
  for (const s of [ES, FS, GS, SS]) assert.equal(m.cpu.segSel[s], sel(8));
  assert.equal(m.cpu.reg32[EDI], 0x12345678);
  assert.equal(m.cpu.reg32[ECX], 0x12345678);
  assert.equal(m.cpu.reg32[EDX], 0x12345678);
  assert.equal(m.cpu.reg32[ESP], 0x12345678);
  assert.equal(m.cpu.segBase[SS], DATA);
});

test('LDS with a bad selector faults and leaves the register and DS unchanged', () => {
  const m = new Machine();
  m.enterProtected();
  m.w32(DATA, 0x12345678); m.w16(DATA + 4, sel(64));
  m.write(CODE, [
    0xC5, 0x33, // lds esi, [ebx]
  ]);
  m.cpu.reg32[EBX] = DATA;
  m.run();
  assertFault(m, GP, sel(64));
  assert.equal(m.cpu.reg32[ESI], 0);
  assert.equal(m.cpu.segSel[DS], KDATA);
});

test('POP DS with a bad selector: #GP(selector) and ESP is not incremented', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x51, // push ecx
    0x1F, // pop ds
  ]);
  m.cpu.reg32[ECX] = sel(64);
  m.run();
  assert.ok(m.inHandler(GP));
  // Frame: error code, EIP, CS, EFLAGS, then the pushed selector (ESP was not moved by the POP).
  assert.deepEqual(m.stack(5), [sel(64), CODE + 1, KCODE, FAULT_EFLAGS, sel(64)]);
});

test('PUSH DS / POP ES in 32-bit code move a selector through a dword slot', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x1E,       // push ds
    0x07,       // pop es
    0x0F, 0xA0, // push fs
    0xEB, 0xFE, // jmp $
  ]);
  m.w32(KSTACK_TOP - 8, 0xFFFFFFFF);
  m.run(3);
  assert.equal(m.cpu.segSel[ES], KDATA);
  assert.equal(m.cpu.reg32[ESP], KSTACK_TOP - 4);
  assert.equal(m.r16(KSTACK_TOP - 4), KDATA);
});

test('LDT: LLDT then a TI = 1 selector loads from the LDT', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, systemSegment(LDT, 0x7F, TYPE_LDT));
  m.setLdt(2, data32(0, DATA));
  m.write(CODE, [
    0x0F, 0x00, 0xD0, // lldt ax
    0x8E, 0xD9,       // mov ds, ecx
    0x8B, 0x03,       // mov eax, [ebx]
    0xEB, 0xFE,       // jmp $
  ]);
  m.cpu.reg32[EAX] = sel(8);
  m.cpu.reg32[ECX] = sel(2, 0, true);
  m.cpu.reg32[EBX] = 0x20;
  m.w32(DATA + 0x20, 0xABCD);
  m.run(3);
  assert.equal(m.cpu.ldtrSel, sel(8));
  assert.equal(m.cpu.segSel[DS], sel(2, 0, true));
  assert.equal(m.cpu.reg32[EAX], 0xABCD);
  assert.equal((m.r32(LDT + 2 * 8 + 4) >> 8) & ACC_ACCESSED, ACC_ACCESSED, 'accessed bit set in the LDT');
});

test('LLDT with a selector that is not an LDT descriptor: #GP(selector)', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x0F, 0x00, 0xD0, // lldt ax
  ]);
  m.cpu.reg32[EAX] = KDATA;
  m.run();
  assertFault(m, GP, KDATA);
});

test('ARPL raises the RPL of the destination and sets ZF; otherwise clears ZF', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0x63, 0xD8, // arpl ax, bx
    0x63, 0xD1, // arpl cx, dx
    0xEB, 0xFE, // jmp $
  ]);
  m.cpu.reg32[EAX] = 0x10; m.cpu.reg32[EBX] = 0x23;
  m.cpu.reg32[ECX] = 0x13; m.cpu.reg32[EDX] = 0x22;
  m.run(1);
  assert.equal(m.cpu.reg32[EAX], 0x13);
  assert.equal(m.cpu.getEflags() & 0x40, 0x40);
  m.run(1);
  assert.equal(m.cpu.reg32[ECX], 0x13);
  assert.equal(m.cpu.getEflags() & 0x40, 0);
});

test('16-bit protected mode: a D = 0 code segment decodes 16-bit operands; 66h selects 32-bit', () => {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, [
    0xEA, 0x00, 0x80, 0x00, 0x00, 0x30, 0x00, // jmp 0x30:0x8000   (KCODE16, base 0)
  ]);
  m.write(0x8000, [
    0x8E, 0xD2,                         // mov ss, dx         (KDATA16: SP-based stack)
    0xBC, 0x00, 0x70,                   // mov sp, 0x7000
    0xB8, 0x34, 0x12,                   // mov ax, 0x1234
    0x50,                               // push ax
    0x66, 0xB9, 0xEF, 0xCD, 0xAB, 0x89, // mov ecx, 0x89abcdef
    0xE8, 0x02, 0x00,                   // call fn  (+2)
    0xEB, 0xFE,                         // jmp $
    0x89, 0xE6,                         // fn: mov si, sp
    0x8B, 0x14,                         // mov dx, [si]       (the return IP)
    0xC3,                               // ret
  ]);
  m.cpu.reg32[EDX] = KDATA16;
  m.cpu.reg32[ESP] = 0xABCD0000 | 0;
  m.run(12);
  assert.equal(m.cpu.segSel[CS], KCODE16);
  assert.equal(m.cpu.codeSize32, false);
  assert.equal(m.cpu.stackSize32, false);
  assert.equal(m.cpu.eip, 0x8012, 'at the jmp $ after the call returned');
  assert.equal(m.cpu.reg32[EAX] & 0xFFFF, 0x1234);
  assert.equal(m.cpu.reg32[ECX] >>> 0, 0x89ABCDEF);
  assert.equal(m.cpu.reg32[EDX] & 0xFFFF, 0x8012, 'CALL pushed a 16-bit return address');
  assert.equal(m.cpu.reg32[ESP] & 0xFFFF, 0x6FFE);
  assert.equal(m.r16(0x6FFE), 0x1234);
});

test('fetch beyond the CS limit: #GP(0)', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(CODE, 0x3, ACC_P | ACC_S | ACC_CODE | ACC_READ, FLAG_DB)); // 4 bytes of code
  m.loadSeg(CS, sel(8));
  m.cpu.eip = 0;
  m.write(CODE, [
    0x90,                   // nop
    0x90,                   // nop
    0xB8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1   (crosses the limit)
  ]);
  m.run();
  assert.equal(m.cpu.lastException?.vector, GP);
  assert.deepEqual(m.stack(3), [0, 2, sel(8)]);
  assert.equal(m.cpu.reg32[EAX], 0);
});

test('near JMP beyond the CS limit: #GP(0) at the JMP', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(0, 0x1FFFF, ACC_P | ACC_S | ACC_CODE | ACC_READ, FLAG_DB)); // limit 0x1FFFF
  m.loadSeg(CS, sel(8));
  m.write(CODE, [
    0xFF, 0xE0, // jmp eax
  ]);
  m.cpu.reg32[EAX] = 0x20000;
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(3), [0, CODE, sel(8)]);
});

test('RET to an offset beyond the CS limit: #GP(0), ESP not popped', () => {
  const m = new Machine();
  m.enterProtected();
  m.setGdt(8, segment(0, 0x1FFFF, ACC_P | ACC_S | ACC_CODE | ACC_READ, FLAG_DB));
  m.loadSeg(CS, sel(8));
  m.w32(KSTACK_TOP - 4, 0x20000);
  m.cpu.reg32[ESP] = KSTACK_TOP - 4;
  m.write(CODE, [
    0xC3, // ret
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(5), [0, CODE, sel(8), FAULT_EFLAGS, 0x20000], 'the return address is still on the stack');
});

test('far CALL whose pushes hit the stack limit: #SS(0), ESP and CS unchanged', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.setGdt(8, segment(0, 0x1000, ACC_P | dpl(3) | ACC_S | ACC_WRITE | ACC_EXPAND_DOWN, FLAG_DB)); // valid above 0x1000
  m.loadSeg(SS, sel(8, 3));
  m.cpu.reg32[ESP] = 0x1006; // room for one dword only
  m.write(USER_CODE, [
    0x9A, 0x00, 0x01, 0x02, 0x00, 0x1B, 0x00, // call 0x1b:0x20100
  ]);
  m.run();
  assert.ok(m.inHandler(SS_FAULT));
  assert.deepEqual(m.stack(6), [0, USER_CODE, UCODE, FAULT_EFLAGS, 0x1006, sel(8, 3)]);
});
