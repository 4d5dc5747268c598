// Extension-host tests (inside a real VS Code): activation, the example workspace and the configuration
// provider, a session on the example guest with its serial terminal, the VM Events and Statistics views,
// the screen, trace export, and a clean end.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { suite, test } from './runner.js';
import { SessionProbe, start, terminated, until } from './session-probe.js';

const EXTENSION_ID = 'hvdbg.hvdbg';

interface LoggedEvent { seq: number; kind: string; reason: string; eip: number; source?: { path: string; line: number } }
interface KindCount { kind: string; total: number; reasons: { reason: string; count: number }[] }

function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the harness opens a workspace folder');
  return folder;
}

suite('hvdbg extension: activation, example workspace, configuration provider', () => {
  test('the extension activates and registers its commands', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    console.log(`extension under test: ${extension.extensionPath}`);
    await extension.activate();
    assert.ok(extension.isActive);
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['hvdbg.openExample', 'hvdbg.openTrace', 'hvdbg.exportTrace', 'hvdbg.showStatistics', 'hvdbg.showScreen', 'hvdbg.compareStrategies']) {
      assert.ok(commands.includes(id), `command ${id} is registered`);
    }
  });

  test('the example guest workspace is created with sources, kernels and launch.json', async () => {
    const folder = workspaceFolder();
    const created = await vscode.commands.executeCommand<vscode.Uri>('hvdbg.openExample', { target: folder.uri.fsPath, open: false });
    assert.equal(created.fsPath, folder.uri.fsPath);
    for (const part of ['guests/hello/hello.c', 'guests/hello/kernel-O0.elf', 'guests/sdk/lib/serial.c', '.vscode/launch.json']) {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, part)); // throws when missing
    }
    const launch = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.vscode', 'launch.json'))).toString());
    assert.equal(launch.configurations[0].type, 'hvdbg');
  });

  test('the configuration provider proposes a launch for the example and the dynamic list names its kernels', async () => {
    const proposed = await vscode.commands.executeCommand<{ resolved: vscode.DebugConfiguration; dynamic: vscode.DebugConfiguration[] }>(
      'hvdbg.proposeConfigurations', workspaceFolder().uri);
    assert.equal(proposed.resolved.type, 'hvdbg');
    assert.equal(proposed.resolved.request, 'launch');
    assert.equal(proposed.resolved.program, '${workspaceFolder}/guests/hello/kernel-O0.elf');
    const names = proposed.dynamic.map((c) => c.program).sort();
    assert.deepEqual(names, ['${workspaceFolder}/guests/hello/kernel-O0.elf', '${workspaceFolder}/guests/hello/kernel.elf']);
  });

  test('an invalid configuration is refused before any adapter starts', async () => {
    const ok = await vscode.debug.startDebugging(workspaceFolder(), {
      type: 'hvdbg', request: 'launch', name: 'missing kernel', program: '${workspaceFolder}/no-such-kernel.elf',
    });
    assert.equal(ok, false);
    const notElf = await vscode.debug.startDebugging(workspaceFolder(), {
      type: 'hvdbg', request: 'launch', name: 'not a kernel', program: '${workspaceFolder}/guests/hello/hello.c',
    });
    assert.equal(notElf, false);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  });
});

