// Model-specific registers the modelled CPU knows; anything else raises #GP as on hardware.
import type { Cpu } from './cpu.js';
import { fault, Vector } from './fault.js';

export const MSR_TSC = 0x10;
export const MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176;
export const MSR_MTRRCAP = 0xFE, MSR_MTRR_DEF_TYPE = 0x2FF;
/** IA32_BIOS_SIGN_ID: the microcode revision (0: no update loaded); writing 0 before CPUID is how it is read. */
export const MSR_BIOS_SIGN_ID = 0x8B;
export const MSR_APIC_BASE = 0x1B;

/** MSRs a device owns, per CPU (the local APIC registers IA32_APIC_BASE here). */
export const msrHooks = new WeakMap<Cpu, Map<number, { read(): bigint; write(value: bigint): void }>>();

/** MSRs that hold whatever the guest writes (SYSENTER, MTRRs). */
function isPlainMsr(index: number): boolean {
  return (index >= MSR_SYSENTER_CS && index <= MSR_SYSENTER_EIP) || index === MSR_MTRR_DEF_TYPE
    || index === MSR_BIOS_SIGN_ID
    || (index >= 0x200 && index <= 0x20F) || index === 0x250 || index === 0x258 || index === 0x259
    || (index >= 0x268 && index <= 0x26F);
}

export function readMsr(cpu: Cpu, index: number): bigint {
  index >>>= 0;
  if (index === MSR_TSC) return BigInt(cpu.instructions) + cpu.tsc;
  const hook = msrHooks.get(cpu)?.get(index);
  if (hook) return hook.read();
  if (index === MSR_MTRRCAP) return 0x508n; // 8 variable ranges, fixed ranges, write-combining
  if (isPlainMsr(index)) return cpu.msr.get(index) ?? 0n;
  return fault(Vector.GP, 0, `RDMSR of unknown MSR 0x${index.toString(16)}`);
}

export function writeMsr(cpu: Cpu, index: number, value: bigint): void {
  index >>>= 0;
  if (index === MSR_TSC) { cpu.tsc = value - BigInt(cpu.instructions); return; }
  if (isPlainMsr(index)) { cpu.msr.set(index, value); return; }
  const hook = msrHooks.get(cpu)?.get(index);
  if (hook) { hook.write(value); return; }
  fault(Vector.GP, 0, `WRMSR to unknown or read-only MSR 0x${index.toString(16)}`);
}
