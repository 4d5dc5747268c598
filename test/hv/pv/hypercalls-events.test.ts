// Event channels, timers and scheduling on a freshly loaded pv guest: event_channel_op (bind_virq,
// bind_ipi, send, unmask, close), set_timer_op and vcpu_op timers raising VIRQ_TIMER in virtual time,
// sched_op (yield, block, poll, shutdown) — and each error return.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pvMachine } from './pv-machine.js';

const BASE = 0xC0000000, SCRATCH = 0x300000;
const va = (phys: number) => BASE + phys;
const ENOENT = -2, EFAULT = -14, EINVAL = -22, ENOSYS = -38, ETIME = -62;
const UNMAPPED = 0x10000000;

function machine() {
  const m = pvMachine(), mem = m.vm.memory, d = m.pv.domain;
  const evtchn = (cmd: number, ...words: number[]) => { words.forEach((w, k) => mem.write32(SCRATCH + k * 4, w)); return m.hypercall(32, cmd, va(SCRATCH)); };
  return { m, mem, d, evtchn };
}

test('event_channel_op: bind_virq and bind_ipi allocate ports; send marks an IPI port pending and raises the upcall', () => {
  const { m, mem, d, evtchn } = machine();
  assert.equal(evtchn(1, 0, 0, 0xFFFF), 0);              // bind_virq(timer, vcpu 0)
  assert.equal(mem.read32(SCRATCH + 8), 1);
  assert.deepEqual(m.lastHypercall().decoded, { cmd: 'bind_virq', virq: 'timer', port: 1 });
  assert.equal(evtchn(1, 0, 0, 0), EINVAL, 'already bound');
  assert.equal(evtchn(1, 99, 0, 0), EINVAL, 'no such VIRQ');
  assert.equal(evtchn(1, 1, 3, 0), ENOENT, 'no vCPU 3');
  assert.equal(evtchn(7, 0, 0), 0);                       // bind_ipi
  assert.equal(mem.read32(SCRATCH + 4), 2);
  d.shared.upcallMask = false;
  assert.equal(evtchn(4, 2), 0);                          // send on the IPI port
  assert.ok(d.shared.isPending(2) && d.shared.upcallPending);
  assert.equal(evtchn(4, 1), EINVAL, 'a VIRQ port is raised by the hypervisor, not sent to');
  assert.equal(evtchn(4, 9), EINVAL, 'unbound port');
  assert.equal(m.hypercall(32, 4, UNMAPPED), EFAULT);
  assert.equal(m.hypercall(32, 2, va(SCRATCH)), ENOSYS, 'bind_interdomain is not offered');
});

test('event_channel_op: a masked port stays quiet until unmask; close frees the port', () => {
  const { d, evtchn } = machine();
  evtchn(7, 0, 0);                                        // IPI on port 1
  d.shared.upcallMask = false;
  d.memory.write32(d.region.sharedInfo + 2176, 1 << 1);   // evtchn_mask: port 1
  assert.equal(evtchn(4, 1), 0);
  assert.deepEqual([d.shared.isPending(1), d.shared.upcallPending, d.upcallDue()], [true, false, false]);
  assert.equal(evtchn(9, 1), 0);                          // unmask: now the upcall is pending
  assert.equal(d.shared.upcallPending, true);
  assert.equal(d.upcallDue(), false, 'no callback registered yet');
  d.eventCallback = { cs: 0xE019, address: 0xC0101000 };
  assert.equal(d.upcallDue(), true);
  assert.equal(evtchn(9, 5), EINVAL, 'unmask of an unbound port');
  assert.equal(evtchn(3, 1), 0);                          // close
  assert.equal(d.shared.isPending(1), false);
  assert.equal(evtchn(3, 1), EINVAL);
});

test('set_timer_op raises VIRQ_TIMER at its deadline in virtual time; 0 cancels', () => {
  const { m, d, evtchn } = machine();
  evtchn(1, 0, 0, 0);                                     // timer VIRQ on port 1
  const deadline = d.nowNs() + 5000;
  assert.equal(m.hypercall(15, deadline, 0), 0);
  assert.equal(m.lastHypercall().decoded?.deadlineNs, deadline);
  assert.deepEqual(d.timersArmed, { singleShot: true, periodic: false });
  m.vm.clock.skipToNextTimer();
  m.vm.clock.fireDue();
  assert.equal(d.shared.isPending(1), true);
  assert.equal(m.vm.clock.nowNs(), deadline);
  assert.equal(m.hypercall(15, deadline + 10, 0), 0);
  assert.equal(m.hypercall(15, 0, 0), 0);
  assert.deepEqual(d.timersArmed, { singleShot: false, periodic: false });
});

