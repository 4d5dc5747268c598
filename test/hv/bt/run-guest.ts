// Test helper: boots a multiboot kernel under a strategy, runs it to its stop, and returns the serial
// (COM1) output, the stop reason and the VM (for its events and figures).
import { readFileSync } from 'node:fs';
import { loadMultiboot } from '../../../engine/boot/multiboot.js';
import { Vm } from '../../../engine/hv/vm.js';
import type { StrategyName } from '../../../engine/hv/strategy.js';
import type { VmEvent } from '../../../engine/hv/vm-event.js';
import { enableAudit, type Audit } from '../../../engine/hv/audit/enable-audit.js';

export interface GuestRun {
  vm: Vm;
  serial: string;
  stop: string;
  events: VmEvent[];
  audit?: Audit;
  symbols: Map<string, number>; // the kernel's symbols by name
}

/** Runs kernel (an ELF path) under strategy; options: record events, switch the audit on. */
export function runGuest(kernel: string, strategy: StrategyName, options: { events?: boolean; audit?: boolean; maxInstructions?: number } = {}): GuestRun {
  const vm = new Vm({ memoryBytes: 32 << 20, strategy });
  const boot = loadMultiboot(vm, readFileSync(kernel), kernel, { append: '', modules: [] });
  const symbols = new Map(boot.symbols.map((s) => [s.name, s.value]));
  let serial = '';
  vm.onOutput.event((o) => { if (o.source === 'serial') serial += Buffer.from(o.bytes).toString('latin1'); });
  const events: VmEvent[] = [];
  if (options.events) vm.onEvent.event((e) => events.push(e));
  const audit = options.audit ? enableAudit(vm) : undefined;
  const limit = options.maxInstructions ?? 200_000_000;
  let stop;
  while (stop === undefined && vm.instructions < limit) stop = vm.run(Math.min(5_000_000, limit - vm.instructions));
  return { vm, serial, stop: stop?.kind ?? 'instruction-limit', events, audit, symbols };
}
