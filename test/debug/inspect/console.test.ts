// Debug-console commands on a real guest (pic-pit: GDT from the SDK's start.S, an IDT of interrupt
// gates, PIC/PIT I/O exits): what `info …`, `walk`, `disas`, `trace last N`, `stats` and `help` print,
// and the message each bad use gets.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vm } from '../../../engine/hv/vm.js';
import { loadMultiboot } from '../../../engine/boot/multiboot.js';
import { SymbolIndex } from '../../../engine/debug/symbols/index.js';
import { EventLog } from '../../../engine/trace/event-log.js';
import { VmStatistics } from '../../../engine/hv/stats/vm-statistics.js';
import { isConsoleCommand, runConsoleCommand, type ConsoleTarget } from '../../../engine/debug/inspect/console.js';

const KERNEL = join(__dirname, '..', '..', '..', 'guests', 'pic-pit', 'kernel.elf');

let target: ConsoleTarget;
const run = (line: string): string => {
  const result = runConsoleCommand(line, target);
  assert.ok(result, `"${line}" is a console command`);
  assert.ok(result.ok, `"${line}" succeeds: ${!result.ok ? result.error : ''}`);
  return result.text;
};
const failure = (line: string): string => {
  const result = runConsoleCommand(line, target);
  assert.ok(result && !result.ok, `"${line}" fails`);
  return result.error;
};

before(() => {
  const bytes = readFileSync(KERNEL);
  const vm = new Vm({ memoryBytes: 32 << 20 });
  loadMultiboot(vm, bytes, KERNEL);
  const log = new EventLog(1000);
  vm.onEvent.event((e) => log.add(e));
  const statistics = new VmStatistics('hw');
  statistics.observe(vm);
  // Run until the guest has loaded its IDT and taken some I/O exits.
  for (let k = 0; k < 200 && vm.cpu.idtrBase === 0; k++) vm.run(10_000);
  assert.notEqual(vm.cpu.idtrBase, 0, 'the guest loaded its IDT');
  vm.run(20_000);
  target = { vm, vcpu: 0, symbols: SymbolIndex.fromElf(bytes, 'kernel.elf'), events: log, statistics };
});

