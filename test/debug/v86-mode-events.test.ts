// Mode-switch event breakpoints for virtual-8086 mode: the debugger's CPU probe reports IRET into V86
// (`mode:v86`) and the exception that brings the CPU back to the protected-mode handler (`mode:protected`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE, KSTACK_TOP, USER_CODE } from '../cpu/helpers/machine.js';
import { EF_VM } from '../cpu/helpers/encode.js';
import { CS, ESP } from '../../engine/cpu/registers.js';
import { Cpu } from '../../engine/cpu/cpu.js';
import { installCpuProbe } from '../../engine/debug/events/cpu-probe.js';
import type { ModeSwitchEvent, ProbeEvent } from '../../engine/debug/events/debug-event.js';
import { EventBreakpoints, type EventHit } from '../../engine/debug/events/event-breakpoints.js';
import { matches, parseEventSpec } from '../../engine/debug/events/event-spec.js';
import type { Vm } from '../../engine/hv/vm.js';
import type { EvalEnvironment } from '../../engine/debug/expression/value.js';

const V86_CS = 0x2000, V86_SS = 0x3000, V86_SP = 0xFFF0, V86_DS = 0x5000;
const GP = 13;

/**
 * A ring-0 machine about to IRET (at CODE) into V86 code at 2000:0000 that runs two instructions and
 * then does INT 0x21 with IOPL 0, which is #GP to the ring-0 handler (a HLT stub).
 */
function machineEnteringV86(): Machine {
  const m = new Machine();
  m.enterProtected();
  m.write(USER_CODE, [
    0xB8, 0x34, 0x12, // mov ax, 0x1234
    0x01, 0xC0,       // add ax, ax
    0xCD, 0x21,       // int 0x21 (IOPL 0: #GP)
  ]);
  const frame = [0, V86_CS, EF_VM | 0x2, V86_SP, V86_SS, V86_DS, V86_DS, V86_DS, V86_DS]; // EIP CS EFLAGS ESP SS ES DS FS GS
  frame.forEach((v, k) => m.w32(KSTACK_TOP - 36 + 4 * k, v));
  m.cpu.reg32[ESP] = KSTACK_TOP - 36;
  m.write(CODE, [0xCF]); // iretd
  return m;
}

test('the CPU probe reports IRET into V86 and the #GP back out of it as mode switches', () => {
  const m = machineEnteringV86();
  const events: ProbeEvent[] = [];
  const probe = installCpuProbe(m.cpu, 0, (e) => events.push(e));
  m.run(100);
  probe.remove();
  assert.ok(m.inHandler(GP), 'the INT in V86 ended in the ring-0 #GP handler');
  const switches = events.filter((e): e is ModeSwitchEvent => e.kind === 'mode-switch');
  assert.equal(switches.length, 2, `mode switches: ${JSON.stringify(switches)}`);
  const [enter, leave] = switches;
  assert.deepEqual([enter.from, enter.to], ['protected', 'v86']);
  assert.equal(enter.eip, CODE, 'entering is reported at the IRET');
  assert.equal(enter.mode, 'protected');
  assert.deepEqual([leave.from, leave.to], ['v86', 'protected']);
  assert.equal(leave.eip, 5, 'leaving is reported at the INT 0x21 that faulted (2000:0005)');
  assert.equal(leave.cs, V86_CS);
  assert.equal(leave.mode, 'v86');
  assert.equal(leave.cpl, 3);
  // The #GP itself is reported first, then the switch its delivery makes.
  const gp = events.findIndex((e) => e.kind === 'cpu-exception' && e.vector === GP);
  assert.ok(gp >= 0 && gp < events.indexOf(leave));
  assert.ok(matches(parseEventSpec('mode:v86'), enter) && !matches(parseEventSpec('mode:v86'), leave));
  assert.ok(matches(parseEventSpec('mode:protected'), leave) && !matches(parseEventSpec('mode:protected'), enter));
});

test('removing the probe puts setEflags back: later switches are not reported', () => {
  const m = machineEnteringV86();
  const events: ProbeEvent[] = [];
  installCpuProbe(m.cpu, 0, (e) => events.push(e)).remove();
  assert.equal(m.cpu.setEflags, Cpu.prototype.setEflags);
  m.run(100);
  assert.ok(m.inHandler(GP));
  assert.deepEqual(events, []);
});

test('mode:v86 and mode:protected event breakpoints fire through EventBreakpoints', () => {
  const m = machineEnteringV86();
  // The smallest VM the event breakpoints use: one vCPU and an event stream nothing is sent on.
  const vm = { vcpus: [{ cpu: m.cpu, index: 0 }], onEvent: { event: () => () => {} } } as unknown as Vm;
  const hits: EventHit[] = [];
  const environment = () => ({}) as EvalEnvironment;
  const breakpoints = new EventBreakpoints(vm, () => false, environment, (hit) => hits.push(hit));
  const results = breakpoints.setFunctionBreakpoints([{ name: 'mode:v86' }, { name: 'mode:protected' }]);
  assert.ok(results.every((r) => r.verified));
  m.run(100);
  breakpoints.dispose();
  assert.deepEqual(hits.map((h) => [h.breakpoint.label, h.fields.from, h.fields.to, h.stop]),
    [['mode:v86', 'protected', 'v86', true], ['mode:protected', 'v86', 'protected', true]]);
  assert.equal(m.cpu.segSel[CS] & 3, 0, 'back in ring 0');
  assert.equal(m.cpu.setEflags, Cpu.prototype.setEflags, 'dispose removed the probe');
});
