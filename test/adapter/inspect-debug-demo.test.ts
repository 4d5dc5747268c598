// DAP tests of the inspection side on guests/debug-demo, stopped by function breakpoints: the
// disassembly around the frame's instructionPointerReference with symbols and source lines in the
// real-mode stage (16-bit) and the higher-half kernel (32-bit, paged), readMemory of the same bytes
// by linear and physical address, and the page walk in the debug console.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, startAdapter } from './helpers';

const DEMO = join(ROOT, 'guests', 'debug-demo', 'kernel.elf');

/** Launches debug-demo with a function breakpoint on name; resolves with the top frame at the stop. */
async function stopAtFunction(dc: DebugClient, name: string): Promise<DebugProtocol.StackFrame> {
  await dc.initializeRequest();
  await dc.launch({ program: DEMO });
  const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name }] });
  assert.equal(set.body.breakpoints[0].verified, true, JSON.stringify(set.body));
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  await stopped;
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
}

async function disassembleAround(dc: DebugClient, frame: DebugProtocol.StackFrame): Promise<{ list: DebugProtocol.DisassembledInstruction[]; at: number }> {
  const response = await dc.customRequest('disassemble', {
    memoryReference: frame.instructionPointerReference, instructionOffset: -4, instructionCount: 10, resolveSymbols: true,
  });
  const list: DebugProtocol.DisassembledInstruction[] = response.body.instructions;
  assert.equal(list.length, 10);
  const at = list.findIndex((i) => Number(i.address) === Number(frame.instructionPointerReference));
  assert.equal(at, 4, 'four instructions before the frame\'s instruction');
  return { list, at };
}

async function readBytes(dc: DebugClient, memoryReference: string, count: number): Promise<Buffer> {
  const response = await dc.customRequest('readMemory', { memoryReference, count });
  return Buffer.from(response.body.data, 'base64');
}

describe('debug adapter: inspection on debug-demo', () => {
  it('in the real-mode stage: 16-bit disassembly with realmode.c lines and the real-mode registers', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const frame = await stopAtFunction(dc, 'real_main');
      const { list, at } = await disassembleAround(dc, frame);
      assert.match(list[at].symbol ?? '', /^real_main(\+0x[0-9a-f]+)?$/);
      assert.equal(basename(list[at].location?.path ?? ''), 'realmode.c');
      assert.equal(list[at].line, frame.line);
      assert.ok(list.slice(at).every((i) => i.presentationHint !== 'invalid'), list.map((i) => i.instruction).join('; '));
      const scopes = await dc.scopesRequest({ frameId: frame.id });
      const registers = scopes.body.scopes.find((s) => s.name === 'Registers')!;
      const variables = (await dc.variablesRequest({ variablesReference: registers.variablesReference })).body.variables;
      assert.equal(variables.find((v) => v.name === 'mode')?.value, 'real mode, CPL 0, 16-bit code, paging off');
      const ivt = await dc.evaluateRequest({ expression: 'info idt', context: 'repl', frameId: frame.id });
      assert.match(ivt.body.result, /^IVT: base 0x00000000 limit 0x03ff \(256 entries\)/);
    } finally {
      await dc.stop();
    }
  });

  it('in the higher-half kernel: disassembly with kernel.c lines, linear = physical + 3 GiB, the 4 MiB page walk', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const frame = await stopAtFunction(dc, 'kmain');
      const pc = Number(frame.instructionPointerReference);
      assert.ok(pc >= 0xC0000000, `kmain runs in the higher half (${frame.instructionPointerReference})`);
      const { list, at } = await disassembleAround(dc, frame);
      assert.match(list[at].symbol ?? '', /^kmain(\+0x[0-9a-f]+)?$/);
      assert.equal(basename(list[at].location?.path ?? ''), 'kernel.c');
      assert.equal(list[at].line, frame.line);
      const linear = await readBytes(dc, frame.instructionPointerReference!, 32);
      const physical = await readBytes(dc, `phys:0x${(pc - 0xC0000000).toString(16)}`, 32);
      assert.deepEqual(linear, physical);
      assert.equal(linear.subarray(0, list[at].instructionBytes!.split(' ').length).toString('hex'), list[at].instructionBytes!.replace(/ /g, ''));
      await assert.rejects(dc.customRequest('readMemory', { memoryReference: '0x80000000', count: 4 }), /linear 0x80000000 is not mapped \(PDE 512 not present\)/);
      const walk = await dc.evaluateRequest({ expression: 'walk kmain', context: 'repl', frameId: frame.id });
      assert.match(walk.body.result, /→ physical 0x00200[0-9a-f]{3} \(4 MiB page, read\/write, supervisor only\)/);
    } finally {
      await dc.stop();
    }
  });
});
