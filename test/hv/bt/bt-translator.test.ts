// The bt translator as a TranslationPolicy: every privileged and sensitive-unprivileged row of the ISA
// table becomes a callout (with a reason), innocuous rows run directly; callouts report CalloutEvents
// with the guest's site and emulate the instruction; the figures count scans, per-site executions and
// code pages invalidated by self-modifying code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISA } from '../../../engine/cpu/isa/index.js';
import { Instr } from '../../../engine/cpu/instr.js';
import { CS } from '../../../engine/cpu/registers.js';
import { BtTranslator, calloutMnemonic } from '../../../engine/hv/bt/bt-translator.js';
import { BtStrategy } from '../../../engine/hv/bt/bt-strategy.js';
import { EXPLAINED_HANDLERS, whySensitive } from '../../../engine/hv/bt/sensitivity.js';
import { Vm } from '../../../engine/hv/vm.js';
import type { CalloutEvent } from '../../../engine/hv/vm-event.js';

function instrFor(row: (typeof ISA)[number]): Instr {
  const i = new Instr();
  i.entry = row; i.opSize32 = true; i.length = 1; i.bytes = [row.opcode & 0xFF];
  return i;
}

test('every sensitive row gets a callout and a reason; innocuous rows run directly', () => {
  const translator = new BtTranslator(() => {});
  let sensitive = 0, innocuous = 0;
  for (const row of ISA) {
    const callout = translator.calloutFor(instrFor(row), 0x1000);
    if (row.virt === 'innocuous') { assert.equal(callout, undefined, row.mnemonic); innocuous++; continue; }
    assert.equal(typeof callout, 'function', `${row.mnemonic} (${row.virt})`);
    assert.ok(EXPLAINED_HANDLERS.has(row.handler), `no reason written for handler ${row.handler} (${row.mnemonic})`);
    sensitive++;
  }
  assert.ok(sensitive >= 70 && innocuous > 300, `${sensitive} sensitive, ${innocuous} innocuous`);
  const figures = translator.figures();
  assert.equal(figures.instructionsScanned, ISA.length);
  assert.equal(figures.calloutsInstalled, sensitive);
  assert.equal(figures.calloutsExecuted, 0);
});

test('callout mnemonics name segment pushes and far transfers; reasons come from the row', () => {
  const row = (mnemonic: string, operand?: string) => ISA.find((r) => r.mnemonic === mnemonic && (operand === undefined || r.operands[0] === operand))!;
  assert.equal(calloutMnemonic(instrFor(row('push', 'CS'))), 'push cs');
  assert.equal(calloutMnemonic(instrFor(row('pop', 'SS'))), 'pop ss');
  assert.equal(calloutMnemonic(instrFor(row('popf|popfd'))), 'popfd');
  assert.equal(calloutMnemonic(instrFor(row('call', 'Ap'))), 'call far');
  const movFromSreg = instrFor(ISA.find((r) => r.handler === 'movsr' && r.operands[0] !== 'Sw')!);
  movFromSreg.reg = 1;
  assert.equal(calloutMnemonic(movFromSreg), 'mov from cs');
  const movToCr = instrFor(ISA.find((r) => r.handler === 'movcr' && r.operands[0] === 'Cd')!);
  movToCr.reg = 3;
  assert.equal(calloutMnemonic(movToCr), 'mov to cr3');
  assert.equal(whySensitive(row('popf|popfd')), 'loads EFLAGS: IF and IOPL changes are silently dropped when CPL > IOPL (no trap)');
  assert.equal(whySensitive(row('hlt')), 'halts the processor (CPL 0 only)');
});

/** A real-mode machine under bt running code at 0000:7000. */
function realModeMachine(code: number[]) {
  const vm = new Vm({ memoryBytes: 4 << 20, strategy: 'bt' });
  vm.memory.writeBytes(0x7000, Uint8Array.from(code));
  vm.cpu.loadRealSegment(CS, 0);
  vm.cpu.eip = 0x7000;
  const events: CalloutEvent[] = [];
  vm.onEvent.event((e) => { if (e.kind === 'callout') events.push(e); });
  let debugcon = '';
  vm.onOutput.event((o) => { if (o.source === 'debugcon') debugcon += String.fromCharCode(...o.bytes); });
  return { vm, events, strategy: vm.strategy as BtStrategy, get debugcon() { return debugcon; } };
}

