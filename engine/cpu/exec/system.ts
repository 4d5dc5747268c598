// System family: HLT, CPUID, RDTSC, RDMSR/WRMSR, RDPMC, MOV CRn/DRn, descriptor-table loads and
// stores, LMSW/SMSW, CLTS, INVLPG, INVD/WBINVD, LAR/LSL/VERR/VERW, SYSENTER/SYSEXIT.
import type { Cpu } from '../cpu.js';
import type { HandlerFactory } from '../dispatch.js';
import type { Instr } from '../instr.js';
import { fault, Vector } from '../fault.js';
import { materializeFlags } from '../flags.js';
import { readDescriptor, setSegmentCache, parseDescriptor } from '../descriptors.js';
import { readMsr, writeMsr, MSR_SYSENTER_CS, MSR_SYSENTER_EIP, MSR_SYSENTER_ESP } from '../msr.js';
import { CR0_AM, CR0_PE, CR0_PG, CR0_TS, CR4_TSD, CS, EAX, ECX, EDX, ESP, FLAG_IF, FLAG_VM, FLAG_RF, FLAG_ZF, SS } from '../registers.js';
import { reader, writer } from './operands.js';
import { updateDebugState } from '../debug-registers.js';

/** Privileged instructions: #GP(0) outside ring 0 (and in V86 mode). */
export function requireCpl0(cpu: Cpu, what: string): void {
  if (cpu.protectedMode && (cpu.cpl !== 0 || cpu.v86)) fault(Vector.GP, 0, `${what} at CPL ${cpu.v86 ? '3 (V86)' : cpu.cpl}`);
}
function requireProtected(cpu: Cpu, what: string): void {
  if (!cpu.protectedMode || cpu.v86) fault(Vector.UD, undefined, `${what} is not valid in ${cpu.mode} mode`);
}

const hlt: HandlerFactory = () => (cpu, i) => { requireCpl0(cpu, 'HLT'); cpu.halted = true; cpu.env.hlt(i); };

const cpuid: HandlerFactory = () => (cpu, i) => {
  const [a, b, c, d] = cpu.env.cpuid(cpu.reg32[EAX] >>> 0, cpu.reg32[ECX] >>> 0, i);
  cpu.reg32[EAX] = a; cpu.reg32[3] = b; cpu.reg32[ECX] = c; cpu.reg32[EDX] = d;
};

const rdtsc: HandlerFactory = () => (cpu, i) => {
  if ((cpu.cr4 & CR4_TSD) && cpu.protectedMode && cpu.cpl !== 0) fault(Vector.GP, 0, 'RDTSC at CPL > 0 with CR4.TSD');
  cpu.env.rdtsc(i);
  const t = BigInt(cpu.instructions) + cpu.tsc;
  cpu.reg32[EAX] = Number(t & 0xFFFFFFFFn) | 0; cpu.reg32[EDX] = Number((t >> 32n) & 0xFFFFFFFFn) | 0;
};

const rdpmc: HandlerFactory = () => (cpu, i) => {
  if (cpu.protectedMode && cpu.cpl !== 0 && !(cpu.cr4 & (1 << 8))) fault(Vector.GP, 0, 'RDPMC at CPL > 0 without CR4.PCE');
  cpu.env.rdpmc(cpu.reg32[ECX] >>> 0, i);
  if ((cpu.reg32[ECX] >>> 0) > 1) fault(Vector.GP, 0, `RDPMC of counter ${cpu.reg32[ECX] >>> 0}`);
  cpu.reg32[EAX] = 0; cpu.reg32[EDX] = 0; // no performance events are counted
};

const rdmsr: HandlerFactory = () => (cpu, i) => {
  requireCpl0(cpu, 'RDMSR');
  cpu.env.msrAccess(cpu.reg32[ECX] >>> 0, false, undefined, i);
  const v = readMsr(cpu, cpu.reg32[ECX]);
  cpu.reg32[EAX] = Number(v & 0xFFFFFFFFn) | 0; cpu.reg32[EDX] = Number((v >> 32n) & 0xFFFFFFFFn) | 0;
};

const wrmsr: HandlerFactory = () => (cpu, i) => {
  requireCpl0(cpu, 'WRMSR');
  const value = (BigInt(cpu.reg32[EDX] >>> 0) << 32n) | BigInt(cpu.reg32[EAX] >>> 0);
  cpu.env.msrAccess(cpu.reg32[ECX] >>> 0, true, value, i);
  writeMsr(cpu, cpu.reg32[ECX], value);
};

