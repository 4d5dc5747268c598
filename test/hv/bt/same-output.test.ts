// Unmodified guests print exactly the same serial output under hw (VM exits) and bt (binary
// translation): hello, exits-tour, bt-holes (in bt-holes.test.ts), the other example guests and the
// shared benchmark at ITERS=1000.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runGuest } from './run-guest.js';
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
