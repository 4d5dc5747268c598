// guests/exits-tour under the hw strategy: the exact VM-exit sequence between its two port-0x80
// markers (reason numbers, qualification fields, the control that caused each exit) with KVM's
// default controls, what changes when more controls are switched on, and what the guest saw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { HwStrategy } from '../../engine/hv/hw-strategy.js';
import { ProcControl } from '../../engine/hv/hw/vmx-controls.js';
import { EAX } from '../../engine/cpu/registers.js';
import type { VmEvent } from '../../engine/hv/vm-event.js';

const KERNEL = join(__dirname, '../../guests/exits-tour/kernel.elf');
const IO = 'unconditional I/O exiting (primary processor-based bit 24)';

/** Boots exits-tour, lets configure adjust vCPU 0's control block, runs it to the end. */
function runTour(configure: (hw: HwStrategy) => void = () => {}) {
  const vm = new Vm({ memoryBytes: 16 << 20 });
  loadMultiboot(vm, readFileSync(KERNEL), 'exits-tour', { append: '', modules: [] });
  assert.ok(vm.strategy instanceof HwStrategy);
  configure(vm.strategy);
  const events: VmEvent[] = [];
  const eaxAfter: number[] = [];   // EAX at each event (after the previous exit's outcome took effect)
  vm.onEvent.event((e) => { events.push(e); eaxAfter.push(vm.cpu.reg32[EAX] | 0); });
  let serial = '';
  vm.onOutput.event((o) => { serial += Buffer.from(o.bytes).toString('latin1'); });
  let stop;
  for (let k = 0; k < 100 && !stop; k++) stop = vm.run(1_000_000);
  const marker = (value: number) => events.findIndex((e) => e.kind === 'exit' && e.reason === 30 && e.io.port === 0x80 && e.io.value === value && !e.io.string);
  const start = marker(0xA5), end = marker(0x5A);
  assert.ok(start >= 0 && end > start, 'both markers seen');
  return { vm, stop, serial, tour: events.slice(start, end + 1), eaxAfter: eaxAfter.slice(start, end + 1) };
}

/** The fields a reader checks: reason, cause and the qualification (no times or addresses). */
function summary(e: VmEvent): Record<string, unknown> {
  if (e.kind === 'interrupt') return { interrupt: e.vector, source: e.source };
  if (e.kind !== 'exit') return { kind: e.kind };
  const { kind: _k, vcpu: _v, instructions: _n, cs: _cs, eip: _eip, cpl: _cpl, mode: _m, instructionBytes: _b, ...rest } = e;
  return rest;
}

const out = (port: number, value: number, size = 1) => ({ reason: 30, cause: IO, io: { size, direction: 'out', string: false, rep: false, port, value } });
const inn = (port: number, value: number, size = 1) => ({ reason: 30, cause: IO, io: { size, direction: 'in', string: false, rep: false, port, value } });
const NOT_PRESENT = { read: false, write: false, execute: false, readable: false, writable: false, executable: false };

test('exits-tour under hw with KVM defaults: the exact exit sequence, each with its cause', () => {
  const { tour, stop, eaxAfter } = runTour();
  assert.deepEqual(stop, { kind: 'debug-exit', value: 0x10, status: 33 });
  assert.deepEqual(tour.map(summary), [
    out(0x80, 0xA5),
    { reason: 10, cause: 'unconditional', cpuid: { leaf: 0, subleaf: 0 } },
    inn(0x61, 0x20),
    out(0xCF8, 0x80000000, 4),
    inn(0xCFC, 0xFFFFFFFF, 4),
    { reason: 30, cause: IO, io: { size: 1, direction: 'out', string: true, rep: true, port: 0x80, value: 0x11 } },   // REP OUTSB ×3: one exit
    { reason: 30, cause: IO, io: { size: 1, direction: 'in', string: true, rep: false, port: 0x61, value: 0x20 } },
    { reason: 31, cause: 'MSR bitmap (read low bit 0x1b)', msr: { index: 0x1B } },
    { reason: 32, cause: 'MSR bitmap (write low bit 0x1b)', msr: { index: 0x1B, value: 0xFEE00900n } },
    // SYSENTER_CS write/read, RDTSC, CR0 read, TS and CLTS: no exits
    { reason: 28, cause: 'CR0 guest/host mask bit 1', crAccess: { cr: 0, accessType: 'mov-to-cr', register: 2, oldValue: 0x11, newValue: 0x13 } },
    { reason: 28, cause: 'CR0 guest/host mask bit 1', crAccess: { cr: 0, accessType: 'mov-to-cr', register: 0, oldValue: 0x13, newValue: 0x11 } },
    // CR3 read and write (EPT), CR4.PGE: no exits
    { reason: 28, cause: 'CR4 guest/host mask bit 4', crAccess: { cr: 4, accessType: 'mov-to-cr', register: 2, oldValue: 0x80, newValue: 0x90 } },
    { reason: 28, cause: 'CR4 guest/host mask bit 4', crAccess: { cr: 4, accessType: 'mov-to-cr', register: 0, oldValue: 0x90, newValue: 0 } },
    // INVLPG (EPT): no exit
    { reason: 29, cause: 'MOV-DR exiting (primary processor-based bit 23)', drAccess: { dr: 0, direction: 'to-dr', register: 0 } },
    // MOV from DR0: debug registers passed through until the next exit
    { reason: 10, cause: 'unconditional', cpuid: { leaf: 1, subleaf: 0 } },
    { reason: 29, cause: 'MOV-DR exiting (primary processor-based bit 23)', drAccess: { dr: 0, direction: 'to-dr', register: 5 } },
    { reason: 48, cause: 'EPT entry not present', ept: { ...NOT_PRESENT, read: true, guestPhysical: 0xFEE00030, size: 4, value: 0x40014 } },
    { reason: 48, cause: 'EPT entry not present', ept: { ...NOT_PRESENT, write: true, guestPhysical: 0xB8000, size: 2, value: 0x0721 } },
    { reason: 0, cause: 'exception bitmap bit 6', exception: { vector: 6, detail: 'UD2' } },
    // INT3: #BP is not in the bitmap
    { reason: 12, cause: 'HLT exiting (primary processor-based bit 7)' },
    { reason: 1, cause: 'external-interrupt exiting (pin-based bit 0)', vector: 0x20 },
    { interrupt: 0x20, source: 'external' },
    out(0x20, 0x20),                                                  // the handler's EOI
    { reason: 18, cause: 'unconditional' },
    { reason: 54, cause: 'WBINVD exiting (secondary processor-based bit 6)' },
    { reason: 13, cause: 'unconditional' },
    // PAUSE, RDTSC: no exits
    out(0x80, 0x5A),
  ]);
  const bytes = (k: number) => (tour[k].kind === 'exit' ? tour[k].instructionBytes : []);
  assert.deepEqual(bytes(1), [0x0F, 0xA2], 'CPUID');
  assert.deepEqual(bytes(5), [0xF3, 0x6E], 'REP OUTSB');
  assert.deepEqual(bytes(7), [0x0F, 0x32], 'RDMSR');
  assert.deepEqual(bytes(23), [0x0F, 0x01, 0xC1], 'VMCALL');
  assert.equal(eaxAfter[24], -1000, 'VMCALL of an unknown hypercall returns -KVM_ENOSYS in EAX');
  const hlt = tour[19], extint = tour[20];
  assert.ok(hlt.kind === 'exit' && extint.kind === 'exit');
  assert.equal(extint.eip, hlt.eip + 1, 'the interrupt arrives at the instruction after HLT');
  assert.deepEqual(extint.instructionBytes, [], 'no instruction caused the external interrupt');
});

