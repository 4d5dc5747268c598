// System control port A (0x92, "fast A20": bit 1 opens the A20 gate, a 0→1 edge on bit 0 resets the
// CPU) and the PIIX/ICH reset control register (0xCF9: bit 2 going 0→1 resets the machine).
import type { PortHandler } from './io-bus.js';

/** The A20 gate both this port and the 8042 drive (GuestMemory implements it). */
export interface A20Gate {
  /** Current gate state; setting it masks (false) or unmasks (true) address bit 20. */
  a20Enabled: boolean;
}

/** Asks the machine for a CPU reset; source says which register did it (for the stop message). */
export type ResetRequest = (source: string) => void;

const FAST_RESET = 0x01, FAST_A20 = 0x02;

/** Port 0x92. The last writer of the A20 gate wins (8042 or here), as in QEMU and Bochs; bit 1 reads the gate. */
export class Port92 implements PortHandler {
  private latch = 0;              // last value written (bit 1 is read from the gate instead)

  constructor(private readonly gate: A20Gate, private readonly reset: ResetRequest) {}

  read(): number {
    return (this.latch & ~FAST_A20 & 0xFF) | (this.gate.a20Enabled ? FAST_A20 : 0);
  }

  write(_offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xFF;
    const old = this.latch;
    this.latch = value;
    this.gate.a20Enabled = (value & FAST_A20) !== 0;
    if ((value & FAST_RESET) && !(old & FAST_RESET)) this.reset('port 0x92 bit 0 (fast reset)');
  }

  saveState(): { latch: number } { return { latch: this.latch }; }
  loadState(s: { latch: number }): void { this.latch = s.latch; }
}

const RC_SYS_RESET = 0x02, RC_RESET_CPU = 0x04, RC_FULL_RESET = 0x08;

/** Port 0xCF9 (byte access only; a PCI host bridge claiming 0xCF8 as a dword must take this over). */
export class ResetControl implements PortHandler {
  private value = 0;              // SYS_RST and FULL_RST bits as written (RST_CPU reads 0)

  constructor(private readonly reset: ResetRequest) {}

  read(): number { return this.value; }

  write(_offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xFF;
    this.value = value & (RC_SYS_RESET | RC_FULL_RESET);
    if (value & RC_RESET_CPU) this.reset(`port 0xCF9 (reset control, value 0x${value.toString(16)})`);
  }

  saveState(): { value: number } { return { value: this.value }; }
  loadState(s: { value: number }): void { this.value = s.value; }
}
