// The virtualization-hole audit under every strategy: off by default (no policy installed), switched on
// by enableAudit over the strategy's own policy, off again with disable(); under pv, whose kernel
// really runs at ring 1, reading CS is no finding but RDTSC still is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm } from '../../../engine/hv/vm.js';
import { enableAudit } from '../../../engine/hv/audit/enable-audit.js';
import { AuditPolicy } from '../../../engine/hv/audit/audit-policy.js';
import { BtTranslator } from '../../../engine/hv/bt/bt-translator.js';
import type { AuditEvent } from '../../../engine/hv/vm-event.js';
import { pvMachine, runToEnd } from '../pv/pv-machine.js';

test('off by default; enableAudit wraps each vCPU\'s own policy and disable() restores it', () => {
  for (const strategy of ['hw', 'bt', 'pv'] as const) {
    const vm = new Vm({ memoryBytes: 4 << 20, strategy, cpus: 2 });
    const own = vm.cpus.map((c) => c.translationPolicy);
    assert.equal(own[0] instanceof BtTranslator, strategy === 'bt', `${strategy}: only bt installs a policy`);
    const audit = enableAudit(vm);
    vm.cpus.forEach((c, k) => {
      assert.ok(c.translationPolicy instanceof AuditPolicy);
      assert.equal((c.translationPolicy as AuditPolicy).inner, own[k]);
    });
    assert.throws(() => enableAudit(vm), /the audit is already on for vCPU 0/);
    audit.disable();
    assert.deepEqual(vm.cpus.map((c) => c.translationPolicy), own);
  }
});

test('under pv the audit reports RDTSC at ring 1, and nothing for the ring-1 kernel reading CS', () => {
  const m = pvMachine();
  const audit = enableAudit(m.vm);
  runToEnd(m.vm);
  assert.match(m.output, /shutting down/);
  const findings = m.events.filter((e): e is AuditEvent => e.kind === 'audit');
  assert.ok(findings.length > 0);
  for (const f of findings) {
    assert.equal(f.cpl, 1);
    assert.equal(f.mnemonic, 'rdtsc');
    assert.equal(f.problem, 'RDTSC reads the host\'s time-stamp counter, not the guest\'s');
  }
  const tally = audit.tally();
  assert.deepEqual(tally.find((t) => t.mnemonic === 'mov from cs'), { mnemonic: 'mov from cs', executions: 1, findings: 0 }, 'mov %cs at ring 1');
  assert.equal(tally.find((t) => t.mnemonic === 'rdtsc')!.findings, findings.length);
});
