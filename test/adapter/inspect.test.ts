// DAP tests of the inspection side against the real adapter process: the machine-state scopes,
// memoryReferences on registers, readMemory/writeMemory on linear and physical addresses with
// `memory` events, disassemble at EIP, setVariable on registers, console commands, and the error
// response each malformed inspection request gets (the adapter stays up).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { HELLO, SMP, SPIN, elfEntry, outputText, recordEvents, startAdapter } from './helpers';
import { SymbolIndex } from '../../engine/debug/symbols/index';

/** Launches hello stopped at its entry point; returns the client and the first frame's id. */
async function stoppedAtEntry(): Promise<{ dc: DebugClient; frameId: number; capabilities: DebugProtocol.Capabilities }> {
  const dc = await startAdapter();
  const initialized = await dc.initializeRequest();
  await Promise.all([
    dc.launch({ program: HELLO, stopOnEntry: true }),
    dc.waitForEvent('stopped'),
    dc.configurationDoneRequest(),
  ]);
  const trace = await dc.stackTraceRequest({ threadId: 1 });
  return { dc, frameId: trace.body.stackFrames[0].id, capabilities: initialized.body ?? {} };
}

/**
 * Single-steps n instructions (hello's _start loads its GDT with the 4th: cli; cld; mov; lgdt) and
 * returns the new top frame's id (frame ids last one stop).
 */
async function stepInstructions(dc: DebugClient, n: number): Promise<number> {
  for (let k = 0; k < n; k++) {
    const stopped = dc.waitForEvent('stopped');
    await dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
    await stopped;
  }
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
}

async function scopeVariables(dc: DebugClient, frameId: number, scope: string): Promise<DebugProtocol.Variable[]> {
  const scopes = await dc.scopesRequest({ frameId });
  const found = scopes.body.scopes.find((s) => s.name === scope);
  assert.ok(found, `a "${scope}" scope`);
  return (await dc.variablesRequest({ variablesReference: found.variablesReference })).body.variables;
}

const byName = (variables: DebugProtocol.Variable[], name: string): DebugProtocol.Variable => {
  const v = variables.find((x) => x.name === name);
  assert.ok(v, `variable ${name}`);
  return v;
};

/** Physical address of the ELF's entry point = its file offset's bytes (hello is linked at its load address). */
function entryBytes(count: number): Buffer {
  const elf = readFileSync(HELLO);
  const entry = elfEntry(HELLO);
  const phoff = elf.readUInt32LE(28), phnum = elf.readUInt16LE(44), phentsize = elf.readUInt16LE(42);
  for (let k = 0; k < phnum; k++) {
    const ph = phoff + k * phentsize;
    const offset = elf.readUInt32LE(ph + 4), vaddr = elf.readUInt32LE(ph + 8), filesz = elf.readUInt32LE(ph + 16);
    if (elf.readUInt32LE(ph) === 1 && entry >= vaddr && entry + count <= vaddr + filesz) return elf.subarray(offset + entry - vaddr, offset + entry - vaddr + count);
  }
  throw new Error('entry point not in a loadable segment');
}

