// What the BIOS services reach: the CPU whose registers carry the call, physical memory, the port bus
// (VGA, COM1, CMOS, 8042), virtual time and the disks BIOS drives 80h/81h stand for.
import type { Cpu } from '../../cpu/cpu.js';
import type { GuestMemory } from '../../memory/guest-memory.js';
import type { IoBus } from '../../devices/io-bus.js';
import type { VirtualClock } from '../clock.js';
import type { BlockDevice } from '../../storage/block-device.js';

export interface BiosMachine {
  cpu: Cpu;
  memory: GuestMemory;
  io: IoBus;
  clock: VirtualClock;
  /** The primary IDE disks: [master (drive 80h), slave (drive 81h)]. */
  disks: readonly (BlockDevice | undefined)[];
}
