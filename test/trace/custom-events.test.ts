// hvdbg's custom DAP events and requests, through the real adapter (dist/adapter.js): throttled
// hvdbg.vmEvents / hvdbg.stats while the hello guest runs, the hvdbg* requests, and the "trace" file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { parseTrace } from '../../engine/trace/trace-format.js';
import { HW_EXIT_CYCLES } from '../../engine/hv/stats/cost-table.js';

const ROOT = resolve(__dirname, '..', '..');
const HELLO = join(ROOT, 'guests', 'hello', 'kernel.elf');

interface StatsBody { strategy: string; instructions: number; events: number; cycles: number; exits: { key: string; count: number; cycles: number }[] }

test('the views\' events and requests follow a hello run, and "trace" writes every event to a .hvtrace file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-trace-'));
  const traceFile = join(dir, 'hello.hvtrace');
  const dc = new DebugClient(process.execPath, join(ROOT, 'dist', 'adapter.js'), 'hvdbg', { cwd: ROOT });
  dc.defaultTimeout = 15_000;
  await dc.start();
  try {
    const pushes: DebugProtocol.Event[] = [];
    dc.on('hvdbg.vmEvents', (e: DebugProtocol.Event) => pushes.push(e));
    dc.on('hvdbg.stats', (e: DebugProtocol.Event) => pushes.push(e));
    await dc.initializeRequest();
    await dc.launch({ program: HELLO, stopOnEntry: true, trace: traceFile } as DebugProtocol.LaunchRequestArguments);
    await Promise.all([dc.configurationDoneRequest(), dc.waitForEvent('stopped')]);

    const atEntry = (await dc.send('hvdbgStats')).body as StatsBody;
    assert.equal(atEntry.strategy, 'hw');
    assert.equal(atEntry.instructions, 0);
    assert.equal(atEntry.events, 0);
    const typed = await dc.send('hvdbgSerialInput', { text: 'ok\r' });
    assert.equal(typed.body.bytes, 3);
    const screen = await dc.send('hvdbgScreen');
    assert.equal(typeof screen.body.text, 'string');
    assert.equal(screen.body.lines.length, 25);
    await assert.rejects(dc.send('hvdbgSerialInput', { text: 42 }), /"text" must be a string/);
    await assert.rejects(dc.send('hvdbgEvents', { limit: 0 }), /"limit" must be a positive integer/);

    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
    const final = (await dc.send('hvdbgStats')).body as StatsBody;
    const io = final.exits.find((e) => e.key === 'io');
    assert.ok(io && io.count > 100, 'hello makes over a hundred I/O exits');
    assert.equal(final.events, final.exits.reduce((n, e) => n + e.count, 0), 'every exit is logged as a VM event');
    assert.equal(io.cycles, io.count * HW_EXIT_CYCLES[30], 'modeled cost of the I/O exits, from the cost table');
    assert.equal(final.cycles, final.exits.reduce((n, e) => n + e.cycles, 0));

    // The pushes are throttled: far fewer messages than events, and the last one carries the final total.
    const eventPushes = pushes.filter((e) => e.event === 'hvdbg.vmEvents');
    assert.ok(eventPushes.length >= 1 && eventPushes.length < final.events / 10, `${eventPushes.length} pushes for ${final.events} events`);
    assert.equal(eventPushes[eventPushes.length - 1].body.total, final.events);
    assert.equal(pushes.filter((e) => e.event === 'hvdbg.stats').at(-1)?.body.instructions, final.instructions);

    const occurrences = (await dc.send('hvdbgEvents', { kind: 'exit', reason: 'io', limit: 5 })).body;
    assert.equal(occurrences.events.length, 5);
    assert.ok(occurrences.events.every((e: { reason: string; summary: string }) => e.reason === 'io' && /^VM exit 30 \(I\/O instruction\)/.test(e.summary)));
    const latest = (await dc.send('hvdbgEvents', { after: final.events - 2 })).body;
    assert.deepEqual(latest.events.map((e: { seq: number }) => e.seq), [final.events - 1, final.events]);

    const exported = (await dc.send('hvdbgTrace')).body.text as string;
    assert.equal(parseTrace(exported).records.length, final.events);
    // The guest has ended: the trace file was completed then (no disconnect needed).
    const written = parseTrace(readFileSync(traceFile, 'utf8'));
    assert.equal(written.records.length, final.events, 'the trace file has every event');
    assert.equal(written.meta.get('strategy'), 'hw');
    assert.match(written.meta.get('end') ?? '', /^halted after \d+ instructions; \d+ events$/);
  } finally {
    await dc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
