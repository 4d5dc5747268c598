// The PC platform: which devices sit at which ports and addresses, how their interrupt lines reach
// the CPU, and what the guest's output and power-off signals do. The Vm builds one per machine.
import type { GuestMemory } from '../memory/guest-memory.js';
import type { IoBus } from '../devices/io-bus.js';
import type { Cpu } from '../cpu/cpu.js';
import type { VirtualClock } from './clock.js';
import type { StopReason } from '../hv/stop-reason.js';
import type { InterruptSource } from '../hv/strategy.js';
import { Uart16550 } from '../devices/uart16550.js';
import { DebugCon, DebugExit } from '../devices/debug-ports.js';
import { PicPair } from '../devices/pic8259.js';
import { Pit8254, PIT_PORT } from '../devices/pit8254.js';
import { SystemControlPortB, SYSTEM_CONTROL_B_PORT } from '../devices/port61.js';
import { CmosRtc, RTC_PORT } from '../devices/cmos-rtc.js';
import { IrqFanout, IrqLine, type IrqSink } from './interrupt-lines.js';
import { Emitter } from '../util/event.js';
import { I8042 } from '../devices/i8042.js';
import { Port92, ResetControl } from '../devices/port92.js';
import { VgaText, VGA_WINDOW_BASE, VGA_WINDOW_SIZE } from '../devices/vga-text.js';
import { FwCfg, FW_CFG_BASE_PORT } from '../devices/fw-cfg.js';
import { ApicBus, LocalApic, IoApic, LAPIC_BASE, LAPIC_SIZE, IOAPIC_BASE, IOAPIC_SIZE, apicInterruptSource, type IpiEvent } from '../devices/apic/index.js';
import { msrHooks, MSR_APIC_BASE } from '../cpu/msr.js';
import { AtaController, ATA_PRIMARY_COMMAND_PORT, ATA_PRIMARY_CONTROL_PORT, ATA_PRIMARY_IRQ } from '../devices/ata/ata-controller.js';
import type { BlockDevice } from '../storage/block-device.js';
import { installFirmware, ioApicId, type Firmware } from './firmware/index.js';

/** Where guest output came from. */
export type OutputSource = 'serial' | 'debugcon';

export const COM1_PORT = 0x3F8, DEBUGCON_PORT = 0xE9, DEBUG_EXIT_PORT = 0xF4;
export const COM2_PORT = 0x2F8, KBC_DATA_PORT = 0x60, KBC_COMMAND_PORT = 0x64, FAST_A20_PORT = 0x92, RESET_CONTROL_PORT = 0xCF9;

/** What the platform needs from the machine that hosts it. */
export interface PlatformContext {
  memory: GuestMemory;          // guest-physical memory (devices map MMIO here)
  io: IoBus;                    // port bus
  clock: VirtualClock;          // virtual time for device timers
  cpu: Cpu;                     // the boot vCPU (A20, reset)
  /** SMP: every vCPU, the boot vCPU first (default: [cpu]); each gets its own local APIC. */
  cpus?: readonly Cpu[];
  /** SMP: index of the vCPU executing now (whose local APIC the MMIO page at 0xFEE00000 shows). */
  currentCpu?(): number;
  /** SMP: an INIT/SIPI/NMI/SMI reached vCPU index's local APIC. */
  ipi?(vcpu: number, e: IpiEvent): void;
  /** Delivers guest output bytes to the host. */
  output(source: OutputSource, byte: number): void;
  /** Ends the run (debug exit, power off, reset request). */
  requestStop(reason: StopReason): void;
  /** Primary IDE channel disks: [master, slave] (either may be absent). */
  disks?: readonly (BlockDevice | undefined)[];
}

