// The run summary: the text lines a person reads on stderr and the --json object scripts parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from '../../src/cli/run-report.js';
import { formatSummary } from '../../src/cli/summary.js';
import { summaryObject } from '../../src/cli/summary-json.js';

const report: RunReport = {
  kernel: 'guests/hello/kernel.elf', memoryBytes: 64 * 1024 * 1024, commandLine: 'guests/hello/kernel.elf',
  stop: { kind: 'halted', eip: 0x100d2e }, exitStatus: 0, instructions: 2_000_000, wallSeconds: 0.5,
  exits: new Map([[12, 1], [30, 1234]]), output: { serial: 600, debugcon: 0 },
  detail: {
    entry: 0x10000c, symbols: 43,
    loadedRanges: [{ start: 0x100000, size: 0x124e, description: 'segment 0 (R-E)' }],
    cpu: { mode: 'protected', cpl: 0, cs: 8, eip: 0x100d2f, eflags: 0x46, cr0: 0x11, cr3: 0,
      registers: { eax: 1, ecx: 2, edx: 3, ebx: 4, esp: 0x113000, ebp: 0, esi: 5, edi: 6 } },
  },
};

test('the text summary says why, how many instructions, how fast, and the exits per reason', () => {
  const lines = formatSummary(report, false);
  assert.deepEqual(lines, [
    'hvdbg: guest halted with interrupts disabled at EIP 0x100d2e',
    '  exit status   0',
    '  instructions  2000000',
    '  wall time     0.500 s (4.00 MIPS)',
    '  VM exits      1235',
    '    reason  name                           count',
    '        30  I/O instruction                 1234',
    '        12  HLT                                1',
  ]);
});

test('--stats adds the load, output and vCPU details and per-reason rates', () => {
  const text = formatSummary(report, true).join('\n');
  assert.match(text, /guest RAM {5}64 MiB/);
  assert.match(text, /entry point {3}0x0010000c/);
  assert.match(text, /loaded {8}0x00100000-0x0010124d {2}segment 0 \(R-E\)/);
  assert.match(text, /symbols {7}43/);
  assert.match(text, /guest output {2}600 bytes serial, 0 bytes debugcon/);
  assert.match(text, /protected mode, CPL 0, CS:EIP 0008:00100d2f, EFLAGS 00000046/);
  assert.match(text, /ESP 00113000/);
  assert.match(text, /VM exits {6}1235 \(one per 1619\.4 instructions\)/);
  assert.match(text, /per second {2}per M instr {3}share/);
  assert.match(text, / {8}30 {2}I\/O instruction {17}1234 {9}2468 {8}617\.0 {3}99\.9%/);
});

test('the JSON summary has the documented fields, exits keyed by short name', () => {
  const o = summaryObject(report, false);
  assert.deepEqual(o, {
    kernel: 'guests/hello/kernel.elf', memoryBytes: 67108864, commandLine: 'guests/hello/kernel.elf',
    stop: { kind: 'halted', eip: 0x100d2e, message: 'guest halted with interrupts disabled at EIP 0x100d2e' },
    exitStatus: 0, instructions: 2000000, wallSeconds: 0.5, mips: 4, exits: { io: 1234, hlt: 1 }, exitsTotal: 1235,
    output: { serial: 600, debugcon: 0 },
  });
  const s = summaryObject(report, true).stats as Record<string, unknown>;
  assert.equal(s.entry, 0x10000c);
  assert.deepEqual(s.exitsPerSecond, { io: 2468, hlt: 2 });
});

test('an interruption is described and keeps its cause in JSON', () => {
  const r: RunReport = { ...report, stop: { kind: 'interrupted', cause: 'SIGINT' }, exitStatus: 130 };
  assert.equal(formatSummary(r, false)[0], 'hvdbg: interrupted (SIGINT, Ctrl-C)');
  assert.deepEqual(summaryObject(r, false).stop, { kind: 'interrupted', cause: 'SIGINT', message: 'interrupted (SIGINT, Ctrl-C)' });
});
