// Runs one SingleStepTests real-mode vector on a fresh real-mode CPU state and compares registers
// and memory with the expected final state (undefined flags masked as metadata.json says).
import { GuestMemory } from '../../../engine/memory/guest-memory.js';
import { Cpu } from '../../../engine/cpu/cpu.js';
import { BareMetalInterception, type CpuEnvironment } from '../../../engine/cpu/environment.js';
import { cpuidLeaf } from '../../../engine/cpu/cpuid.js';
import { CS, DS, ES, SS } from '../../../engine/cpu/registers.js';
import type { MooReg, MooTest } from './moo-reader.js';

/** What one test produced. */
export interface SstOutcome {
  ok: boolean;
  mismatches: string[];        // human-readable differences
  exceptionTaken?: { vector: number; detail: string }; // first exception our CPU delivered
}

const REG_INDEX: Partial<Record<MooReg, number>> = { ax: 0, cx: 1, dx: 2, bx: 3, sp: 4, bp: 5, si: 6, di: 7 };
const SEG_INDEX: Partial<Record<MooReg, number>> = { es: ES, cs: CS, ss: SS, ds: DS };
const MAX_STEPS = 1000;

/** A reusable 286-style machine: 16 MiB flat RAM, ports read as 0xFF, HLT ends the test. */
export class SstMachine {
  readonly memory = new GuestMemory(16 << 20);
  readonly cpu: Cpu;
  private touched: number[] = [];
  private firstException: Cpu['lastException'];

  constructor() {
    const stop = () => { this.cpu.stopRequested = true; };
    this.cpu = new Cpu(this.memory, new ConformanceEnvironment(stop));
    // Keep the first exception of a test: after it the CPU may run on through other handlers.
    let last: Cpu['lastException'];
    Object.defineProperty(this.cpu, 'lastException', {
      get: () => last,
      set: (v: Cpu['lastException']) => { last = v; if (v) this.firstException ??= v; },
    });
  }

  run(test: MooTest, flagsMask: number): SstOutcome {
    const cpu = this.cpu, mem = this.memory;
    for (const a of this.touched) mem.ram[a] = 0;
    this.touched = [];
    cpu.flushCodeCache();
    cpu.resetToRealMode();
    cpu.lastException = undefined;
    for (const [addr, value] of test.initial.ram) { mem.ram[addr] = value; this.touched.push(addr); }
    for (const [addr] of test.final.ram) this.touched.push(addr);
    const init = test.initial.regs;
    for (const [name, idx] of Object.entries(REG_INDEX)) cpu.reg16[idx! << 1] = init[name as MooReg] ?? 0;
    for (const [name, seg] of Object.entries(SEG_INDEX)) cpu.loadRealSegment(seg!, init[name as MooReg] ?? 0);
    cpu.eip = init.ip ?? 0;
    cpu.setEflags((init.flags ?? 2) & 0x0FFF);
    this.firstException = undefined;
    for (let steps = 0; steps < MAX_STEPS && !cpu.halted && !cpu.shutdown; steps++) cpu.run(1);

    const mismatches: string[] = [];
    const expect = (name: MooReg): number => test.final.regs[name] ?? init[name] ?? 0;
    for (const [name, idx] of Object.entries(REG_INDEX)) {
      const got = cpu.reg16[idx! << 1], want = expect(name as MooReg);
      if (got !== want) mismatches.push(`${name}=${hex16(got)} want ${hex16(want)}`);
    }
    for (const [name, seg] of Object.entries(SEG_INDEX)) {
      const got = cpu.segSel[seg!], want = expect(name as MooReg);
      if (got !== want) mismatches.push(`${name}=${hex16(got)} want ${hex16(want)}`);
    }
    if ((cpu.eip & 0xFFFF) !== expect('ip')) mismatches.push(`ip=${hex16(cpu.eip & 0xFFFF)} want ${hex16(expect('ip'))}`);
    const fm = flagsMask & 0x0FFF;
    const gotFlags = cpu.getEflags() & fm, wantFlags = expect('flags') & fm;
    if (gotFlags !== wantFlags) mismatches.push(`flags=${hex16(gotFlags)} want ${hex16(wantFlags)} (diff ${flagNames(gotFlags ^ wantFlags)})`);
    // Memory: FINA bytes; the pushed FLAGS image of an exception is compared under the same mask.
    const maskedBytes = new Map<number, number>();
    if (test.exception) {
      const sp = expect('sp'), ss = expect('ss');
      const flagsAt = (ss << 4) + ((sp + 4) & 0xFFFF);
      maskedBytes.set(flagsAt, fm & 0xFF);
      maskedBytes.set(flagsAt + 1, (fm >> 8) & 0xFF);
    }
    for (const [addr, want] of test.final.ram) {
      const m = maskedBytes.get(addr) ?? 0xFF;
      const got = mem.ram[addr];
      if ((got & m) !== (want & m)) mismatches.push(`[${addr.toString(16)}]=${got.toString(16)} want ${want.toString(16)}`);
    }
    if (!cpu.halted) mismatches.push(cpu.shutdown ? 'CPU shut down (triple fault)' : `did not reach HLT in ${MAX_STEPS} steps`);
    const ex = this.firstException as Cpu['lastException']; // set through the accessor above
    return { ok: mismatches.length === 0, mismatches, exceptionTaken: ex ? { vector: ex.vector, detail: ex.detail } : undefined };
  }
}

function hex16(v: number): string { return v.toString(16).padStart(4, '0'); }
function flagNames(bits: number): string {
  const names: Array<[number, string]> = [[1, 'CF'], [4, 'PF'], [16, 'AF'], [64, 'ZF'], [128, 'SF'], [256, 'TF'], [512, 'IF'], [1024, 'DF'], [2048, 'OF']];
  return names.filter(([b]) => bits & b).map(([, n]) => n).join(',');
}

/** Bare hardware with no devices: ports float high, HLT and a triple fault end the vector. */
class ConformanceEnvironment extends BareMetalInterception implements CpuEnvironment {
  constructor(private readonly stop: () => void) { super(); }
  ioIn(_port: number, size: 1 | 2 | 4): number { return size === 1 ? 0xFF : size === 2 ? 0xFFFF : 0xFFFFFFFF; }
  ioOut(): void {}
  cpuid(leaf: number, subleaf: number): readonly [number, number, number, number] { return cpuidLeaf(leaf, subleaf); }
  hlt(): void { this.stop(); }
  tripleFault(): void { this.stop(); }
  acknowledgeInterrupt(): number { return -1; }
  interruptPending(): boolean { return false; }
}
