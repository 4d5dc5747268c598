// The inspection views on guests/debug-demo as it runs: in its real-mode C stage (16-bit code at
// 0x7C00, real mode registers, 16-bit disassembly with realmode.c lines) and in its paged higher-half
// kernel (4 MiB pages at 0xC0000000: page walk, linear = physical + 3 GiB, TLB, CR0.PG/CR4.PSE).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Vm } from '../../../engine/hv/vm.js';
import { loadMultiboot } from '../../../engine/boot/multiboot.js';
import { SymbolIndex } from '../../../engine/debug/symbols/index.js';
import { CS } from '../../../engine/cpu/registers.js';
import { findNode } from '../../../engine/debug/inspect/node.js';
import { registerNodes } from '../../../engine/debug/inspect/registers.js';
import { controlNodes } from '../../../engine/debug/inspect/control.js';
import { listInstructions } from '../../../engine/debug/inspect/disassembly.js';
import { walkPageTables } from '../../../engine/debug/inspect/page-walk.js';
import { readGuestMemory } from '../../../engine/debug/inspect/memory-access.js';
import { readIdt } from '../../../engine/debug/inspect/descriptor-tables.js';
import { runConsoleCommand } from '../../../engine/debug/inspect/console.js';

const KERNEL = join(__dirname, '..', '..', '..', 'guests', 'debug-demo', 'kernel.elf');

let vm: Vm;
let symbols: SymbolIndex;
const linearEip = () => (vm.cpu.segBase[CS] + vm.cpu.eip) >>> 0;

/** Single-steps until done() or the step budget runs out. */
function runUntil(done: () => boolean, steps: number): void {
  for (let k = 0; k < steps && !done(); k++) vm.run(1);
  assert.ok(done(), 'the guest reached the expected point');
}

before(() => {
  const bytes = readFileSync(KERNEL);
  vm = new Vm({ memoryBytes: 32 << 20 });
  loadMultiboot(vm, bytes, KERNEL);
  symbols = SymbolIndex.fromElf(bytes, KERNEL);
});

describe('inspecting debug-demo', () => {
  it('in the real-mode C stage: real-mode registers, the IVT and 16-bit disassembly with source lines', () => {
    const realMain = symbols.symbolAddress('real_main')!;
    runUntil(() => vm.cpu.mode === 'real' && linearEip() === realMain, 200_000);
    const regs = registerNodes(vm.cpu);
    assert.equal(findNode(regs, ['mode'])?.value, 'real mode, CPL 0, 16-bit code, paging off');
    assert.equal(findNode(regs, ['CS'])?.value, '0x0000');
    assert.equal(readIdt(vm.cpu).name, 'IVT');
    const listing = listInstructions(vm.cpu, { location: { space: 'linear', address: realMain }, count: 6, symbols });
    assert.equal(listing[0].symbol, 'real_main');
    assert.equal(basename(listing[0].source?.file ?? ''), 'realmode.c');
    assert.equal(listing[0].source?.line, symbols.addressToLine(realMain)?.line);
    // 16-bit code: gcc -m16 prefixes its 32-bit operations with 66/67, which a 32-bit listing would not show.
    const as32 = listInstructions(vm.cpu, { location: { space: 'linear', address: realMain }, count: 6, codeSize32: true });
    assert.notDeepEqual(listing.map((i) => i.text), as32.map((i) => i.text), 'the CPU\'s 16-bit mode changes the decoding');
    assert.ok(listing.every((i) => !i.invalid), listing.map((i) => i.text).join('; '));
  });

  it('in the higher-half kernel: 4 MiB pages, linear vs physical memory, the TLB and paging bits', () => {
    const kmain = symbols.symbolAddress('kmain')!;
    runUntil(() => vm.cpu.paging && linearEip() === kmain, 2_000_000);
    const walk = walkPageTables(vm.cpu, kmain);
    assert.equal(walk.pageSize, 0x400000);
    assert.equal(walk.physical, kmain - 0xC0000000);
    const linear = readGuestMemory(vm.cpu, { space: 'linear', address: kmain }, 32);
    const physical = readGuestMemory(vm.cpu, { space: 'physical', address: kmain - 0xC0000000 }, 32);
    assert.ok(linear.ok && physical.ok);
    assert.deepEqual([...linear.value.bytes], [...physical.value.bytes]);
    const unmappedLow = readGuestMemory(vm.cpu, { space: 'linear', address: 0x80000000 }, 4);
    assert.match(!unmappedLow.ok ? unmappedLow.error : '', /linear 0x80000000 is not mapped \(PDE 512 not present\)/);

    const listing = listInstructions(vm.cpu, { location: { space: 'linear', address: kmain }, instructionOffset: -3, count: 6, symbols });
    const at = listing.findIndex((i) => i.address === kmain);
    assert.equal(at, 3, 'three instructions before kmain, found from the previous function');
    assert.equal(listing[at].symbol, 'kmain');
    assert.equal(basename(listing[at].source?.file ?? ''), 'kernel.c');

    const control = controlNodes(vm.cpu);
    assert.match(findNode(control, ['CR0'])!.value, /\[PE .*PG\]$/);
    assert.match(findNode(control, ['CR4'])!.value, /PSE/);
    const tlb = runConsoleCommand('info tlb', { vm, vcpu: 0 });
    assert.ok(tlb?.ok);
    assert.match(tlb.text, /^ +0xc0200000 → 0x00200000  -{3}$/m, 'the page kmain runs in is cached (fetched, not written)');
    assert.match(tlb.text, /^ +0xc02[0-9a-f]{2}000 → 0x002[0-9a-f]{2}000  W--$/m, 'a data page the kernel wrote');
    const walkText = runConsoleCommand('walk kmain', { vm, vcpu: 0, symbols });
    assert.ok(walkText?.ok);
    assert.match(walkText.text, /PDE at physical 0x[0-9a-f]{8} = 0x[0-9a-f]{8} \[P R\/W( A)?( D)? PS\]\n +→ physical 0x00200[0-9a-f]{3} \(4 MiB page/);
  });
});
