// Disk boot: what a PC BIOS does after POST when the first hard disk is bootable — sector 0 of disk 0
// at 0000:7C00 if it ends with the 55 AA signature, real mode, DL = 80h (the boot drive), SS:SP just
// below the boot sector, interrupts on — with the hvdbg BIOS (engine/platform/bios) installed for the
// INT 10h/13h/15h/16h/1Ah services. The PIC pair is left as a BIOS leaves it (vectors 08h and 70h,
// every IRQ masked but the cascade), which is how the platform builds it.
import type { Vm } from '../hv/vm.js';
import { BootError } from './boot-error.js';
import { installBios, BIOS_ROM_BASE, type BiosTraps } from '../platform/bios/index.js';
import { CS, DS, EDX, ES, ESP, FS, GS, SS } from '../cpu/registers.js';
import { SECTOR_SIZE } from '../storage/block-device.js';
import type { LoadedRange } from './elf-load.js';

export const BOOT_SECTOR_ADDRESS = 0x7C00;
export const BOOT_DRIVE = 0x80;

export interface DiskBootResult {
  /** Physical address of the first instruction (0x7C00). */
  entry: number;
  /** The BIOS trap handler (service-call counts, the services themselves). */
  bios: BiosTraps;
  /** What was written: the boot sector (the IVT, BDA and BIOS ROM page too). */
  loadedRanges: LoadedRange[];
  /** No command line and no symbols in a disk boot (for the run summary). */
  commandLine: string;
  symbols: never[];
}

/** Boots vm from its first disk; file names that disk in errors. Throws BootError for an unbootable disk. */
export function bootFromDisk(vm: Vm, file: string): DiskBootResult {
  const disks = vm.config.disks ?? [];
  const disk = disks[0];
  if (!disk) throw new BootError(file, 'no disk to boot from');
  if (disk.sectorCount < 1) throw new BootError(file, `cannot boot: the image is smaller than one ${SECTOR_SIZE}-byte sector`);
  const sector = disk.read(0, 1);
  if (sector[510] !== 0x55 || sector[511] !== 0xAA) {
    const found = [sector[510], sector[511]].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    throw new BootError(file, `not bootable: sector 0 does not end with the boot signature 55 AA (found ${found})`);
  }
  const bios = installBios({ cpu: vm.cpu, memory: vm.memory, io: vm.io, clock: vm.clock, disks });
  vm.memory.writeBytes(BOOT_SECTOR_ADDRESS, sector);
  enterBootSectorState(vm);
  const loadedRanges: LoadedRange[] = [
    { start: 0, size: 0x400, description: 'interrupt vector table (hvdbg BIOS)' },
    { start: 0x400, size: 0x100, description: 'BIOS data area' },
    { start: BOOT_SECTOR_ADDRESS, size: SECTOR_SIZE, description: 'boot sector (disk 0, sector 0)' },
    { start: BIOS_ROM_BASE, size: 0x1000, description: 'hvdbg BIOS ROM stubs' },
  ];
  return { entry: BOOT_SECTOR_ADDRESS, bios, loadedRanges, commandLine: '', symbols: [] };
}

/** Real mode at 0000:7C00 with DL = 80h, SS:SP = 0000:7C00, IF = 1. */
function enterBootSectorState(vm: Vm): void {
  const cpu = vm.cpu;
  for (const seg of [CS, DS, ES, FS, GS, SS]) cpu.loadRealSegment(seg, 0);
  cpu.reg32.fill(0);
  cpu.reg32[EDX] = BOOT_DRIVE;
  cpu.reg32[ESP] = BOOT_SECTOR_ADDRESS;
  cpu.eip = BOOT_SECTOR_ADDRESS;
  cpu.instrStart = cpu.eip;
  cpu.setEflags(0x202);
  cpu.halted = false;
  cpu.shutdown = false;
  cpu.onModeChange();
}
