// The hw strategy's pure parts on synthetic input: the exit handler (exit → outcome), the control
// block's exit decisions (I/O and MSR bitmaps, CR masks and shadows, exception bitmap, controls) with
// the cause each one names, KVM's defaults, and the EPT's violation qualification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleExit, KVM_ENOSYS, KVM_EPERM, type ExitHandlerState } from '../../engine/hv/hw/exit-handler.js';
import { Vmcs } from '../../engine/hv/hw/vmcs.js';
import { Ept, EptRights, buildPcEpt } from '../../engine/hv/hw/ept.js';
import { kvmDefaultVmcs } from '../../engine/hv/hw/kvm-defaults.js';
import { ProcControl, Proc2Control, controlCause, controlNames } from '../../engine/hv/hw/vmx-controls.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import type { VmExit } from '../../engine/hv/vm-exit.js';
import { GuestMemory } from '../../engine/memory/guest-memory.js';

const site = { kind: 'exit' as const, vcpu: 0, instructions: 100, cs: 8, eip: 0x1000, cpl: 0, mode: 'protected' as const, instructionBytes: [], cause: 'test' };
const ring0: ExitHandlerState = { interruptsEnabled: true, cpl: 0, eax: 0 };
const noEpt = () => new Ept();

test('exit handler: HLT blocks with IF = 1 and stops the vCPU with IF = 0', () => {
  const hlt: VmExit = { ...site, reason: ExitReason.Hlt };
  assert.deepEqual(handleExit(ring0, hlt), { action: 'block' });
  assert.deepEqual(handleExit({ ...ring0, interruptsEnabled: false }, hlt), { action: 'stop', why: 'HLT with interrupts disabled: nothing can wake the vCPU' });
});

test('exit handler: a triple fault shuts the VM down with its description', () => {
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.TripleFault, description: '#GP while delivering #DF' }),
    { action: 'shutdown', description: '#GP while delivering #DF' });
});

test('exit handler: exceptions are reflected with their error code; external interrupts injected', () => {
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.ExceptionOrNmi, exception: { vector: 6, detail: 'UD2' } }), { action: 'reflect', vector: 6 });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.ExceptionOrNmi, exception: { vector: 17, errorCode: 0, detail: '#AC' } }), { action: 'reflect', vector: 17, errorCode: 0 });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.ExternalInterrupt, vector: 0x20 }), { action: 'inject', vector: 0x20 });
});

test('exit handler: VMCALL answers as KVM does (-KVM_ENOSYS, -KVM_EPERM above ring 0, 0 for VAPIC_POLL_IRQ)', () => {
  const vmcall: VmExit = { ...site, reason: ExitReason.Vmcall };
  assert.deepEqual(handleExit({ ...ring0, eax: 0x7FFF }, vmcall), { action: 'complete-hypercall', eax: -KVM_ENOSYS });
  assert.equal(KVM_ENOSYS, 1000);
  assert.deepEqual(handleExit({ ...ring0, eax: 1 }, vmcall), { action: 'complete-hypercall', eax: 0 });
  assert.deepEqual(handleExit({ ...ring0, cpl: 3, eax: 1 }, vmcall), { action: 'complete-hypercall', eax: -KVM_EPERM });
});

test('exit handler: MOV DR passes the debug registers to the guest; emulated exits say what was done', () => {
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.DrAccess, drAccess: { dr: 7, direction: 'to-dr', register: 0 } }), { action: 'pass-debug-registers' });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.IoInstruction, io: { size: 1, direction: 'out', string: false, rep: false, port: 0x3F8, value: 0x48 } }),
    { action: 'resume', emulated: 'OUT 1 byte(s) to port 0x3f8' });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.IoInstruction, io: { size: 2, direction: 'in', string: true, rep: true, port: 0x1F0 } }),
    { action: 'resume', emulated: 'INS 2 byte(s) from port 0x1f0' });
  const ept = { read: false, write: true, execute: false, readable: false, writable: false, executable: false, guestPhysical: 0xFEE000B0, size: 4 };
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.EptViolation, ept }), { action: 'resume', emulated: 'MMIO write of 4 byte(s) at 0xfee000b0' });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.EptViolation, ept: { ...ept, readable: true, executable: true, guestPhysical: 0xF0000 } }),
    { action: 'resume', emulated: 'write to read-only memory at 0xf0000 dropped' });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.CrAccess, crAccess: { cr: 4, accessType: 'mov-to-cr', register: 0, oldValue: 0, newValue: 0x10 } }),
    { action: 'resume', emulated: 'CR4 ← 0x10' });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.Wbinvd }), { action: 'resume', emulated: 'WBINVD' });
});