describe('console commands', () => {
  it('tells console lines from expressions', () => {
    for (const line of ['info gdt', 'walk 0x1000', 'trace last 20', 'stats', 'help', 'disas', ' info  idt ', 'x 0x1000', 'x phys:0xb8000 32', 'x kmain']) assert.ok(isConsoleCommand(line), line);
    for (const line of ['info', 'stats + 1', 'x + 1', 'x', 'x * y', 'trace', 'walk', 'help me']) assert.ok(!isConsoleCommand(line), line);
    assert.equal(runConsoleCommand('eax + 1', target), undefined);
  });

  it('info gdt and info idt decode the guest\'s tables with handler symbols', () => {
    const gdt = run('info gdt');
    assert.match(gdt, /^GDT: base 0x[0-9a-f]{8} limit 0x0017 \(3 entries\)/);
    assert.match(gdt, /0x0008 +base 0x00000000 limit 0xffffffff: code, execute\/read/);
    assert.match(gdt, /0x0010 +base 0x00000000 limit 0xffffffff: data, read\/write/);
    const idt = run('info idt');
    assert.match(idt, /^IDT: base 0x[0-9a-f]{8}/);
    assert.match(idt, /14 #PF +32-bit interrupt gate → 0x0008:0x[0-9a-f]{8} <vector_stubs\+0x[0-9a-f]+>, DPL 0/);
  });

  it('info regs, tss, ldt, tlb, fpu and vmcs answer in words', () => {
    const regs = run('info regs');
    assert.match(regs, /^EAX +0x[0-9a-f]{8}$/m);
    assert.match(regs, /^CS +0x0008$/m);
    assert.match(regs, /^ +base +0x00000000$/m);
    assert.match(regs, /^CR0 +0x[0-9a-f]{8} \[PE/m);
    assert.match(run('info tss'), /no task has been loaded/);
    assert.match(run('info ldt'), /null selector/);
    assert.match(run('info tlb'), /paging is off/);
    assert.match(run('info fpu'), /^FCW +0x[0-9a-f]{4} \(masks/m);
    assert.match(run('info vmcs'), /VMCS controls/);
  });

  it('walk and disas take numbers or symbols', () => {
    assert.match(run('walk 0x100000'), /paging is off \(CR0.PG = 0\): physical 0x00100000/);
    const kmain = target.symbols!.symbolAddress('kmain')!;
    assert.match(run('walk kmain'), new RegExp(`linear 0x${kmain.toString(16).padStart(8, '0')}`));
    const listing = run('disas kmain 3').split('\n');
    assert.equal(listing.length, 3);
    assert.match(listing[0], /^0x[0-9a-f]{8} <kmain> /);
  });

  it('x dumps memory as hex and ASCII, linear or physical', () => {
    const kmain = target.symbols!.symbolAddress('kmain')!;
    const bytes = target.vm.memory.readBytes(kmain, 16);
    const line = run('x kmain 16');
    assert.equal(line, `0x${kmain.toString(16).padStart(8, '0')}  ${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')}  ${[...bytes].map((b) => (b >= 0x20 && b < 0x7F ? String.fromCharCode(b) : '.')).join('')}`);
    const tail = run('x phys:0x1fffff0 32').split('\n'); // the guest has 32 MiB
    assert.equal(tail.length, 2);
    assert.match(tail[0], /^phys:0x01fffff0  ([0-9a-f]{2} ){15}[0-9a-f]{2}  .{16}$/);
    assert.equal(tail[1], '(16 more bytes unreadable: physical 0x02000000 is not backed by RAM, ROM or a device)');
    assert.match(failure('x 0x10 5000'), /N must be a number from 1 to 4096/);
    assert.match(failure('x phys:0x40000000'), /physical 0x40000000 is not backed by RAM/);
  });

  it('trace last N lists the newest VM events and stats counts them', () => {
    const trace = run('trace last 5').split('\n');
    assert.match(trace[0], /^last 5 of \d+ VM events:$/);
    assert.equal(trace.length, 6);
    assert.match(trace[5], /^ +#\d+ @\d+ exit \w+: /);
    const stats = run('stats');
    assert.match(stats, /^strategy hw, 1 vCPU, \d+ instructions retired$/m);
    assert.match(stats, /^VM events under hw: [\d,]+, modeled cost [\d,]+ cycles/m);
    assert.match(stats, /^ +exit 30 I\/O instruction +[\d,]+ /m);
    // Without the session's statistics: exit counts and the event log's kinds.
    const plain = runConsoleCommand('stats', { ...target, statistics: undefined });
    assert.ok(plain?.ok);
    assert.match(plain.text, /^VM exits: \d+$/m);
    assert.match(plain.text, /30 I\/O instruction +\d+/);
    assert.match(plain.text, /^VM events logged: \d+$/m);
    assert.match(run('help'), /walk ADDR/);
  });

  it('bad uses get a message saying what was expected', () => {
    assert.match(failure('info registers please'), /takes no arguments/);
    assert.match(failure('info frobs'), /unknown "info frobs": try info regs/);
    assert.match(failure('walk nosuchsymbol'), /"nosuchsymbol" is neither a number \(0x…\) nor a known symbol/);
    assert.match(failure('walk 1 2'), /usage: walk ADDR/);
    assert.match(failure('trace last 0'), /usage: trace last N/);
    assert.match(failure('trace last many'), /usage: trace last N/);
    assert.match(failure('disas kmain 100000'), /N must be a number from 1 to 500/);
    const noLog = runConsoleCommand('trace last 3', { ...target, events: undefined });
    assert.deepEqual(noLog, { ok: true, text: 'no VM event log is kept in this session' });
  });
});
