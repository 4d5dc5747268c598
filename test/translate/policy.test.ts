// A TranslationPolicy replaces chosen instructions by callouts: asked once per decoded instruction,
// called in place of the instruction, able to run its own semantics, and re-asked after a flush.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE } from '../cpu/helpers/machine.js';
import type { TranslationPolicy } from '../../engine/cpu/translate/policy.js';
import type { Instr } from '../../engine/cpu/instr.js';
import type { Cpu } from '../../engine/cpu/cpu.js';

// loop: pushfd (9C); pop eax (58); inc ecx (41); cmp ecx, 5 (83 F9 05); jne loop (75 F8); hlt (F4)
const LOOP = [0x9C, 0x58, 0x41, 0x83, 0xF9, 0x05, 0x75, 0xF8, 0xF4];

class PushfPolicy implements TranslationPolicy {
  asked: number[] = [];          // linear EIPs the policy was asked about
  called: number[] = [];         // EIPs (fall-through) the callout ran with
  calloutFor(i: Instr, linearEip: number): ((cpu: Cpu, i: Instr) => void) | undefined {
    this.asked.push(linearEip);
    if (i.entry.mnemonic !== 'pushf|pushfd') return undefined;
    return (cpu, instr) => { this.called.push(cpu.eip); instr.direct(cpu, instr); cpu.reg32[3] = (cpu.reg32[3] + 1) | 0; };
  }
}

function machineWithLoop(): Machine {
  const m = new Machine();
  m.enterProtected();
  m.write(CODE, LOOP);
  return m;
}

test('a callout runs in place of PUSHFD on every pass, and the policy is asked once per instruction', () => {
  const m = machineWithLoop();
  const policy = new PushfPolicy();
  m.cpu.translationPolicy = policy;
  m.run(1000);
  assert.equal(m.cpu.halted, true);
  assert.equal(m.cpu.reg32[1], 5, 'ECX counted five passes');
  assert.equal(m.cpu.reg32[3], 5, 'the callout ran on each of the five PUSHFDs');
  assert.deepEqual(policy.called, [CODE + 1, CODE + 1, CODE + 1, CODE + 1, CODE + 1]);
  assert.equal(m.cpu.reg32[0] & 2, 2, 'the callout ran PUSHFD itself: EAX holds EFLAGS');
  assert.deepEqual(policy.asked, [CODE, CODE + 1, CODE + 2, CODE + 3, CODE + 6, CODE + 8]);
});

test('setting the policy flushes decoded code, so a new policy is asked again', () => {
  const m = machineWithLoop();
  m.run(3);                                 // decode and cache the first instructions without a policy
  const policy = new PushfPolicy();
  m.cpu.translationPolicy = policy;
  m.run(1000);
  assert.equal(m.cpu.halted, true);
  assert.equal(m.cpu.reg32[3], 4, 'the four PUSHFDs after the policy was set went through the callout');
  assert.ok(policy.asked.includes(CODE), 'the instruction decoded before the policy was asked about again');
});

test('without a policy every instruction runs directly (exec is its own handler)', () => {
  const m = machineWithLoop();
  m.run(1000);
  assert.equal(m.cpu.reg32[1], 5);
  assert.equal(m.cpu.reg32[3], 0);
});