test('exit handler is pure: the same input gives the same outcome and the input is not changed', () => {
  const exit: VmExit = { ...site, reason: ExitReason.Rdmsr, msr: { index: 0x1B } };
  const copy = structuredClone(exit), state = { ...ring0 };
  assert.deepEqual(handleExit(state, exit), handleExit(state, exit));
  assert.deepEqual(exit, copy);
  assert.deepEqual(state, ring0);
});

test('I/O: unconditional I/O exiting, or the I/O bitmaps A/B byte by byte (a wrap past 0xFFFF exits)', () => {
  const v = new Vmcs(noEpt);
  assert.equal(v.ioExitCause(0x3F8, 1), undefined, 'no I/O control: no exit');
  v.procBased = ProcControl.UnconditionalIoExiting;
  assert.equal(v.ioExitCause(0x3F8, 1), 'unconditional I/O exiting (primary processor-based bit 24)');
  v.procBased = ProcControl.UnconditionalIoExiting | ProcControl.UseIoBitmaps;   // bitmaps take precedence
  assert.equal(v.ioExitCause(0x3F8, 1), undefined);
  v.setIoIntercept(0x3F9, true);
  assert.equal(v.ioExitCause(0x3F8, 1), undefined);
  assert.equal(v.ioExitCause(0x3F8, 2), 'I/O bitmap A bit 0x3f9', 'a word access covers port + 1');
  v.setIoIntercept(0x8001, true);
  assert.equal(v.ioExitCause(0x8000, 4), 'I/O bitmap B bit 0x1');
  assert.equal(v.ioExitCause(0xFFFE, 4), 'I/O bitmap (access wraps past port 0xffff)');
  v.setIoIntercept(0x3F9, false);
  assert.equal(v.ioExitCause(0x3F8, 2), undefined);
});

test('MSRs: bitmap quarters for reads/writes, low and high ranges; others always exit', () => {
  const v = new Vmcs(noEpt);
  assert.match(v.msrExitCause(0x10, false)!, /use MSR bitmaps is off/);
  v.procBased = ProcControl.UseMsrBitmaps;
  assert.equal(v.msrExitCause(0x1B, false), undefined);
  v.setMsrIntercept(0x1B, true, false);
  assert.equal(v.msrExitCause(0x1B, false), 'MSR bitmap (read low bit 0x1b)');
  assert.equal(v.msrExitCause(0x1B, true), undefined);
  v.setMsrIntercept(0xC0000080, false, true);
  assert.equal(v.msrExitCause(0xC0000080, true), 'MSR bitmap (write high bit 0x80)');
  assert.equal(v.msrExitCause(0xC0000080, false), undefined);
  assert.match(v.msrExitCause(0x4000_0000, false)!, /outside the MSR-bitmap ranges/);
  assert.throws(() => v.setMsrIntercept(0x4000_0000, true, true), /has no MSR-bitmap bit/);
});

