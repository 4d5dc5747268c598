// System instructions in protected mode: SGDT/SIDT/SLDT/STR/SMSW (and that ring 3 may run them), LTR
// and the busy bit, LAR/LSL/VERR/VERW, CPUID, RDTSC and the TSC MSR, RDMSR/WRMSR, CLTS/LMSW/WAIT,
// MOV DR, INVD/WBINVD, INT1, UD2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Machine, CODE, USER_CODE, KCODE, KDATA, UCODE, UDATA, TSS_SEL, TSS_LIMIT, GDT, GDT_LIMIT, IDT, IDT_LIMIT,
  DATA, LDT,
} from '../helpers/machine.js';
import {
  segment, sel, gate, systemSegment, ACC_P, ACC_S, ACC_CODE, ACC_READ, ACC_CONFORMING, FLAG_G, FLAG_DB, TYPE_TSS32,
  TYPE_LDT, TYPE_CALL32, TYPE_INT32, GP, NP, UD, NM, DB, EF_ZF,
} from '../helpers/encode.js';
import { EAX, ECX, EDX, EBX } from '../../../engine/cpu/registers.js';

/** Runs code at ring 0 (or ring 3) until it reaches its final `jmp $` (max instructions). */
function runCode(code: readonly number[], setup?: (m: Machine) => void, ring3 = false, max = 20): Machine {
  const m = new Machine();
  m.enterProtected(ring3 ? { cs: UCODE } : {});
  setup?.(m);
  m.write(ring3 ? USER_CODE : CODE, [...code, 0xEB, 0xFE]); // … jmp $
  m.run(max);
  return m;
}
const zf = (m: Machine): boolean => (m.cpu.getEflags() & EF_ZF) !== 0;

// ---- table-register stores ----

test('SGDT / SIDT store the 16-bit limit and the 32-bit base', () => {
  const m = runCode([
    0x0F, 0x01, 0x03,       // sgdt [ebx]
    0x0F, 0x01, 0x4B, 0x08, // sidt [ebx+8]
  ], (mm) => { mm.cpu.reg32[EBX] = DATA; });
  assert.equal(m.r16(DATA), GDT_LIMIT);
  assert.equal(m.r32(DATA + 2), GDT);
  assert.equal(m.r16(DATA + 8), IDT_LIMIT);
  assert.equal(m.r32(DATA + 10), IDT);
});

test('SGDT with a 16-bit operand size stores a 24-bit base and a zero sixth byte', () => {
  const m = runCode([
    0x66, 0x0F, 0x01, 0x03, // sgdtw [ebx]
  ], (mm) => { mm.cpu.reg32[EBX] = DATA; mm.cpu.gdtrBase = 0x12345678; mm.w32(DATA + 2, -1); });
  assert.equal(m.r32(DATA + 2), 0x00345678);
});

test('SGDT, SMSW and STR are sensitive but unprivileged: ring 3 reads the real values', () => {
  const m = runCode([
    0x0F, 0x01, 0x03,       // sgdt [ebx]
    0x0F, 0x01, 0xE2,       // smsw edx
    0x0F, 0x00, 0xC8,       // str eax
  ], (mm) => { mm.cpu.reg32[EBX] = DATA; }, true);
  assert.equal(m.cpu.lastException, undefined);
  assert.equal(m.r32(DATA + 2), GDT);
  assert.equal(m.cpu.reg32[EDX] & 1, 1, 'SMSW shows CR0.PE to ring 3');
  assert.equal(m.cpu.reg32[EAX], TSS_SEL);
});

test('SMSW to memory stores the low 16 bits of CR0', () => {
  const m = runCode([
    0x0F, 0x01, 0x63, 0x10, // smsw [ebx+0x10]
  ], (mm) => { mm.cpu.reg32[EBX] = DATA; mm.cpu.cr0 = 0x8005003B | 0; mm.w32(DATA + 0x10, -1); });
  assert.equal(m.r32(DATA + 0x10), 0xFFFF003B);
});

test('SLDT and STR with a 16-bit register operand', () => {
  const m = runCode([
    0x0F, 0x00, 0xD0,       // lldt ax
    0x66, 0x0F, 0x00, 0xC0, // sldt ax
    0x66, 0x0F, 0x00, 0xC9, // str cx
  ], (mm) => {
    mm.setGdt(8, systemSegment(LDT, 0x7F, TYPE_LDT));
    mm.cpu.reg32[EAX] = sel(8) | 0x12340000; mm.cpu.reg32[ECX] = 0x56780000;
  });
  assert.equal(m.cpu.ldtrSel, sel(8));
  assert.equal(m.cpu.reg32[EAX], 0x12340000 | sel(8));
  assert.equal(m.cpu.reg32[ECX], 0x56780000 | TSS_SEL);
});

