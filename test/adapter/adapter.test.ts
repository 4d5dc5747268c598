// DAP tests against the real adapter process (dist/adapter.js, built before the tests run): what a
// client such as VS Code sees when it boots the example guests, steps, pauses and sends bad requests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  EXIT_CODE, HELLO, ROOT, SMP, SPIN, TRIPLE_FAULT, elfEntry, outputText, recordEvents, startAdapter, RawDap,
} from './helpers';

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** The register variables of the only frame, by name. */
async function registers(dc: Awaited<ReturnType<typeof startAdapter>>): Promise<Map<string, string>> {
  const trace = await dc.stackTraceRequest({ threadId: 1 });
  const scopes = await dc.scopesRequest({ frameId: trace.body.stackFrames[0].id });
  const scope = scopes.body.scopes.find((s) => s.name === 'Registers');
  assert.ok(scope, 'a "Registers" scope');
  const variables = await dc.variablesRequest({ variablesReference: scope.variablesReference });
  return new Map(variables.body.variables.map((v) => [v.name, v.value]));
}

describe('debug adapter: hello guest', () => {
  it('stops on entry at e_entry with the multiboot registers, steps, then runs to the end', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const events = recordEvents(dc);
      const entry = elfEntry(HELLO);
      const [, , stopped] = await Promise.all([
        dc.configurationSequence(),
        dc.launch({ program: HELLO, stopOnEntry: true }),
        dc.waitForEvent('stopped'),
      ]);
      assert.equal(stopped.body.reason, 'entry');
      assert.equal(stopped.body.threadId, 1);

      const threads = await dc.threadsRequest();
      assert.deepEqual(threads.body.threads, [{ id: 1, name: 'vCPU 0' }]);
      const trace = await dc.stackTraceRequest({ threadId: 1 });
      assert.equal(trace.body.stackFrames.length, 1);
      const frame = trace.body.stackFrames[0];
      assert.equal(Number(frame.instructionPointerReference), entry, `IP reference ${frame.instructionPointerReference}`);
      assert.equal(frame.name, '_start', 'the entry frame is named after the ELF symbol');

      const regs = await registers(dc);
      assert.equal(regs.get('EAX'), '0x2badb002', 'multiboot magic in EAX');
      assert.equal(regs.get('EIP'), hex(entry));
      assert.match(regs.get('EFLAGS') ?? '', /^0x00000002 \[\]$/, 'EFLAGS at multiboot entry: IF=0, only bit 1');
      assert.equal(regs.get('CS'), '0x0008');
      for (const name of ['EBX', 'ECX', 'EDX', 'ESP', 'EBP', 'ESI', 'EDI', 'DS', 'ES', 'FS', 'GS', 'SS']) {
        assert.ok(regs.has(name), `register ${name} is shown`);
      }

      const stepped = dc.waitForEvent('stopped');
      await dc.stepInRequest({ threadId: 1 });
      assert.equal((await stepped).body.reason, 'step');
      const afterStep = await dc.stackTraceRequest({ threadId: 1 });
      // _start begins with `cli` (one byte): see guests/README.md.
      assert.equal(Number(afterStep.body.stackFrames[0].instructionPointerReference), entry + 1);

      const terminated = dc.waitForEvent('terminated', 30_000);
      await dc.continueRequest({ threadId: 1 });
      await terminated;
      const stdout = outputText(events, 'stdout');
      assert.ok(stdout.includes('Hello from hvdbg guest!'), `guest output: ${JSON.stringify(stdout)}`);
      assert.ok(stdout.includes('Goodbye.'), `guest output: ${JSON.stringify(stdout)}`);
      const consoleText = outputText(events, 'console');
      assert.match(consoleText, /guest halted with interrupts disabled/);
      const kinds = events.map((e) => e.event).filter((k) => k === 'exited' || k === 'terminated');
      assert.deepEqual(kinds, ['exited', 'terminated']);
      assert.equal(events.find((e) => e.event === 'exited')?.body.exitCode, 0);
    } finally {
      await dc.stop();
    }
  });

  it('runs without stopping when stopOnEntry is false and passes "append" to the kernel', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const events = recordEvents(dc);
      const terminated = dc.waitForEvent('terminated', 30_000);
      await Promise.all([dc.configurationSequence(), dc.launch({ program: HELLO, append: 'foo bar', memory: '32M' })]);
      await terminated;
      assert.ok(!events.some((e) => e.event === 'stopped'), 'no stopped event');
      assert.ok(outputText(events, 'stdout').includes(`cmdline: ${HELLO} foo bar\n`), outputText(events, 'stdout'));
    } finally {
      await dc.stop();
    }
  });
});

