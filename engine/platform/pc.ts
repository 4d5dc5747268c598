// The PC platform: which devices sit at which ports and addresses, how their interrupt lines reach
// the CPU, and what the guest's output and power-off signals do. The Vm builds one per machine.
import type { GuestMemory } from '../memory/guest-memory.js';
import type { IoBus } from '../devices/io-bus.js';
import type { Cpu } from '../cpu/cpu.js';
import type { VirtualClock } from './clock.js';
import type { StopReason } from '../hv/stop-reason.js';
import type { InterruptSource } from '../hv/hw-strategy.js';
import { Uart16550 } from '../devices/uart16550.js';
import { DebugCon, DebugExit } from '../devices/debug-ports.js';

/** Where guest output came from. */
export type OutputSource = 'serial' | 'debugcon';

export const COM1_PORT = 0x3F8, DEBUGCON_PORT = 0xE9, DEBUG_EXIT_PORT = 0xF4;

/** What the platform needs from the machine that hosts it. */
export interface PlatformContext {
  memory: GuestMemory;          // guest-physical memory (devices map MMIO here)
  io: IoBus;                    // port bus
  clock: VirtualClock;          // virtual time for device timers
  cpu: Cpu;                     // the boot vCPU (A20, reset)
  /** Delivers guest output bytes to the host. */
  output(source: OutputSource, byte: number): void;
  /** Ends the run (debug exit, power off, reset request). */
  requestStop(reason: StopReason): void;
}

/** The wired devices a debugger or test may want to reach. */
export interface Platform {
  com1: Uart16550;                  // COM1 16550A
  /** Where the CPU asks for maskable interrupts (the PIC pair once it exists). */
  interrupts: InterruptSource;
}

/** Builds the PC: legacy devices on the port bus, their IRQ wiring, and the debug ports. */
export function buildPc(ctx: PlatformContext): Platform {
  const com1 = new Uart16550((b) => ctx.output('serial', b));
  ctx.io.register(COM1_PORT, 8, 'COM1 (16550A UART)', com1);
  ctx.io.register(DEBUGCON_PORT, 1, 'debugcon', new DebugCon((b) => ctx.output('debugcon', b)));
  ctx.io.register(DEBUG_EXIT_PORT, 4, 'isa-debug-exit', new DebugExit((status, value) => {
    ctx.requestStop({ kind: 'debug-exit', value, status });
  }));
  const noInterrupts: InterruptSource = { pending: () => false, acknowledge: () => -1 };
  return { com1, interrupts: noInterrupts };
}
