// The bt-holes guest: every sensitive-unprivileged instruction at ring 0 and ring 3 sees bare-hardware
// results under hw and under bt (identical serial output, all PASS); under bt the translator's
// callouts inside the probe code come in the guest's exact order; the audit reports the same
// trap-and-emulate findings under both strategies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGuest, type GuestRun } from './run-guest.js';
import type { AuditEvent, CalloutEvent } from '../../../engine/hv/vm-event.js';

const KERNEL = 'guests/bt-holes/kernel.elf';

/** The sensitive-unprivileged instructions of run_probes (probes.S) in execution order, at any ring. */
const PROBE_SEQUENCE = [
  'pushfd', 'popfd', 'pushfd', 'popfd', 'popfd', 'pushfd', 'popfd',         // PUSHFD / POPFD IF / POPFD IOPL
  'sgdt', 'sidt', 'sldt', 'str', 'smsw',
  'lar', 'lar', 'lsl', 'verr', 'verw', 'verw',
  'push cs', 'mov from cs', 'push ss', 'mov from ss',                        // reading CS and SS
  'push ds', 'pop ds', 'mov from ds', 'push es', 'pop es', 'mov from es',
  'push fs', 'pop fs', 'mov from fs', 'push gs', 'pop gs', 'mov from gs',
  'mov to ds', 'mov from ds', 'mov to ss', 'mov from ss',
  'lds', 'mov from ds', 'les', 'mov from es', 'lfs', 'mov from fs', 'lgs', 'mov from gs', 'lss', 'mov from ss',
  'arpl',
  'call far', 'retf', 'jmp far',
  'iretd', 'pushfd', 'popfd',
  'cpuid', 'rdtsc', 'rdtsc',
];

function probeCallouts(run: GuestRun, cpl: number): CalloutEvent[] {
  const start = run.symbols.get('run_probes'), end = run.symbols.get('probes_end');
  assert.ok(start !== undefined && end !== undefined, 'run_probes and probes_end are in the symbol table');
  return run.events.filter((e): e is CalloutEvent => e.kind === 'callout' && e.cpl === cpl && e.eip >= start && e.eip < end);
}

const hw = runGuest(KERNEL, 'hw', { events: true, audit: true });
const bt = runGuest(KERNEL, 'bt', { events: true, audit: true });

test('bt-holes passes every check under hw and under bt, with identical serial output', () => {
  for (const run of [hw, bt]) {
    assert.equal(run.stop, 'halted');
    assert.doesNotMatch(run.serial, /FAIL/);
    assert.match(run.serial, /bt-holes: 84 passed, 0 failed\n/);
    assert.match(run.serial, /PASS ring3 sgdt base = 0x[0-9a-f]+\n/);
    assert.match(run.serial, /PASS ring3 popfd sets IF = 0x0\n/);      // IF change ignored at CPL 3, as on hardware
    assert.match(run.serial, /PASS ring0 popfd sets IF = 0x200\n/);
  }
  assert.equal(bt.serial, hw.serial);
});

test('under bt, the ring-0 and ring-3 probes reach the monitor as callouts in the guest\'s order', () => {
  for (const cpl of [0, 3]) {
    const callouts = probeCallouts(bt, cpl).filter((e) => e.sensitivity === 'sensitive-unprivileged');
    assert.deepEqual(callouts.map((e) => e.mnemonic), PROBE_SEQUENCE, `CPL ${cpl}`);
    const sgdt = callouts.find((e) => e.mnemonic === 'sgdt')!;
    assert.deepEqual(sgdt.instructionBytes, [0x0F, 0x01, 0x04, 0x24]);   // sgdt (%esp)
    assert.equal(sgdt.why, 'reads GDTR, which the monitor owns, without trapping');
    assert.equal(sgdt.mode, 'protected');
  }
  // No privileged instruction runs inside the probes, and hw reports no callouts at all.
  assert.deepEqual(probeCallouts(bt, 0).filter((e) => e.sensitivity === 'privileged'), []);
  assert.equal(hw.events.filter((e) => e.kind === 'callout').length, 0);
});

