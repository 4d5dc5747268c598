// The audit's trap-and-emulate model as a pure function on synthetic guest states: what running the
// kernel deprivileged at ring 1 (monitor's IOPL 0, IF 1, tables and CR0; DPL-compressed shadow
// descriptors) would have got wrong, and nothing where it agrees with bare hardware or traps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trapAndEmulateProblem, deprivilegedCpl, MONITOR_MSW, type AuditedInstruction } from '../../../engine/hv/audit/trap-and-emulate-model.js';

const IF = 0x200, IOPL3 = 0x3000;

function at(overrides: Partial<AuditedInstruction>): AuditedInstruction {
  return {
    handler: 'popf', mnemonic: 'popfd', mode: 'protected', cplBefore: 0, cplAfter: 0, flagsBefore: 0x2, flagsAfter: 0x2,
    cr0: 0x11, cr4: 0, gdtr: { base: 0x1000, limit: 0x37 }, idtr: { base: 0x2000, limit: 0x7FF }, ldtrSelector: 0, trSelector: 0x28,
    ...overrides,
  };
}

test('the kernel is deprivileged to ring 1; other rings stay', () => {
  assert.deepEqual([0, 1, 2, 3].map(deprivilegedCpl), [1, 1, 2, 3]);
});

test('POPF: an IF or IOPL change at CPL 0 is silently ignored at CPL 1; no change, no finding', () => {
  assert.equal(trapAndEmulateProblem(at({ flagsAfter: 0x2 | IF })), 'POPFD: IF change (0→1) silently ignored at CPL 1');
  assert.equal(trapAndEmulateProblem(at({ flagsBefore: 0x2 | IF, flagsAfter: 0x2 | IOPL3 })),
    'POPFD: IF change (1→0) and IOPL change (0→3) silently ignored at CPL 1');
  assert.equal(trapAndEmulateProblem(at({ flagsBefore: 0x2 | IF, flagsAfter: 0x2 | IF | 0x1 })), undefined, 'arithmetic flags only');
  // At CPL 3 with IOPL 3 the guest may change IF; the monitor's IOPL 0 drops it.
  assert.equal(trapAndEmulateProblem(at({ cplBefore: 3, cplAfter: 3, flagsBefore: 0x2 | IOPL3, flagsAfter: 0x2 | IOPL3 | IF })),
    'POPFD: IF change (0→1) silently ignored at CPL 3');
});

test('PUSHF leaks the monitor\'s IF and IOPL; IRET to the same ring traps (no finding), to ring 3 drops IF', () => {
  assert.equal(trapAndEmulateProblem(at({ handler: 'pushf', mnemonic: 'pushfd', flagsBefore: 0x2 | IF })), undefined);
  assert.equal(trapAndEmulateProblem(at({ handler: 'pushf', mnemonic: 'pushf', flagsBefore: 0x2 | IF | IOPL3 })),
    'PUSHF pushes IOPL 0 (the monitor\'s), not the guest\'s IOPL 3');
  assert.equal(trapAndEmulateProblem(at({ handler: 'iret', mnemonic: 'iretd', flagsAfter: 0x2 | IF })), undefined);
  assert.equal(trapAndEmulateProblem(at({ handler: 'iret', mnemonic: 'iretd', cplAfter: 3, flagsAfter: 0x2 | IF })),
    'IRETD: IF change (0→1) silently ignored at CPL 1');
});

test('descriptor-table and CR0 reads return the monitor\'s values', () => {
  assert.equal(trapAndEmulateProblem(at({ handler: 'sgdt', mnemonic: 'sgdt', cplBefore: 3 })),
    'SGDT returns the monitor\'s GDTR, not the guest\'s (base 0x1000, limit 0x37)');
  assert.equal(trapAndEmulateProblem(at({ handler: 'sidt', mnemonic: 'sidt', mode: 'real' })),
    'SIDT returns the monitor\'s IDTR, not the guest\'s (base 0x2000, limit 0x7ff)', 'real mode too');
  assert.equal(trapAndEmulateProblem(at({ handler: 'str', mnemonic: 'str' })), 'STR returns the monitor\'s TR selector, not the guest\'s 0x28');
  assert.equal(trapAndEmulateProblem(at({ handler: 'smsw', mnemonic: 'smsw', mode: 'real', cr0: 0x10 })),
    'SMSW returns the monitor\'s CR0 bits 0-15 (0x33: PE=1, MP=1, NE=1), not the guest\'s 0x10');
  assert.equal(trapAndEmulateProblem(at({ handler: 'smsw', mnemonic: 'smsw', cr0: 0x80000000 | MONITOR_MSW })), undefined);
});

