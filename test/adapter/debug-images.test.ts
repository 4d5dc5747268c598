// DAP test of several images: guests/two-images' kernel copies module.elf (linked at 0x200000) to
// 0x600000 and calls it; with the "symbols" launch attribute (bias 0x400000) function and source
// breakpoints resolve through the module, and the stack names module frames and then kernel frames.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, startAdapter } from './helpers';

const KERNEL = join(ROOT, 'guests', 'two-images', 'kernel.elf');
const MODULE = join(ROOT, 'guests', 'two-images', 'module.elf');
const MODULE_C = join(ROOT, 'guests', 'two-images', 'module.c');
const KERNEL_C = join(ROOT, 'guests', 'two-images', 'kernel.c');
const LINK_ADDRESS = 0x200000, LOAD_ADDRESS = 0x600000;
const SUM_LINE = readFileSync(MODULE_C, 'utf8').split('\n').findIndex((l) => l.includes('total += square(k);')) + 1;

/** Launches the kernel with the module's symbols at its load bias; setup runs before configurationDone. */
async function launchWithModule(dc: DebugClient, setup: () => Promise<void>): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest();
  await dc.launch({ program: KERNEL, symbols: [{ file: MODULE, bias: LOAD_ADDRESS - LINK_ADDRESS }] });
  await setup();
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await dc.configurationDoneRequest();
  return stopped;
}

const pcOf = (frame: DebugProtocol.StackFrame) => Number(frame.instructionPointerReference);

describe('debug core: a second image through the "symbols" launch attribute', () => {
  it('a function breakpoint on a module function stops at its load address, with module and kernel frames', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const stopped = await launchWithModule(dc, async () => {
        const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'square' }] });
        assert.equal(set.body.breakpoints[0].verified, true, JSON.stringify(set.body));
      });
      assert.equal(stopped.body.reason, 'function breakpoint');
      const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      const names = JSON.stringify(frames.map((f) => [f.name, f.instructionPointerReference]));
      assert.deepEqual(frames.slice(0, 3).map((f) => f.name.replace(/\+0x[0-9a-f]+$/, '')), ['square', 'module_sum', 'module_entry'], names);
      for (const frame of frames.slice(0, 3)) {
        assert.equal(frame.source?.path, MODULE_C, `${frame.name} is in module.c`);
        assert.ok(pcOf(frame) >= LOAD_ADDRESS && pcOf(frame) < LOAD_ADDRESS + 0x1000, `${frame.name} runs at the load address, not the link address`);
      }
      const kmain = frames[3];
      assert.match(kmain?.name ?? '', /^kmain\+0x[0-9a-f]+$/, `the kernel's frame follows the module's: ${names}`);
      assert.equal(kmain.source?.path, KERNEL_C);
      assert.ok(pcOf(kmain) < LOAD_ADDRESS, 'kmain is in the kernel image');
      // Locals of module frames come from the module's DWARF, read at the biased addresses.
      const k = await dc.evaluateRequest({ expression: 'k', frameId: frames[0].id, context: 'watch' });
      assert.equal(Number(k.body.result), 1, 'the first call is square(1)');
      const n = await dc.evaluateRequest({ expression: 'n', frameId: frames[1].id, context: 'watch' });
      assert.equal(Number(n.body.result), 4, 'kmain passes 4 to the module');
    } finally {
      await dc.stop();
    }
  });

  it('a source breakpoint in module.c resolves through the module and stops there with its locals', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const line = SUM_LINE;
      const stopped = await launchWithModule(dc, async () => {
        const set = await dc.setBreakpointsRequest({ source: { path: MODULE_C }, breakpoints: [{ line, condition: 'k == 3' }] });
        assert.equal(set.body.breakpoints[0].verified, true, JSON.stringify(set.body));
        assert.equal(set.body.breakpoints[0].line, line);
      });
      assert.equal(stopped.body.reason, 'breakpoint');
      assert.match(stopped.body.description ?? '', new RegExp(`module_sum\\+0x[0-9a-f]+ \\(module\\.c:${SUM_LINE}\\)`));
      const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
      assert.equal(frame.source?.path, MODULE_C);
      assert.equal(frame.line, line);
      const total = await dc.evaluateRequest({ expression: 'total', frameId: frame.id, context: 'watch' });
      assert.equal(Number(total.body.result), 1 + 4, 'square(1) + square(2) before the third term');
    } finally {
      await dc.stop();
    }
  });

  it('without the module\'s symbols the same source breakpoint is not verified', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      await dc.initializeRequest();
      await dc.launch({ program: KERNEL });
      const set = await dc.setBreakpointsRequest({ source: { path: MODULE_C }, breakpoints: [{ line: SUM_LINE }] });
      assert.equal(set.body.breakpoints[0].verified, false, JSON.stringify(set.body));
    } finally {
      await dc.stop();
    }
  });
});
