// Event channels (Xen's evtchn): ports 1–1023 bound to a virtual IRQ (the timer) or to an IPI of the
// vCPU, raised by the hypervisor or by EVTCHNOP_send, delivered as pending bits in shared_info.
import { Errno } from './abi.js';
import { NR_EVENT_CHANNELS, type SharedInfo } from './shared-info.js';

/** Virtual IRQs (public/xen.h VIRQ_*). */
export const enum Virq { Timer = 0, Debug = 1, Console = 2 }
export const NR_VIRQS = 24;

/** What a port is bound to (Xen's ECS_* states). */
export type PortBinding = { kind: 'virq'; virq: number; vcpu: number } | { kind: 'ipi'; vcpu: number };

export class EventChannels {
  private readonly ports = new Map<number, PortBinding>();   // bound ports (port 0 is never used)
  private readonly virqPorts = new Map<number, number>();    // virq → port

  constructor(private readonly shared: SharedInfo) {}

  binding(port: number): PortBinding | undefined { return this.ports.get(port); }

  private allocate(): number | Errno {
    for (let port = 1; port < NR_EVENT_CHANNELS; port++) if (!this.ports.has(port)) return port;
    return -Errno.ENOSPC;
  }

  /** EVTCHNOP_bind_virq: a port for virq on vcpu; -EEXIST-like -EINVAL if already bound. */
  bindVirq(virq: number, vcpu: number): number {
    if (virq >= NR_VIRQS) return -Errno.EINVAL;
    if (vcpu !== 0) return -Errno.ENOENT;
    if (this.virqPorts.has(virq)) return -Errno.EINVAL;   // Xen: -EEXIST; the guest must close it first
    const port = this.allocate();
    if (port < 0) return port;
    this.ports.set(port, { kind: 'virq', virq, vcpu });
    this.virqPorts.set(virq, port);
    return port;
  }

  /** EVTCHNOP_bind_ipi: a port the guest can notify itself on with EVTCHNOP_send. */
  bindIpi(vcpu: number): number {
    if (vcpu !== 0) return -Errno.ENOENT;
    const port = this.allocate();
    if (port < 0) return port;
    this.ports.set(port, { kind: 'ipi', vcpu });
    return port;
  }

  /** EVTCHNOP_send: raises an IPI port; other kinds cannot be sent to (-EINVAL, as Xen). */
  send(port: number): number {
    const b = this.ports.get(port);
    if (!b) return -Errno.EINVAL;
    if (b.kind !== 'ipi') return -Errno.EINVAL;
    this.shared.setPending(port);
    return 0;
  }

  /** EVTCHNOP_unmask. */
  unmask(port: number): number {
    if (port <= 0 || port >= NR_EVENT_CHANNELS || !this.ports.has(port)) return -Errno.EINVAL;
    this.shared.unmask(port);
    return 0;
  }

  /** EVTCHNOP_close. */
  close(port: number): number {
    const b = this.ports.get(port);
    if (!b) return -Errno.EINVAL;
    if (b.kind === 'virq') this.virqPorts.delete(b.virq);
    this.ports.delete(port);
    this.shared.clearPending(port);
    return 0;
  }

  /** The hypervisor raises virq: marks its port pending when bound (returns the port, or -1). */
  raiseVirq(virq: number): number {
    const port = this.virqPorts.get(virq);
    if (port === undefined) return -1;
    this.shared.setPending(port);
    return port;
  }
}
