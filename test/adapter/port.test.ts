// DAP over TCP: `node dist/adapter.js --port N` listens on 127.0.0.1 only and serves one session per
// connection, for clients that connect to a running adapter (nvim-dap, Emacs dap-mode).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { ADAPTER, HELLO, ROOT, freePort, startAdapterServer } from './helpers';

/** Resolves true when a TCP connection to host:port succeeds, false when it is refused or times out. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

describe('debug adapter: --port', () => {
  it('serves DAP on 127.0.0.1, one session per connection', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const server = await startAdapterServer(port);
    const first = new DebugClient(process.execPath, ADAPTER, 'hvdbg');
    const second = new DebugClient(process.execPath, ADAPTER, 'hvdbg');
    try {
      await first.start(port);
      await second.start(port);
      const init = await first.initializeRequest();
      assert.equal(init.body?.supportsConfigurationDoneRequest, true);
      await second.initializeRequest();

      // The first connection launches a guest; the second has its own session with none.
      const stopped = first.waitForEvent('stopped');
      await Promise.all([first.configurationSequence(), first.launch({ program: HELLO, stopOnEntry: true })]);
      assert.equal((await stopped).body.reason, 'entry');
      await assert.rejects(second.stackTraceRequest({ threadId: 1 }), /no guest has been launched/);
      const trace = await first.stackTraceRequest({ threadId: 1 });
      assert.equal(trace.body.stackFrames[0].name, '_start');

      await first.disconnectRequest({});
      await second.disconnectRequest({});
      assert.equal(server.exitCode, null, 'the server outlives its sessions');
      assert.ok(await canConnect('127.0.0.1', port), 'still accepting connections');

      const external = Object.values(networkInterfaces()).flat()
        .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
      if (external) assert.equal(await canConnect(external.address, port), false, `not reachable on ${external.address}`);
    } finally {
      await first.stop();
      await second.stop();
      server.kill();
    }
  });

  it('refuses a bad port argument with a usage message', () => {
    const run = spawnSync(process.execPath, [ADAPTER, '--port', 'eighty'], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--port needs a TCP port number 0-65535, not "eighty"/);
    assert.match(run.stderr, /usage:/);
  });
});