/** Writes a control register with the architectural checks and side effects. */
export function writeControlRegister(cpu: Cpu, n: number, v: number): void {
  switch (n) {
    case 0: {
      if ((v & CR0_PG) && !(v & CR0_PE)) fault(Vector.GP, 0, 'CR0.PG set without CR0.PE');
      if ((v & (1 << 29)) && !(v & (1 << 30))) fault(Vector.GP, 0, 'CR0.NW set without CR0.CD');
      const changed = cpu.cr0 ^ v;
      cpu.cr0 = (v | 0x10) | 0; // ET is hard-wired to 1 on P6
      if (changed & (CR0_PG | CR0_PE | (1 << 16))) { cpu.updatePagingMode(); cpu.mmu.flush(true); }
      if (changed & CR0_PE) cpu.onModeChange();
      if (changed & CR0_AM) updateDebugState(cpu);
      return;
    }
    case 2: cpu.cr2 = v; return;
    case 3: cpu.cr3 = v; cpu.updatePagingMode(); cpu.mmu.flush(false); return;
    case 4: {
      if (v & ~0x7FF) fault(Vector.GP, 0, `reserved CR4 bits 0x${(v & ~0x7FF).toString(16)}`);
      if (v & (1 << 5)) fault(Vector.GP, 0, 'CR4.PAE is not supported by this CPU');
      const changed = cpu.cr4 ^ v;
      cpu.cr4 = v;
      if (changed & 0xB0) { cpu.updatePagingMode(); cpu.mmu.flush(true); }
      return;
    }
    default: fault(Vector.UD, undefined, `MOV to CR${n}`);
  }
}

export function readControlRegister(cpu: Cpu, n: number): number {
  switch (n) {
    case 0: return cpu.cr0; case 2: return cpu.cr2; case 3: return cpu.cr3; case 4: return cpu.cr4;
    default: return fault(Vector.UD, undefined, `MOV from CR${n}`);
  }
}

const movcr: HandlerFactory = (entry) => {
  const toCr = entry.operands[0] === 'Cd';
  return (cpu, i) => {
    requireCpl0(cpu, 'MOV CR');
    if (toCr) writeControlRegister(cpu, i.reg, cpu.env.crWrite(i.reg, cpu.reg32[i.rm], i));
    else cpu.reg32[i.rm] = cpu.env.crRead(i.reg, readControlRegister(cpu, i.reg), i);
  };
};

const movdr: HandlerFactory = (entry) => {
  const toDr = entry.operands[0] === 'Dd';
  return (cpu, i) => {
    requireCpl0(cpu, 'MOV DR');
    let n = i.reg;
    if (n === 4 || n === 5) { if (cpu.cr4 & (1 << 3)) fault(Vector.UD, undefined, `DR${n} with CR4.DE`); n += 2; }
    cpu.env.drAccess(n, toDr, i);
    if (toDr) {
      cpu.dr[n] = n === 7 ? (cpu.reg32[i.rm] & ~0xD800) | 0x400 : n === 6 ? cpu.reg32[i.rm] | 0xFFFF0FF0 : cpu.reg32[i.rm];
      if (n === 7) updateDebugState(cpu);
    } else cpu.reg32[i.rm] = n === 6 ? cpu.dr[6] | 0xFFFF0FF0 : n === 7 ? cpu.dr[7] | 0x400 : cpu.dr[n];
  };
};

function pseudoDescriptorAddr(cpu: Cpu, i: Instr): number { return cpu.ea(i); }
function offsetPlus(i: Instr, off: number, k: number): number { return i.addrSize32 ? (off + k) | 0 : (off + k) & 0xFFFF; }

function loadTableRegister(which: 'gdtr' | 'idtr'): HandlerFactory {
  return (_e, opSize32) => (cpu, i) => {
    requireCpl0(cpu, which === 'gdtr' ? 'LGDT' : 'LIDT');
    const off = pseudoDescriptorAddr(cpu, i);
    const limit = cpu.read16(i.seg, off);
    let base = cpu.read32(i.seg, offsetPlus(i, off, 2));
    if (!opSize32) base &= 0xFFFFFF;
    if (which === 'gdtr') { cpu.gdtrBase = base; cpu.gdtrLimit = limit; } else { cpu.idtrBase = base; cpu.idtrLimit = limit; }
  };
}

function storeTableRegister(which: 'gdtr' | 'idtr'): HandlerFactory {
  return (_e, opSize32) => (cpu, i) => {
    const off = pseudoDescriptorAddr(cpu, i);
    const base = which === 'gdtr' ? cpu.gdtrBase : cpu.idtrBase;
    cpu.write16(i.seg, off, which === 'gdtr' ? cpu.gdtrLimit : cpu.idtrLimit);
    cpu.write32(i.seg, offsetPlus(i, off, 2), opSize32 ? base : base & 0xFFFFFF);
  };
}