test('a callout reports the instruction at its site, then the monitor emulates it', () => {
  // mov al, 'A'; out 0xE9, al; mov al, 'B'; out 0xE9, al; cli; hlt
  const m = realModeMachine([0xB0, 0x41, 0xE6, 0xE9, 0xB0, 0x42, 0xE6, 0xE9, 0xFA, 0xF4]);
  const stop = m.vm.run(100);
  assert.equal(stop?.kind, 'halted');
  assert.equal(m.debugcon, 'AB', 'OUT was emulated');
  assert.deepEqual(m.events.map((e) => [e.mnemonic, e.sensitivity, e.eip, e.mode, e.cpl, e.cs]), [
    ['out', 'privileged', 0x7002, 'real', 0, 0],
    ['out', 'privileged', 0x7006, 'real', 0, 0],
    ['cli', 'privileged', 0x7008, 'real', 0, 0],
    ['hlt', 'privileged', 0x7009, 'real', 0, 0],
  ]);
  assert.deepEqual(m.events[0].instructionBytes, [0xE6, 0xE9]);
  assert.equal(m.events[0].why, 'writes an I/O port (IOPL and I/O permission bitmap)');
  assert.equal(m.events[0].vcpu, 0);
  assert.ok(m.events[1].instructions > m.events[0].instructions, 'retired-instruction counts grow');
  const f = m.strategy.translationCache();
  assert.deepEqual({ scanned: f.instructionsScanned, runs: f.runsScanned, installed: f.calloutsInstalled, executed: f.calloutsExecuted },
    { scanned: 6, runs: 1, installed: 4, executed: 4 });
  assert.deepEqual(f.sites.map((s) => [s.linearEip, s.mnemonic, s.executions]), [[0x7002, 'out', 1], [0x7006, 'out', 1], [0x7008, 'cli', 1], [0x7009, 'hlt', 1]]);
  assert.equal(m.vm.strategy.exitCounts.size, 0, 'bt models no VM exits');
});

test('a loop runs its translated callout once per iteration, scanned once', () => {
  // mov cx, 5; L: out 0xE9, al; loop L; cli; hlt
  const m = realModeMachine([0xB9, 0x05, 0x00, 0xB0, 0x2E, 0xE6, 0xE9, 0xE2, 0xFC, 0xFA, 0xF4]);
  m.vm.run(100);
  assert.equal(m.debugcon, '.....');
  const out = m.strategy.translationCache().sites.find((s) => s.mnemonic === 'out')!;
  assert.equal(out.executions, 5);
  assert.equal(m.strategy.translationCache().calloutsInstalled, 3, 'out, cli and hlt scanned once each');
});

test('code that writes its own page invalidates the translation and is scanned again', () => {
  // L: mov al, 'A'; out 0xE9, al; mov al, 'x'; out 0xE9, al; cmp byte [0x7005], 'B'; je done;
  //    mov byte [0x7005], 'B' (patches the second mov's immediate); jmp L; done: cli; hlt
  const m = realModeMachine([0xB0, 0x41, 0xE6, 0xE9, 0xB0, 0x78, 0xE6, 0xE9, 0x80, 0x3E, 0x05, 0x70, 0x42, 0x74, 0x07,
    0xC6, 0x06, 0x05, 0x70, 0x42, 0xEB, 0xEA, 0xFA, 0xF4]);
  assert.equal(m.vm.run(100)?.kind, 'halted');
  assert.equal(m.debugcon, 'AxAB', 'the patched code ran, not the stale translation');
  const f = m.strategy.translationCache();
  assert.equal(f.invalidatedPages, 1);
  assert.ok(f.instructionsScanned > 10, `the page was scanned again (${f.instructionsScanned} scans of 10 instructions)`);
  assert.equal(f.sites.find((s) => s.linearEip === 0x7006)!.executions, 2, 'the same callout site, counted across the rescan');
  assert.equal(f.calloutsExecuted, 6, 'four OUTs, CLI and HLT');
});

test('the debugger\'s Virtualization view gets a "translation cache" section', async () => {
  const { strategySections } = await import('../../../engine/debug/inspect/virtualization.js');
  const m = realModeMachine([0xB0, 0x41, 0xE6, 0xE9, 0xFA, 0xF4]);
  m.vm.run(100);
  const [section] = strategySections(m.vm.strategy);
  assert.equal(section.title, 'translation cache');
  assert.equal(section.summary, '4 instructions scanned, 3 callout sites, 3 callouts run, 0 pages invalidated');
  assert.deepEqual(section.fields.slice(0, 6), [['instructions scanned', '4'], ['runs scanned', '1'], ['callouts installed', '3'],
    ['callouts executed', '3'], ['invalidated pages', '0'], ['callout sites', '3']]);
  assert.deepEqual(section.fields[6], ['0x00007002 out', '1× (privileged)']);
});
