// Scheduling and time hypercalls: set_timer_op (15), sched_op (29: yield, block, shutdown, poll)
// and vcpu_op (24: is_up, periodic and single-shot timers) for the domain's one vCPU.
import { Errno } from './abi.js';
import { commandName, guarded, type HypercallCall } from './hypercall-call.js';

/** set_timer_op(timeout_lo, timeout_hi): one-shot timer at absolute system time (ns); 0 cancels. */
export function setTimerOp(call: HypercallCall): number {
  const deadline = call.args[0] + call.args[1] * 0x1_0000_0000;
  call.decoded.deadlineNs = deadline;
  call.domain.setSingleShot(deadline);
  return 0;
}

const SCHEDOP: Record<number, string> = { 0: 'yield', 1: 'block', 2: 'shutdown', 3: 'poll' };
/** SHUTDOWN_* reasons. */
export const SHUTDOWN_REASONS: Record<number, string> = { 0: 'poweroff', 1: 'reboot', 2: 'suspend', 3: 'crash', 4: 'watchdog' };

/** sched_op(cmd, arg). */
export function schedOp(call: HypercallCall): number {
  const d = call.domain, [cmd, arg] = call.args;
  call.decoded.cmd = commandName(SCHEDOP, cmd);
  switch (cmd) {
    case 0: return 0;                                       // one vCPU: nothing else to run
    case 1:                                                 // block: enable events, sleep until one is pending
      d.shared.upcallMask = false;
      if (!d.shared.upcallPending) d.cpu.halted = true;
      return 0;
    case 2: return guarded(call, () => {
      const reason = d.guest.read32(arg);
      const name = SHUTDOWN_REASONS[reason];
      if (name === undefined) return -Errno.EINVAL;
      call.decoded.reason = name;
      d.shutdown(`sched_op shutdown (${name})`, reason === 3);
      return 0;
    });
    case 3: return guarded(call, () => {
      // sched_poll { evtchn_port_t *ports; unsigned int nr_ports; uint64_t timeout; }
      const list = d.guest.read32(arg), count = d.guest.read32(arg + 4), timeout = d.guest.read64(arg + 8);
      if (count > 128) return -Errno.EINVAL;
      const ports: number[] = [];
      for (let k = 0; k < count; k++) ports.push(d.guest.read32(list + k * 4));
      call.decoded.ports = ports.join(',');
      if (ports.some((p) => p <= 0 || p >= 1024)) return -Errno.EINVAL;
      if (ports.some((p) => d.shared.isPending(p))) return 0;
      if (timeout !== 0n && timeout <= BigInt(Math.floor(d.nowNs()))) return 0;
      d.startPoll(ports, timeout);
      return 0;
    });
    default: return -Errno.ENOSYS;
  }
}

const VCPUOP: Record<number, string> = {
  0: 'initialise', 1: 'up', 2: 'down', 3: 'is_up', 6: 'set_periodic_timer', 7: 'stop_periodic_timer',
  8: 'set_singleshot_timer', 9: 'stop_singleshot_timer',
};
/** VCPU_SSHOTTMR_future: fail with -ETIME if the deadline already passed. */
const SSHOT_FUTURE = 1, ETIME = 62;

/** vcpu_op(cmd, vcpuid, arg). */
export function vcpuOp(call: HypercallCall): number {
  const d = call.domain, [cmd, vcpu, arg] = call.args;
  call.decoded.cmd = commandName(VCPUOP, cmd);
  call.decoded.vcpu = vcpu;
  if (vcpu !== 0) return -Errno.ENOENT;
  switch (cmd) {
    case 3: return 1;
    case 6: return guarded(call, () => {
      const period = Number(d.guest.read64(arg));
      call.decoded.periodNs = period;
      if (period < 1_000_000) return -Errno.EINVAL;         // Xen: at least 1 ms
      d.setPeriodic(period);
      return 0;
    });
    case 7: d.setPeriodic(0); return 0;
    case 8: return guarded(call, () => {
      const deadline = Number(d.guest.read64(arg)), flags = d.guest.read32(arg + 8);
      call.decoded.deadlineNs = deadline;
      if ((flags & SSHOT_FUTURE) && deadline < d.nowNs()) return -ETIME;
      d.setSingleShot(deadline);
      return 0;
    });
    case 9: d.setSingleShot(0); return 0;
    default: return -Errno.ENOSYS;
  }
}
