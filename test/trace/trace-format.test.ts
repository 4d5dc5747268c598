// The .hvtrace format: events from a real guest written and read back field for field, quoting of
// awkward values, and clear errors (with the line number) for malformed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { TraceWriter } from '../../engine/trace/trace-writer.js';
import { formatTraceRecord, parseTrace, TraceFormatError } from '../../engine/trace/trace-format.js';
import { EventLog } from '../../engine/trace/event-log.js';
import type { VmEvent } from '../../engine/hv/vm-event.js';
import { HW_EXIT_CYCLES } from '../../engine/hv/stats/cost-table.js';

const HELLO = join(resolve(__dirname, '..', '..'), 'guests', 'hello', 'kernel.elf');

function bootHello(): Vm {
  const vm = new Vm({ memoryBytes: 16 * 1024 * 1024 });
  loadMultiboot(vm, readFileSync(HELLO), 'kernel.elf', { append: '', modules: [] });
  return vm;
}

test('a hello run written as .hvtrace reads back with every event, in order, with decoded I/O fields', () => {
  const vm = bootHello();
  const seen: VmEvent[] = [];
  vm.onEvent.event((e) => seen.push(e));
  let text = '';
  const writer = new TraceWriter((t) => { text += t; }, [['kernel', 'guests/hello/kernel.elf'], ['strategy', 'hw']]);
  writer.attach(vm);
  const stop = vm.run(5_000_000);
  writer.close(`${stop?.kind} after ${vm.instructions} instructions`);
  assert.equal(stop?.kind, 'halted');
  assert.ok(seen.length > 100, `hello makes many VM exits (got ${seen.length})`);
  const trace = parseTrace(text);
  assert.equal(trace.version, 1);
  assert.equal(trace.meta.get('kernel'), 'guests/hello/kernel.elf');
  assert.match(trace.meta.get('end') ?? '', new RegExp(`^halted after ${vm.instructions} instructions; ${seen.length} events$`));
  assert.equal(trace.records.length, seen.length);
  trace.records.forEach((r, k) => {
    assert.equal(r.seq, k + 1);
    assert.equal(r.instructions, seen[k].instructions);
    assert.equal(r.kind, seen[k].kind);
  });
  // The guest prints "Hello" on COM1: the first byte written to 0x3f8's data register is 'H' (0x48).
  const firstData = trace.records.find((r) => r.reason === 'io' && fieldOf(r.fields, 'port') === '0x03f8' && fieldOf(r.fields, 'dir') === 'out');
  assert.ok(firstData, 'an OUT to COM1 is traced');
  const last = trace.records[trace.records.length - 1];
  assert.equal(last.reason, 'hlt', 'the guest ends with HLT');
  const data = trace.records.filter((r) => r.reason === 'io' && fieldOf(r.fields, 'port') === '0x03f8' && fieldOf(r.fields, 'dir') === 'out')
    .map((r) => String.fromCharCode(Number(fieldOf(r.fields, 'value'))));
  assert.match(data.join(''), /Hello from hvdbg guest!/);
});

test('values with spaces, quotes, backslashes and newlines are quoted and come back unchanged', () => {
  const fields: [string, string][] = [['detail', 'page fault at "x"\\y\nnext'], ['plain', '0x10'], ['empty', '']];
  const text = '# hvdbg-trace 1\n' + formatTraceRecord({ seq: 7, instructions: 99, kind: 'trap', reason: 'vector14', fields });
  const [r] = parseTrace(text).records;
  assert.deepEqual(r, { seq: 7, instructions: 99, kind: 'trap', reason: 'vector14', fields });
});

test('malformed traces are refused with the line and the problem', () => {
  assert.throws(() => parseTrace('hello\n'), (e: unknown) => e instanceof TraceFormatError && /line 1: not an hvdbg trace/.test(e.message));
  assert.throws(() => parseTrace('# hvdbg-trace 9\n'), /line 1: trace version 9 is not supported/);
  assert.throws(() => parseTrace('# hvdbg-trace 1\n# c\n1 2 exit\n'), /line 3: expected "seq instructions kind reason"/);
  assert.throws(() => parseTrace('# hvdbg-trace 1\n1 2 exit io port\n'), /line 2: field at column 13 has no "="/);
  assert.throws(() => parseTrace('# hvdbg-trace 1\n1 2 exit io detail="open\n'), /line 2: unterminated quoted value of detail/);
  assert.throws(() => formatTraceRecord({ seq: 1, instructions: 1, kind: 'exit', reason: 'io', fields: [['bad name', 'x']] }), TraceFormatError);
});

test('the event log counts by kind and reason and keeps the newest events in its ring', () => {
  const vm = bootHello();
  const log = new EventLog(50);
  vm.onEvent.event((e) => log.add(e));
  vm.run(5_000_000);
  assert.ok(log.total > 50);
  const kept = log.since(0);
  assert.equal(kept.length, 50);
  assert.equal(kept[kept.length - 1].seq, log.total);
  assert.deepEqual(kept.map((e) => e.seq), Array.from({ length: 50 }, (_, k) => log.total - 49 + k));
  assert.deepEqual(log.since(log.total - 3).map((e) => e.seq), [log.total - 2, log.total - 1, log.total]);
  const exits = log.countsByKind().find((k) => k.kind === 'exit');
  assert.ok(exits);
  assert.equal(exits.total, log.total);
  const io = exits.reasons.find((r) => r.reason === 'io');
  assert.equal(io?.count, vm.exitCounts.get(30), 'I/O exits counted by the log = the strategy\'s own count');
  assert.equal(exits.reasons.find((r) => r.reason === 'hlt')?.count, 1);
  // Modeled cost from the cost table: every I/O exit costs the I/O row, the kind sums its reasons.
  assert.equal(io?.cycles, (io?.count ?? 0) * HW_EXIT_CYCLES[30]);
  assert.equal(exits.cycles, exits.reasons.reduce((n, r) => n + r.cycles, 0));
  assert.throws(() => new EventLog(0), /capacity must be a positive integer/);
});

function fieldOf(fields: readonly (readonly [string, string])[], name: string): string | undefined {
  return fields.find(([n]) => n === name)?.[1];
}