test('exits-tour under hw with RDTSC, INVLPG, CR3, PAUSE exiting, #BP in the bitmap and I/O bitmaps', () => {
  const { tour, stop } = runTour((hw) => {
    hw.vmcs.procBased |= ProcControl.RdtscExiting | ProcControl.InvlpgExiting | ProcControl.Cr3LoadExiting
      | ProcControl.Cr3StoreExiting | ProcControl.PauseExiting | ProcControl.UseIoBitmaps;
    hw.vmcs.exceptionBitmap |= 1 << 3;
    hw.vmcs.setIoIntercept(0x61, false);       // port B passes through: its IN and INSB do not exit
  });
  assert.deepEqual(stop, { kind: 'debug-exit', value: 0x10, status: 33 });
  const reasons = tour.filter((e) => e.kind === 'exit').map((e) => (e.kind === 'exit' ? e.reason : -1));
  assert.deepEqual(reasons, [30, 10, 30, 30, 30, 31, 32, 16, 28, 28, 28, 28, 28, 28, 28, 14, 29, 10, 29, 48, 48, 0, 0, 12, 1, 30, 18, 54, 13, 40, 16, 30]);
  const causes = new Map(tour.flatMap((e) => (e.kind === 'exit' ? [[e.reason, e.cause] as const] : [])));
  assert.equal(causes.get(16), 'RDTSC exiting (primary processor-based bit 12)');
  assert.equal(causes.get(14), 'INVLPG exiting (primary processor-based bit 9)');
  assert.equal(causes.get(40), 'PAUSE exiting (primary processor-based bit 30)');
  assert.equal(causes.get(30), 'I/O bitmap A bit 0x80');
  const invlpg = tour.find((e) => e.kind === 'exit' && e.reason === 14);
  assert.ok(invlpg?.kind === 'exit' && invlpg.reason === 14 && invlpg.linear === 0x1000);
  const cr3 = tour.filter((e) => e.kind === 'exit' && e.reason === 28 && e.crAccess.cr === 3).map((e) => (e.kind === 'exit' && e.reason === 28 ? [e.crAccess.accessType, e.cause] : []));
  assert.deepEqual(cr3, [
    ['mov-from-cr', 'CR3-store exiting (primary processor-based bit 16)'],
    ['mov-to-cr', 'CR3-load exiting (primary processor-based bit 15)'],
    ['mov-from-cr', 'CR3-store exiting (primary processor-based bit 16)'],
  ]);
  const bp = tour.find((e) => e.kind === 'exit' && e.reason === 0 && e.exception.vector === 3);
  assert.ok(bp?.kind === 'exit' && bp.reason === 0 && bp.cause === 'exception bitmap bit 3' && bp.exception.detail === 'INT3');
});

test('exits-tour prints what bare hardware shows: shadows hide nothing, every handler ran once', () => {
  const { serial } = runTour();
  assert.equal(serial, [
    'exits-tour',
    'cpuid vendor: GenuineIntel',
    'pci config read: 0xffffffff',
    'apic base msr: 0xfee00900, sysenter_cs: 0x8',
    'cr0 saw MP 1 TS 0; cr4 saw PGE 1 PSE 1; cr3 kept: 1',
    'dr0 read back: 0x2000',
    'lapic version register: 0x40014',
    'tsc advances: 1',
    '#UD handled: 1, #BP handled: 1, timer ticks: 1',
    'exits-tour OK',
    '',
  ].join('\n'));
});
