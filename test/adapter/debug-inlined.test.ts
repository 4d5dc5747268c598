// DAP test of inlined frames on optimised code: guests/hello's -O2 kernel.elf inlines print_memory_map
// into kmain and multiboot_mmap_next into it; a stop there shows each inlined call as its own frame.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { HELLO, ROOT, startAdapter } from './helpers';

const HELLO_C = join(ROOT, 'guests', 'hello', 'hello.c');
const helloLines = readFileSync(HELLO_C, 'utf8').split('\n');
const lineOf = (needle: string) => helloLines.findIndex((l) => l.includes(needle)) + 1;

describe('debug core: inlined frames in guests/hello (-O2)', () => {
  it('a stop inside inlined calls shows multiboot_mmap_next, print_memory_map and kmain as frames', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      await dc.initializeRequest();
      await dc.launch({ program: HELLO });
      const line = lineOf('e = multiboot_mmap_next(e);');
      const set = await dc.setBreakpointsRequest({ source: { path: HELLO_C }, breakpoints: [{ line }] });
      assert.equal(set.body.breakpoints[0].verified, true, JSON.stringify(set.body));
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await dc.configurationDoneRequest();
      assert.equal((await stopped).body.reason, 'breakpoint');

      const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      const names = JSON.stringify(frames.map((f) => f.name));
      assert.deepEqual(frames.slice(0, 2).map((f) => f.name), ['multiboot_mmap_next', 'print_memory_map'], names);
      assert.match(frames[2].name, /^kmain\+0x[0-9a-f]+$/, `the real frame is named by its symbol and offset: ${names}`);
      const [inner, middle, outer] = frames;
      assert.match(inner.source?.path ?? '', /multiboot\.h$/, 'the innermost frame runs the header\'s inline function');
      assert.equal(middle.source?.path, HELLO_C);
      assert.equal(middle.line, line, 'print_memory_map is at its call of multiboot_mmap_next');
      assert.equal(outer.source?.path, HELLO_C);
      assert.equal(outer.line, lineOf('print_memory_map(mbi);'), 'kmain is at its call of print_memory_map');
      assert.equal(inner.presentationHint, 'subtle');
      assert.equal(middle.presentationHint, 'subtle');
      assert.equal(outer.presentationHint, undefined, 'kmain has a frame of its own');
      assert.equal(inner.instructionPointerReference, outer.instructionPointerReference, 'inlined frames share the pc');
      assert.ok(frames.length > 3, `the caller of kmain follows: ${names}`);

      // Each inlined frame has its own locals.
      const localNames = async (frameId: number) => {
        const scope = (await dc.scopesRequest({ frameId })).body.scopes.find((s) => s.name === 'Locals');
        assert.ok(scope, 'a Locals scope');
        return (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables.map((v) => v.name).sort();
      };
      assert.deepEqual(await localNames(middle.id), ['e', 'end', 'mbi']);
      assert.deepEqual(await localNames(outer.id), ['magic', 'mbi']);
      const magic = await dc.evaluateRequest({ expression: 'magic', frameId: outer.id, context: 'watch' });
      assert.equal(Number(magic.body.result), 0x2BADB002, 'kmain\'s argument read in the outer frame');
      // The inlined frame reads its own variables at the stop's pc with the live registers.
      const mbiInner = await dc.evaluateRequest({ expression: '(unsigned)mbi', frameId: middle.id, context: 'watch' });
      const mbiOuter = await dc.evaluateRequest({ expression: '(unsigned)mbi', frameId: outer.id, context: 'watch' });
      assert.equal(mbiInner.body.result, mbiOuter.body.result, 'print_memory_map(mbi) got kmain\'s mbi');
      const inRange = await dc.evaluateRequest({ expression: '(unsigned)e < end', frameId: middle.id, context: 'watch' });
      assert.equal(Number(inRange.body.result), 1, 'e still walks the map below end');
    } finally {
      await dc.stop();
    }
  });
});