// ---- LTR ----

test('LTR loads TR from an available TSS and marks the descriptor busy', () => {
  const m = runCode([
    0x0F, 0x00, 0xD8, // ltr ax
    0x0F, 0x00, 0xC9, // str ecx
  ], (mm) => {
    mm.setGdt(9, systemSegment(DATA, 0x67, TYPE_TSS32));
    mm.cpu.reg32[EAX] = sel(9);
  });
  assert.equal(m.cpu.trSel, sel(9));
  assert.equal(m.cpu.trBase, DATA);
  assert.equal(m.cpu.trLimit, 0x67);
  assert.equal(m.cpu.reg32[ECX], sel(9));
  assert.equal((m.gdtHigh(9) >> 8) & 0xF, 0xB, 'type 9 → 0xB (busy)');
});

for (const [what, setup, vector, code] of [
  ['a busy TSS', (m: Machine) => m.setGdt(9, systemSegment(DATA, 0x67, 0xB)), GP, sel(9)],
  ['a data segment', (m: Machine) => m.setGdt(9, [0x0000FFFF, 0x00CF9200]), GP, sel(9)],
  ['a not-present TSS', (m: Machine) => m.setGdt(9, systemSegment(DATA, 0x67, TYPE_TSS32, 0, false)), NP, sel(9)],
  ['a null selector', (_m: Machine) => undefined, GP, 0],
] as const) {
  test(`LTR with ${what}: ${vector === NP ? '#NP' : '#GP'}(${code ? 'selector' : '0'}), TR unchanged`, () => {
    const m = new Machine();
    m.enterProtected();
    setup(m);
    m.write(CODE, [
      0x0F, 0x00, 0xD8, // ltr ax
    ]);
    m.cpu.reg32[EAX] = code;
    m.run();
    assert.ok(m.inHandler(vector));
    assert.deepEqual(m.stack(2), [code, CODE]);
    assert.equal(m.cpu.trSel, TSS_SEL);
  });
}

// ---- LAR / LSL / VERR / VERW ----

/** Runs `lar eax, ecx` (or another probe given as its bytes) with ECX = selector; EAX starts 0xDEAD. */
function probe(bytes: readonly number[], selector: number, setup?: (m: Machine) => void, ring3 = false): Machine {
  return runCode(bytes, (m) => {
    m.setGdt(8, segment(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE, FLAG_G | FLAG_DB));                    // execute-only
    m.setGdt(9, segment(DATA, 0x1234, ACC_P | ACC_S, 0));                                              // read-only data
    m.setGdt(10, segment(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE | ACC_CONFORMING | ACC_READ, FLAG_G | FLAG_DB)); // conforming
    m.setGdt(11, gate(KCODE, CODE, TYPE_CALL32, 3));
    m.setGdt(12, gate(KCODE, CODE, TYPE_INT32, 3));
    m.cpu.reg32[EAX] = 0xDEAD; m.cpu.reg32[ECX] = selector;
    setup?.(m);
  }, ring3);
}
const LAR = [0x0F, 0x02, 0xC1], LSL = [0x0F, 0x03, 0xC1], VERR = [0x0F, 0x00, 0xE1], VERW = [0x0F, 0x00, 0xE9];

test('LAR of a code segment: access rights masked 0x00F0FF00, ZF = 1', () => {
  const m = probe(LAR, KCODE);
  assert.ok(zf(m));
  assert.equal(m.cpu.reg32[EAX], 0x00C09A00);
});

test('LAR of the busy TSS and of a call gate are valid; an interrupt gate is not', () => {
  let m = probe(LAR, TSS_SEL);
  assert.ok(zf(m));
  assert.equal(m.cpu.reg32[EAX], 0x00008B00);
  m = probe(LAR, sel(11));
  assert.ok(zf(m));
  assert.equal(m.cpu.reg32[EAX], 0x0000EC00);
  m = probe(LAR, sel(12));
  assert.equal(zf(m), false);
  assert.equal(m.cpu.reg32[EAX], 0xDEAD, 'destination unchanged when ZF = 0');
});

test('LAR of a null selector or one beyond the GDT limit: ZF = 0, no fault', () => {
  let m = probe(LAR, 0);
  assert.equal(zf(m), false);
  assert.equal(m.cpu.lastException, undefined);
  m = probe(LAR, sel(64));
  assert.equal(zf(m), false);
  assert.equal(m.cpu.reg32[EAX], 0xDEAD);
  assert.equal(m.cpu.lastException, undefined);
});

