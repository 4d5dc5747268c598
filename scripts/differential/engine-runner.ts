// Runs a test image in hvdbg's engine, in-process: the same multiboot boot QEMU does, run to the
// final HLT, and the log read back. A host exception inside the engine is recorded against the case
// whose instruction raised it, and the run goes on at that case's snapshot code.
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { Vm } from '../../engine/hv/vm.js';
import { setGeneratedHandlers } from '../../engine/cpu/dispatch.js';
import type { TestImage } from './image.js';
import { LOG, RESUME } from './layout.js';

export interface EngineResult {
  log: Uint8Array;                       // count log entries
  hostErrors: Map<number, string>;       // case index → host exception message
}

/** Instructions the engine may retire per case before the run counts as runaway. */
const BUDGET_PER_CASE = 400;

/**
 * How hvdbg's interpreter builds instruction handlers: 'generated' (specialised code, the default) or
 * 'closures' (the per-family factories); the two must behave identically.
 */
export type HandlerMode = 'generated' | 'closures';
export const HANDLER_MODES: readonly HandlerMode[] = ['generated', 'closures'];

export function runInEngine(image: TestImage, count: number, mode: HandlerMode = 'generated'): EngineResult {
  setGeneratedHandlers(mode === 'generated');
  try {
    return runVm(image, count);
  } finally {
    setGeneratedHandlers(true);
  }
}

function runVm(image: TestImage, count: number): EngineResult {
  const vm = new Vm({ memoryBytes: 64 * 1024 * 1024 });
  loadMultiboot(vm, image.elf, 'differential.elf');
  const hostErrors = new Map<number, string>();
  let budget = (count + 16) * BUDGET_PER_CASE;
  for (let attempts = 0; attempts <= count; attempts++) {
    const before = vm.cpu.instructions;
    try {
      const stop = vm.run(budget);
      const at = vm.cpu.instrStart >>> 0;
      if (!stop || stop.kind !== 'halted' || at !== image.done) {
        const why = stop ? `stopped with ${stop.kind} at 0x${at.toString(16)}` : `ran past its instruction budget (EIP 0x${at.toString(16)})`;
        throw new EngineRunaway(currentCase(image, vm), `hvdbg ${why} instead of reaching the end of the image`);
      }
      return { log: vm.memory.readBytes(image.logBase, count * LOG.size), hostErrors };
    } catch (e) {
      const at = vm.cpu.instrStart >>> 0;
      const k = caseAt(image, at);
      if (e instanceof EngineRunaway) throw e;
      if (k < 0 || !(e instanceof Error)) throw new EngineRunaway(currentCase(image, vm), `hvdbg threw ${String(e)} outside a test instruction`);
      hostErrors.set(k, `${e.name}: ${e.message}`);
      vm.cpu.eip = image.placements[k].snapshot;   // carry on as if the instruction had completed
      vm.cpu.halted = false;
    }
    budget -= vm.cpu.instructions - before;
  }
  throw new EngineRunaway(-1, 'hvdbg raised too many host exceptions');
}

/** hvdbg left the harness (a runaway, a stop elsewhere): the case it was running, if known. */
export class EngineRunaway extends Error {
  constructor(readonly caseIndex: number, message: string) { super(message); }
}

/** The case whose snapshot the exception stubs would resume at (the one running), or -1. */
function currentCase(image: TestImage, vm: Vm): number {
  const resume = vm.memory.read32(RESUME) >>> 0;
  return image.placements.findIndex((p) => p.snapshot === resume);
}

/** The case whose code contains address, or -1. */
function caseAt(image: TestImage, address: number): number {
  const p = image.placements;
  let lo = 0, hi = p.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (address < p[mid].code) hi = mid - 1;
    else if (address >= p[mid].end) lo = mid + 1;
    else return mid;
  }
  return -1;
}