/** The wired devices a debugger or test may want to reach. */
export interface Platform {
  com1: Uart16550;                  // COM1 16550A
  /** Where the CPU asks for maskable interrupts: the local APIC, then the PIC pair as ExtINT. */
  interrupts: InterruptSource;
  pic: PicPair;                     // 8259A master/slave; devices raise IRQ 0–15 on it
  pit: Pit8254;                     // 8254 timer, OUT0 → IRQ0
  rtc: CmosRtc;                     // CMOS RTC/NVRAM, IRQ8
  com2: Uart16550;                  // COM2 16550A, IRQ3
  /** Bytes COM2 transmits (nothing is connected by default; the host may listen here). */
  com2Output: Emitter<number>;
  kbd: I8042;                       // 8042 keyboard controller with keyboard (IRQ1) and mouse (IRQ12)
  port92: Port92;                   // fast A20 and reset
  vga: VgaText;                     // VGA text mode, screen snapshot
  fwCfg: FwCfg;                     // QEMU fw_cfg at 0x510/0x511
  lapic: LocalApic;                 // the boot vCPU's local APIC at 0xFEE00000 (IA32_APIC_BASE = MSR 0x1B)
  lapics: LocalApic[];              // SMP: the local APIC of each vCPU (APIC ID = vCPU index); lapics[0] = lapic
  /** SMP: each vCPU's interrupt source (its own local APIC; the PIC's ExtINT reaches the BSP only). */
  vcpuInterrupts: InterruptSource[];
  ioapic: IoApic;                   // IO-APIC at 0xFEC00000; legacy IRQs reach it too (IRQ0 on pin 2)
  apicBus: ApicBus;                 // local APICs (one per vCPU) and the IO-APIC's messages
  ata: AtaController;               // primary IDE channel 0x1F0–0x1F7/0x3F6, IRQ14
  firmware: Firmware;               // BDA, MP and ACPI tables, E820 map (engine/platform/firmware)
}

/** Builds the PC: legacy devices on the port bus, their IRQ wiring, and the debug ports. */
export function buildPc(ctx: PlatformContext): Platform {
  ctx.io.register(DEBUGCON_PORT, 1, 'debugcon', new DebugCon((b) => ctx.output('debugcon', b)));
  ctx.io.register(DEBUG_EXIT_PORT, 4, 'isa-debug-exit', new DebugExit((status, value) => {
    ctx.requestStop({ kind: 'debug-exit', value, status });
  }));
  // ---- interrupt controller and timers: PIC pair (the CPU's interrupt source), PIT on IRQ0,
  // port 0x61 (PIT channel 2 gate, speaker), RTC on IRQ8.
  const pic = new PicPair();
  pic.register(ctx.io);
  // Local APIC (one per vCPU) and IO-APIC; legacy IRQs reach PIC and IO-APIC.
  const apicBus = new ApicBus();
  const { lapics, lapic } = wireLocalApics(ctx, apicBus);
  const ioapic = new IoApic(apicBus);
  ctx.memory.mapMmio(IOAPIC_BASE, IOAPIC_SIZE, 'IO-APIC', ioapic);
  const irqs = new IrqFanout([pic, ioapic.isa]);
  const pit = new Pit8254(ctx.clock, new IrqLine(irqs, 0));
  ctx.io.register(PIT_PORT, 4, 'PIT (8254)', pit);
  ctx.io.register(SYSTEM_CONTROL_B_PORT, 1, 'system control port B', new SystemControlPortB(pit, ctx.clock));
  const rtc = new CmosRtc(ctx.clock, { ramBytes: ctx.memory.ramSize }, new IrqLine(irqs, 8));
  ctx.io.register(RTC_PORT, 2, 'CMOS RTC', rtc);
  // ---- end interrupt controller and timers
  const legacy = wireLegacyDevices(ctx, irqs);
  const ata = new AtaController(new IrqLine(irqs, ATA_PRIMARY_IRQ), ctx.disks ?? []);
  ctx.io.register(ATA_PRIMARY_COMMAND_PORT, 8, 'primary IDE channel (ATA)', ata.commandBlock);
  ctx.io.register(ATA_PRIMARY_CONTROL_PORT, 1, 'primary IDE control (ATA)', ata.controlBlock);
  // Firmware tables (BDA, EBDA with the MP floating pointer, ACPI and MP tables at 0xE0000); the
  // IO-APIC gets the ID the tables give it (the first after the CPUs').
  const cpuCount = (ctx.cpus ?? [ctx.cpu]).length;
  const firmware = installFirmware(ctx.memory, { cpus: cpuCount, hardDisks: (ctx.disks ?? []).filter((d) => d).length });
  ioapic.writeRegister(0, ioApicId(cpuCount) << 24);
  const interrupts = apicInterruptSource(lapic, pic);
  const vcpuInterrupts = lapics.map((a, k) => (k === 0 ? interrupts : a));
  return { ...legacy, interrupts, vcpuInterrupts, pic, pit, rtc, ata, lapic, lapics, ioapic, apicBus, firmware };
}

