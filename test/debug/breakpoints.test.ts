// Unit tests of the breakpoint machinery: the event-breakpoint syntax and matching, hit conditions
// and logpoints, and the CPU's per-page code-breakpoint set (pass-once when resuming).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBreakpoints } from '../../engine/cpu/code-breakpoints';
import { BreakpointBehaviour } from '../../engine/debug/breakpoints/behaviour';
import { decodeDataId, encodeDataId } from '../../engine/debug/breakpoints/watchpoints';
import { isEventSpec, matches, parseEventSpec } from '../../engine/debug/events/event-spec';
import { describeEvent, eventFields } from '../../engine/debug/events/event-text';
import type { DebugEvent } from '../../engine/debug/events/debug-event';
import { BUILTIN_TYPES, type EvalEnvironment } from '../../engine/debug/expression/value';

const site = { vcpu: 0, instructions: 10, cs: 8, eip: 0x1000, cpl: 0, mode: 'protected' as const, instructionBytes: [0xee] };
const out = (port: number, value: number): DebugEvent => ({ kind: 'port-io', ...site, port, size: 1, direction: 'out', value });

describe('event breakpoint syntax', () => {
  it('parses every kind and tells event names from function names', () => {
    assert.deepEqual(parseEventSpec('exit:io'), { kind: 'exit', reason: 30 });
    assert.deepEqual(parseEventSpec('exit:12'), { kind: 'exit', reason: 12 });
    assert.deepEqual(parseEventSpec('hypercall:sched_op'), { kind: 'hypercall', name: 'sched_op' });
    assert.deepEqual(parseEventSpec('hypercall:29'), { kind: 'hypercall', number: 29 });
    assert.deepEqual(parseEventSpec('#PF'), { kind: 'exception', vector: 14 });
    assert.deepEqual(parseEventSpec('#13'), { kind: 'exception', vector: 13 });
    assert.deepEqual(parseEventSpec('io:0x60-0x64'), { kind: 'io', first: 0x60, last: 0x64, direction: undefined });
    assert.deepEqual(parseEventSpec('io:0x3f8:out'), { kind: 'io', first: 0x3f8, last: 0x3f8, direction: 'out' });
    assert.deepEqual(parseEventSpec('msr:0x1b'), { kind: 'msr', index: 0x1b, access: undefined });
    assert.deepEqual(parseEventSpec('cr3'), { kind: 'cr', cr: 3, bits: undefined });
    assert.deepEqual(parseEventSpec('cr0:0x80000000'), { kind: 'cr', cr: 0, bits: 0x80000000 });
    assert.deepEqual(parseEventSpec('mode:real'), { kind: 'mode', to: 'real' });
    assert.deepEqual(parseEventSpec('int:0x80'), { kind: 'interrupt', vector: 0x80 });
    assert.equal(isEventSpec('kmain'), false);
    assert.equal(isEventSpec('crc32'), false);
    assert.equal(isEventSpec('cr3'), true);
    assert.equal(isEventSpec('exit'), true);
    assert.equal(isEventSpec('exit_handler'), false);
  });

  it('rejects bad specifications with the reason', () => {
    assert.throws(() => parseEventSpec('#XX'), /unknown exception/);
    assert.throws(() => parseEventSpec('exit:bogus'), /unknown exit reason "bogus"/);
    assert.throws(() => parseEventSpec('io:0x64-0x60'), /first before last/);
    assert.throws(() => parseEventSpec('io:0x60:both'), /:in or :out/);
    assert.throws(() => parseEventSpec('msr:zz'), /MSR index "zz" is not a number/);
    assert.throws(() => parseEventSpec('mode:long'), /mode is one of/);
  });

  it('matches events by range, direction and changed bits', () => {
    assert.equal(matches(parseEventSpec('io:0x60-0x64'), out(0x64, 0)), true);
    assert.equal(matches(parseEventSpec('io:0x60-0x64'), out(0x65, 0)), false);
    assert.equal(matches(parseEventSpec('io:0x60:in'), out(0x60, 0)), false);
    const cr0: DebugEvent = { kind: 'cr-write', ...site, cr: 0, old: 0x11, new: 0x80000011 };
    assert.equal(matches(parseEventSpec('cr0:0x80000000'), cr0), true);
    assert.equal(matches(parseEventSpec('cr0:0x1'), cr0), false);
    assert.equal(matches(parseEventSpec('cr3'), cr0), false);
    assert.equal(describeEvent(cr0), 'CR0 write: 0x00000011 → 0x80000011 (bits changed 0x80000000)');
    assert.deepEqual(eventFields(out(0x3f8, 0x48)).port, 0x3f8);
    assert.equal(describeEvent(out(0x3f8, 0x48)), 'port I/O: OUT dx=0x3f8 al=0x48');
  });
});

