// A small test machine for CPU instruction tests: guest RAM, a CpuEnvironment that records I/O, HLT,
// interrupts and triple faults, the standard GDT/IDT/TSS layout below, and direct mode entry.
import { GuestMemory } from '../../../engine/memory/guest-memory.js';
import { Cpu } from '../../../engine/cpu/cpu.js';
import { BareMetalInterception, type CpuEnvironment } from '../../../engine/cpu/environment.js';
import { cpuidLeaf } from '../../../engine/cpu/cpuid.js';
import { readDescriptor, setSegmentCache } from '../../../engine/cpu/descriptors.js';
import { CS, DS, ES, FS, GS, SS, ESP } from '../../../engine/cpu/registers.js';
import {
  type Desc, code16, code32, data16, data32, gate, sel, systemSegment, TYPE_INT32, TYPE_TSS32,
} from './encode.js';

/** Physical layout every test machine uses (identity-mapped when paging is on). */
export const IVT = 0x0000;                 // real-mode interrupt vector table
export const GDT = 0x1000;                 // 64 entries
export const GDT_LIMIT = 64 * 8 - 1;
export const IDT = 0x2000;                 // 256 gates
export const IDT_LIMIT = 256 * 8 - 1;
export const LDT = 0x3000;                 // 16 entries, installed on demand
export const TSS = 0x4000;                 // 32-bit TSS, I/O bitmap at +0x68 (8 KiB + terminator)
export const IOPB_OFFSET = 0x68;
export const TSS_LIMIT = IOPB_OFFSET + 0x2000;
export const CODE = 0x10000;               // ring-0 code
export const HANDLERS = 0x11000;           // one 16-byte handler stub per vector: HLT
export const USER_CODE = 0x20000;          // ring-3 code
export const KSTACK_TOP = 0x30000;         // ring-0 stack (TSS ESP0)
export const USTACK_TOP = 0x40000;         // ring-3 stack
export const DATA = 0x50000;               // scratch data
export const PAGE_DIR = 0x100000;          // page directory, tables follow

/** Standard GDT selectors. */
export const KCODE = sel(1), KDATA = sel(2), UCODE = sel(3, 3), UDATA = sel(4, 3), TSS_SEL = sel(5),
  KCODE16 = sel(6), KDATA16 = sel(7);
/** First GDT index free for a test's own descriptors. */
export const FREE_GDT_INDEX = 8;

/** One port access seen by the environment. */
export interface IoRecord { dir: 'in' | 'out'; port: number; size: number; value: number }

/** CpuEnvironment that records what the CPU asked of the machine. */
export class RecordingEnv extends BareMetalInterception implements CpuEnvironment {
  readonly io: IoRecord[] = [];              // every IN/OUT, in order
  readonly tripleFaults: string[] = [];      // descriptions passed to tripleFault
  readonly pendingInterrupts: number[] = []; // vectors an interrupt controller would deliver
  hlts = 0;                                  // HLT instructions executed
  inValue = 0xA5A5A5A5;                      // what every IN returns (masked to its size)

  ioIn(port: number, size: 1 | 2 | 4): number {
    const value = size === 4 ? this.inValue | 0 : this.inValue & (size === 2 ? 0xFFFF : 0xFF);
    this.io.push({ dir: 'in', port, size, value });
    return value;
  }
  ioOut(port: number, size: 1 | 2 | 4, value: number): void {
    this.io.push({ dir: 'out', port, size, value: size === 4 ? value >>> 0 : value & (size === 2 ? 0xFFFF : 0xFF) });
  }
  cpuid(leaf: number, subleaf: number): readonly [number, number, number, number] { return cpuidLeaf(leaf, subleaf); }
  hlt(): void { this.hlts++; }
  tripleFault(description: string): void { this.tripleFaults.push(description); }
  acknowledgeInterrupt(): number { return this.pendingInterrupts.shift() ?? -1; }
  interruptPending(): boolean { return this.pendingInterrupts.length > 0; }
}

/** Register state to start protected-mode code with. */
export interface ProtectedEntry {
  cs?: number;      // code selector (default KCODE); its RPL becomes the CPL
  ss?: number;      // stack selector (default KDATA, or UDATA at ring 3)
  data?: number;    // selector for DS, ES, FS, GS (default like ss)
  eip?: number;     // default CODE (USER_CODE at ring 3)
  esp?: number;     // default KSTACK_TOP (USTACK_TOP at ring 3)
  eflags?: number;  // default 0x2
}

export class Machine {
  readonly memory: GuestMemory;
  readonly env = new RecordingEnv();
  readonly cpu: Cpu;

  constructor(ramSize = 8 << 20) {
    this.memory = new GuestMemory(ramSize);
    this.cpu = new Cpu(this.memory, this.env);
  }

  // ---- physical memory ----