suite('hvdbg extension: a session on the example guest', () => {
  test('stop on entry, status bar, serial terminal, VM Events and Statistics views, screen, run to the end, end cleanly', async () => {
    const probe = new SessionProbe();
    try {
      const session = await start(workspaceFolder(), 'Boot the hello guest (stop on entry)');
      const stopped = await probe.event('stopped');
      assert.equal(stopped.body.reason, 'entry');
      // The adapter runs in its own process (DebugAdapterExecutable): the extension host stays free.
      const statsAtEntry = await session.customRequest('hvdbgStats') as { instructions: number; strategy: string; adapterPid: number };
      assert.equal(statsAtEntry.instructions, 0);
      assert.notEqual(statsAtEntry.adapterPid, process.pid, 'the adapter runs in its own process');
      assert.equal(statsAtEntry.strategy, 'hw');
      const status = await until(async () => {
        const text = await vscode.commands.executeCommand<string>('hvdbg.statusText');
        return /hvdbg hw paused/.test(text) ? text : undefined;
      }, 'the status bar to show the paused guest');
      assert.match(status, /MIPS · \d+ exits\/s/);

      const ended = terminated(session);
      await session.customRequest('continue', { threadId: stopped.body.threadId ?? 1 });
      const transcript = await until(async () => {
        const text = await vscode.commands.executeCommand<string>('hvdbg.serialTranscript');
        return text.includes('Goodbye.') ? text : undefined;
      }, 'the guest\'s serial output in the terminal');
      assert.match(transcript, /Hello from hvdbg guest!\ncmdline: .*kernel-O0\.elf/);

      // The VM Events tree, fed by the throttled hvdbg.vmEvents events: exits grouped by reason.
      const model = await until(async () => {
        const m = await vscode.commands.executeCommand<{ total: number; kinds: KindCount[] }>('hvdbg.vmEventsModel');
        return m.kinds.some((k) => k.kind === 'exit' && k.reasons.some((r) => r.reason === 'hlt')) ? m : undefined;
      }, 'the VM Events tree to show the final HLT exit');
      const exits = model.kinds.find((k) => k.kind === 'exit')!;
      const io = exits.reasons.find((r) => r.reason === 'io');
      assert.ok(io && io.count > 100, `I/O exits listed (${io?.count})`);
      assert.equal(exits.total, model.total);

      // The Statistics view is fed by its own throttled hvdbg.stats events: wait for the final ones.
      type StatisticsModel = { instructions: number; cycles: number; exits: { key: string; count: number; cycles: number }[] };
      const statistics = await until(async () => {
        const m = await vscode.commands.executeCommand<StatisticsModel>('hvdbg.statisticsModel');
        return m.exits.find((e) => e.key === 'io')?.count === io.count ? m : undefined;
      }, `the Statistics view to count the ${io.count} I/O exits the VM Events tree lists`);
      assert.ok(statistics.instructions > 0);
      assert.ok(statistics.cycles > 0 && statistics.exits.find((e) => e.key === 'io')!.cycles > 0, 'modeled cost shown');
      assert.equal(statistics.exits.find((e) => e.key === 'io')?.count, io.count);

      const screen = await vscode.commands.executeCommand<string>('hvdbg.showScreen');
      assert.equal(typeof screen, 'string');

      await vscode.debug.stopDebugging(session);
      await ended;
      assert.equal(vscode.debug.activeDebugSession, undefined);
      assert.ok(probe.eventNames().includes('terminated'));
    } finally {
      probe.dispose();
    }
  }, 200_000);
});