describe('breakpoint behaviour', () => {
  const env = (): EvalEnvironment => ({
    readMemory: () => new Uint8Array(4), register: () => undefined,
    lookup: (n) => (n === 'x' ? { type: BUILTIN_TYPES.get('int')!, bits: 7n } : undefined), findType: () => undefined,
  });
  it('applies conditions, hit conditions and log messages', () => {
    const every3 = new BreakpointBehaviour({ hitCondition: '% 3' });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => every3.decide(env).stop), [false, false, true, false, false, true]);
    const fromSecond = new BreakpointBehaviour({ hitCondition: '>= 2', condition: 'x == 7' });
    assert.deepEqual([1, 2].map(() => fromSecond.decide(env).stop), [false, true]);
    assert.equal(new BreakpointBehaviour({ condition: 'x > 7' }).decide(env).stop, false);
    assert.deepEqual(new BreakpointBehaviour({ logMessage: 'x is {x * 2}!' }).decide(env), { stop: false, log: 'x is 14!' });
    const broken = new BreakpointBehaviour({ condition: 'y == 1' }).decide(env);
    assert.equal(broken.stop, true, 'a condition that cannot be evaluated stops, saying why');
    assert.match(broken.log ?? '', /no variable, symbol or register named "y"/);
    assert.throws(() => new BreakpointBehaviour({ condition: 'x ==' }), /condition "x ==" does not parse/);
    assert.throws(() => new BreakpointBehaviour({ hitCondition: 'often' }), /hit condition "often" must be a number/);
  });

  it('encodes watchpoint targets as data ids', () => {
    const target = { space: 'physical' as const, address: 0xb8000, size: 2, label: 'phys:0xb8000' };
    assert.equal(encodeDataId(target), 'phys:0xb8000:2:phys:0xb8000');
    assert.deepEqual(decodeDataId(encodeDataId(target)), target);
    assert.equal(decodeDataId('nonsense'), undefined);
  });
});

describe('CPU code breakpoints', () => {
  it('count per page, pass once when resuming, and report hits', () => {
    const set = new CodeBreakpoints();
    assert.equal(set.armed, false);
    const hits: number[] = [];
    set.onHit = (a) => { hits.push(a); return true; };
    set.add(0x7c05);
    set.add(0x7c10);
    const version = set.version;
    assert.equal(set.armed, true);
    assert.equal(set.pageHas(0x7), true);
    assert.equal(set.pageHas(0x8), false);
    set.passNext(0x7c05);
    assert.equal(set.shouldStop(0x7c05), false, 'passed once');
    assert.equal(set.shouldStop(0x7c05), true);
    assert.equal(set.shouldStop(0x7c06), false);
    assert.deepEqual(hits, [0x7c05]);
    assert.equal(set.anyIn(0x7c00, 0x7c05), false, 'a block ending before the breakpoint');
    assert.equal(set.anyIn(0x7c00, 0x7c06), true, 'a block containing it');
    assert.equal(set.anyIn(0x7c06, 0x7c10), false);
    assert.equal(set.anyIn(0x7c06, 0x7c11), true);
    assert.equal(set.anyIn(0x6ff0, 0x7010), false, 'across a page boundary, none inside');
    assert.equal(set.anyIn(0x8000, 0x8010), false, 'a page without breakpoints');
    assert.equal(set.anyAt(0x7000, [0xc00, 0xc03, 0xc10]), true, 'a trace that jumps to an armed instruction');
    assert.equal(set.anyAt(0x7000, [0xc00, 0xc03, 0xc11]), false);
    assert.equal(set.anyAt(0, [0x7c05]), true);
    set.delete(0x7c05);
    assert.equal(set.anyIn(0x7c00, 0x7c06), false, 'the table follows deletions');
    assert.equal(set.pageHas(0x7), true);
    set.delete(0x7c10);
    assert.equal(set.pageHas(0x7), false);
    assert.equal(set.armed, false);
    assert.ok(set.version > version);
  });
});