/**
 * SMP: one local APIC per vCPU on the APIC bus (APIC ID = vCPU index, the first is the BSP), each
 * vCPU's IA32_APIC_BASE reaching its own, and the MMIO page at 0xFEE00000 showing the local APIC of
 * the vCPU that accesses it.
 */
function wireLocalApics(ctx: PlatformContext, apicBus: ApicBus): { lapics: LocalApic[]; lapic: LocalApic } {
  const cpus = ctx.cpus ?? [ctx.cpu];
  const lapics = cpus.map((cpu, k) => {
    const apic = new LocalApic({ id: k, clock: ctx.clock, bus: apicBus, bsp: k === 0, ipi: (e) => ctx.ipi?.(k, e) });
    msrHooks.set(cpu, new Map([[MSR_APIC_BASE, { read: () => apic.readApicBase(), write: (v: bigint) => apic.writeApicBase(v) }]]));
    return apic;
  });
  const lapic = lapics[0];
  const current = ctx.currentCpu;
  ctx.memory.mapMmio(LAPIC_BASE, LAPIC_SIZE, 'local APIC', lapics.length === 1 || !current ? lapic : {
    read: (offset, size) => lapics[current()].read(offset, size),
    write: (offset, size, value) => lapics[current()].write(offset, size, value),
  });
  return { lapics, lapic };
}

/**
 * Keyboard controller (IRQ1, IRQ12), fast A20 (0x92) and reset control (0xCF9), COM1 (IRQ4) and COM2
 * (IRQ3), VGA text (0xA0000 window, 0x3B4–0x3DA), fw_cfg (0x510). A reset request ends the run as a
 * shutdown for now (there is no warm reboot yet).
 */
function wireLegacyDevices(ctx: PlatformContext, irqs: IrqSink) {
  const reset = (source: string) => ctx.requestStop({ kind: 'shutdown', detail: `reset requested by ${source}` });
  const kbd = new I8042({ a20: ctx.memory, reset, irq1: new IrqLine(irqs, 1), irq12: new IrqLine(irqs, 12) });
  ctx.io.register(KBC_DATA_PORT, 1, 'keyboard controller data (8042)', kbd.dataPort);
  ctx.io.register(KBC_COMMAND_PORT, 1, 'keyboard controller status/command (8042)', kbd.commandPort);
  const port92 = new Port92(ctx.memory, reset);
  ctx.io.register(FAST_A20_PORT, 1, 'system control port A (fast A20)', port92);
  ctx.io.register(RESET_CONTROL_PORT, 1, 'reset control (0xCF9)', new ResetControl(reset));
  const com1 = new Uart16550((b) => ctx.output('serial', b), { irq: new IrqLine(irqs, 4), clock: ctx.clock });
  ctx.io.register(COM1_PORT, 8, 'COM1 (16550A UART)', com1);
  const com2Output = new Emitter<number>();
  const com2 = new Uart16550((b) => com2Output.fire(b), { irq: new IrqLine(irqs, 3), clock: ctx.clock });
  ctx.io.register(COM2_PORT, 8, 'COM2 (16550A UART)', com2);
  const vga = new VgaText();
  ctx.memory.mapMmio(VGA_WINDOW_BASE, VGA_WINDOW_SIZE, 'VGA memory', vga);
  for (const r of vga.portRanges()) ctx.io.register(r.base, r.length, r.name, r.handler);
  const fwCfg = new FwCfg({ ramBytes: ctx.memory.ramSize, cpus: (ctx.cpus ?? [ctx.cpu]).length });
  ctx.io.register(FW_CFG_BASE_PORT, 2, 'fw_cfg', fwCfg);
  return { com1, com2, com2Output, kbd, port92, vga, fwCfg };
}