test('CR0/CR4: a host-owned bit that differs from the read shadow exits; reads see the shadow', () => {
  const v = new Vmcs(noEpt);
  v.cr0GuestHostMask = ~0x8;            // TS guest-owned
  v.cr0ReadShadow = 0x11;
  assert.equal(v.crWriteExitCause(0, 0x11 | 0x8), undefined, 'TS only: guest-owned');
  assert.equal(v.crWriteExitCause(0, 0x13), 'CR0 guest/host mask bit 1');
  assert.equal(v.crWriteExitCause(0, 0x80000011), 'CR0 guest/host mask bit 31');
  assert.equal(v.cltsExitCause(), undefined, 'TS guest-owned: CLTS does not exit');
  v.cr0GuestHostMask = -1; v.cr0ReadShadow = 0x19;
  assert.equal(v.cltsExitCause(), 'CR0 guest/host mask bit 3');
  v.cr0ReadShadow = 0x10;
  assert.equal(v.lmswExitCause(0x1), 'CR0 guest/host mask bit 0', 'LMSW setting PE');
  assert.equal(v.lmswExitCause(0x0), undefined);
  assert.equal(v.lmswExitCause(0x4), 'CR0 guest/host mask bit 2');
  v.cr4GuestHostMask = 0x10; v.cr4ReadShadow = 0x10;
  assert.equal(v.crReadValue(4, 0x80), 0x90, 'host-owned bits from the shadow, the rest from the register');
  assert.equal(v.crWriteExitCause(4, 0x90), undefined);
  assert.equal(v.crWriteExitCause(4, 0x80), 'CR4 guest/host mask bit 4');
  assert.equal(v.crWriteExitCause(3, 0x1000), undefined);
  v.procBased = ProcControl.Cr3LoadExiting | ProcControl.Cr3StoreExiting;
  assert.equal(v.crWriteExitCause(3, 0x1000), 'CR3-load exiting (primary processor-based bit 15)');
  assert.equal(v.crReadExitCause(3), 'CR3-store exiting (primary processor-based bit 16)');
  assert.equal(v.crReadExitCause(0), undefined);
});

test('exception bitmap, processor-based and secondary controls name the control that caused the exit', () => {
  const v = new Vmcs(noEpt);
  v.exceptionBitmap = 1 << 14;
  assert.equal(v.exceptionExitCause(14), 'exception bitmap bit 14');
  assert.equal(v.exceptionExitCause(13), undefined);
  assert.equal(v.procExitCause(ProcControl.RdtscExiting), undefined);
  v.procBased = ProcControl.RdtscExiting;
  assert.equal(v.procExitCause(ProcControl.RdtscExiting), 'RDTSC exiting (primary processor-based bit 12)');
  v.procBased2 = Proc2Control.WbinvdExiting;
  assert.equal(v.proc2ExitCause(Proc2Control.WbinvdExiting), undefined, 'secondary controls need "activate secondary controls"');
  v.procBased |= ProcControl.ActivateSecondaryControls;
  assert.equal(v.proc2ExitCause(Proc2Control.WbinvdExiting), 'WBINVD exiting (secondary processor-based bit 6)');
  assert.equal(controlCause('pin-based', 1), 'external-interrupt exiting (pin-based bit 0)');
});

test("KVM's defaults: HLT, MOV-DR, unconditional I/O, MSR bitmaps, EPT; no RDTSC, INVLPG or CR3 exits", () => {
  const v = kvmDefaultVmcs(noEpt);
  assert.deepEqual(controlNames('pin-based', v.pinBased), ['external-interrupt exiting', 'NMI exiting', 'virtual NMIs']);
  assert.deepEqual(controlNames('primary processor-based', v.procBased), ['use TSC offsetting', 'HLT exiting', 'MWAIT exiting', 'RDPMC exiting',
    'use TPR shadow', 'MOV-DR exiting', 'unconditional I/O exiting', 'use MSR bitmaps', 'MONITOR exiting', 'activate secondary controls']);
  assert.deepEqual(controlNames('secondary processor-based', v.procBased2), ['enable EPT', 'enable RDTSCP', 'enable VPID', 'WBINVD exiting', 'unrestricted guest', 'PAUSE-loop exiting']);
  assert.ok(v.eptEnabled);
  assert.deepEqual([0, 1, 3, 6, 13, 14, 17, 18].filter((vec) => v.exceptionExitCause(vec)), [1, 6, 17, 18]);
  assert.equal(v.msrExitCause(0x174, true), undefined, 'SYSENTER_CS passes through');
  assert.equal(v.msrExitCause(0x10, false), undefined, 'TSC reads pass through');
  assert.ok(v.msrExitCause(0x10, true), 'TSC writes exit');
  assert.ok(v.msrExitCause(0x1B, false), 'APIC_BASE exits');
  assert.equal(v.crWriteExitCause(0, 0x8), undefined, 'CR0.TS guest-owned');
  assert.equal(v.crWriteExitCause(0, 0x10000), undefined, 'CR0.WP guest-owned');
  assert.equal(v.crWriteExitCause(0, 0x1), 'CR0 guest/host mask bit 0');
  assert.equal(v.crWriteExitCause(4, 0x80), undefined, 'CR4.PGE guest-owned');
  assert.equal(v.crWriteExitCause(4, 0x20), 'CR4 guest/host mask bit 5', 'CR4.PAE host-owned');
  assert.equal(v.crWriteExitCause(3, 0x5000), undefined);
  assert.equal(v.procExitCause(ProcControl.InvlpgExiting), undefined);
});

