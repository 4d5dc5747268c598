// Extension-host tests of debugging the example guest in VS Code: a source breakpoint added with
// vscode.debug.addBreakpoints stops on its C line, a local is read through the session, and a VM-exit
// event breakpoint (function breakpoint "exit:io") stops on the guest's next OUT.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, test } from './runner.js';
import { SessionProbe, start, terminated } from './session-probe.js';

suite('hvdbg extension: breakpoints and variables on the example guest', () => {
  test('source breakpoint in kmain, the parameter magic, then an exit:io event breakpoint', async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    await vscode.commands.executeCommand('hvdbg.openExample', { target: folder.uri.fsPath, open: false });
    const source = vscode.Uri.joinPath(folder.uri, 'guests', 'hello', 'hello.c');
    const lines = Buffer.from(await vscode.workspace.fs.readFile(source)).toString().split('\n');
    const line = lines.findIndex((l) => l.includes('print_division();'));
    assert.ok(line > 0, 'hello.c calls print_division()');
    const lineBreakpoint = new vscode.SourceBreakpoint(new vscode.Location(source, new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([lineBreakpoint]);
    const probe = new SessionProbe();
    try {
      const session = await start(folder, 'Boot the hello guest');
      const stopped = await probe.event('stopped', 60_000);
      assert.equal(stopped.body.reason, 'breakpoint');
      const threadId = stopped.body.threadId as number;
      const { stackFrames } = await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 5 });
      const top = stackFrames[0];
      assert.match(String(top.source?.path ?? top.source?.name), /hello\.c$/);
      assert.equal(top.line, line + 1, 'stopped on the breakpoint\'s line');
      assert.match(top.name, /kmain/);

      const { scopes } = await session.customRequest('scopes', { frameId: top.id });
      const found: { name: string; value: string }[] = [];
      for (const scope of scopes as { name: string; variablesReference: number; expensive?: boolean }[]) {
        if (scope.expensive || scope.variablesReference === 0) continue;
        const { variables } = await session.customRequest('variables', { variablesReference: scope.variablesReference });
        found.push(...variables);
        if (found.some((v) => v.name === 'magic')) break;
      }
      const magic = found.find((v) => v.name === 'magic');
      assert.ok(magic, `kmain's parameter magic is among ${found.map((v) => v.name).join(', ')}`);
      assert.match(magic.value, /0x2badb002|732803074/i, 'the multiboot magic the loader passed');

      vscode.debug.removeBreakpoints([lineBreakpoint]);
      const eventBreakpoint = new vscode.FunctionBreakpoint('exit:io');
      vscode.debug.addBreakpoints([eventBreakpoint]);
      await new Promise((r) => setTimeout(r, 500));          // VS Code sends setFunctionBreakpoints
      const next = probe.messages.length;
      await session.customRequest('continue', { threadId });
      const atExit = await probe.event('stopped', 30_000, next);
      assert.match(String(atExit.body.description ?? atExit.body.text ?? ''), /VM exit 30|I\/O/);
      vscode.debug.removeBreakpoints([eventBreakpoint]);

      const ended = terminated(session);
      await vscode.debug.stopDebugging(session);
      await ended;
    } finally {
      probe.dispose();
      vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    }
  }, 120_000);
});
