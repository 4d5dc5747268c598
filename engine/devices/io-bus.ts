// The port-I/O bus: devices register a (base, length) port range with read/write handlers; the bus
// refuses overlapping registrations and answers unclaimed ports like an open ISA bus (all ones).

/** One device's view of its port range; offsets are relative to the registered base. */
export interface PortHandler {
  /** Reads size (1, 2 or 4) bytes at base+offset. */
  read(offset: number, size: 1 | 2 | 4): number;
  /** Writes size (1, 2 or 4) bytes at base+offset. */
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

interface PortRange { base: number; length: number; name: string; handler: PortHandler }

/** Thrown when two devices claim the same port (a wiring bug, not a guest error). */
export class PortConflictError extends Error {}

export class IoBus {
  private readonly owner: Array<PortRange | undefined> = new Array(0x10000); // port → range
  private readonly ranges: PortRange[] = [];

  /** Registers handler for ports [base, base+length). */
  register(base: number, length: number, name: string, handler: PortHandler): void {
    if (base < 0 || length <= 0 || base + length > 0x10000) throw new PortConflictError(`${name}: bad port range ${base}+${length}`);
    for (let p = base; p < base + length; p++) {
      const o = this.owner[p];
      if (o) throw new PortConflictError(`${name}: port 0x${p.toString(16)} already belongs to ${o.name}`);
    }
    const range = { base, length, name, handler };
    this.ranges.push(range);
    for (let p = base; p < base + length; p++) this.owner[p] = range;
  }

  /** Name of the device owning port, if any (for exit descriptions). */
  deviceAt(port: number): string | undefined { return this.owner[port & 0xFFFF]?.name; }

  read(port: number, size: 1 | 2 | 4): number {
    port &= 0xFFFF;
    const r = this.owner[port];
    if (r) return r.handler.read(port - r.base, size) >>> 0;
    return size === 1 ? 0xFF : size === 2 ? 0xFFFF : 0xFFFF_FFFF;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    port &= 0xFFFF;
    const r = this.owner[port];
    if (r) r.handler.write(port - r.base, size, value);
  }
}
