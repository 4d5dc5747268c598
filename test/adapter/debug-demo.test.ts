// DAP tests of the debug core over the real adapter process, on guests/debug-demo (a real-mode C
// stage, a paged higher-half C kernel with structs, arrays, pointers and nested calls): source
// breakpoints in both, stepping, typed locals, a watchpoint on a struct field, event breakpoints on
// I/O exits, #PF, CR3 writes and mode switches, conditions, logpoints, and the stop descriptions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, outputText, recordEvents, startAdapter } from './helpers';

const DEMO = join(ROOT, 'guests', 'debug-demo', 'kernel.elf');
const REALMODE_C = join(ROOT, 'guests', 'debug-demo', 'realmode.c');
const KERNEL_C = join(ROOT, 'guests', 'debug-demo', 'kernel.c');
const SHAPES_C = join(ROOT, 'guests', 'debug-demo', 'shapes.c');

/** Launches debug-demo with the given breakpoints set before configurationDone; resolves at the first stop. */
async function launchWith(dc: DebugClient, setup: () => Promise<void>): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest();
  await dc.launch({ program: DEMO });
  await setup();
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await dc.configurationDoneRequest();
  return stopped;
}

async function topFrame(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
}

async function locals(dc: DebugClient, frameId: number): Promise<DebugProtocol.Variable[]> {
  const scopes = await dc.scopesRequest({ frameId });
  const scope = scopes.body.scopes.find((s) => s.name === 'Locals');
  assert.ok(scope, 'a Locals scope');
  return (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
}

async function evaluate(dc: DebugClient, expression: string, frameId?: number): Promise<string> {
  return (await dc.evaluateRequest({ expression, frameId, context: 'watch' })).body.result;
}

async function resume(dc: DebugClient, request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await request();
  return stopped;
}

describe('debug core: debug-demo guest', () => {
  it('stops on a source line of the real-mode stage, with real-mode registers and typed locals', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const stopped = await launchWith(dc, async () => {
        const set = await dc.setBreakpointsRequest({ source: { path: REALMODE_C }, breakpoints: [{ line: 30, condition: 'i == 2' }] });
        assert.equal(set.body.breakpoints[0].verified, true, JSON.stringify(set.body));
        assert.equal(set.body.breakpoints[0].line, 30);
      });
      assert.equal(stopped.body.reason, 'breakpoint');
      assert.match(stopped.body.description ?? '', /^breakpoint realmode\.c:30 at real_main\+0x[0-9a-f]+ \(realmode\.c:30\)$/);
      const frame = await topFrame(dc);
      assert.equal(frame.source?.path, REALMODE_C);
      assert.equal(frame.line, 30);
      assert.match(frame.name, /^real_main/);
      assert.ok(Number(frame.instructionPointerReference) < 0x10000, 'real-mode code below 64 KiB');
      assert.equal(await evaluate(dc, '$cr0 & 1'), '0x00000000', 'CR0.PE clear: real mode');
      assert.equal(await evaluate(dc, '$cs'), '0x00000000', 'CS = 0');
      const vars = new Map((await locals(dc, frame.id)).map((v) => [v.name, v]));
      assert.equal(vars.get('i')?.value, '2');
      assert.equal(vars.get('i')?.type, 'unsigned int');
      assert.equal(await evaluate(dc, 'message[i]', frame.id), "97 'a'");
      assert.equal(await evaluate(dc, 'message', frame.id), '"real mode stage\\n"');
      // 'r' then 'e' went into the checksum before this iteration.
      assert.equal(vars.get('checksum')?.value, String(0x72 * 31 + 0x65));
    } finally {
      await dc.stop();
    }
  });

  it('stops in paged higher-half C with typed struct and pointer locals, and steps over, into and out', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const stopped = await launchWith(dc, async () => {
        await dc.setBreakpointsRequest({ source: { path: KERNEL_C }, breakpoints: [{ line: 79 }] });
      });
      assert.match(stopped.body.description ?? '', /^breakpoint kernel\.c:79 at kmain\+0x[0-9a-f]+ \(kernel\.c:79\)$/);
      let frame = await topFrame(dc);
      assert.ok(Number(frame.instructionPointerReference) >= 0xC0200000, 'kmain runs in the higher half');
      assert.equal(await evaluate(dc, '($cr0 >> 31) & 1'), '0x00000001', 'paging on');
      assert.match(await evaluate(dc, 'shapes[1].name'), /^0x[0-9a-f]{8} "square"$/);
      assert.equal(await evaluate(dc, 'shapes[2].corners[3].y'), '5');
      assert.equal(await evaluate(dc, 'shapes[0].next->kind'), 'SHAPE_QUAD');
      assert.equal(await evaluate(dc, 'sizeof(struct shape)'), '0x0000002c');

      // step into shapes_total_area2 (past its prologue), then into shape_area2's loop by a breakpoint, then out.
      let step = await resume(dc, () => dc.stepInRequest({ threadId: 1 }));
      assert.equal(step.body.reason, 'step');
      frame = await topFrame(dc);
      assert.match(frame.name, /^shapes_total_area2/);
      assert.equal(frame.source?.path, SHAPES_C);
      assert.equal(frame.line, 24, 'the first statement, after the prologue');
      const trace = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      assert.match(trace[1].name, /^kmain/);
      assert.equal(trace[1].line, 79, 'the caller frame, unwound, at the call');

      await dc.setBreakpointsRequest({ source: { path: SHAPES_C }, breakpoints: [{ line: 17, hitCondition: '2' }] });
      step = await resume(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(step.body.reason, 'breakpoint');
      frame = await topFrame(dc);
      const vars = new Map((await locals(dc, frame.id)).map((v) => [v.name, v]));
      assert.equal(vars.get('i')?.value, '1', 'the hit condition 2 skipped the first iteration');
      assert.equal(vars.get('here')?.type, 'const struct point *');
      assert.ok((vars.get('here')?.variablesReference ?? 0) > 0, 'a pointer to a struct expands');
      const pointee = (await dc.variablesRequest({ variablesReference: vars.get('here')!.variablesReference })).body.variables;
      const point = (await dc.variablesRequest({ variablesReference: pointee[0].variablesReference })).body.variables;
      assert.deepEqual(point.map((v) => [v.name, v.value]), [['x', '4'], ['y', '0']], 'triangle corner 1 is (4, 0)');
      assert.equal(await evaluate(dc, 's->corners[i].x * 10 + next->y', frame.id), '43');
      const setSum = await dc.setVariableRequest({ variablesReference: (await dc.scopesRequest({ frameId: frame.id })).body.scopes[0].variablesReference, name: 'sum', value: '100 + 1' });
      assert.equal(setSum.body.value, '101');
      assert.equal(await evaluate(dc, 'sum', frame.id), '101', 'the local in memory changed');
      const setX = await dc.setVariableRequest({ variablesReference: pointee[0].variablesReference, name: 'x', value: '4' });
      assert.equal(setX.body.value, '4', 'a struct member through a pointer');
      await assert.rejects(dc.setVariableRequest({ variablesReference: pointee[0].variablesReference, name: 'x', value: '4 +' }), /cannot set \(\*\(here\)\)\.x: .*ends too early/);
      await dc.setVariableRequest({ variablesReference: (await dc.scopesRequest({ frameId: frame.id })).body.scopes[0].variablesReference, name: 'sum', value: '0' });

      await dc.setBreakpointsRequest({ source: { path: SHAPES_C }, breakpoints: [] });
      step = await resume(dc, () => dc.stepOutRequest({ threadId: 1 }));
      frame = await topFrame(dc);
      assert.match(frame.name, /^shapes_total_area2/, `stepped out to the caller (${step.body.description})`);
      step = await resume(dc, () => dc.nextRequest({ threadId: 1 }));
      frame = await topFrame(dc);
      assert.equal(frame.source?.path, SHAPES_C);
      assert.notEqual(frame.line, 0);

      // instruction stepping
      const before = Number(frame.instructionPointerReference);
      await resume(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      const after = Number((await topFrame(dc)).instructionPointerReference);
      assert.ok(after !== before && after - before < 16, `one instruction: 0x${before.toString(16)} → 0x${after.toString(16)}`);
    } finally {
      await dc.stop();
    }
  });

  it('stops on a watchpoint on a struct field with the old and new value', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const stopped = await launchWith(dc, async () => {
        await dc.setBreakpointsRequest({ source: { path: KERNEL_C }, breakpoints: [{ line: 79 }] });
      });
      assert.equal(stopped.body.reason, 'breakpoint');
      const info = await dc.customRequest('dataBreakpointInfo', { name: 'stats.writes' });
      assert.match(info.body.dataId, /^lin:0xc02[0-9a-f]+:4:stats\.writes$/);
      const set = await dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType: 'write' }] });
      assert.equal(set.body.breakpoints[0].verified, true);
      const hit = await resume(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(hit.body.reason, 'data breakpoint');
      assert.match(hit.body.description ?? '', /^data breakpoint stats\.writes: written by count_write\+0x[0-9a-f]+ \(kernel\.c:71\): 0x0 → 0x1$/);
      assert.equal(await evaluate(dc, 'stats.writes'), '1');
      const bad = await dc.customRequest('dataBreakpointInfo', { name: '$eax' });
      assert.equal(bad.body.dataId, null);
      assert.match(bad.body.description, /not in memory/);
    } finally {
      await dc.stop();
    }
  });

  it('breaks on an I/O exit with a condition on port and value, on #PF with CR2, on a CR3 write and on a mode switch', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const events = recordEvents(dc);
      const stopped = await launchWith(dc, async () => {
        const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [
          { name: 'exit:io', condition: 'port == 0x3f8 && value == 0x65' },   // the 'e' of "real mode stage"
          // logMessage on a function breakpoint: hvdbg honours it (DAP's FunctionBreakpoint type does not declare it)
          { name: 'io:0x3f8:out', logMessage: 'serial {value}', hitCondition: '== 1' } as DebugProtocol.FunctionBreakpoint,
        ] });
        assert.deepEqual(set.body.breakpoints.map((b) => b.verified), [true, true]);
      });
      assert.equal(stopped.body.reason, 'function breakpoint');
      assert.match(stopped.body.description ?? '', /^VM exit 30 \(I\/O instruction\): OUT dx=0x3f8 al=0x65 at (port_out|real_putc)\+0x[0-9a-f]+ \(realmode\.c:\d+\)$/);
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      assert.equal(info.body.exceptionId, 'exit:io');
      assert.match(info.body.details?.stackTrace ?? '', /port = 0x3f8/);
      assert.match(info.body.details?.stackTrace ?? '', /reason = 0x1e/);
      assert.match(outputText(events, 'console'), /serial 0x00000072\n/, "the logpoint logged the first OUT ('r')");

      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'mode:protected' }] });
      let hit = await resume(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.match(hit.body.description ?? '', /^CPU mode switch: real → protected at real_entry\+0x[0-9a-f]+ \(boot\.S:\d+\)$/);

      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'cr3' }, { name: '#PF' }] });
      hit = await resume(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.match(hit.body.description ?? '', /^CR3 write: 0x00000000 → 0x00203000/);
      hit = await resume(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.match(hit.body.description ?? '', /^#PF \(page fault\) error code 0x2 CR2=0x40000000: .* at kmain\+0x[0-9a-f]+ \(kernel\.c:85\)$/);
      assert.equal(await evaluate(dc, '$cr2'), '0x40000000');
      const pf = await dc.exceptionInfoRequest({ threadId: 1 });
      assert.match(pf.body.details?.stackTrace ?? '', /cr2 = 0x40000000/);
      hit = await resume(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.match(hit.body.description ?? '', /^CR3 write: 0x00203000 → 0x00203000 .* at page_fault\+0x[0-9a-f]+ \(kernel\.c:\d+\)$/);
    } finally {
      await dc.stop();
    }
  });

  it('arms exception filters with conditions, and answers bad breakpoints with messages', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const init = await dc.initializeRequest();
      assert.deepEqual(init.body?.exceptionBreakpointFilters?.map((f) => f.filter), ['exit', 'hypercall', 'callout', 'trap', 'exception', 'interrupt', 'io', 'msr', 'cr', 'mode']);
      assert.ok(init.body?.exceptionBreakpointFilters?.every((f) => f.supportsCondition));
      await dc.launch({ program: DEMO });
      const lines = await dc.setBreakpointsRequest({ source: { path: KERNEL_C }, breakpoints: [{ line: 500 }, { line: 79, condition: 'total ==' }] });
      assert.equal(lines.body.breakpoints[0].verified, false);
      assert.match(lines.body.breakpoints[0].message ?? '', /no code for kernel\.c:500/);
      assert.equal(lines.body.breakpoints[1].verified, false);
      assert.match(lines.body.breakpoints[1].message ?? '', /condition "total ==" does not parse/);
      const nowhere = await dc.setBreakpointsRequest({ source: { path: join(ROOT, 'README.md') }, breakpoints: [{ line: 1 }] });
      assert.equal(nowhere.body.breakpoints[0].verified, false);
      const functions = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'io:0x70000' }, { name: 'exit:nonsense' }, { name: 'no_such_function' }] });
      assert.deepEqual(functions.body.breakpoints.map((b) => b.verified), [false, false, false]);
      assert.match(functions.body.breakpoints[0].message ?? '', /ports run from 0 to 0xffff/);
      assert.match(functions.body.breakpoints[1].message ?? '', /unknown exit reason "nonsense"/);
      await assert.rejects(dc.setFunctionBreakpointsRequest({ breakpoints: 'kmain' as never }), /"breakpoints" must be a list/);
      await assert.rejects(dc.setBreakpointsRequest({ source: {}, breakpoints: [{ line: 3 }] } as never), /needs a "path"/);
      const filters = await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'cr', condition: 'cr == 0 && (changed & 0x80000000)' }, { filterId: 'nope' }] });
      assert.deepEqual(filters.body?.breakpoints?.map((b) => b.verified), [true, false]);
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await dc.configurationDoneRequest();
      const hit = await stopped;
      assert.equal(hit.body.reason, 'exception');
      assert.match(hit.body.description ?? '', /^CR0 write: 0x[0-9a-f]+ → 0x8[0-9a-f]{7} \(bits changed 0x80000000\)/);
    } finally {
      await dc.stop();
    }
  });

  it('breaks on a hypercall by name in pv-hello, with a condition over its decoded arguments', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      await dc.initializeRequest();
      await dc.launch({ program: join(ROOT, 'guests', 'pv-hello', 'kernel.elf'), strategy: 'pv' });
      const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'hypercall:event_channel_op', condition: 'args.cmd == "send"' }] });
      assert.equal(set.body.breakpoints[0].verified, true);
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await dc.configurationDoneRequest();
      const hit = await stopped;
      assert.equal(hit.body.reason, 'function breakpoint');
      assert.match(hit.body.description ?? '', /^hypercall 32 \(event_channel_op\)\(0x[0-9a-f]+, .*\) = 0 at hypercall_page\+0x[0-9a-f]+$/);
      const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      assert.ok(frames.some((f) => f.source?.name === 'pv-hello.c'), `a caller in pv-hello.c: ${frames.map((f) => f.name).join(' < ')}`);
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      assert.match(info.body.details?.stackTrace ?? '', /name = "event_channel_op"/);
      assert.match(info.body.details?.stackTrace ?? '', /"cmd":"send"/);
    } finally {
      await dc.stop();
    }
  });

  it('answers bad expressions, unknown frames and threads, and a missing symbols image with errors, and keeps serving', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      await dc.initializeRequest();
      await assert.rejects(dc.launch({ program: DEMO, symbols: [{ file: join(ROOT, 'no-such-loader.elf') }] }), /no-such-loader\.elf: cannot read this "symbols" image/);
    } finally {
      await dc.stop();
    }
    const dc2 = await startAdapter();
    try {
      await launchWith(dc2, async () => {
        await dc2.setBreakpointsRequest({ source: { path: KERNEL_C }, breakpoints: [{ line: 79 }] });
      });
      await assert.rejects(dc2.evaluateRequest({ expression: 'shapes[0].' }), /expected a member name/);
      await assert.rejects(dc2.evaluateRequest({ expression: 'nosuch * 2' }), /no variable, symbol or register named "nosuch"/);
      await assert.rejects(dc2.evaluateRequest({ expression: '*(int *)0x50000000' }), /linear 0x50000000 is not mapped/);
      await assert.rejects(dc2.evaluateRequest({ expression: 'eax', frameId: 999 }), /unknown frameId 999/);
      await assert.rejects(dc2.stackTraceRequest({ threadId: 7 }), /unknown threadId 7 \(threads are 1 to 1/);
      await assert.rejects(dc2.variablesRequest({ variablesReference: 777 }), /unknown variablesReference 777/);
      await assert.rejects(dc2.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: 5 }] }), /dataId must be a string/);
      const bad = await dc2.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: 'lin:zz' }] });
      assert.equal(bad.body.breakpoints[0].verified, false);
      assert.match(await evaluate(dc2, 'stats.shapes_built'), /^3$/, 'the session still answers');
    } finally {
      await dc2.stop();
    }
  });

  it('breaks on an MSR write and on a BT callout by mnemonic', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      await dc.initializeRequest();
      await dc.launch({ program: join(ROOT, 'guests', 'exits-tour', 'kernel.elf') });
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'msr:0x174:write', condition: 'value == 0x8' }] });
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await dc.configurationDoneRequest();
      const hit = await stopped;
      assert.match(hit.body.description ?? '', /^WRMSR 0x174 value=0x8 at \w+\+0x[0-9a-f]+ \(exits-tour\.c:\d+\)$/);
    } finally {
      await dc.stop();
    }
    const bt = await startAdapter();
    try {
      await bt.initializeRequest();
      await bt.launch({ program: join(ROOT, 'guests', 'hello', 'kernel.elf'), strategy: 'bt' });
      await bt.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'callout:out', condition: 'cpl == 0' }] });
      const stopped = bt.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await bt.configurationDoneRequest();
      const hit = await stopped;
      assert.match(hit.body.description ?? '', /^BT callout: out \(privileged: .*\) at \w+\+0x[0-9a-f]+ \(\w+\.[ch]:\d+\)$/);
    } finally {
      await bt.stop();
    }
  });
});
