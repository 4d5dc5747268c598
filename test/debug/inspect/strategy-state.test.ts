// The strategy state the Virtualization scope and `info vmcs` show, read off real strategy objects:
// hw's VMCS controls (KVM's defaults), pv-hello's trap table, event channels and hypercalls after it
// ran, bt's translation cache after pic-pit ran, and the "not available" answer under the others.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vm } from '../../../engine/hv/vm.js';
import { loadMultiboot } from '../../../engine/boot/multiboot.js';
import { loadPvKernel } from '../../../engine/boot/pv-boot.js';
import { strategySections } from '../../../engine/debug/inspect/strategy-state.js';
import { virtualizationNodes } from '../../../engine/debug/inspect/virtualization.js';
import { runConsoleCommand } from '../../../engine/debug/inspect/console.js';
import { findNode } from '../../../engine/debug/inspect/node.js';

const GUESTS = join(__dirname, '..', '..', '..', 'guests');
const field = (fields: ReadonlyArray<readonly [string, string]>, name: string) => fields.find(([n]) => n === name)?.[1];

function multibootVm(strategy: 'hw' | 'bt', guest: string, instructions: number): Vm {
  const file = join(GUESTS, guest, 'kernel.elf');
  const vm = new Vm({ memoryBytes: 32 << 20, strategy });
  loadMultiboot(vm, readFileSync(file), file);
  for (let done = 0; done < instructions; done += 50_000) if (vm.run(50_000)) break;
  return vm;
}

describe('strategy state', () => {
  it('hw: the VMCS controls with their names, intercepted ports and EPT', () => {
    const vm = multibootVm('hw', 'pic-pit', 0);
    const [vmcs] = strategySections(vm.strategy);
    assert.equal(vmcs.title, 'VMCS controls');
    assert.match(field(vmcs.fields, 'primary processor-based controls') ?? '', /HLT exiting.*unconditional I\/O exiting.*use MSR bitmaps/);
    assert.equal(field(vmcs.fields, 'ports that exit (I/O bitmaps)'), 'bitmaps not used: every I/O instruction exits'); // KVM's default
    assert.equal(field(vmcs.fields, 'exception bitmap'), '0x00060042 (#DB #UD #AC #MC)');
    assert.match(field(vmcs.fields, 'EPT') ?? '', /^on, \d+ mapped ranges?: 0x00000000\+/);
    const text = runConsoleCommand('info vmcs', { vm, vcpu: 0 });
    assert.ok(text?.ok);
    assert.match(text.text, /^VMCS controls: \d+ primary controls set/);
    assert.match(text.text, /pin-based controls +0x[0-9a-f]{8} \(external-interrupt exiting/);
  });

  it('pv: trap table, event channels and hypercall counts of a running pv-hello', () => {
    const file = join(GUESTS, 'pv-hello', 'kernel.elf');
    const vm = new Vm({ memoryBytes: 32 << 20, strategy: 'pv' });
    loadPvKernel(vm, readFileSync(file), file);
    for (let k = 0; k < 100 && !vm.run(50_000); k++) { /* until it ends */ }
    const sections = strategySections(vm.strategy);
    assert.deepEqual(sections.map((s) => s.title), ['trap table', 'event channels', 'hypercalls']);
    const [traps, channels, hypercalls] = sections;
    assert.match(traps.summary, /^[1-9]\d* handlers? registered by set_trap_table$/);
    assert.match(field(traps.fields, '13 #GP') ?? '', /^0xe019:0x[0-9a-f]{8} \(DPL 0/); // pv-hello's ring-1 kernel CS
    assert.equal(field(channels.fields, 'port 1'), 'VIRQ 0 (timer) on vCPU 0');
    assert.match(channels.summary, /bound port/);
    assert.ok(hypercalls.fields.some(([name]) => name === '18 console_io'), 'console_io was called');
    const text = runConsoleCommand('info vmcs', { vm, vcpu: 0 });
    assert.deepEqual(text, { ok: true, text: 'VMCS controls are not available under the pv strategy (they exist only under hw)' });
  });

  it('bt: the translation cache figures the strategy describes', () => {
    const vm = multibootVm('bt', 'pic-pit', 200_000);
    const sections = strategySections(vm.strategy);
    const cache = sections.find((s) => s.title === 'translation cache');
    assert.ok(cache);
    assert.ok(Number(field(cache.fields, 'instructions scanned')) > 0);
    assert.ok(Number(field(cache.fields, 'callouts executed')) > 0, 'pic-pit does I/O, which bt turns into callouts');
    const nodes = virtualizationNodes(vm, 0, undefined, false);
    assert.equal(findNode(nodes, ['strategy'])?.value, 'bt');
    assert.equal(findNode(nodes, ['last VM event'])?.value, 'not recorded in this session');
    assert.equal(findNode(nodes, ['translation cache'])?.value, cache.summary);
  });
});