suite('hvdbg extension: serial input, pause, trace export and the "trace" launch attribute', () => {
  test('keys typed into the serial terminal reach COM1; a paused guest\'s trace exports and reopens as hvtrace', async () => {
    const probe = new SessionProbe();
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const folder = workspaceFolder();
    const traceFile = vscode.Uri.joinPath(folder.uri, 'echo-launch.hvtrace');
    try {
      const session = await start(folder, {
        type: 'hvdbg', request: 'launch', name: 'echo guest', stopOnEntry: false,
        program: vscode.Uri.joinPath(extension.extensionUri, 'guests', 'echo', 'kernel.elf').fsPath, trace: traceFile.fsPath,
      });
      await until(async () => (await vscode.commands.executeCommand<string>('hvdbg.serialTranscript')).includes('waiting for a line') || undefined,
        'the echo guest\'s prompt in the serial terminal');
      // The guest polls COM1's line status register: a stream of I/O exits while it waits.
      const running = await until(async () => {
        const text = await vscode.commands.executeCommand<string>('hvdbg.statusText');
        const m = /hvdbg hw running · ([\d.]+) MIPS · ([\d,]+) exits\/s/.exec(text);
        return m && Number(m[2].replace(/,/g, '')) > 0 ? text : undefined;
      }, 'the status bar to show a running guest with exits per second');
      assert.match(running, /running/);

      const paused = probe.event('stopped');
      await session.customRequest('pause', { threadId: 1 });
      assert.equal((await paused).body.reason, 'pause');
      const exported = vscode.Uri.joinPath(folder.uri, 'echo-export.hvtrace');
      await vscode.commands.executeCommand('hvdbg.exportTrace', exported);
      const text = Buffer.from(await vscode.workspace.fs.readFile(exported)).toString();
      assert.match(text, /^# hvdbg-trace 1\n# kernel: .*echo\/kernel\.elf\n# strategy: hw\n/);
      assert.match(text, /\n\d+ \d+ exit io vcpu=0 cs=0x0008 eip=0x[0-9a-f]{8} .*dir=in port=0x03fd size=1/);
      // Selecting an occurrence in the VM Events tree reveals its site: the source line, else the disassembly.
      const [occurrence] = await vscode.commands.executeCommand<LoggedEvent[]>('hvdbg.vmEventOccurrences', 'exit', 'io');
      assert.equal(occurrence.reason, 'io');
      const revealed = await vscode.commands.executeCommand<vscode.Uri>('hvdbg.revealEvent', occurrence);
      const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === revealed.toString());
      assert.ok(shown, 'the revealed document is visible');
      if (occurrence.source) {
        assert.ok(revealed.path.endsWith(occurrence.source.path.split('/').pop()!), `${revealed.path} is ${occurrence.source.path}`);
        assert.equal(shown.selection.active.line, occurrence.source.line - 1);
      } else {
        assert.equal(revealed.scheme, 'hvdbg-disassembly');
        const marked = shown.document.lineAt(shown.selection.active.line).text;
        assert.match(marked, new RegExp(`^▶ 0x0*${occurrence.eip.toString(16)}\\b`, 'i'));
        assert.match(marked, /\bin\b/, 'the marked instruction is the IN that exited');
      }
      await vscode.commands.executeCommand('hvdbg.openTrace', exported);
      assert.equal(vscode.window.activeTextEditor?.document.languageId, 'hvtrace');
      await vscode.commands.executeCommand('hvdbg.showVmEvents', { kind: 'exit', reason: 'io' }); // reveals the reason, expanded
      const model = await vscode.commands.executeCommand<{ total: number; kinds: KindCount[] }>('hvdbg.vmEventsModel');
      assert.ok((model.kinds.find((k) => k.kind === 'exit')?.reasons.find((r) => r.reason === 'io')?.count ?? 0) > 1000);

      const ended = terminated(session);
      const continued = probe.event('continued', 5_000).catch(() => undefined);
      await session.customRequest('continue', { threadId: 1 });
      await continued;
      const terminal = vscode.window.terminals.find((t) => t.name === `hvdbg serial: ${session.name}`);
      assert.ok(terminal, 'the session has its serial terminal');
      terminal.sendText('hvdbg\r', false);      // what typing in the terminal does: Pseudoterminal.handleInput
      await until(async () => (await vscode.commands.executeCommand<string>('hvdbg.serialTranscript')).includes('echo: got "hvdbg" (5 bytes)') || undefined,
        'the guest to echo the typed line');
      await ended;
      const exited = probe.messages.find((m) => m.type === 'event' && m.event === 'exited');
      assert.equal(exited?.body.exitCode, 33, 'the guest ends through isa-debug-exit with status 0x10 → 33');
      const written = Buffer.from(await vscode.workspace.fs.readFile(traceFile)).toString();
      assert.match(written, /\n# end: debug-exit after \d+ instructions; \d+ events\n$/);
    } finally {
      probe.dispose();
    }
  }, 200_000);
});

suite('hvdbg extension: attach to a running adapter', () => {
  test('"request": "attach" connects to node dist/adapter.js --port, which boots the guest', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const adapter = spawn(process.execPath, [join(extension.extensionPath, 'dist', 'adapter.js'), '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const probe = new SessionProbe();
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let text = '';
        adapter.stderr!.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
          if (m) resolve(Number(m[1]));
        });
        adapter.on('exit', (code) => reject(new Error(`the adapter exited (${code}): ${text}`)));
      });
      const session = await start(workspaceFolder(), {
        type: 'hvdbg', request: 'attach', name: 'attach to hvdbg dap', port,
        program: join(extension.extensionPath, 'guests', 'hello', 'kernel.elf'), stopOnEntry: true,
      });
      const stopped = await probe.event('stopped');
      assert.equal(stopped.body.reason, 'entry');
      const stats = await session.customRequest('hvdbgStats') as { instructions: number };
      assert.equal(stats.instructions, 0);
      const ended = terminated(session);
      await vscode.debug.stopDebugging(session);
      await ended;
    } finally {
      probe.dispose();
      adapter.kill();
    }
  }, 60_000);
});

suite('hvdbg extension: inline adapter mode', () => {
  test('with hvdbg.adapter.mode = inline the adapter runs inside the extension host', async () => {
    const settings = vscode.workspace.getConfiguration('hvdbg');
    await settings.update('adapter.mode', 'inline', vscode.ConfigurationTarget.Workspace);
    const probe = new SessionProbe();
    try {
      const session = await start(workspaceFolder(), 'Boot the hello guest (stop on entry)');
      assert.equal((await probe.event('stopped')).body.reason, 'entry');
      const stats = await session.customRequest('hvdbgStats') as { adapterPid: number };
      assert.equal(stats.adapterPid, process.pid, 'the adapter answers from the extension host process');
      const ended = terminated(session);
      await session.customRequest('continue', { threadId: 1 });
      await ended;
      assert.match(await vscode.commands.executeCommand<string>('hvdbg.serialTranscript'), /Goodbye\./);
    } finally {
      probe.dispose();
      await settings.update('adapter.mode', undefined, vscode.ConfigurationTarget.Workspace);
    }
  }, 60_000);
});