test('EPT: RAM RWX, ROM R-X, MMIO and holes not present; violations carry the access and the rights', () => {
  const memory = new GuestMemory(1 << 20);
  memory.mapRom(0xF0000, new Uint8Array(0x10000), 'BIOS');
  memory.mapMmio(0xFEE00000, 0x1000, 'local APIC', { read: () => 0, write: () => {} });
  const ept = buildPcEpt(memory);
  assert.deepEqual(ept.mappings.map((m) => [m.guestBase, m.size, m.rights, m.what]),
    [[0, 0xF0000, EptRights.All, 'RAM'], [0xF0000, 0x10000, EptRights.Read | EptRights.Execute, 'ROM']]);
  assert.equal(ept.check({ guestPhysical: 0x1000, size: 4, write: true }), undefined);
  assert.equal(ept.check({ guestPhysical: 0xF0000, size: 1, write: false }), undefined);
  assert.deepEqual(ept.check({ guestPhysical: 0xF0010, size: 2, write: true, value: 0xBEEF }), {
    read: false, write: true, execute: false, readable: true, writable: false, executable: true, guestPhysical: 0xF0010, size: 2, value: 0xBEEF });
  assert.deepEqual(ept.check({ guestPhysical: 0xFEE00030, size: 4, write: false, value: 0x14 }), {
    read: true, write: false, execute: false, readable: false, writable: false, executable: false, guestPhysical: 0xFEE00030, size: 4, value: 0x14 });
  assert.equal(ept.translate(0x1234), 0x1234);
  assert.equal(ept.translate(0xFEE00000), undefined);
  assert.throws(() => ept.map(0x1000, 0x1000, EptRights.All, 'again'), /overlaps/);
  assert.throws(() => ept.map(0x100001, 0x1000, EptRights.All, 'odd'), /not 4 KiB-aligned/);
});

test('exit handler: task switch, RDPMC, INIT, SIPI and interrupt window resume with what KVM emulated', () => {
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.TaskSwitch, taskSwitch: { selector: 0x28, source: 'task-gate-in-idt' } }),
    { action: 'resume', emulated: 'task switch to TSS 0x28 (task-gate-in-idt)' });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.Rdpmc, counter: 1 }), { action: 'resume', emulated: 'RDPMC counter 1' });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.Init }), { action: 'resume', emulated: 'INIT: vCPU reset, waiting for SIPI' });
  assert.deepEqual(handleExit(ring0, { ...site, reason: ExitReason.Sipi, vector: 0x9A }), { action: 'resume', emulated: 'SIPI: vCPU starts at 0x9a00:0000' });
  assert.deepEqual(handleExit({ ...ring0, interruptsEnabled: false }, { ...site, reason: ExitReason.InterruptWindow }),
    { action: 'resume', emulated: 'interrupt window open: the waiting interrupt is injected at entry' });
});
