// The CPUID answers of the modelled P6-class CPU: the signature and only the feature bits that the
// engine really implements (see docs/cpu.md).

/** CPUID.1:EDX feature bits the engine implements. */
export const FEATURES_EDX =
  (1 << 0)    // FPU: x87 on chip
  | (1 << 3)  // PSE: 4 MiB pages
  | (1 << 4)  // TSC
  | (1 << 5)  // MSR: RDMSR/WRMSR
  | (1 << 8)  // CX8: CMPXCHG8B
  | (1 << 9)  // APIC: local APIC on chip (IA32_APIC_BASE, MMIO at 0xFEE00000)
  | (1 << 11) // SEP: SYSENTER/SYSEXIT
  | (1 << 13) // PGE: global pages
  | (1 << 15) // CMOV
  | (1 << 24); // FXSR: FXSAVE/FXRSTOR

/** Family 6, model 8, stepping 3 (a Pentium III class part). */
export const SIGNATURE = (6 << 8) | (8 << 4) | 3;

function ascii4(s: string): number {
  return s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
}

/** [eax, ebx, ecx, edx] for a leaf; unknown leaves answer like the highest basic leaf, as Intel parts do. */
export function cpuidLeaf(leaf: number, _subleaf: number): [number, number, number, number] {
  switch (leaf >>> 0) {
    case 0: return [1, ascii4('Genu'), ascii4('ntel'), ascii4('ineI')];
    case 1: return [SIGNATURE, 0, 0, FEATURES_EDX];
    case 0x80000000: return [0x80000000, 0, 0, 0];
    default: return cpuidLeaf(1, 0);
  }
}
