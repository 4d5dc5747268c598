// Unmodified guests print exactly the same serial output under hw (VM exits) and bt (binary
// translation): hello, exits-tour, bt-holes (in bt-holes.test.ts), the other example guests and the
// shared benchmark at ITERS=1000.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { runGuest } from './run-guest.js';
import { Vm } from '../../../engine/hv/vm.js';
import { MemoryDisk } from '../../../engine/storage/memory-disk.js';
import { bootFromDisk } from '../../../engine/boot/disk-boot.js';
import type { BtStrategy } from '../../../engine/hv/bt/bt-strategy.js';

function sameUnderHwAndBt(kernel: string, expect: RegExp): void {
  const hw = runGuest(kernel, 'hw'), bt = runGuest(kernel, 'bt');
  assert.match(hw.serial, expect);
  assert.notEqual(hw.stop, 'instruction-limit', `${kernel} ran into the test's instruction limit`);
  assert.equal(bt.serial, hw.serial);
  assert.equal(bt.stop, hw.stop);
  assert.equal(bt.vm.instructions, hw.vm.instructions, 'the same instructions retired');
  assert.ok((bt.vm.strategy as BtStrategy).translationCache().calloutsExecuted > 0, 'bt really ran callouts');
}

test('hello: same serial output under hw and bt', () => {
  sameUnderHwAndBt('guests/hello/kernel.elf', /Hello from hvdbg guest!\n/);
});

test('exits-tour: same serial output under hw and bt', () => {
  sameUnderHwAndBt('guests/exits-tour/kernel.elf', /exits-tour OK\n/);
});

test('the other example guests (PIC/PIT and APIC interrupts, RTC, SMP, A20, triple fault …): same output under hw and bt', () => {
  const expected: Record<string, RegExp> = {
    'exit-code': /exit-code guest/, 'triple-fault': /about to triple fault/, a20: /A20 OK/, 'pic-pit': /ticks: 10\n/,
    rtc: /RTC OK/, tables: /TABLES OK/, apic: /APIC OK/, smp: /SMP OK/,
  };
  for (const [guest, expect] of Object.entries(expected)) sameUnderHwAndBt(`guests/${guest}/kernel.elf`, expect);
});

test('disk boot (real-mode MBR, BIOS INT 13h or ATA PIO, then protected mode): same output under hw and bt', () => {
  for (const [guest, expect] of [['mbr-int13', /MBR INT13 OK\n/], ['mbr-ata', /MBR ATA OK\n/]] as const) {
    const run = (strategy: 'hw' | 'bt') => {
      const disk = new MemoryDisk(new Uint8Array(readFileSync(`guests/${guest}/disk.img`)));
      const vm = new Vm({ memoryBytes: 32 << 20, strategy, disks: [disk] });
      bootFromDisk(vm, `guests/${guest}/disk.img`);
      let serial = '';
      vm.onOutput.event((o) => { if (o.source === 'serial') serial += Buffer.from(o.bytes).toString('latin1'); });
      let stop;
      while (stop === undefined && vm.instructions < 50_000_000) stop = vm.run(1_000_000);
      return { serial, stop: stop?.kind, instructions: vm.instructions, vm };
    };
    const hw = run('hw'), bt = run('bt');
    assert.match(hw.serial, expect);
    assert.deepEqual({ ...bt, vm: undefined }, { ...hw, vm: undefined });
    const figures = (bt.vm.strategy as BtStrategy).translationCache();
    assert.ok(figures.sites.some((s) => s.mnemonic === 'mov to cr0' && s.sensitivity === 'privileged'), 'MOV to CR0 (entering protected mode) was a callout');
  }
});

test('shared benchmark, ITERS=1000: same serial output under hw and bt', () => {
  const shared = '../shared/bench/guest';
  assert.ok(existsSync(join(shared, 'build.sh')), `${shared}/build.sh is missing: the shared directory must sit beside the repository`);
  // build.sh writes its objects next to itself: build a private copy.
  const work = mkdtempSync(join(tmpdir(), 'hvdbg-bt-bench-'));
  cpSync(shared, join(work, 'guest'), { recursive: true, filter: (src) => !src.includes('/obj') });
  const b = spawnSync('sh', [join(work, 'guest', 'build.sh'), '1000', work], { encoding: 'utf8' });
  assert.equal(b.status, 0, `building the bench guest failed (needs gcc and GNU ld):\n${b.stdout}\n${b.stderr}`);
  sameUnderHwAndBt(join(work, 'kernel.elf'), /BENCH DONE result=0xa5e8b5b3\r?\n/);
});