test('LAR at CPL 3: a DPL-0 segment is invisible, a conforming one is not', () => {
  let m = probe(LAR, KDATA, undefined, true);
  assert.equal(zf(m), false);
  m = probe(LAR, sel(10, 3), undefined, true);
  assert.ok(zf(m));
  assert.equal(m.cpu.reg32[EAX], 0x00C09E00);
});

test('LSL returns the byte-granular limit (G applied)', () => {
  let m = probe(LSL, KDATA);
  assert.ok(zf(m));
  assert.equal(m.cpu.reg32[EAX] >>> 0, 0xFFFFFFFF);
  m = probe(LSL, sel(9));
  assert.equal(m.cpu.reg32[EAX], 0x1234);
  m = probe(LSL, TSS_SEL);
  assert.equal(m.cpu.reg32[EAX], TSS_LIMIT);
});

test('LSL of a call gate: ZF = 0 (gates have no limit)', () => {
  const m = probe(LSL, sel(11));
  assert.equal(zf(m), false);
  assert.equal(m.cpu.reg32[EAX], 0xDEAD);
});

test('VERR: readable code and data yes, execute-only code no, DPL 0 from ring 3 no', () => {
  assert.ok(zf(probe(VERR, KCODE)));
  assert.ok(zf(probe(VERR, sel(9))));
  assert.equal(zf(probe(VERR, sel(8))), false);
  assert.equal(zf(probe(VERR, KDATA, undefined, true)), false);
  assert.ok(zf(probe(VERR, UDATA, undefined, true)));
  assert.equal(zf(probe(VERR, TSS_SEL)), false);
});

test('VERW: writable data yes, read-only data and code no', () => {
  assert.ok(zf(probe(VERW, KDATA)));
  assert.equal(zf(probe(VERW, sel(9))), false);
  assert.equal(zf(probe(VERW, KCODE)), false);
  assert.equal(zf(probe(VERW, 0)), false);
});

// ---- CPUID, RDTSC, MSRs ----

test('CPUID leaf 0: max leaf 1, "GenuineIntel"', () => {
  const m = runCode([
    0x0F, 0xA2, // cpuid
  ], (mm) => { mm.cpu.reg32[EAX] = 0; });
  const r = m.cpu.reg32;
  assert.equal(r[EAX], 1);
  const text = [r[EBX], r[EDX], r[ECX]].map((v) => String.fromCharCode(v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >>> 24))).join('');
  assert.equal(text, 'GenuineIntel');
});

test('CPUID leaf 1: P6 signature 0x683, the implemented features set, unimplemented ones clear', () => {
  const m = runCode([
    0x0F, 0xA2, // cpuid
  ], (mm) => { mm.cpu.reg32[EAX] = 1; });
  const r = m.cpu.reg32;
  assert.equal(r[EAX], 0x683);
  const edx = r[EDX];
  for (const [bit, name] of [[3, 'PSE'], [4, 'TSC'], [5, 'MSR'], [8, 'CX8'], [9, 'APIC'], [11, 'SEP'], [13, 'PGE'], [15, 'CMOV']] as const) {
    assert.equal((edx >>> bit) & 1, 1, `${name} (bit ${bit}) set`);
  }
  for (const [bit, name] of [[6, 'PAE'], [23, 'MMX'], [25, 'SSE'], [26, 'SSE2']] as const) {
    assert.equal((edx >>> bit) & 1, 0, `${name} (bit ${bit}) clear`);
  }
  assert.equal(r[ECX], 0);
});

test('WRMSR to the TSC then RDTSC: the value counts retired instructions from there', () => {
  const m = runCode([
    0x0F, 0x30, // wrmsr          (ECX = 0x10, EDX:EAX = 0x1:0xFFFFFFFF)
    0x0F, 0x31, // rdtsc
  ], (mm) => { mm.cpu.reg32[ECX] = 0x10; mm.cpu.reg32[EDX] = 1; mm.cpu.reg32[EAX] = -1; }, false, 2);
  assert.equal(m.cpu.reg32[EAX], 0, 'one instruction later: 0x1FFFFFFFF + 1');
  assert.equal(m.cpu.reg32[EDX], 2);
});

test('RDTSC at CPL 3 with CR4.TSD: #GP(0); without TSD it runs', () => {
  const m = new Machine();
  m.enterProtected({ cs: UCODE });
  m.cpu.cr4 = 0x4;
  m.write(USER_CODE, [
    0x0F, 0x31, // rdtsc
  ]);
  m.run();
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(2), [0, USER_CODE]);
  const ok = runCode([0x0F, 0x31], undefined, true); // rdtsc
  assert.equal(ok.cpu.lastException, undefined);
});

