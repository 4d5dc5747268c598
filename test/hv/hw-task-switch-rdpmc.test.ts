// The hw strategy's task-switch (9) and RDPMC (15) exits: a vCPU running under HwStrategy with KVM's
// controls switches tasks by JMP, CALL through a task gate, IRET with NT and an IDT task gate, and reads
// performance counters; each exit carries the SDM qualification and the guest still sees the effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE, KCODE, KDATA, TSS_SEL, FREE_GDT_INDEX, USER_CODE, UCODE } from '../cpu/helpers/machine.js';
import { gate, sel, systemSegment, TYPE_TASK, TYPE_TSS32 } from '../cpu/helpers/encode.js';
import { HwStrategy } from '../../engine/hv/hw-strategy.js';
import { IoBus } from '../../engine/devices/io-bus.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import { ProcControl } from '../../engine/hv/hw/vmx-controls.js';
import { handleExit } from '../../engine/hv/hw/exit-handler.js';
import type { VmExit } from '../../engine/hv/vm-exit.js';
import { EAX, ECX, EDX } from '../../engine/cpu/registers.js';

const TSS2 = 0x60000, CODE2 = 0x12000, STACK2 = 0x38000;
const TSS2_SEL = sel(FREE_GDT_INDEX), GATE_SEL = sel(FREE_GDT_INDEX + 1);

/** A protected-mode test machine whose CPU runs under the hw strategy; exits are collected. */
function hwMachine(entry?: Parameters<Machine['enterProtected']>[0]): { m: Machine; hw: HwStrategy; exits: VmExit[] } {
  const m = new Machine();
  const hw = new HwStrategy({ io: new IoBus(), vcpu: 0, memory: m.memory });
  m.cpu.env = hw;
  hw.attach(m.cpu);
  const exits: VmExit[] = [];
  hw.onEvent.event((e) => { if (e.kind === 'exit') exits.push(e); });
  m.enterProtected(entry);
  return { m, hw, exits };
}

/** A second 32-bit task (flat ring-0 segments, EIP = CODE2) and a task gate to it. */
function addTask(m: Machine): void {
  m.setGdt(FREE_GDT_INDEX, systemSegment(TSS2, 0x67, TYPE_TSS32));
  m.setGdt(FREE_GDT_INDEX + 1, gate(TSS2_SEL, 0, TYPE_TASK, 0));
  m.w32(TSS2 + 0x20, CODE2);
  m.w32(TSS2 + 0x24, 0x2);
  m.w32(TSS2 + 0x38, STACK2);
  m.w16(TSS2 + 0x48, KDATA); m.w16(TSS2 + 0x4C, KCODE); m.w16(TSS2 + 0x50, KDATA);
  m.w16(TSS2 + 0x54, KDATA); m.w16(TSS2 + 0x58, KDATA); m.w16(TSS2 + 0x5C, KDATA);
}

const taskSwitches = (exits: VmExit[]) => exits.filter((e) => e.reason === ExitReason.TaskSwitch)
  .map((e) => e.reason === ExitReason.TaskSwitch && { cause: e.cause, eip: e.eip, ...e.taskSwitch });

test('JMP far to a TSS exits (reason 9, source jmp, the TSS selector) and the switch still happens', () => {
  const { m, hw, exits } = hwMachine();
  addTask(m);
  m.write(CODE, [0x90, 0xEA, 0x00, 0x00, 0x00, 0x00, TSS2_SEL, 0]);   // nop; jmp far TSS2_SEL:0
  m.write(CODE2, [0xF4]);
  m.run();
  assert.deepEqual(taskSwitches(exits), [{ cause: 'unconditional', eip: CODE + 1, selector: TSS2_SEL, source: 'jmp' }]);
  assert.equal(hw.exitCounts.get(ExitReason.TaskSwitch), 1);
  assert.deepEqual(handleExit({ interruptsEnabled: false, cpl: 0, eax: 0 }, exits[0]), { action: 'resume', emulated: `task switch to TSS 0x${TSS2_SEL.toString(16)} (jmp)` });
  assert.equal(exits[1].reason, ExitReason.Hlt, 'then the HLT of the new task');
  assert.equal(m.cpu.trSel, TSS2_SEL, 'the guest is in the new task');
  assert.equal(m.cpu.eip, CODE2 + 1);
});

