// Why the binary translator will not let an instruction run directly: the table's virtualization
// class plus one line per instruction family saying what makes it sensitive.
import type { IsaEntry } from '../../cpu/isa/index.js';
import type { Sensitivity } from '../vm-event.js';

/** One line per handler family of the privileged and sensitive-unprivileged rows. */
const WHY_BY_HANDLER: Readonly<Record<string, string>> = {
  push: 'pushes a segment selector whose RPL reveals the CPL it runs at',
  pop: 'loads a segment register: descriptor checks compare DPL with the CPL',
  movsr: 'moves a segment selector: a read reveals the RPL, a load checks DPL against the CPL',
  lseg: 'loads a segment register: descriptor checks compare DPL with the CPL',
  arpl: 'adjusts a selector RPL, which reveals privilege levels',
  callf: 'far transfer: privilege checks on the target CS selector (RPL, DPL) and the pushed CS',
  jmpf: 'far transfer: privilege checks on the target CS selector (RPL, DPL)',
  retf: 'far return: privilege checks on the popped CS selector',
  iret: 'restores EFLAGS (IF and IOPL changes are silently dropped when CPL > IOPL) and checks privilege',
  pushf: 'pushes EFLAGS, revealing IF and IOPL',
  popf: 'loads EFLAGS: IF and IOPL changes are silently dropped when CPL > IOPL (no trap)',
  in: 'reads an I/O port (IOPL and I/O permission bitmap)',
  out: 'writes an I/O port (IOPL and I/O permission bitmap)',
  ins: 'reads an I/O port into memory (IOPL and I/O permission bitmap)',
  outs: 'writes memory to an I/O port (IOPL and I/O permission bitmap)',
  hlt: 'halts the processor (CPL 0 only)',
  cli: 'clears IF (CPL <= IOPL only)',
  sti: 'sets IF (CPL <= IOPL only)',
  sldt: 'reads LDTR, which the monitor owns, without trapping',
  str: 'reads TR, which the monitor owns, without trapping',
  sgdt: 'reads GDTR, which the monitor owns, without trapping',
  sidt: 'reads IDTR, which the monitor owns, without trapping',
  smsw: 'reads CR0 bits 0-15 without trapping',
  lldt: 'loads LDTR (CPL 0 only)',
  ltr: 'loads TR (CPL 0 only)',
  lgdt: 'loads GDTR (CPL 0 only)',
  lidt: 'loads IDTR (CPL 0 only)',
  lmsw: 'writes CR0 bits 0-3 (CPL 0 only)',
  clts: 'clears CR0.TS (CPL 0 only)',
  movcr: 'moves to or from a control register (CPL 0 only)',
  movdr: 'moves to or from a debug register (CPL 0 only)',
  invlpg: 'invalidates a TLB entry (CPL 0 only)',
  invd: 'invalidates caches (CPL 0 only)',
  wbinvd: 'writes back and invalidates caches (CPL 0 only)',
  rdmsr: 'reads a model-specific register (CPL 0 only)',
  wrmsr: 'writes a model-specific register (CPL 0 only)',
  sysexit: 'returns to ring 3 from a fast system call (CPL 0 only)',
  lar: 'reads descriptor access rights, which the monitor\'s shadow tables change',
  lsl: 'reads a segment limit, which the monitor\'s shadow tables change',
  verr: 'checks readability against the CPL, from the monitor\'s shadow tables',
  verw: 'checks writability against the CPL, from the monitor\'s shadow tables',
  rdtsc: 'reads the time-stamp counter (privileged only when CR4.TSD is set)',
  rdpmc: 'reads a performance counter (privileged only when CR4.PCE is clear)',
  vmcall: 'calls the hypervisor (#UD outside VMX non-root operation)',
  cpuid: 'reveals the processor\'s identity and features without trapping',
};

/** The sensitivity of a table row, or undefined for an innocuous one. */
export function sensitivityOf(entry: IsaEntry): Sensitivity | undefined {
  if (entry.virt === 'privileged') return 'privileged';
  if (entry.virt === 'sensitive') return 'sensitive-unprivileged';
  return undefined;
}

/** What makes a sensitive row sensitive, in one line. */
export function whySensitive(entry: IsaEntry): string {
  const why = WHY_BY_HANDLER[entry.handler];
  if (why !== undefined) return why;
  return entry.virt === 'privileged' ? 'privileged: faults outside ring 0' : 'reads or changes privileged state without trapping';
}

/** Handler names that have an explanation (for the test that every sensitive row is covered). */
export const EXPLAINED_HANDLERS: ReadonlySet<string> = new Set(Object.keys(WHY_BY_HANDLER));