test('RDMSR of MTRRCAP answers; RDMSR of an unknown MSR is #GP(0); WRMSR to MTRRCAP is #GP(0)', () => {
  let m = runCode([
    0x0F, 0x32, // rdmsr
  ], (mm) => { mm.cpu.reg32[ECX] = 0xFE; });
  assert.equal(m.cpu.reg32[EAX], 0x508);
  assert.equal(m.cpu.reg32[EDX], 0);
  m = runCode([0x0F, 0x32], (mm) => { mm.cpu.reg32[ECX] = 0xC0000080; }); // rdmsr (EFER: no long mode here)
  assert.ok(m.inHandler(GP));
  assert.deepEqual(m.stack(2), [0, CODE]);
  m = runCode([0x0F, 0x30], (mm) => { mm.cpu.reg32[ECX] = 0xFE; }); // wrmsr
  assert.ok(m.inHandler(GP));
});

test('RDPMC of counter 0 at CPL 0 reads 0; counter 2 is #GP(0)', () => {
  let m = runCode([
    0x0F, 0x33, // rdpmc
  ], (mm) => { mm.cpu.reg32[ECX] = 0; mm.cpu.reg32[EAX] = 7; });
  assert.equal(m.cpu.reg32[EAX], 0);
  m = runCode([0x0F, 0x33], (mm) => { mm.cpu.reg32[ECX] = 2; }); // rdpmc
  assert.ok(m.inHandler(GP));
});

// ---- CR0 task-switched bit, LMSW, WAIT ----

test('CLTS clears CR0.TS; LMSW sets TS and MP but cannot clear PE', () => {
  const m = runCode([
    0x0F, 0x06,       // clts
    0x0F, 0x20, 0xC2, // mov edx, cr0
    0x0F, 0x01, 0xF0, // lmsw ax     (AX = 0x000A: MP|TS, PE clear)
  ], (mm) => { mm.cpu.cr0 |= 0x8; mm.cpu.reg32[EAX] = 0xA; });
  assert.equal(m.cpu.reg32[EDX] & 0x8, 0, 'TS cleared by CLTS');
  assert.equal(m.cpu.cr0 & 0xF, 0xB, 'PE kept, MP and TS set');
  assert.equal(m.cpu.protectedMode, true);
});

test('WAIT with CR0.TS and CR0.MP set: #NM', () => {
  const m = runCode([
    0x9B, // fwait
  ], (mm) => { mm.cpu.cr0 |= 0xA; });
  assert.ok(m.inHandler(NM));
  assert.deepEqual(m.stack(2), [CODE, KCODE], 'no error code');
});

// ---- debug registers, cache control, INT1, UD2 ----

test('MOV DR: DR0 round-trips; DR6 and DR7 read with their fixed bits; DR4 aliases DR6 without CR4.DE', () => {
  const m = runCode([
    0x0F, 0x23, 0xC0, // mov dr0, eax
    0x0F, 0x21, 0xC3, // mov ebx, dr0
    0x0F, 0x21, 0xF1, // mov ecx, dr6
    0x0F, 0x21, 0xE2, // mov edx, dr4
  ], (mm) => { mm.cpu.reg32[EAX] = 0x00C0FFEE; });
  assert.equal(m.cpu.reg32[EBX], 0x00C0FFEE);
  assert.equal(m.cpu.reg32[ECX] & 0xFFFF0FF0, 0xFFFF0FF0 | 0);
  assert.equal(m.cpu.reg32[EDX], m.cpu.reg32[ECX]);
});

test('MOV DR4 with CR4.DE set: #UD', () => {
  const m = runCode([
    0x0F, 0x21, 0xE0, // mov eax, dr4
  ], (mm) => { mm.cpu.cr4 = 0x8; });
  assert.ok(m.inHandler(UD));
});

test('INVD and WBINVD at CPL 0 do nothing visible', () => {
  const m = runCode([
    0x0F, 0x08, // invd
    0x0F, 0x09, // wbinvd
  ], undefined, false, 3);
  assert.equal(m.cpu.eip, CODE + 4);
  assert.equal(m.cpu.lastException, undefined);
});

test('INT1 (ICEBP) delivers #DB as a trap without checking the gate DPL', () => {
  const m = runCode([
    0xF1, // int1
  ], undefined, true);
  assert.ok(m.inHandler(DB));
  assert.deepEqual(m.stack(2), [USER_CODE + 1, UCODE]);
});

test('UD2: #UD with EIP at the UD2', () => {
  const m = runCode([
    0x90,       // nop
    0x0F, 0x0B, // ud2
  ]);
  assert.ok(m.inHandler(UD));
  assert.deepEqual(m.stack(2), [CODE + 1, KCODE]);
});
