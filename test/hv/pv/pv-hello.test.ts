// guests/pv-hello under the pv strategy: its console output, the hypercalls and the event upcalls
// it causes (timer VIRQ via set_timer_op + sched_op block, an IPI that waits for unmask), the
// trapped CLI reported as a trap event, the refused mapping of hypervisor memory, a multicall, a
// periodic timer polled with events masked, and its shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeStop } from '../../../engine/hv/stop-reason.js';
import type { HypercallEvent, TrapEvent } from '../../../engine/hv/vm-event.js';
import { pvMachine, runToEnd } from './pv-machine.js';

test('pv-hello runs at ring 1 and prints through console_io, then shuts down with sched_op', () => {
  const m = pvMachine();
  const stop = runToEnd(m.vm);
  assert.ok(stop);
  assert.equal(describeStop(stop), 'guest shut down: sched_op shutdown (poweroff)');
  // The CLI's address depends on the build; everything else is exact.
  assert.match(m.output, /pv-hello: #GP at 0xc01[0-9a-f]{5} \(opcode 0xfa/);
  assert.equal(m.output.replace(/#GP at 0xc01[0-9a-f]{5}/, '#GP at <address>'), [
    'pv-hello: running at ring 1, start_info "xen-3.0-x86_32", 8128 pages',
    'pv-hello: hypervisor 3.0-hvdbg (asked by int $0x82 and the hypercall page)',
    'pv-hello: unknown hypercall 99 returns -38 (-ENOSYS is -38)',
    'pv-hello: mapping hypervisor frame 0x1fc6 refused with -1 (-EPERM is -1)',
    'pv-hello: timer VIRQ on port 1, IPI on port 2',
    'pv-hello: IPI sent while masked: 0 delivered',
    'pv-hello: event on port 2 (IPI)',
    'pv-hello: after unmask: 1 delivered',
    'pv-hello: event on port 1 (timer VIRQ)',
    'pv-hello: tick 1: woke 1001 us after arming',
    'pv-hello: event on port 1 (timer VIRQ)',
    'pv-hello: tick 2: woke 1001 us after arming',
    'pv-hello: event on port 1 (timer VIRQ)',
    'pv-hello: tick 3: woke 1001 us after arming',
    'pv-hello: multicall: page size 4096, 8128 pages reserved',
    'pv-hello: stack_switch, fpu_taskswitch, mmuext_op(1 done) ok',
    'pv-hello: periodic tick 1 (polled, events masked)',
    'pv-hello: periodic tick 2 (polled, events masked)',
    'pv-hello: #GP at <address> (opcode 0xfa, cs 0xe019): privileged at ring 1, skipped',
    'pv-hello: 3 timer events, 1 IPI events; shutting down',
    '',
  ].join('\n'));
});

test('pv-hello: every crossing is a typed event: hypercalls by Xen name and via, upcalls, the CLI trap', () => {
  const m = pvMachine();
  runToEnd(m.vm);
  const calls = m.events.filter((e): e is HypercallEvent => e.kind === 'hypercall');
  const names = [...new Set(calls.map((c) => c.name))].sort();
  assert.deepEqual(names, ['console_io', 'event_channel_op', 'fpu_taskswitch', 'iret', 'mmuext_op', 'multicall', 'sched_op',
    'set_callbacks', 'set_timer_op', 'set_trap_table', 'stack_switch', 'unknown', 'update_va_mapping', 'vcpu_op', 'xen_version']);
  const polls = calls.filter((c) => c.name === 'sched_op' && c.decoded?.cmd === 'poll');
  assert.deepEqual(polls.map((c) => c.decoded?.ports), ['1', '1']);
  assert.equal(calls.find((c) => c.name === 'multicall')?.decoded?.calls, 'xen_version,memory_op');
  const version = calls.filter((c) => c.name === 'xen_version');
  assert.deepEqual(version.map((c) => c.via), ['int82', 'vmcall']);
  assert.equal(version[0].result, 0x30000);
  const unknown = calls.find((c) => c.name === 'unknown')!;
  assert.equal(unknown.number, 99);
  assert.equal(unknown.result, -38);
  const refused = calls.filter((c) => c.name === 'update_va_mapping')[1];
  assert.equal(refused.result, -1);
  assert.equal(refused.decoded?.refused, 'frame 0x1fc6 is hypervisor memory');
  const last = calls[calls.length - 1];
  assert.deepEqual([last.name, last.decoded], ['sched_op', { cmd: 'shutdown', reason: 'poweroff' }]);
  assert.ok(calls.every((c) => c.cpl === 1 && c.cs === 0xE019 && c.instructionBytes.length > 0));

  const traps = m.events.filter((e): e is TrapEvent => e.kind === 'trap');
  assert.equal(traps.length, 1);
  assert.deepEqual([traps[0].vector, traps[0].errorCode, traps[0].outcome, traps[0].cpl, traps[0].instructionBytes],
    [13, 0, 'reflected', 1, []]);
  assert.match(traps[0].detail, /CLI/);

  const upcalls = m.events.filter((e) => e.kind === 'interrupt');
  assert.deepEqual(upcalls.map((e) => e.kind === 'interrupt' && e.source), ['event-channel', 'timer', 'timer', 'timer']);
  assert.deepEqual(m.pv.trapCounts, new Map([[13, 1]]));
  assert.equal(m.pv.hypercallCounts.get(18), m.output.split('\n').length - 1);
});

test('pv-hello: the interpreter alone gives the same output, stop and instruction count as the translator', () => {
  const runs = [true, false].map((translation) => {
    const m = pvMachine();
    m.vm.cpu.translation = translation;
    const stop = runToEnd(m.vm);
    return { stop, instructions: m.vm.instructions, output: m.output };
  });
  assert.deepEqual(runs[1], runs[0]);
  assert.equal(runs[0].stop?.kind, 'shutdown');
});