test('selectors reveal RPL 1 only for the kernel\'s CS and SS', () => {
  assert.equal(trapAndEmulateProblem(at({ handler: 'push', mnemonic: 'push cs', revealedSegment: 1 })),
    'PUSH CS reveals RPL 1: the deprivileged kernel runs at CPL 1');
  assert.equal(trapAndEmulateProblem(at({ handler: 'movsr', mnemonic: 'mov from ss', revealedSegment: 2 })),
    'MOV from SS reveals RPL 1: the deprivileged kernel runs at CPL 1');
  assert.equal(trapAndEmulateProblem(at({ handler: 'push', mnemonic: 'push ds', revealedSegment: 3 })), undefined);
  assert.equal(trapAndEmulateProblem(at({ handler: 'push', mnemonic: 'push cs', revealedSegment: 1, cplBefore: 3, cplAfter: 3 })), undefined);
  assert.equal(trapAndEmulateProblem(at({ handler: 'movsr', mnemonic: 'mov to ss' })), undefined, 'a load reveals nothing');
  assert.equal(trapAndEmulateProblem(at({ handler: 'callf', mnemonic: 'call far' })), 'CALL FAR pushes a return CS with RPL 1, not 0');
});

test('LAR/LSL see the shadow descriptors; RDTSC/RDPMC/CPUID the host; v86 is out of the model', () => {
  assert.match(trapAndEmulateProblem(at({ handler: 'lar', mnemonic: 'lar', result: 0x00C09B00 }))!, /^LAR reports DPL 1 for a DPL 0 descriptor/);
  assert.equal(trapAndEmulateProblem(at({ handler: 'lar', mnemonic: 'lar', result: 0x00C0FB00 })), undefined, 'DPL 3');
  assert.equal(trapAndEmulateProblem(at({ handler: 'lar', mnemonic: 'lar' })), undefined, 'ZF=0: nothing read');
  assert.equal(trapAndEmulateProblem(at({ handler: 'lsl', mnemonic: 'lsl', result: 0xFFFF })), undefined);
  assert.equal(trapAndEmulateProblem(at({ handler: 'lsl', mnemonic: 'lsl', result: 0xFFFFFFFF })),
    'LSL returns the shadow segment\'s truncated limit 0xffbfffff, not 0xffffffff');
  assert.equal(trapAndEmulateProblem(at({ handler: 'rdtsc', mnemonic: 'rdtsc' })), 'RDTSC reads the host\'s time-stamp counter, not the guest\'s');
  assert.equal(trapAndEmulateProblem(at({ handler: 'rdtsc', mnemonic: 'rdtsc', cr4: 1 << 2 })), undefined, 'CR4.TSD: it traps');
  assert.equal(trapAndEmulateProblem(at({ handler: 'rdpmc', mnemonic: 'rdpmc' })), undefined, 'CR4.PCE clear: it traps');
  assert.match(trapAndEmulateProblem(at({ handler: 'cpuid', mnemonic: 'cpuid', cplBefore: 3 }))!, /^CPUID reports the host processor/);
  assert.equal(trapAndEmulateProblem(at({ handler: 'sgdt', mnemonic: 'sgdt', mode: 'v86' })), undefined);
  assert.equal(trapAndEmulateProblem(at({ handler: 'verr', mnemonic: 'verr' })), undefined);
  assert.equal(trapAndEmulateProblem(at({ handler: 'pushf', mnemonic: 'pushf', mode: 'real' })), undefined, 'traps in virtual-8086 mode');
});