describe('debug adapter: how guests end', () => {
  const cases: Array<{ guest: string; exitCode: number; console: RegExp; stdout: string; args?: object }> = [
    { guest: EXIT_CODE, exitCode: 67, console: /isa-debug-exit \(exit status 67\)/, stdout: 'exit-code guest' },
    { guest: TRIPLE_FAULT, exitCode: 1, console: /guest crashed: .*triple fault/i, stdout: 'about to triple fault' },
    { guest: SPIN, exitCode: 3, console: /instruction limit of 2000000 reached/, stdout: 'spinning', args: { maxInstructions: 2_000_000 } },
  ];
  for (const c of cases) {
    it(`${c.guest.slice(ROOT.length + 1)} → exited ${c.exitCode}`, { timeout: 60_000 }, async () => {
      const dc = await startAdapter();
      try {
        const events = recordEvents(dc);
        const terminated = dc.waitForEvent('terminated', 30_000);
        await Promise.all([dc.configurationSequence(), dc.launch({ program: c.guest, ...c.args })]);
        await terminated;
        assert.ok(outputText(events, 'stdout').includes(c.stdout), outputText(events, 'stdout'));
        assert.match(outputText(events, 'console'), c.console);
        assert.equal(events.find((e) => e.event === 'exited')?.body.exitCode, c.exitCode);
      } finally {
        await dc.stop();
      }
    });
  }
});

describe('debug adapter: pause', () => {
  it('pauses a guest that spins forever within a short time, then disconnects', { timeout: 60_000 }, async () => {
    const dc = await startAdapter();
    try {
      const events = recordEvents(dc);
      await Promise.all([dc.configurationSequence(), dc.launch({ program: SPIN })]);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!events.some((e) => e.event === 'terminated'), `the guest is still running: ${outputText(events, 'console')}`);
      const stopped = dc.waitForEvent('stopped', 2_000);
      const asked = Date.now();
      await dc.pauseRequest({ threadId: 1 });
      const event = await stopped;
      const latency = Date.now() - asked;
      assert.equal(event.body.reason, 'pause');
      assert.ok(latency < 500, `pause took ${latency} ms`);
      const trace = await dc.stackTraceRequest({ threadId: 1 });
      assert.match(trace.body.stackFrames[0].name, /^kmain/, 'paused inside the spin loop in kmain');
      assert.ok(outputText(events, 'stdout').includes('spinning'));
      await dc.disconnectRequest({});
    } finally {
      await dc.stop();
    }
  });
});

describe('debug adapter: bad launches and bad requests', () => {
  /** Launches with args and returns the error message of the failed launch. */
  async function launchError(args: object): Promise<string> {
    const dc = await startAdapter();
    try {
      await dc.initializeRequest();
      const error = await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments).then(
        () => assert.fail('launch should fail'), (e: Error) => e.message);
      await dc.threadsRequest(); // the adapter is still up
      return error;
    } finally {
      await dc.stop();
    }
  }

  it('a file that is not an ELF: the loader\'s message, naming the file', async () => {
    const source = `${ROOT}/guests/hello/hello.c`;
    const message = await launchError({ program: source });
    assert.ok(message.includes(source), message);
    assert.match(message, /not an ELF/);
    assert.doesNotMatch(message, /\n/, 'one line');
  });

  it('missing or ill-typed program, bad memory, bad maxInstructions, missing file', async () => {
    assert.match(await launchError({}), /"program" is missing/);
    assert.match(await launchError({ program: 42 }), /"program" must be a string/);
    assert.match(await launchError({ program: HELLO, memory: '64Q' }), /"memory".*64Q/);
    assert.match(await launchError({ program: HELLO, memory: 64 }), /"memory" must be a string/);
    assert.match(await launchError({ program: HELLO, maxInstructions: -5 }), /"maxInstructions" must be a positive whole number/);
    assert.match(await launchError({ program: `${ROOT}/no/such/kernel.elf` }), /no such file/);
  });

  it('an unknown command gets an error response and the adapter keeps serving', async () => {
    const dc = await startAdapter();
    try {
      await dc.initializeRequest();
      await assert.rejects(dc.customRequest('noSuchCommand', { x: 1 }), /does not support the "noSuchCommand" request/);
      await assert.rejects(dc.stackTraceRequest({ threadId: 1 }), /no guest has been launched/);
      await assert.rejects(dc.customRequest('variables', { variablesReference: 'registers' }), /no guest|variablesReference/);
      const threads = await dc.threadsRequest();
      assert.equal(threads.body.threads.length, 1);
    } finally {
      await dc.stop();
    }
  });

  it('malformed messages (bad JSON, non-object arguments) do not stop the adapter', { timeout: 30_000 }, async () => {
    const raw = new RawDap();
    try {
      raw.sendBody('{ this is not json');
      const badArgs = await raw.request('threads', 'not an object');
      assert.equal(badArgs.success, false);
      assert.match(badArgs.message ?? '', /arguments of "threads" must be an object/);
      const threads = await raw.request('threads');
      assert.equal(threads.success, true);
      assert.ok(raw.alive, 'adapter process still running');
    } finally {
      raw.close();
    }
  });
});
