// event_channel_op (32): bind_virq, bind_ipi, send, unmask and close on the domain's event channels.
import { Errno } from './abi.js';
import { commandName, guarded, type HypercallCall } from './hypercall-call.js';

const EVTCHNOP: Record<number, string> = { 1: 'bind_virq', 3: 'close', 4: 'send', 7: 'bind_ipi', 9: 'unmask' };
const VIRQS: Record<number, string> = { 0: 'timer', 1: 'debug', 2: 'console' };

/** event_channel_op(cmd, arg): arg points at the command's structure (ports are u32). */
export function eventChannelOp(call: HypercallCall): number {
  const d = call.domain, ev = d.events, [cmd, arg] = call.args;
  call.decoded.cmd = commandName(EVTCHNOP, cmd);
  return guarded(call, () => {
    switch (cmd) {
      case 1: {                                  // evtchn_bind_virq { u32 virq; u32 vcpu; u32 port (out) }
        const virq = d.guest.read32(arg), vcpu = d.guest.read32(arg + 4);
        call.decoded.virq = VIRQS[virq] ?? virq;
        d.guest.translate(arg + 8, true);
        const port = ev.bindVirq(virq, vcpu);
        if (port < 0) return port;
        d.guest.write32(arg + 8, port);
        call.decoded.port = port;
        return 0;
      }
      case 7: {                                  // evtchn_bind_ipi { u32 vcpu; u32 port (out) }
        const vcpu = d.guest.read32(arg);
        d.guest.translate(arg + 4, true);
        const port = ev.bindIpi(vcpu);
        if (port < 0) return port;
        d.guest.write32(arg + 4, port);
        call.decoded.port = port;
        return 0;
      }
      case 3: case 4: case 9: {                  // evtchn_close / evtchn_send / evtchn_unmask { u32 port }
        const port = d.guest.read32(arg);
        call.decoded.port = port;
        return cmd === 3 ? ev.close(port) : cmd === 4 ? ev.send(port) : ev.unmask(port);
      }
      default: return -Errno.ENOSYS;
    }
  });
}
