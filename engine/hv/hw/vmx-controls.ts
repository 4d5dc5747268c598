// VT-x VM-execution control bits (Intel SDM Vol. 3C, 25.6.1–25.6.2) with their names, so every exit
// can say which control caused it in the SDM's words.

/** Pin-based VM-execution controls (SDM Table 25-5). */
export const enum PinControl {
  ExternalInterruptExiting = 1 << 0,
  NmiExiting = 1 << 3,
  VirtualNmis = 1 << 5,
  PreemptionTimer = 1 << 6,
}

/** Primary processor-based VM-execution controls (SDM Table 25-6). */
export const enum ProcControl {
  InterruptWindowExiting = 1 << 2,
  UseTscOffsetting = 1 << 3,
  HltExiting = 1 << 7,
  InvlpgExiting = 1 << 9,
  MwaitExiting = 1 << 10,
  RdpmcExiting = 1 << 11,
  RdtscExiting = 1 << 12,
  Cr3LoadExiting = 1 << 15,
  Cr3StoreExiting = 1 << 16,
  Cr8LoadExiting = 1 << 19,
  Cr8StoreExiting = 1 << 20,
  UseTprShadow = 1 << 21,
  NmiWindowExiting = 1 << 22,
  MovDrExiting = 1 << 23,
  UnconditionalIoExiting = 1 << 24,
  UseIoBitmaps = 1 << 25,
  MonitorTrapFlag = 1 << 27,
  UseMsrBitmaps = 1 << 28,
  MonitorExiting = 1 << 29,
  PauseExiting = 1 << 30,
  ActivateSecondaryControls = 1 << 31,
}

/** Secondary processor-based VM-execution controls (SDM Table 25-7). */
export const enum Proc2Control {
  VirtualizeApicAccesses = 1 << 0,
  EnableEpt = 1 << 1,
  DescriptorTableExiting = 1 << 2,
  EnableRdtscp = 1 << 3,
  EnableVpid = 1 << 5,
  WbinvdExiting = 1 << 6,
  UnrestrictedGuest = 1 << 7,
  PauseLoopExiting = 1 << 10,
}

/** The three control words, by the name the cause strings use. */
export type ControlField = 'pin-based' | 'primary processor-based' | 'secondary processor-based';

const PIN_NAMES: Record<number, string> = {
  0: 'external-interrupt exiting', 3: 'NMI exiting', 5: 'virtual NMIs', 6: 'activate VMX-preemption timer',
};
const PROC_NAMES: Record<number, string> = {
  2: 'interrupt-window exiting', 3: 'use TSC offsetting', 7: 'HLT exiting', 9: 'INVLPG exiting', 10: 'MWAIT exiting',
  11: 'RDPMC exiting', 12: 'RDTSC exiting', 15: 'CR3-load exiting', 16: 'CR3-store exiting', 19: 'CR8-load exiting',
  20: 'CR8-store exiting', 21: 'use TPR shadow', 22: 'NMI-window exiting', 23: 'MOV-DR exiting',
  24: 'unconditional I/O exiting', 25: 'use I/O bitmaps', 27: 'monitor trap flag', 28: 'use MSR bitmaps',
  29: 'MONITOR exiting', 30: 'PAUSE exiting', 31: 'activate secondary controls',
};
const PROC2_NAMES: Record<number, string> = {
  0: 'virtualize APIC accesses', 1: 'enable EPT', 2: 'descriptor-table exiting', 3: 'enable RDTSCP', 5: 'enable VPID',
  6: 'WBINVD exiting', 7: 'unrestricted guest', 10: 'PAUSE-loop exiting',
};

const NAMES: Record<ControlField, Record<number, string>> = {
  'pin-based': PIN_NAMES, 'primary processor-based': PROC_NAMES, 'secondary processor-based': PROC2_NAMES,
};

const causeCache = new Map<string, string>();   // field + bit → cause text (exits ask on every exit)

/** The cause text of an exit a control bit caused, e.g. "RDTSC exiting (primary processor-based bit 12)". */
export function controlCause(field: ControlField, bit: number): string {
  const key = field + (bit >>> 0);
  let text = causeCache.get(key);
  if (text === undefined) {
    const index = 31 - Math.clz32(bit >>> 0);
    text = `${NAMES[field][index] ?? `bit ${index}`} (${field} bit ${index})`;
    causeCache.set(key, text);
  }
  return text;
}

/** The names of the bits set in a control word, in bit order (for docs, the inspector and tests). */
export function controlNames(field: ControlField, value: number): string[] {
  const names: string[] = [];
  for (let b = 0; b < 32; b++) if ((value >>> b) & 1) names.push(NAMES[field][b] ?? `bit ${b}`);
  return names;
}

/** Cause text of exits that no control can switch off (CPUID, INVD, VMCALL, triple fault …). */
export const UNCONDITIONAL = 'unconditional';