describe('debug adapter: inspection', () => {
  it('announces the capabilities and serves the machine-state scopes', { timeout: 60_000 }, async () => {
    const { dc, frameId, capabilities } = await stoppedAtEntry();
    try {
      assert.equal(capabilities.supportsReadMemoryRequest, true);
      assert.equal(capabilities.supportsWriteMemoryRequest, true);
      assert.equal(capabilities.supportsDisassembleRequest, true);
      assert.equal(capabilities.supportsSetVariable, true);
      const scopes = (await dc.scopesRequest({ frameId })).body.scopes.map((s) => s.name);
      for (const name of ['Registers', 'Control', 'Descriptor tables', 'FPU', 'Virtualization']) assert.ok(scopes.includes(name), name);

      const registers = await scopeVariables(dc, frameId, 'Registers');
      const eip = byName(registers, 'EIP');
      assert.equal(Number(eip.value), elfEntry(HELLO));
      assert.equal(eip.memoryReference, `0x${elfEntry(HELLO).toString(16).padStart(8, '0')}`);
      const cs = byName(registers, 'CS');
      assert.ok(cs.variablesReference >= 0x100000, 'CS expands into its hidden parts');
      const hidden = (await dc.variablesRequest({ variablesReference: cs.variablesReference })).body.variables;
      assert.equal(byName(hidden, 'base').value, '0x00000000');
      assert.equal(byName(hidden, 'limit').value, '0xffffffff');
      assert.match(byName(hidden, 'rights').value, /code, execute\/read.*32-bit/);
      const eflags = byName(registers, 'EFLAGS');
      const bits = (await dc.variablesRequest({ variablesReference: eflags.variablesReference })).body.variables;
      assert.equal(byName(bits, 'IF').value, '0');

      const control = await scopeVariables(dc, frameId, 'Control');
      assert.match(byName(control, 'CR0').value, /^0x[0-9a-f]{8} \[PE[ \]]/);
      assert.match(byName(control, 'CR3').value, /page directory at physical/);
      assert.equal(byName(control, 'CR3').memoryReference?.startsWith('phys:'), true);

      const afterLgdt = await stepInstructions(dc, 4);
      const tables = await scopeVariables(dc, afterLgdt, 'Descriptor tables');
      assert.match(byName(tables, 'GDT').value, /^base 0x[0-9a-f]{8} limit 0x0017 \(3 entries\)$/);
      const gdt = (await dc.variablesRequest({ variablesReference: byName(tables, 'GDT').variablesReference })).body.variables;
      assert.match(byName(gdt, '0x0008').value, /code, execute\/read/);

      const fpu = await scopeVariables(dc, afterLgdt, 'FPU');
      assert.match(byName(fpu, 'FCW').value, /^0x[0-9a-f]{4} \(masks/);
      const virt = await scopeVariables(dc, afterLgdt, 'Virtualization');
      assert.equal(byName(virt, 'strategy').value, 'hw');
      assert.equal(byName(virt, 'last VM event').value, 'none yet');
    } finally {
      await dc.stop();
    }
  });

  it('reads and writes memory by linear and physical address, with memory events', { timeout: 60_000 }, async () => {
    const { dc, frameId } = await stoppedAtEntry();
    try {
      const entry = elfEntry(HELLO);
      const expected = entryBytes(16);
      const linear = await dc.customRequest('readMemory', { memoryReference: `0x${entry.toString(16)}`, count: 16 });
      assert.deepEqual(Buffer.from(linear.body.data, 'base64'), expected);
      assert.equal(linear.body.address, `0x${entry.toString(16).padStart(8, '0')}`);
      // Paging is off at entry: the same bytes at the same physical address, read with an offset.
      const physical = await dc.customRequest('readMemory', { memoryReference: `phys:0x${(entry - 4).toString(16)}`, offset: 4, count: 16 });
      assert.deepEqual(Buffer.from(physical.body.data, 'base64'), expected);
      assert.equal(physical.body.address, `0x${entry.toString(16).padStart(8, '0')}`, 'the address after the offset, as plain hex');

      const memoryEvent = dc.waitForEvent('memory');
      const written = await dc.customRequest('writeMemory', { memoryReference: 'phys:0x9000', data: Buffer.from('hvdbg').toString('base64') });
      assert.equal(written.body.bytesWritten, 5);
      const event = await memoryEvent;
      assert.deepEqual(event.body, { memoryReference: 'phys:0x9000', offset: 0, count: 5 });
      const back = await dc.customRequest('readMemory', { memoryReference: '0x9000', count: 5 });
      assert.equal(Buffer.from(back.body.data, 'base64').toString(), 'hvdbg');

      // A read that runs past the end of RAM (64 MiB by default) returns the readable part and counts the rest.
      const tail = await dc.customRequest('readMemory', { memoryReference: 'phys:0x03fffff8', count: 16 });
      assert.equal(Buffer.from(tail.body.data, 'base64').length, 8);
      assert.equal(tail.body.unreadableBytes, 8);

      // Registers carry memoryReferences (linear addresses) for the Memory view.
      const registers = await scopeVariables(dc, frameId, 'Registers');
      const esp = byName(registers, 'ESP');
      assert.match(esp.memoryReference ?? '', /^0x[0-9a-f]{8}$/);
    } finally {
      await dc.stop();
    }
  });

  it('disassembles around EIP in the CPU\'s mode', { timeout: 60_000 }, async () => {
    const { dc } = await stoppedAtEntry();
    try {
      const entry = elfEntry(HELLO);
      const response = await dc.customRequest('disassemble', { memoryReference: `0x${entry.toString(16)}`, instructionOffset: -2, instructionCount: 6 });
      const instructions: DebugProtocol.DisassembledInstruction[] = response.body.instructions;
      assert.equal(instructions.length, 6);
      const atEip = instructions.findIndex((i) => Number(i.address) === entry);
      assert.ok(atEip >= 0 && atEip <= 2, 'the listing contains EIP after the instructions before it');
      assert.equal(instructions[atEip].instruction, 'cli', 'hello\'s _start begins with cli (guests/README.md)');
      assert.equal(instructions[atEip].instructionBytes, 'fa');
      for (let k = atEip; k + 1 < instructions.length; k++) {
        const length = instructions[k].instructionBytes!.split(' ').length;
        assert.equal(Number(instructions[k + 1].address), Number(instructions[k].address) + length, 'instructions follow each other');
      }
    } finally {
      await dc.stop();
    }
  });

  it('sets registers and answers console commands', { timeout: 60_000 }, async () => {
    const { dc, frameId } = await stoppedAtEntry();
    try {
      const scope = (await dc.scopesRequest({ frameId })).body.scopes.find((s) => s.name === 'Registers')!;
      const invalidated = dc.waitForEvent('invalidated');
      const set = await dc.setVariableRequest({ variablesReference: scope.variablesReference, name: 'EBX', value: '0x1234' });
      assert.equal(set.body.value, '0x00001234');
      await invalidated;
      assert.equal(byName(await scopeVariables(dc, frameId, 'Registers'), 'EBX').value, '0x00001234');
      const eflags = byName(await scopeVariables(dc, frameId, 'Registers'), 'EFLAGS');
      const cf = await dc.setVariableRequest({ variablesReference: eflags.variablesReference, name: 'CF', value: '1' });
      assert.equal(cf.body.value, '1');
      assert.match(byName(await scopeVariables(dc, frameId, 'Registers'), 'EFLAGS').value, /\[CF\]/);
      await assert.rejects(dc.setVariableRequest({ variablesReference: scope.variablesReference, name: 'EAX', value: 'lots' }), /"lots" is not a number/);
      await assert.rejects(dc.setVariableRequest({ variablesReference: scope.variablesReference, name: 'mode', value: '1' }), /read-only/);
      const fpuScope = (await dc.scopesRequest({ frameId })).body.scopes.find((s) => s.name === 'FPU')!;
      await assert.rejects(dc.setVariableRequest({ variablesReference: fpuScope.variablesReference, name: 'FCW', value: '0' }), /read-only/);

      const afterLgdt = await stepInstructions(dc, 4);
      const gdt = await dc.evaluateRequest({ expression: 'info gdt', context: 'repl', frameId: afterLgdt });
      assert.match(gdt.body.result, /^GDT: base 0x[0-9a-f]{8}/);
      assert.match(gdt.body.result, /0x0008 +base 0x00000000 limit 0xffffffff: code/);
      const walk = await dc.evaluateRequest({ expression: 'walk 0x100000', context: 'repl', frameId: afterLgdt });
      assert.match(walk.body.result, /paging is off/);
      await assert.rejects(dc.evaluateRequest({ expression: 'info frobs', context: 'repl', frameId: afterLgdt }), /unknown "info frobs"/);
    } finally {
      await dc.stop();
    }
  });

  it('a paused spinning guest shows its last VM event, its trace and a counter that moves in memory', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const events = recordEvents(dc);
      await Promise.all([dc.configurationSequence(), dc.launch({ program: SPIN })]);
      for (let k = 0; k < 200 && !outputText(events, 'stdout').includes('spinning'); k++) await new Promise((r) => setTimeout(r, 25));
      const counter = SymbolIndex.fromElf(readFileSync(SPIN), SPIN).symbolAddress('spin_counter')!;
      const readCounter = async () => {
        const r = await dc.customRequest('readMemory', { memoryReference: `0x${counter.toString(16)}`, count: 4 });
        return Buffer.from(r.body.data, 'base64').readUInt32LE(0);
      };
      const pauseNow = async () => { const stopped = dc.waitForEvent('stopped'); await dc.pauseRequest({ threadId: 1 }); await stopped; };
      await pauseNow();
      const first = await readCounter();
      const frameId = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
      const virt = await scopeVariables(dc, frameId, 'Virtualization');
      // The last thing spin did that reached the hypervisor: an OUT to COM1 while printing "spinning".
      assert.match(byName(virt, 'last VM event').value, /^#\d+ VM exit 30 \(I\/O instruction\): out 0x3f8 size 1 value 0xa$/); // the \n of "spinning\n"
      const last = (await dc.variablesRequest({ variablesReference: byName(virt, 'last VM event').variablesReference })).body.variables;
      assert.ok(last.some((v) => v.name === 'port'), 'the decoded fields of the event');
      const trace = await dc.evaluateRequest({ expression: 'trace last 3', context: 'repl', frameId });
      assert.match(trace.body.result, /^last 3 of \d+ VM events:\n(  #\d+ @\d+ exit io: .*\n?){3}$/);
      const stats = await dc.evaluateRequest({ expression: 'stats', context: 'repl', frameId });
      assert.match(stats.body.result, /^VM events under hw: [\d,]+, modeled cost/m);
      assert.match(stats.body.result, /exit 30 I\/O instruction/);

      await dc.continueRequest({ threadId: 1 });
      await new Promise((r) => setTimeout(r, 100));
      await pauseNow();
      assert.notEqual(await readCounter(), first, 'spin_counter moved while the guest ran');
    } finally {
      await dc.stop();
    }
  });

  it('each vCPU thread\'s frame shows that vCPU\'s registers', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      await dc.initializeRequest();
      await Promise.all([dc.launch({ program: SMP, stopOnEntry: true, cpus: 2 }), dc.waitForEvent('stopped'), dc.configurationDoneRequest()]);
      const modeOf = async (threadId: number) => {
        const frame = (await dc.stackTraceRequest({ threadId })).body.stackFrames[0];
        const registers = await scopeVariables(dc, frame.id, 'Registers');
        const cs = (await dc.variablesRequest({ variablesReference: byName(registers, 'CS').variablesReference })).body.variables;
        return { mode: byName(registers, 'mode').value, csBase: byName(cs, 'base').value, frameId: frame.id };
      };
      const bsp = await modeOf(1), ap = await modeOf(2);
      assert.equal(bsp.mode, 'protected mode, CPL 0, 32-bit code, paging off');
      // The AP waits for INIT/SIPI in its reset state: real mode at F000:FFF0 with CS base 0xffff0000.
      assert.match(ap.mode, /^real mode, CPL 0, 16-bit code, paging off/);
      assert.equal(ap.csBase, '0xffff0000');
      const virt = await scopeVariables(dc, ap.frameId, 'Virtualization');
      assert.equal(byName(virt, 'vCPU').value, '1 of 2, wait-for-sipi');
      const regs = await dc.evaluateRequest({ expression: 'info regs', context: 'repl', frameId: ap.frameId });
      assert.match(regs.body.result, /^EIP +0x0000fff0$/m);
    } finally {
      await dc.stop();
    }
  });

  it('malformed inspection requests get error responses and the adapter keeps serving', { timeout: 60_000 }, async () => {
    const { dc } = await stoppedAtEntry();
    try {
      const cases: [string, Record<string, unknown>, RegExp][] = [
        ['readMemory', { memoryReference: '0x1000', count: 64 * 1024 * 1024 }, /count 67108864 is more than the 1048576 bytes \(1 MiB\)/],
        ['readMemory', { memoryReference: '0x1000', count: 'ten' }, /count must be a non-negative integer/],
        ['readMemory', { memoryReference: 42, count: 4 }, /memoryReference must be a string/],
        ['readMemory', { memoryReference: 'eip', count: 4 }, /memoryReference "eip" is not an address/],
        ['readMemory', { memoryReference: '0x1000', offset: 1.5, count: 4 }, /offset must be an integer/],
        ['readMemory', { memoryReference: 'phys:0xf0000000', count: 4 }, /physical 0xf0000000 is not backed by RAM, ROM or a device/],
        ['readMemory', { memoryReference: '0xfffffff0', offset: 0x20, count: 4 }, /outside the 32-bit address space/],
        ['writeMemory', { memoryReference: '0x1000', data: '***' }, /data is not valid base64/],
        ['writeMemory', { memoryReference: '0x1000' }, /data must be a base64 string/],
        ['writeMemory', { memoryReference: 'phys:0xf0000000', data: 'AAAA' }, /nothing was written: physical 0xf0000000/],
        ['disassemble', { memoryReference: '0x1000' }, /instructionCount must be an integer/],
        ['disassemble', { memoryReference: '0x1000', instructionCount: 1_000_000 }, /instructionCount must be from 0 to 4096/],
        ['disassemble', { memoryReference: 'nowhere', instructionCount: 4 }, /memoryReference "nowhere" is not an address/],
      ];
      for (const [command, args, message] of cases) {
        await assert.rejects(dc.customRequest(command, args), message, `${command} ${JSON.stringify(args)}`);
      }
      await assert.rejects(dc.variablesRequest({ variablesReference: 0x7FFFFFF }), /unknown variablesReference/);
      const still = await dc.customRequest('readMemory', { memoryReference: '0x0', count: 4 });
      assert.equal(Buffer.from(still.body.data, 'base64').length, 4, 'the adapter still answers');
    } finally {
      await dc.stop();
    }
  });
});
