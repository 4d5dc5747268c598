// The hw strategy's interrupt-window exit (7): guests/pic-pit unmasks IRQ0 while IF = 0 and then runs
// `sti; nop`; the interrupt waiting for the window makes KVM request interrupt-window exiting, so
// the vCPU exits with reason 7 when IF opens and then the external interrupt (1) is injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { ExitReason } from '../../engine/hv/exit-reasons.js';
import { INTERRUPT_WINDOW_CAUSE } from '../../engine/hv/hw-strategy.js';
import type { VmEvent } from '../../engine/hv/vm-event.js';
import type { VmExit } from '../../engine/hv/vm-exit.js';

function runPicPit() {
  const vm = new Vm({ memoryBytes: 16 << 20 });
  loadMultiboot(vm, readFileSync(join(__dirname, '../../guests/pic-pit/kernel.elf')), 'pic-pit', { append: '', modules: [] });
  const events: VmEvent[] = [];
  vm.onEvent.event((e) => events.push(e));
  let serial = '';
  vm.onOutput.event((o) => { serial += Buffer.from(o.bytes).toString('latin1'); });
  let stop;
  for (let k = 0; k < 200 && !stop; k++) stop = vm.run(1_000_000);
  const exits = events.filter((e): e is VmExit => e.kind === 'exit');
  return { vm, serial, exits };
}

test('pic-pit: unmasking a latched IRQ0 with IF = 0, then sti → an interrupt-window exit, then the IRQ0 exit', () => {
  const { vm, serial, exits } = runPicPit();
  assert.match(serial, /masked IRQ0 latched in IRR, delivered after unmask/);
  assert.match(serial, /PIC\+PIT OK/);
  // The last OUT 0xFE to the master PIC's mask register is the unmask with IF = 0.
  const isUnmask = (e: VmExit) => e.reason === ExitReason.IoInstruction && e.io.port === 0x21 && e.io.direction === 'out' && e.io.value === 0xFE;
  const unmask = exits.map(isUnmask).lastIndexOf(true);
  assert.ok(unmask >= 0, 'the unmask OUT exits');
  const [window, extint] = exits.slice(unmask + 1, unmask + 3);
  assert.equal(window.reason, ExitReason.InterruptWindow);
  assert.equal(window.cause, INTERRUPT_WINDOW_CAUSE);
  assert.deepEqual(window.instructionBytes, []);
  assert.ok(extint.reason === ExitReason.ExternalInterrupt);
  assert.equal(extint.vector, 0x20, 'IRQ0 at the remapped vector');
  assert.equal(window.eip, extint.eip, 'the window opened where the interrupt is injected');
  assert.equal(window.instructions, extint.instructions);
  // Every interrupt-window exit is followed at once by the injection it was for.
  const windows = exits.flatMap((e, k) => (e.reason === ExitReason.InterruptWindow ? [k] : []));
  assert.equal(vm.exitCounts.get(ExitReason.InterruptWindow), windows.length);
  for (const k of windows) assert.equal(exits[k + 1]?.reason, ExitReason.ExternalInterrupt, `exit ${k + 1} follows a window exit`);
  // Ticks that arrive during `sti; hlt` find the window open: fewer window exits than injections.
  assert.ok(windows.length < (vm.exitCounts.get(ExitReason.ExternalInterrupt) ?? 0));
});