test('vcpu_op: is_up, periodic and single-shot timers with Xen\'s checks; other vCPUs and commands', () => {
  const { m, mem, d, evtchn } = machine();
  evtchn(1, 0, 0, 0);
  assert.equal(m.hypercall(24, 3, 0, 0), 1);
  assert.equal(m.hypercall(24, 3, 1, 0), ENOENT);
  mem.write32(SCRATCH + 0x100, 500_000); mem.write32(SCRATCH + 0x104, 0);
  assert.equal(m.hypercall(24, 6, 0, va(SCRATCH + 0x100)), EINVAL, 'period below 1 ms');
  mem.write32(SCRATCH + 0x100, 2_000_000);
  assert.equal(m.hypercall(24, 6, 0, va(SCRATCH + 0x100)), 0);
  const start = m.vm.clock.nowNs();
  for (let k = 0; k < 3; k++) { m.vm.clock.skipToNextTimer(); m.vm.clock.fireDue(); }
  assert.equal(m.vm.clock.nowNs() - start, 6_000_000, 'three periods');
  assert.equal(d.shared.isPending(1), true);
  assert.equal(m.hypercall(24, 7, 0, 0), 0);
  assert.deepEqual(d.timersArmed, { singleShot: false, periodic: false });
  const past = Math.max(0, d.nowNs() - 1);
  mem.write32(SCRATCH + 0x100, past); mem.write32(SCRATCH + 0x108, 1);   // VCPU_SSHOTTMR_future
  assert.equal(m.hypercall(24, 8, 0, va(SCRATCH + 0x100)), ETIME);
  mem.write32(SCRATCH + 0x100, d.nowNs() + 1000);
  assert.equal(m.hypercall(24, 8, 0, va(SCRATCH + 0x100)), 0);
  assert.equal(d.timersArmed.singleShot, true);
  assert.equal(m.hypercall(24, 9, 0, 0), 0);
  assert.equal(d.timersArmed.singleShot, false);
  assert.equal(m.hypercall(24, 8, 0, UNMAPPED), EFAULT);
  assert.equal(m.hypercall(24, 0, 0, 0), ENOSYS);
});

test('sched_op: yield; block enables events and halts until one is pending; poll; unknown commands', () => {
  const { m, mem, d, evtchn } = machine();
  const cpu = m.vm.cpu;
  assert.equal(m.hypercall(29, 0, 0), 0);
  assert.equal(cpu.halted, false);
  assert.equal(m.hypercall(29, 1, 0), 0);
  assert.deepEqual([cpu.halted, d.shared.upcallMask], [true, false]);
  cpu.halted = false;
  // Block with an event already pending returns at once.
  evtchn(7, 0, 0);
  d.shared.upcallMask = true;
  evtchn(4, 1);
  d.shared.upcallPending = true;
  assert.equal(m.hypercall(29, 1, 0), 0);
  assert.equal(cpu.halted, false);
  // Poll: returns at once for a pending port, else halts until it is.
  mem.write32(SCRATCH + 0x100, 1);
  [va(SCRATCH + 0x100), 1, 0, 0].forEach((w, k) => mem.write32(SCRATCH + k * 4, w));
  assert.equal(m.hypercall(29, 3, va(SCRATCH)), 0);
  assert.equal(cpu.halted, false);
  d.shared.clearPending(1);
  assert.equal(m.hypercall(29, 3, va(SCRATCH)), 0);
  assert.equal(cpu.halted, true);
  assert.equal(m.pv.interruptPending(), false);
  d.shared.setPending(1);
  assert.equal(m.pv.interruptPending(), true, 'the polled port woke the vCPU');
  assert.equal(m.pv.acknowledgeInterrupt(), -1, 'events are masked: no upcall, the vCPU just runs on');
  assert.equal(cpu.halted, false);
  mem.write32(SCRATCH + 0x100, 0);
  assert.equal(m.hypercall(29, 3, va(SCRATCH)), EINVAL, 'port 0');
  assert.equal(m.hypercall(29, 3, UNMAPPED), EFAULT);
  assert.equal(m.hypercall(29, 9, 0), ENOSYS);
});

test('sched_op shutdown: poweroff stops the VM, crash ends the domain; bad reason and pointer refused', () => {
  const { m, mem } = machine();
  mem.write32(SCRATCH, 9);
  assert.equal(m.hypercall(29, 2, va(SCRATCH)), EINVAL);
  assert.equal(m.hypercall(29, 2, UNMAPPED), EFAULT);
  mem.write32(SCRATCH, 0);
  assert.equal(m.hypercall(29, 2, va(SCRATCH)), 0);
  assert.deepEqual(m.vm.run(1000), { kind: 'shutdown', detail: 'sched_op shutdown (poweroff)' });
  const n = pvMachine();
  n.vm.memory.write32(SCRATCH, 3);
  n.hypercall(29, 2, va(SCRATCH));
  const stop = n.vm.run(1000);
  assert.equal(stop?.kind, 'triple-fault');
  assert.equal(stop?.kind === 'triple-fault' && stop.description, 'pv domain crashed: sched_op shutdown (crash)');
});
