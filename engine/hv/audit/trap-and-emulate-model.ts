// What plain trap-and-emulate would have given a guest, as a pure function of the guest state around one
// sensitive-unprivileged instruction: the kernel deprivileged to ring 1, the monitor's own IOPL, IF,
// descriptor tables and CR0 in the real CPU, and shadow descriptors with DPL 0 compressed to 1.
import type { Instr } from '../../cpu/instr.js';
import { CR0_EM, CR0_ET, CR0_MP, CR0_NE, CR0_PE, CR0_TS, CR4_PCE, CR4_TSD, FLAG_IF, FLAG_IOPL } from '../../cpu/registers.js';

/** The monitor's CR0 bits 0–15 in the real CPU (PE, MP, ET, NE — what a protected-mode host runs with). */
export const MONITOR_MSW = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
/** Highest limit a shadow segment may have: the monitor keeps the top 4 MiB of the address space. */
export const MONITOR_LIMIT_CEILING = 0xFFBFFFFF;

/** The guest state the model reads: before the instruction ran and after (on bare-hardware semantics). */
export interface AuditedInstruction {
  handler: string;            // the ISA table's handler name ('popf', 'sgdt' …)
  mnemonic: string;           // as events show it ('popfd', 'push cs' …)
  revealedSegment?: number;   // segment register whose selector the instruction stores (PUSH sreg, MOV r/m, sreg)
  mode: 'real' | 'protected' | 'v86';
  cplBefore: number;
  cplAfter: number;
  flagsBefore: number;        // EFLAGS before
  flagsAfter: number;         // EFLAGS after
  cr0: number;
  cr4: number;
  gdtr: { base: number; limit: number };
  idtr: { base: number; limit: number };
  ldtrSelector: number;
  trSelector: number;
  result?: number;            // LAR/LSL: the destination register after
}

/** The ring trap-and-emulate runs a guest CPL at: the kernel (0) is deprivileged to 1. */
export function deprivilegedCpl(cpl: number): number { return cpl === 0 ? 1 : cpl; }

const CR0_NAMES: ReadonlyArray<[number, string]> = [[CR0_PE, 'PE'], [CR0_MP, 'MP'], [CR0_EM, 'EM'], [CR0_TS, 'TS'], [CR0_ET, 'ET'], [CR0_NE, 'NE']];
const SEG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const CS = 1, SS = 2;

function hex(n: number): string { return `0x${(n >>> 0).toString(16)}`; }
function iopl(flags: number): number { return (flags & FLAG_IOPL) >>> 12; }

/**
 * What trap-and-emulate would have got wrong running this instruction (one line, starting with the
 * upper-case mnemonic), or undefined when it would have behaved as bare hardware did (or trapped,
 * which lets the monitor emulate it).
 */
export function trapAndEmulateProblem(a: AuditedInstruction): string | undefined {
  if (a.mode === 'v86') return undefined;   // the guest's own v86 tasks: outside this model
  const name = a.mnemonic.toUpperCase().replace(/ (FROM|TO) /, (w) => w.toLowerCase());   // 'MOV from CS', 'CALL FAR'
  const ring = deprivilegedCpl(a.cplBefore);
  switch (a.handler) {
    case 'sgdt': return `${name} returns the monitor's GDTR, not the guest's (base ${hex(a.gdtr.base)}, limit ${hex(a.gdtr.limit)})`;
    case 'sidt': return `${name} returns the monitor's IDTR, not the guest's (base ${hex(a.idtr.base)}, limit ${hex(a.idtr.limit)})`;
    case 'sldt': return `${name} returns the monitor's LDTR selector, not the guest's ${hex(a.ldtrSelector)}`;
    case 'str': return `${name} returns the monitor's TR selector, not the guest's ${hex(a.trSelector)}`;
    case 'smsw': {
      const guest = a.cr0 & 0xFFFF;
      if (guest === MONITOR_MSW) return undefined;
      const differing = CR0_NAMES.filter(([bit]) => (guest ^ MONITOR_MSW) & bit).map(([bit, n]) => `${n}=${MONITOR_MSW & bit ? 1 : 0}`);
      return `${name} returns the monitor's CR0 bits 0-15 (${hex(MONITOR_MSW)}: ${differing.join(', ')}), not the guest's ${hex(guest)}`;
    }
    case 'cpuid': return `${name} reports the host processor's identity and features, not the virtual CPU's`;
    case 'rdtsc': return a.cr4 & CR4_TSD ? undefined : `${name} reads the host's time-stamp counter, not the guest's`;
    case 'rdpmc': return a.cr4 & CR4_PCE ? `${name} reads the host's performance counters, not the guest's` : undefined;
  }
  if (a.mode === 'real') return undefined;   // run in virtual-8086 mode, where the rest trap or agree
  switch (a.handler) {
    case 'pushf': {
      const wrong: string[] = [];
      if (!(a.flagsBefore & FLAG_IF)) wrong.push('IF=1 (the monitor\'s) while the guest has IF=0');
      if (iopl(a.flagsBefore) !== 0) wrong.push(`IOPL 0 (the monitor's), not the guest's IOPL ${iopl(a.flagsBefore)}`);
      return wrong.length ? `${name} pushes ${wrong.join(' and ')}` : undefined;
    }
    case 'popf':
    case 'iret': {
      if (a.handler === 'iret' && a.cplBefore === 0 && a.cplAfter === 0) return undefined; // RPL 0 CS from ring 1: traps
      const wrong: string[] = [];
      if ((a.flagsBefore ^ a.flagsAfter) & FLAG_IF) wrong.push(`IF change (${a.flagsBefore & FLAG_IF ? 1 : 0}→${a.flagsAfter & FLAG_IF ? 1 : 0})`);
      if ((a.flagsBefore ^ a.flagsAfter) & FLAG_IOPL) wrong.push(`IOPL change (${iopl(a.flagsBefore)}→${iopl(a.flagsAfter)})`);
      return wrong.length ? `${name}: ${wrong.join(' and ')} silently ignored at CPL ${ring}` : undefined;
    }
    case 'push':
    case 'movsr': {
      const seg = a.revealedSegment;
      if (a.cplBefore !== 0 || (seg !== CS && seg !== SS)) return undefined;
      return `${name} reveals RPL ${ring}: the deprivileged kernel runs at CPL ${ring}`;
    }
    case 'callf': return a.cplBefore === 0 && a.cplAfter === 0 ? `${name} pushes a return CS with RPL ${ring}, not 0` : undefined;
    case 'lar':
      if (a.result === undefined || ((a.result >>> 13) & 3) !== 0) return undefined;
      return `${name} reports DPL 1 for a DPL 0 descriptor (the monitor's shadow descriptors compress DPL 0 to 1)`;
    case 'lsl':
      if (a.result === undefined || (a.result >>> 0) <= MONITOR_LIMIT_CEILING) return undefined;
      return `${name} returns the shadow segment's truncated limit ${hex(MONITOR_LIMIT_CEILING)}, not ${hex(a.result)}`;
  }
  return undefined;
}

/** The segment register whose selector i stores where the guest can see it (PUSH sreg, MOV r/m, sreg). */
export function revealedSegmentOf(i: Instr): number | undefined {
  const h = i.entry.handler;
  if (h === 'movsr') return i.entry.operands[0] !== 'Sw' && i.reg <= 5 ? i.reg : undefined;
  if (h !== 'push') return undefined;
  const k = SEG.indexOf((i.entry.operands[0] ?? '').toLowerCase());
  return k >= 0 ? k : undefined;
}
