// The inspection feature's DAP handlers called directly on a booted hello guest with its real symbol
// tables: disassemble with function symbols and DWARF source lines, readMemory/writeMemory argument
// checks, and the feature's variables/setVariable bookkeeping through a minimal SessionContext.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Vm } from '../../engine/hv/vm';
import { loadMultiboot } from '../../engine/boot/multiboot';
import { SymbolIndex, SymbolSet } from '../../engine/debug/symbols/index';
import { disassembleRequest } from '../../src/adapter/inspect/disassemble-request';
import { InspectFeature } from '../../src/adapter/inspect/inspect-feature';
import { RequestError, type SessionContext } from '../../src/adapter/session-feature';
import { HELLO } from './helpers';

function bootHello(): { vm: Vm; symbols: SymbolSet } {
  const bytes = readFileSync(HELLO);
  const vm = new Vm({ memoryBytes: 32 << 20 });
  loadMultiboot(vm, bytes, HELLO);
  const symbols = new SymbolSet();
  symbols.add(SymbolIndex.fromElf(bytes, HELLO));
  return { vm, symbols };
}

function context(vm: Vm, symbols: SymbolSet, events: DebugProtocol.Event[] = []): SessionContext {
  return {
    vm, symbols, stopped: true,
    frame: (id) => (id === 1 ? { id: 1, vcpu: 0, cpu: vm.cpu, depth: 0, pc: vm.cpu.eip } : undefined),
    sendEvent: (e) => events.push(e),
  };
}

describe('inspection handlers with symbols', () => {
  it('disassemble names functions and gives the source line of each instruction', () => {
    const { vm, symbols } = bootHello();
    const kmain = symbols.symbolAddress('kmain')!;
    const body = disassembleRequest(vm.cpu, { memoryReference: `0x${kmain.toString(16)}`, instructionCount: 4 }, symbols);
    const [first, second] = body.instructions;
    assert.equal(Number(first.address), kmain);
    assert.equal(first.symbol, 'kmain');
    assert.match(second.symbol ?? '', /^kmain\+0x[0-9a-f]+$/);
    assert.equal(basename(first.location?.path ?? ''), 'hello.c');
    const expected = symbols.addressToLine(kmain)!;
    assert.equal(first.line, expected.line);
    // A call inside kmain names its target function.
    const more = disassembleRequest(vm.cpu, { memoryReference: `0x${kmain.toString(16)}`, instructionCount: 40 }, symbols);
    assert.ok(more.instructions.some((i) => /^call 0x[0-9a-f]{8} <\w+>$/.test(i.instruction)), 'a call with a named target');
    const bare = disassembleRequest(vm.cpu, { memoryReference: `0x${kmain.toString(16)}`, instructionCount: 1, resolveSymbols: false }, symbols);
    assert.equal(bare.instructions[0].symbol, undefined);
  });

  it('the feature hands out stable references and refuses edits outside registers', () => {
    const { vm, symbols } = bootHello();
    const events: DebugProtocol.Event[] = [];
    const ctx = context(vm, symbols, events);
    const feature = new InspectFeature();
    const frame = ctx.frame(1)!;
    const scopes = feature.scopes(ctx, frame);
    assert.deepEqual(scopes.map((s) => s.name), ['Registers', 'Control', 'Descriptor tables', 'FPU', 'Virtualization']);
    assert.ok(scopes.every((s) => s.variablesReference >= 0x100000));
    assert.deepEqual(feature.scopes(ctx, frame).map((s) => s.variablesReference), scopes.map((s) => s.variablesReference), 'stable');
    assert.equal(feature.variables(ctx, 0x0FFFFF), undefined, 'not its reference');
    const registers = feature.variables(ctx, scopes[0].variablesReference)!;
    assert.equal(registers.find((v) => v.name === 'EAX')?.value, '0x2badb002');
    assert.deepEqual(registers.find((v) => v.name === 'mode')?.presentationHint, { attributes: ['readOnly'] });
    const set = feature.setVariable(ctx, { variablesReference: scopes[0].variablesReference, name: 'EAX', value: '7' });
    assert.equal(set?.value, '0x00000007');
    assert.equal(events.at(-1)?.event, 'invalidated');
    assert.throws(() => feature.setVariable(ctx, { variablesReference: scopes[3].variablesReference, name: 'FCW', value: '0' }),
      (e: unknown) => e instanceof RequestError && /FCW in FPU is read-only/.test(e.message));
    assert.throws(() => feature.setVariable({ ...ctx, stopped: false }, { variablesReference: scopes[0].variablesReference, name: 'EAX', value: '1' }),
      /only while the guest is stopped/);
    assert.equal(feature.evaluate(ctx, { expression: 'eax + 1', context: 'repl' }), undefined, 'expressions go to the evaluator');
    assert.equal(feature.evaluate(ctx, { expression: 'info gdt', context: 'watch' }), undefined, 'console commands only in the console');
    assert.match(feature.evaluate(ctx, { expression: 'stats', context: 'repl', frameId: 1 })?.result ?? '', /^strategy hw/);
  });

  it('writeMemory sends a memory event with the request\'s reference and offset', () => {
    const { vm, symbols } = bootHello();
    const events: DebugProtocol.Event[] = [];
    const feature = new InspectFeature();
    const body = feature.handle(context(vm, symbols, events), 'writeMemory', { memoryReference: '0x8000', offset: 16, data: 'AQID' }) as DebugProtocol.WriteMemoryResponse['body'];
    assert.equal(body?.bytesWritten, 3);
    assert.deepEqual(events.map((e) => [e.event, e.body]), [['memory', { memoryReference: '0x8000', offset: 16, count: 3 }]]);
    assert.deepEqual([...vm.memory.readBytes(0x8010, 3)], [1, 2, 3]);
  });
});