  /** Writes bytes (code or data) at a physical address. */
  write(addr: number, bytes: readonly number[]): void {
    if (!this.memory.writeBytes(addr, Uint8Array.from(bytes, (b) => b & 0xFF))) throw new Error(`write at 0x${addr.toString(16)} is not RAM`);
  }
  w8(addr: number, v: number): void { this.memory.write8(addr, v); }
  w16(addr: number, v: number): void { this.memory.write16(addr, v); }
  w32(addr: number, v: number): void { this.memory.write32(addr, v); }
  r8(addr: number): number { return this.memory.read8(addr); }
  r16(addr: number): number { return this.memory.read16(addr); }
  r32(addr: number): number { return this.memory.read32(addr) >>> 0; }

  // ---- descriptor tables ----

  setGdt(index: number, d: Desc): void { this.w32(GDT + index * 8, d[0]); this.w32(GDT + index * 8 + 4, d[1]); }
  gdtHigh(index: number): number { return this.r32(GDT + index * 8 + 4); }
  setIdt(vector: number, d: Desc): void { this.w32(IDT + vector * 8, d[0]); this.w32(IDT + vector * 8 + 4, d[1]); }
  setLdt(index: number, d: Desc): void { this.w32(LDT + index * 8, d[0]); this.w32(LDT + index * 8 + 4, d[1]); }

  /** Address of the HLT stub the standard IDT sends vector to. */
  handler(vector: number): number { return HANDLERS + vector * 16; }

  /**
   * Writes the standard tables: GDT (null, ring-0 and ring-3 flat code/data, TSS, 16-bit code/data),
   * an IDT of ring-0 32-bit interrupt gates (DPL 0) to HLT stubs, and a TSS with SS0:ESP0 =
   * KDATA:KSTACK_TOP and an I/O bitmap that denies every port.
   */
  buildTables(): void {
    this.setGdt(1, code32(0)); this.setGdt(2, data32(0));
    this.setGdt(3, code32(3)); this.setGdt(4, data32(3));
    this.setGdt(5, systemSegment(TSS, TSS_LIMIT, TYPE_TSS32));
    this.setGdt(6, code16(0)); this.setGdt(7, data16(0));
    for (let v = 0; v < 256; v++) {
      this.w8(this.handler(v), 0xF4); // hlt
      this.setIdt(v, gate(KCODE, this.handler(v), TYPE_INT32, 0));
    }
    this.w32(TSS + 4, KSTACK_TOP); this.w16(TSS + 8, KDATA); // ESP0, SS0
    this.w16(TSS + 0x66, IOPB_OFFSET);
    for (let k = 0; k < 0x2000; k++) this.w8(TSS + IOPB_OFFSET + k, 0xFF);
    this.w8(TSS + IOPB_OFFSET + 0x2000, 0xFF); // terminator byte
  }

  /** Clears the I/O-bitmap bits of size ports from port (access allowed at any CPL). */
  allowPorts(port: number, count = 1): void {
    for (let p = port; p < port + count; p++) {
      const a = TSS + IOPB_OFFSET + (p >> 3);
      this.w8(a, this.r8(a) & ~(1 << (p & 7)));
    }
  }

  /** Loads a segment register's cache straight from its descriptor (no checks, no accessed bit). */
  loadSeg(seg: number, selector: number): void {
    setSegmentCache(this.cpu, seg, selector, readDescriptor(this.cpu, selector));
  }

  /**
   * Builds the standard tables (unless already built) and enters 32-bit protected mode directly:
   * GDTR/IDTR/TR loaded, CR0.PE set, CS/SS/data segments loaded from their descriptors, CPL = CS.RPL.
   */
  enterProtected(entry: ProtectedEntry = {}, build = true): Cpu {
    const cpu = this.cpu;
    if (build) this.buildTables();
    const cs = entry.cs ?? KCODE;
    const ring3 = (cs & 3) === 3;
    const ss = entry.ss ?? (ring3 ? UDATA : KDATA);
    const data = entry.data ?? ss;
    cpu.gdtrBase = GDT; cpu.gdtrLimit = GDT_LIMIT;
    cpu.idtrBase = IDT; cpu.idtrLimit = IDT_LIMIT;
    cpu.cr0 |= 1;
    cpu.onModeChange();
    const tss = readDescriptor(cpu, TSS_SEL);
    this.w32(GDT + (TSS_SEL >> 3) * 8 + 4, tss.raw[1] | 0x200); // busy, as LTR leaves it
    cpu.trSel = TSS_SEL; cpu.trBase = tss.base; cpu.trLimit = tss.limit; cpu.trRights = tss.rights | 2;
    this.loadSeg(CS, cs);
    cpu.cpl = cs & 3;
    this.loadSeg(SS, ss);
    for (const s of [DS, ES, FS, GS]) {
      if ((data & ~3) === 0) { cpu.segSel[s] = data; cpu.segRights[s] = 0; cpu.segBase[s] = 0; cpu.segLimit[s] = 0; cpu.updateSegHints(s); }
      else this.loadSeg(s, data);
    }
    cpu.eip = entry.eip ?? (ring3 ? USER_CODE : CODE);
    cpu.reg32[ESP] = entry.esp ?? (ring3 ? USTACK_TOP : KSTACK_TOP);
    cpu.setEflags(entry.eflags ?? 0x2);
    return cpu;
  }

