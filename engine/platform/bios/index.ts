// The hvdbg BIOS: the real-mode services a disk boot loader expects, provided by the hypervisor as
// traps. A one-page ROM at F000:E000 holds a stub per service vector — `out 0xE8, al; iret` — and the
// interrupt vector table points at them. The OUT reaches the BIOS trap port, whose handler finds the
// vector from the stub's address (CS:IP of the OUT), performs the service on the caller's registers
// (untouched by the stub) and memory, and sets CF/ZF in the FLAGS image the IRET pops. Other vectors
// point at a bare IRET, and the PIC's IRQ vectors (08h–0Fh, 70h–77h) at stubs that send the PIC a
// non-specific EOI first.
import type { PortHandler } from '../../devices/io-bus.js';
import { CS } from '../../cpu/registers.js';
import { BiosCall } from './call.js';
import { BiosVideo } from './video.js';
import { BiosDisk } from './disk.js';
import { BiosSystem } from './system.js';
import type { BiosMachine } from './machine.js';

export type { BiosMachine } from './machine.js';
export { BiosCall } from './call.js';
export { diskGeometry, HEADS, SECTORS_PER_TRACK } from './disk.js';

/** The hvdbg BIOS trap port: an OUT from a BIOS ROM stub here runs the service. */
export const BIOS_TRAP_PORT = 0xE8;
/** The BIOS ROM page (F000:E000). */
export const BIOS_ROM_SEGMENT = 0xF000, BIOS_ROM_OFFSET = 0xE000;
export const BIOS_ROM_BASE = (BIOS_ROM_SEGMENT << 4) + BIOS_ROM_OFFSET;
/** Vectors the hypervisor services. */
export const BIOS_SERVICE_VECTORS = [0x10, 0x11, 0x12, 0x13, 0x15, 0x16, 0x1A] as const;

const STUB_SIZE = 4;                              // out imm8, al; iret; nop — at offset vector × 4
const IRET_OFFSET = 0x400, MASTER_EOI_OFFSET = 0x410, SLAVE_EOI_OFFSET = 0x420;

/** The ROM page image. */
export function biosRomImage(): Uint8Array {
  const rom = new Uint8Array(0x1000).fill(0xF4); // HLT anywhere a stray jump lands
  for (const v of BIOS_SERVICE_VECTORS) rom.set([0xE6, BIOS_TRAP_PORT, 0xCF, 0x90], v * STUB_SIZE);
  rom[IRET_OFFSET] = 0xCF;
  // push ax; mov al, 20h; out 20h, al; pop ax; iret
  rom.set([0x50, 0xB0, 0x20, 0xE6, 0x20, 0x58, 0xCF], MASTER_EOI_OFFSET);
  // push ax; mov al, 20h; out 0A0h, al; out 20h, al; pop ax; iret
  rom.set([0x50, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58, 0xCF], SLAVE_EOI_OFFSET);
  return rom;
}

/** ROM offset the IVT entry of vector points at. */
export function biosHandlerOffset(vector: number): number {
  if ((BIOS_SERVICE_VECTORS as readonly number[]).includes(vector)) return BIOS_ROM_OFFSET + vector * STUB_SIZE;
  if (vector >= 0x08 && vector <= 0x0F) return BIOS_ROM_OFFSET + MASTER_EOI_OFFSET;
  if (vector >= 0x70 && vector <= 0x77) return BIOS_ROM_OFFSET + SLAVE_EOI_OFFSET;
  return BIOS_ROM_OFFSET + IRET_OFFSET;
}

/** The trap port: runs the BIOS service whose ROM stub executed the OUT. */
export class BiosTraps implements PortHandler {
  readonly video: BiosVideo;
  readonly disk: BiosDisk;
  readonly system: BiosSystem;
  /** Service calls by vector (for tests and statistics). */
  readonly calls = new Map<number, number>();

  constructor(private readonly m: BiosMachine) {
    this.video = new BiosVideo(m);
    this.disk = new BiosDisk(m);
    this.system = new BiosSystem(m);
  }

  read(): number { return 0xFF; }

  write(): void {
    const cpu = this.m.cpu;
    if (cpu.protectedMode && !cpu.v86) return;      // only the real-mode stubs call services
    const at = (cpu.segBase[CS] + cpu.instrStart) >>> 0;
    const offset = at - BIOS_ROM_BASE;
    if (offset < 0 || offset >= 0x100 * STUB_SIZE || offset % STUB_SIZE !== 0) return; // not a stub: ignore
    const vector = offset / STUB_SIZE;
    this.calls.set(vector, (this.calls.get(vector) ?? 0) + 1);
    this.dispatch(new BiosCall(cpu, vector));
  }

  dispatch(c: BiosCall): void {
    switch (c.vector) {
      case 0x10: return this.video.handle(c);
      case 0x11: return this.system.equipment(c);
      case 0x12: return this.system.baseMemory(c);
      case 0x13: return this.disk.handle(c);
      case 0x15: return this.system.int15(c);
      case 0x16: return this.system.int16(c);
      case 0x1A: return this.system.int1a(c);
    }
  }
}

/**
 * Installs the BIOS for a disk boot: the ROM page, the trap port, the interrupt vector table and a
 * cleared 80×25 text screen (video fields of the BIOS data area). Returns the trap handler.
 */
export function installBios(m: BiosMachine): BiosTraps {
  m.memory.mapRom(BIOS_ROM_BASE, biosRomImage(), 'hvdbg BIOS ROM');
  const traps = new BiosTraps(m);
  m.io.register(BIOS_TRAP_PORT, 1, 'hvdbg BIOS trap port', traps);
  for (let v = 0; v < 256; v++) {
    m.memory.write16(v * 4, biosHandlerOffset(v));
    m.memory.write16(v * 4 + 2, BIOS_ROM_SEGMENT);
  }
  traps.video.setMode(3);   // the BDA itself comes from engine/platform/firmware when the PC is built
  return traps;
}