const sldt: HandlerFactory = (_e, opSize32, isMem) => {
  const wr = writer(isMem ? 'Ew' : 'Ev', opSize32, isMem);
  return (cpu, i) => { requireProtected(cpu, 'SLDT'); wr(cpu, i, cpu.ldtrSel); };
};
const str: HandlerFactory = (_e, opSize32, isMem) => {
  const wr = writer(isMem ? 'Ew' : 'Ev', opSize32, isMem);
  return (cpu, i) => { requireProtected(cpu, 'STR'); wr(cpu, i, cpu.trSel); };
};

const lldt: HandlerFactory = (_e, opSize32, isMem) => {
  const rd = reader('Ew', opSize32, isMem);
  return (cpu, i) => {
    requireProtected(cpu, 'LLDT'); requireCpl0(cpu, 'LLDT');
    const sel = rd(cpu, i) & 0xFFFF;
    if ((sel & ~3) === 0) { cpu.ldtrSel = 0; cpu.ldtrBase = 0; cpu.ldtrLimit = 0; return; }
    if (sel & 4) fault(Vector.GP, sel & 0xFFFC, 'LLDT selector points into the LDT');
    const d = readDescriptor(cpu, sel);
    if (d.s || d.type !== 2) fault(Vector.GP, sel & 0xFFFC, `LLDT: selector 0x${sel.toString(16)} is not an LDT descriptor`);
    if (!d.present) fault(Vector.NP, sel & 0xFFFC, 'LLDT: LDT not present');
    cpu.ldtrSel = sel; cpu.ldtrBase = d.base | 0; cpu.ldtrLimit = d.limit;
  };
};

const ltr: HandlerFactory = (_e, opSize32, isMem) => {
  const rd = reader('Ew', opSize32, isMem);
  return (cpu, i) => {
    requireProtected(cpu, 'LTR'); requireCpl0(cpu, 'LTR');
    const sel = rd(cpu, i) & 0xFFFF;
    if ((sel & ~3) === 0 || (sel & 4)) fault(Vector.GP, sel & 0xFFFC, `LTR: bad selector 0x${sel.toString(16)}`);
    const d = readDescriptor(cpu, sel);
    if (d.s || (d.type !== 1 && d.type !== 9)) fault(Vector.GP, sel & 0xFFFC, `LTR: selector 0x${sel.toString(16)} is not an available TSS`);
    if (!d.present) fault(Vector.NP, sel & 0xFFFC, 'LTR: TSS not present');
    cpu.writeLin32((cpu.gdtrBase + (sel & ~7) + 4) | 0, d.raw[1] | 0x200); // mark busy
    cpu.trSel = sel; cpu.trBase = d.base | 0; cpu.trLimit = d.limit; cpu.trRights = d.rights | 2;
  };
};

const smsw: HandlerFactory = (_e, opSize32, isMem) => {
  const wr = writer(isMem ? 'Ew' : 'Ev', opSize32, isMem);
  return (cpu, i) => {
    const cr0 = cpu.env.crRead(0, cpu.cr0, i);
    wr(cpu, i, isMem || !opSize32 ? cr0 & 0xFFFF : cr0);
  };
};

const lmsw: HandlerFactory = (_e, opSize32, isMem) => {
  const rd = reader('Ew', opSize32, isMem);
  return (cpu, i) => {
    requireCpl0(cpu, 'LMSW');
    const v = rd(cpu, i) & 0xF;
    // LMSW changes PE, MP, EM, TS only, and cannot clear PE.
    writeControlRegister(cpu, 0, cpu.env.crWrite(0, (cpu.cr0 & ~0xE) | v | (cpu.cr0 & CR0_PE), i));
  };
};

const clts: HandlerFactory = () => (cpu, i) => { requireCpl0(cpu, 'CLTS'); cpu.cr0 = cpu.env.crWrite(0, cpu.cr0 & ~CR0_TS, i); };
const invlpg: HandlerFactory = () => (cpu, i) => {
  requireCpl0(cpu, 'INVLPG');
  const linear = cpu.linear(i.seg, cpu.ea(i), 1, false);
  cpu.env.invlpg(linear, i);
  cpu.mmu.invalidate(linear);
};
/** VMCALL (0F 01 C1): always a call to the hypervisor (#UD where none answers, BareMetalInterception). */
const vmcall: HandlerFactory = () => (cpu, i) => cpu.env.vmcall(i);
const invd: HandlerFactory = () => (cpu, i) => { requireCpl0(cpu, 'INVD'); cpu.env.cacheFlush('invd', i); };
const wbinvd: HandlerFactory = () => (cpu, i) => { requireCpl0(cpu, 'WBINVD'); cpu.env.cacheFlush('wbinvd', i); };