test('bt counts each callout site and the translator\'s scan', () => {
  const figures = (bt.vm.strategy as import('../../../engine/hv/bt/bt-strategy.js').BtStrategy).translationCache();
  const start = bt.symbols.get('run_probes')!;
  const sgdtSites = figures.sites.filter((s) => s.mnemonic === 'sgdt' && s.linearEip >= start);
  assert.equal(sgdtSites.length, 1);
  assert.equal(sgdtSites[0].executions, 2, 'once at ring 0, once at ring 3');
  assert.equal(figures.calloutsExecuted, bt.events.filter((e) => e.kind === 'callout').length);
  assert.ok(figures.instructionsScanned > 200 && figures.runsScanned > 20 && figures.runsScanned < figures.instructionsScanned);
});

test('the audit reports what trap-and-emulate would get wrong, the same under hw and bt', () => {
  const findings = (run: GuestRun, cpl: number) => {
    const start = run.symbols.get('run_probes')!, end = run.symbols.get('probes_end')!;
    return run.events.filter((e): e is AuditEvent => e.kind === 'audit' && e.cpl === cpl && e.eip >= start && e.eip < end)
      .map((e) => e.problem.replace(`base 0x${run.symbols.get('gdt')!.toString(16)}`, 'base GDT').replace(`base 0x${run.symbols.get('idt')!.toString(16)}`, 'base IDT'));
  };
  assert.deepEqual(findings(bt, 0), findings(hw, 0));
  assert.deepEqual(findings(bt, 3), findings(hw, 3));
  assert.deepEqual(findings(bt, 0), [
    'PUSHFD pushes IF=1 (the monitor\'s) while the guest has IF=0',
    'POPFD: IF change (0→1) silently ignored at CPL 1',
    'POPFD: IF change (1→0) silently ignored at CPL 1',
    'POPFD: IOPL change (0→3) silently ignored at CPL 1',
    'PUSHFD pushes IF=1 (the monitor\'s) while the guest has IF=0 and IOPL 0 (the monitor\'s), not the guest\'s IOPL 3',
    'POPFD: IOPL change (3→0) silently ignored at CPL 1',
    'SGDT returns the monitor\'s GDTR, not the guest\'s (base GDT, limit 0x37)',
    'SIDT returns the monitor\'s IDTR, not the guest\'s (base IDT, limit 0x7ff)',
    'SLDT returns the monitor\'s LDTR selector, not the guest\'s 0x30',
    'STR returns the monitor\'s TR selector, not the guest\'s 0x28',
    'SMSW returns the monitor\'s CR0 bits 0-15 (0x33: MP=1, NE=1), not the guest\'s 0x11',
    'LAR reports DPL 1 for a DPL 0 descriptor (the monitor\'s shadow descriptors compress DPL 0 to 1)',
    'LSL returns the shadow segment\'s truncated limit 0xffbfffff, not 0xffffffff',
    'PUSH CS reveals RPL 1: the deprivileged kernel runs at CPL 1',
    'MOV from CS reveals RPL 1: the deprivileged kernel runs at CPL 1',
    'PUSH SS reveals RPL 1: the deprivileged kernel runs at CPL 1',
    'MOV from SS reveals RPL 1: the deprivileged kernel runs at CPL 1',
    'MOV from SS reveals RPL 1: the deprivileged kernel runs at CPL 1',
    'MOV from SS reveals RPL 1: the deprivileged kernel runs at CPL 1',
    'CALL FAR pushes a return CS with RPL 1, not 0',
    'POPFD: IF change (1→0) silently ignored at CPL 1',
    'CPUID reports the host processor\'s identity and features, not the virtual CPU\'s',
    'RDTSC reads the host\'s time-stamp counter, not the guest\'s',
    'RDTSC reads the host\'s time-stamp counter, not the guest\'s',
  ]);
  // At ring 3 the selectors and POPF agree with trap-and-emulate; the table reads and IF=0 still leak.
  assert.deepEqual(findings(bt, 3).map((p) => p.split(' ')[0]),
    ['PUSHFD', 'PUSHFD', 'PUSHFD', 'SGDT', 'SIDT', 'SLDT', 'STR', 'SMSW', 'PUSHFD', 'CPUID', 'RDTSC', 'RDTSC']);
  const tally = bt.audit!.tally();
  const popf = tally.find((t) => t.mnemonic === 'popfd')!;
  assert.ok(popf.executions >= 10 && popf.findings === 5, JSON.stringify(popf));
  assert.equal(popf.firstProblem, 'POPFD: IF change (0→1) silently ignored at CPL 1');
});