  /** Real mode at cs:ip with the given stack (IVT at 0). */
  enterReal(cs: number, ip: number, ss = 0, sp = 0x8000): Cpu {
    const cpu = this.cpu;
    cpu.resetToRealMode();
    cpu.loadRealSegment(CS, cs);
    cpu.loadRealSegment(SS, ss);
    for (const s of [DS, ES, FS, GS]) cpu.loadRealSegment(s, 0);
    cpu.eip = ip;
    cpu.reg32[ESP] = sp;
    cpu.idtrBase = IVT; cpu.idtrLimit = 0x3FF;
    return cpu;
  }

  /** Real-mode IVT: vector v → 1100:(v × 16), the same HLT stubs the protected-mode IDT uses. */
  buildIvt(): void {
    for (let v = 0; v < 256; v++) {
      this.w8(this.handler(v), 0xF4); // hlt
      this.w16(IVT + v * 4, v * 16);
      this.w16(IVT + v * 4 + 2, HANDLERS >> 4);
    }
  }

  /** The CPU is halted in the real-mode HLT stub of vector (see buildIvt). */
  inRealHandler(vector: number): boolean {
    return this.cpu.halted && this.cpu.segSel[CS] === HANDLERS >> 4 && this.cpu.eip === vector * 16 + 1;
  }

  /** Runs up to max instructions (stops early on HLT or shutdown); returns how many retired. */
  run(max = 1000): number { return this.cpu.run(max); }

  /** The CPU is halted in the HLT stub of vector (the standard IDT's handler was entered). */
  inHandler(vector: number): boolean {
    return this.cpu.halted && (this.cpu.eip >>> 0) === this.handler(vector) + 1 && this.cpu.segSel[CS] === KCODE;
  }

  /** count dwords (or words) from SS:ESP upwards, read through the CPU (segmentation and paging). */
  stack(count: number, size: 2 | 4 = 4): number[] {
    const cpu = this.cpu;
    const out: number[] = [];
    const sp = cpu.stackSize32 ? cpu.reg32[ESP] >>> 0 : cpu.reg32[ESP] & 0xFFFF;
    for (let k = 0; k < count; k++) {
      const lin = (cpu.segBase[SS] + sp + k * size) | 0;
      out.push(size === 4 ? cpu.readLin32(lin) >>> 0 : cpu.readLin16(lin));
    }
    return out;
  }
}

/** Identity-mapped two-level 32-bit page tables built in guest memory from PAGE_DIR upwards. */
export class PageTables {
  private next: number;        // physical address of the next free page-table page

  constructor(private readonly m: Machine, readonly dir = PAGE_DIR) {
    for (let k = 0; k < 1024; k++) m.w32(dir + k * 4, 0);
    this.next = dir + 0x1000;
  }

  /** Address of the PDE that maps linear. */
  pdeAddr(linear: number): number { return this.dir + (linear >>> 22) * 4; }
  /** Address of the PTE that maps linear (its page table must exist). */
  pteAddr(linear: number): number { return (this.m.r32(this.pdeAddr(linear)) & ~0xFFF) + ((linear >>> 12) & 0x3FF) * 4; }
  pde(linear: number): number { return this.m.r32(this.pdeAddr(linear)); }
  pte(linear: number): number { return this.m.r32(this.pteAddr(linear)); }

  /** Maps one 4 KiB page; the PDE gets P|W|U so the PTE alone decides the rights. */
  map4k(linear: number, phys: number, flags: number): void {
    let pde = this.m.r32(this.pdeAddr(linear));
    if (!(pde & 1) || (pde & 0x80)) {
      const table = this.next;
      this.next += 0x1000;
      for (let k = 0; k < 1024; k++) this.m.w32(table + k * 4, 0);
      pde = table | 0x7;
      this.m.w32(this.pdeAddr(linear), pde);
    }
    this.m.w32(this.pteAddr(linear), (phys & ~0xFFF) | flags);
  }

  /** Maps [from, to) one-to-one with 4 KiB pages. */
  identity(from: number, to: number, flags: number): void {
    for (let a = from & ~0xFFF; a < to; a += 0x1000) this.map4k(a, a, flags);
  }

  /** Maps one 4 MiB page (CR4.PSE must be on for the CPU to honour PS). */
  map4m(linear: number, phys: number, flags: number): void {
    this.m.w32(this.pdeAddr(linear), (phys & 0xFFC00000) | flags | 0x80);
  }

  /** Sets the PTE (or PDE for a 4 MiB page) of linear without flushing the TLB. */
  setPte(linear: number, value: number): void { this.m.w32(this.pteAddr(linear), value); }
}