/** LAR/LSL/VERR/VERW: probe a selector without faulting; ZF tells whether it was accessible. */
function probe(cpu: Cpu, sel: number, accept: (d: ReturnType<typeof parseDescriptor>) => boolean): ReturnType<typeof parseDescriptor> | undefined {
  if ((sel & ~3) === 0) return undefined;
  const limit = (sel & 4) ? cpu.ldtrLimit : cpu.gdtrLimit;
  if ((sel & ~7) + 7 > limit) return undefined;
  const d = readDescriptor(cpu, sel);
  const conformingCode = d.s && (d.type & 0xC) === 0xC;
  if (!conformingCode && (d.dpl < cpu.cpl || d.dpl < (sel & 3))) return undefined;
  return accept(d) ? d : undefined;
}
function setZf(cpu: Cpu, on: boolean): void { materializeFlags(cpu); if (on) cpu.flags |= FLAG_ZF; else cpu.flags &= ~FLAG_ZF; }

const LAR_SYSTEM_TYPES = new Set([1, 2, 3, 4, 5, 9, 0xB, 0xC]);
const LSL_SYSTEM_TYPES = new Set([1, 2, 3, 9, 0xB]);

function larLsl(isLar: boolean): HandlerFactory {
  return (_e, opSize32, isMem) => {
    const rd = reader('Ew', opSize32, isMem), wr = writer('Gv', opSize32, isMem);
    return (cpu, i) => {
      requireProtected(cpu, isLar ? 'LAR' : 'LSL');
      const d = probe(cpu, rd(cpu, i) & 0xFFFF, (x) => x.s || (isLar ? LAR_SYSTEM_TYPES : LSL_SYSTEM_TYPES).has(x.type));
      setZf(cpu, d !== undefined);
      if (d) wr(cpu, i, isLar ? d.raw[1] & 0x00F0FF00 : d.limit);
    };
  };
}

function verify(write: boolean): HandlerFactory {
  return (_e, opSize32, isMem) => {
    const rd = reader('Ew', opSize32, isMem);
    return (cpu, i) => {
      requireProtected(cpu, write ? 'VERW' : 'VERR');
      const d = probe(cpu, rd(cpu, i) & 0xFFFF, (x) => x.s && (write ? !(x.type & 8) && (x.type & 2) !== 0 : !(x.type & 8) || (x.type & 2) !== 0));
      setZf(cpu, d !== undefined);
    };
  };
}

const sysenter: HandlerFactory = () => (cpu) => {
  const cs = Number(cpu.msr.get(MSR_SYSENTER_CS) ?? 0n) & 0xFFFC;
  if (!cpu.protectedMode || cs === 0) fault(Vector.GP, 0, 'SYSENTER with SYSENTER_CS = 0 or outside protected mode');
  cpu.setEflags(cpu.getEflags() & ~(FLAG_VM | FLAG_IF | FLAG_RF));
  flatSegment(cpu, CS, cs, 0, true);
  flatSegment(cpu, SS, cs + 8, 0, false);
  cpu.cpl = 0;
  cpu.reg32[ESP] = Number(cpu.msr.get(MSR_SYSENTER_ESP) ?? 0n) | 0;
  cpu.eip = Number(cpu.msr.get(MSR_SYSENTER_EIP) ?? 0n) | 0;
};

const sysexit: HandlerFactory = () => (cpu) => {
  const cs = Number(cpu.msr.get(MSR_SYSENTER_CS) ?? 0n) & 0xFFFC;
  if (!cpu.protectedMode || cpu.v86 || cpu.cpl !== 0 || cs === 0) fault(Vector.GP, 0, 'SYSEXIT outside ring 0 or with SYSENTER_CS = 0');
  flatSegment(cpu, CS, (cs + 16) | 3, 3, true);
  flatSegment(cpu, SS, (cs + 24) | 3, 3, false);
  cpu.cpl = 3;
  cpu.reg32[ESP] = cpu.reg32[ECX];
  cpu.eip = cpu.reg32[EDX];
};

/** Loads the fixed flat 4 GiB segments SYSENTER/SYSEXIT use (no descriptor read, as the SDM says). */
function flatSegment(cpu: Cpu, seg: number, sel: number, dpl: number, code: boolean): void {
  const hi = 0x00CF9000 | (dpl << 13) | (code ? 0xB00 : 0x300);
  setSegmentCache(cpu, seg, sel, parseDescriptor(0x0000FFFF, hi));
}

export const SYSTEM_HANDLERS: Record<string, HandlerFactory> = {
  hlt, cpuid, rdtsc, rdpmc, rdmsr, wrmsr, movcr, movdr,
  lgdt: loadTableRegister('gdtr'), lidt: loadTableRegister('idtr'),
  sgdt: storeTableRegister('gdtr'), sidt: storeTableRegister('idtr'),
  sldt, str, lldt, ltr, smsw, lmsw, clts, invlpg, invd, wbinvd, vmcall,
  lar: larLsl(true), lsl: larLsl(false), verr: verify(false), verw: verify(true), sysenter, sysexit,
};
