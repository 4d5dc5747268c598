// VT-x basic exit reasons (Intel SDM Vol. 3, Appendix C) with their names, used by every strategy's
// VM exits, the statistics and the debugger's "why did it stop" text.

export const enum ExitReason {
  ExceptionOrNmi = 0,
  ExternalInterrupt = 1,
  TripleFault = 2,
  Init = 3,
  Sipi = 4,
  InterruptWindow = 7,
  TaskSwitch = 9,
  Cpuid = 10,
  Hlt = 12,
  Invd = 13,
  Invlpg = 14,
  Rdpmc = 15,
  Rdtsc = 16,
  Vmcall = 18,
  CrAccess = 28,
  DrAccess = 29,
  IoInstruction = 30,
  Rdmsr = 31,
  Wrmsr = 32,
  InvalidGuestState = 33,
  Pause = 40,
  EptViolation = 48,
  Wbinvd = 54,
}

/** Human-readable names, as the SDM spells them. */
export const EXIT_REASON_NAMES: Readonly<Record<number, string>> = {
  0: 'exception or NMI',
  1: 'external interrupt',
  2: 'triple fault',
  3: 'INIT signal',
  4: 'SIPI',
  7: 'interrupt window',
  9: 'task switch',
  10: 'CPUID',
  12: 'HLT',
  13: 'INVD',
  14: 'INVLPG',
  15: 'RDPMC',
  16: 'RDTSC',
  18: 'VMCALL',
  28: 'control-register access',
  29: 'MOV DR',
  30: 'I/O instruction',
  31: 'RDMSR',
  32: 'WRMSR',
  33: 'invalid guest state',
  40: 'PAUSE',
  48: 'EPT violation',
  54: 'WBINVD',
};

/** Short machine-friendly keys (used by the CLI's JSON summary and breakpoint syntax). */
export const EXIT_REASON_KEYS: Readonly<Record<number, string>> = {
  0: 'exception', 1: 'extint', 2: 'triple_fault', 3: 'init', 4: 'sipi', 7: 'intwindow', 9: 'task_switch',
  10: 'cpuid', 12: 'hlt', 13: 'invd', 14: 'invlpg', 15: 'rdpmc', 16: 'rdtsc', 18: 'vmcall', 28: 'cr',
  29: 'dr', 30: 'io', 31: 'rdmsr', 32: 'wrmsr', 33: 'invalid_state', 40: 'pause', 48: 'ept', 54: 'wbinvd',
};

export function exitReasonName(reason: number): string {
  return EXIT_REASON_NAMES[reason] ?? `reason ${reason}`;
}
