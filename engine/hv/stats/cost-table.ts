// The modeled cost, in host CPU cycles, of each VM event: what a guest-to-hypervisor crossing costs
// on a recent x86 host under each strategy. A model, not a measurement — docs/hypervisor.md gives the
// sources and reasoning for every figure; statistics multiply these by the event counts.
import { ExitReason } from '../exit-reasons.js';
import type { VmEvent } from '../vm-event.js';

/**
 * VT-x round trip (exit + entry, about 1,000 cycles on Skylake and later) plus KVM's handling of
 * the reason; exits that KVM hands to the userspace VMM (port I/O and MMIO to QEMU devices) pay
 * the extra trip out of the kernel.
 */
export const HW_EXIT_CYCLES: Readonly<Record<number, number>> = {
  [ExitReason.ExceptionOrNmi]: 2_000,      // decode the interruption info, reflect to the guest
  [ExitReason.ExternalInterrupt]: 1_500,   // host interrupt handler, then re-entry
  [ExitReason.TripleFault]: 2_000,         // the VM is reset or torn down (one-off)
  [ExitReason.InterruptWindow]: 1_200,
  [ExitReason.Cpuid]: 1_300,               // the classic "null exit" micro-benchmark
  [ExitReason.Hlt]: 1_800,                 // block the vCPU thread (the wait itself is not counted)
  [ExitReason.Invd]: 1_200,
  [ExitReason.Invlpg]: 1_500,
  [ExitReason.Rdpmc]: 1_500,
  [ExitReason.Rdtsc]: 1_200,
  [ExitReason.Vmcall]: 1_200,
  [ExitReason.CrAccess]: 1_600,
  [ExitReason.DrAccess]: 1_500,
  [ExitReason.IoInstruction]: 12_000,      // to the userspace device model and back
  [ExitReason.Rdmsr]: 1_600,
  [ExitReason.Wrmsr]: 1_800,
  [ExitReason.Pause]: 1_200,
  [ExitReason.EptViolation]: 14_000,       // instruction decode + emulation in the userspace device model
  [ExitReason.Wbinvd]: 1_500,
};
/** An exit reason the table does not list. */
export const HW_EXIT_DEFAULT_CYCLES = 1_500;

/** bt: a sensitive instruction the translator replaced, by how the monitor handles it. */
export const BT_CALLOUT_CYCLES = {
  inline: 30,        // emulated in the translated code itself (CLI/STI, PUSHF/POPF, reading virtual state)
  monitor: 400,      // a call into the monitor (MOV CR, LGDT, IRET, far transfers …)
  device: 12_000,    // I/O: the device model on the host, priced like hw's I/O exit (the trip dominates both)
} as const;
/** Mnemonics the translated code emulates inline (no monitor call). */
export const BT_INLINE_MNEMONICS: ReadonlySet<string> = new Set([
  'cli', 'sti', 'pushf', 'popf', 'pushfd', 'popfd', 'smsw', 'sgdt', 'sidt', 'sldt', 'str', 'lar', 'lsl', 'verr', 'verw',
]);
/** Mnemonics that reach a device (port I/O). */
export const BT_DEVICE_MNEMONICS: ReadonlySet<string> = new Set([
  'in', 'out', 'insb', 'insw', 'insd', 'outsb', 'outsw', 'outsd',
]);

/** pv: a hypercall (int 0x82 round trip into the hypervisor and back), plus console I/O to the host. */
export const PV_HYPERCALL_CYCLES = 600;
export const PV_CONSOLE_IO_CYCLES = 8_000;
/** A fault into the hypervisor that it emulates or reflects (a privileged instruction at ring 1 …). */
export const TRAP_CYCLES = 1_500;
/** Injecting an interrupt at entry (hw), or an event-channel upcall (pv). */
export const INTERRUPT_CYCLES: Readonly<Record<string, number>> = { external: 300, 'event-channel': 250, timer: 300 };

/** The modeled cycles of one event. Audit findings are reports, not crossings: they cost nothing. */
export function modeledCycles(e: VmEvent): number {
  switch (e.kind) {
    case 'exit': return HW_EXIT_CYCLES[e.reason] ?? HW_EXIT_DEFAULT_CYCLES;
    case 'callout': {
      const m = e.mnemonic.toLowerCase();
      return BT_DEVICE_MNEMONICS.has(m) ? BT_CALLOUT_CYCLES.device : BT_INLINE_MNEMONICS.has(m) ? BT_CALLOUT_CYCLES.inline : BT_CALLOUT_CYCLES.monitor;
    }
    case 'hypercall': return e.name === 'console_io' ? PV_CONSOLE_IO_CYCLES : PV_HYPERCALL_CYCLES;
    case 'trap': return TRAP_CYCLES;
    case 'interrupt': return INTERRUPT_CYCLES[e.source] ?? 300;
    case 'audit': return 0;
  }
}
