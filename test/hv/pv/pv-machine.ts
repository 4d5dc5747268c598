// Test helper: a VM under the pv strategy with guests/pv-hello loaded, its console output and VM
// events recorded, and a way to issue hypercalls as the guest kernel would (registers + int $0x82).
import { readFileSync } from 'node:fs';
import { Vm } from '../../../engine/hv/vm.js';
import { loadPvKernel, type PvBootResult } from '../../../engine/boot/pv-boot.js';
import { PvStrategy } from '../../../engine/hv/pv/pv-strategy.js';
import { decode } from '../../../engine/cpu/decoder.js';
import type { VmEvent, HypercallEvent } from '../../../engine/hv/vm-event.js';
import { EAX, EBX, ECX, EDI, EDX, ESI } from '../../../engine/cpu/registers.js';

export const PV_HELLO = 'guests/pv-hello/kernel.elf';

export interface PvMachine {
  vm: Vm;
  pv: PvStrategy;
  boot: PvBootResult;
  events: VmEvent[];
  readonly output: string;
  /** Issues hypercall number with args at the guest's current state, as `int $0x82`; returns EAX. */
  hypercall(number: number, ...args: number[]): number;
  /** The hypercall event of the last call. */
  lastHypercall(): HypercallEvent;
}

/** A pv VM with pv-hello loaded, stopped at its entry point (nothing has run). */
export function pvMachine(memoryBytes = 32 << 20): PvMachine {
  const vm = new Vm({ memoryBytes, strategy: 'pv' });
  const boot = loadPvKernel(vm, readFileSync(PV_HELLO), 'pv-hello');
  const pv = vm.strategy as PvStrategy;
  const events: VmEvent[] = [];
  vm.onEvent.event((e) => events.push(e));
  let output = '';
  vm.onOutput.event((o) => { output += Buffer.from(o.bytes).toString('latin1'); });
  const int82Bytes = [0xCD, 0x82];
  const int82 = decode((o) => int82Bytes[o], true, () => () => undefined);
  return {
    vm, pv, boot, events,
    get output() { return output; },
    hypercall(number, ...args) {
      const r = vm.cpu.reg32;
      r[EAX] = number;
      [EBX, ECX, EDX, ESI, EDI].forEach((reg, k) => { r[reg] = args[k] ?? 0; });
      if (!pv.softwareInterrupt(0x82, int82)) throw new Error('int $0x82 was not taken as a hypercall');
      return r[EAX];
    },
    lastHypercall() {
      const h = events.filter((e): e is HypercallEvent => e.kind === 'hypercall');
      if (!h.length) throw new Error('no hypercall event');
      return h[h.length - 1];
    },
  };
}

/** Runs the VM until it stops for good (or budget instructions pass). */
export function runToEnd(vm: Vm, budget = 20_000_000) {
  let stop;
  for (let left = budget; left > 0 && !stop; left -= 1_000_000) stop = vm.run(1_000_000);
  return stop;
}