test('CALL through a task gate exits with source call and the gate\'s TSS; IRET with NT exits with source iret', () => {
  const { m, exits } = hwMachine();
  addTask(m);
  m.write(CODE, [0x9A, 0x00, 0x00, 0x00, 0x00, GATE_SEL, 0, 0xF4]);   // call far GATE_SEL:0; hlt
  m.write(CODE2, [0xCF]);                                             // iret (NT set: back to the caller)
  m.run();
  assert.deepEqual(taskSwitches(exits), [
    { cause: 'unconditional', eip: CODE, selector: TSS2_SEL, source: 'call' },
    { cause: 'unconditional', eip: CODE2, selector: TSS_SEL, source: 'iret' },
  ]);
  assert.equal(m.cpu.trSel, TSS_SEL, 'back in the first task');
  assert.equal(m.cpu.eip, CODE + 8);
});

test('an exception through an IDT task gate exits with source task-gate-in-idt', () => {
  const { m, exits } = hwMachine();
  addTask(m);
  m.setIdt(13, gate(TSS2_SEL, 0, TYPE_TASK, 0));
  m.write(CODE, [0x66, 0xB8, 0x00, 0x02, 0x8E, 0xD8]);   // mov ax, 0x200; mov ds, ax → #GP through the task gate
  m.write(CODE2, [0xF4]);
  m.run();
  assert.deepEqual(taskSwitches(exits), [{ cause: 'unconditional', eip: CODE + 4, selector: TSS2_SEL, source: 'task-gate-in-idt' }]);
  assert.equal(exits.length, 2, 'the task switch, then the HLT in the new task (#GP is not in KVM\'s exception bitmap)');
  assert.equal(exits[1].reason, ExitReason.Hlt);
  assert.equal(m.cpu.trSel, TSS2_SEL);
});

test('a task switch that fails its TSS checks faults before any task-switch exit', () => {
  const { m, exits } = hwMachine();
  m.write(CODE, [0xEA, 0x00, 0x00, 0x00, 0x00, TSS_SEL, 0]);   // jmp far to the current (busy) TSS → #GP
  m.run();
  assert.ok(m.inHandler(13));
  assert.deepEqual(taskSwitches(exits), []);
});

test('RDPMC exits (reason 15, RDPMC exiting) with the counter index, then reads zero', () => {
  const { m, hw, exits } = hwMachine();
  m.write(CODE, [0xB9, 0x01, 0x00, 0x00, 0x00, 0x0F, 0x33, 0xF4]);   // mov ecx, 1; rdpmc; hlt
  m.cpu.reg32[EAX] = 0x1111; m.cpu.reg32[EDX] = 0x2222;
  m.run();
  const rdpmc = exits.filter((e) => e.reason === ExitReason.Rdpmc);
  assert.equal(rdpmc.length, 1);
  const [e] = rdpmc;
  assert.ok(e.reason === ExitReason.Rdpmc);
  assert.equal(e.counter, 1);
  assert.equal(e.cause, 'RDPMC exiting (primary processor-based bit 11)');
  assert.equal(e.eip, CODE + 5);
  assert.deepEqual(e.instructionBytes, [0x0F, 0x33]);
  assert.equal(hw.exitCounts.get(ExitReason.Rdpmc), 1);
  assert.equal(m.cpu.reg32[EAX], 0);
  assert.equal(m.cpu.reg32[EDX], 0);
});

test('RDPMC of an unimplemented counter exits first, then #GP; without RDPMC exiting it only faults', () => {
  const bad = [0xB9, 0x09, 0x00, 0x00, 0x00, 0x0F, 0x33];   // mov ecx, 9; rdpmc
  const on = hwMachine();
  on.m.write(CODE, bad);
  on.m.run();
  assert.ok(on.m.inHandler(13));
  assert.deepEqual(on.exits.filter((e) => e.reason === ExitReason.Rdpmc).map((e) => e.reason === ExitReason.Rdpmc && e.counter), [9]);

  const off = hwMachine();
  off.hw.vmcs.procBased &= ~ProcControl.RdpmcExiting;
  off.m.write(CODE, bad);
  off.m.run();
  assert.ok(off.m.inHandler(13));
  assert.equal(off.exits.filter((e) => e.reason === ExitReason.Rdpmc).length, 0);
  assert.equal(off.m.cpu.reg32[ECX], 9);
});

test('RDPMC at ring 3 without CR4.PCE is #GP before any exit', () => {
  const { m, exits } = hwMachine({ cs: UCODE });
  m.write(USER_CODE, [0x0F, 0x33]);
  m.run();
  assert.ok(m.inHandler(13));
  assert.equal(exits.filter((e) => e.reason === ExitReason.Rdpmc).length, 0);
});
