// CPU exceptions raised while executing an instruction; thrown as a JS exception and delivered by
// the CPU's step loop through the IVT/IDT (never escaping to the host).

/** Exception vectors. */
export const enum Vector {
  DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11, SS = 12,
  GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19,
}

export const VECTOR_NAMES: Readonly<Record<number, string>> = {
  0: '#DE divide error', 1: '#DB debug', 2: 'NMI', 3: '#BP breakpoint', 4: '#OF overflow', 5: '#BR bound range',
  6: '#UD invalid opcode', 7: '#NM device not available', 8: '#DF double fault', 10: '#TS invalid TSS',
  11: '#NP segment not present', 12: '#SS stack fault', 13: '#GP general protection', 14: '#PF page fault',
  16: '#MF x87 floating-point', 17: '#AC alignment check', 18: '#MC machine check', 19: '#XM SIMD floating-point',
};

/** Vectors that push an error code in protected mode. */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/** A fault/trap raised by an instruction. errorCode is undefined for vectors without one. */
export class CpuFault {
  constructor(
    readonly vector: number,          // exception vector
    readonly errorCode?: number,      // pushed error code (protected mode), if any
    readonly detail?: string,         // human-readable cause, for the debugger
  ) {}
}

export function fault(vector: number, errorCode?: number, detail?: string): never {
  throw new CpuFault(vector, errorCode, detail);
}
