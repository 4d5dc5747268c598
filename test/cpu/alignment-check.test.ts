// #AC: with CR0.AM and EFLAGS.AC set, a misaligned data access at CPL 3 raises #AC(0); aligned
// accesses, CPL 0 and a clear AC flag do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, USER_CODE, DATA, UCODE } from './helpers/machine.js';

const AC = 17;
const le32 = (v: number) => [v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, (v >>> 24) & 0xFF];

function ring3(eflags: number, code: number[]): Machine {
  const m = new Machine();
  m.cpu.cr0 |= 1 << 18; // CR0.AM
  m.enterProtected({ cs: UCODE, eflags });
  m.write(USER_CODE, code);
  m.run();
  return m;
}

test('misaligned dword read at CPL 3 with AM and AC: #AC with error code 0 at the faulting instruction', () => {
  const m = ring3(0x40002, [
    0xA1, ...le32(DATA),      // mov eax, [DATA]      (aligned: fine)
    0xA1, ...le32(DATA + 1),  // mov eax, [DATA+1]    (misaligned: #AC)
  ]);
  assert.ok(m.inHandler(AC), `expected #AC, got ${m.cpu.lastException?.detail}`);
  const [code, eip] = m.stack(2);
  assert.equal(code, 0);
  assert.equal(eip, USER_CODE + 5);
});

test('no #AC when EFLAGS.AC is clear', () => {
  const m = ring3(0x2, [
    0xA1, ...le32(DATA + 1),  // mov eax, [DATA+1]
    0xCC,                     // int3 (ends the test through the IDT: #GP since gate DPL 0)
  ]);
  assert.notEqual(m.cpu.lastException?.vector, AC);
  assert.equal(m.cpu.alignmentCheck, false);
});
