// The CLI's slice loop: exact instruction limits, the wall-clock timeout, guest stops and
// interruptions, with a fake VM and a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StopReason } from '../../engine/hv/stop-reason.js';
import { runInSlices, type SliceableVm } from '../../src/cli/run-loop.js';

/** A VM that retires every instruction it is given, optionally stopping at a given count. */
class FakeVm implements SliceableVm {
  instructions = 0;
  readonly budgets: number[] = [];
  readonly cpu = { halted: false };
  constructor(private readonly stopAt?: { count: number; reason: StopReason }) {}
  run(budget: number): StopReason | undefined {
    this.budgets.push(budget);
    if (this.stopAt && this.instructions + budget >= this.stopAt.count) {
      this.instructions = this.stopAt.count;
      return this.stopAt.reason;
    }
    this.instructions += budget;
    return undefined;
  }
}

const noPause = { pause: async () => {} };

test('the instruction limit is exact: the last slice gets only what remains', async () => {
  const vm = new FakeVm();
  const stop = await runInSlices(vm, { maxInstructions: 2_500_001 }, noPause);
  assert.deepEqual(stop, { kind: 'instruction-limit', limit: 2_500_001 });
  assert.equal(vm.instructions, 2_500_001);
  assert.ok(vm.budgets.every((b) => b > 0));
});

test('a limit smaller than one slice is one exact slice', async () => {
  const vm = new FakeVm();
  await runInSlices(vm, { maxInstructions: 100_000 }, noPause);
  assert.deepEqual(vm.budgets, [100_000]);
});

test('a guest stop ends the run with its reason, before any limit', async () => {
  const vm = new FakeVm({ count: 1234, reason: { kind: 'halted', eip: 0x100010 } });
  assert.deepEqual(await runInSlices(vm, { maxInstructions: 1_000_000, timeoutSeconds: 10 }, noPause), { kind: 'halted', eip: 0x100010 });
  assert.equal(vm.instructions, 1234);
});

test('the timeout is checked between slices against the wall clock', async () => {
  let clock = 0;
  const vm = new FakeVm();
  const stop = await runInSlices(vm, { timeoutSeconds: 2 }, { ...noPause, now: () => (clock += 300) });
  assert.deepEqual(stop, { kind: 'timeout', seconds: 2 });
  assert.ok(vm.budgets.length >= 3 && vm.budgets.length <= 4, `ran ${vm.budgets.length} slices`);
});

test('an interruption ends the run after the current slice, and afterSlice runs every slice', async () => {
  const vm = new FakeVm();
  let slices = 0;
  const stop = await runInSlices(vm, {}, {
    ...noPause, afterSlice: () => { slices++; }, interruption: () => (slices === 3 ? { kind: 'interrupted', cause: 'SIGINT' } : undefined),
  });
  assert.deepEqual(stop, { kind: 'interrupted', cause: 'SIGINT' });
  assert.equal(vm.budgets.length, 3);
});

test('a halted vCPU waiting for an interrupt makes the loop sleep instead of spin', async () => {
  const vm = new FakeVm();
  vm.run = (budget) => { vm.budgets.push(budget); return undefined; };
  vm.cpu.halted = true;
  const idle: boolean[] = [];
  let clock = 0;
  await runInSlices(vm, { timeoutSeconds: 1 }, { now: () => (clock += 100), pause: async (isIdle) => { idle.push(isIdle); } });
  assert.ok(idle.length > 0 && idle.every((x) => x));
});
