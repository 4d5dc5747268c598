// The screenshot scene (loaded by screenshot.mjs as the extension-host "tests"): the example workspace,
// hello.c with a breakpoint in kmain, a session stopped there, the VM Events view open. It writes
// .hvdbg-scene-ready into the workspace, waits for .hvdbg-scene-done, then ends the session.
import * as vscode from 'vscode';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionProbe, start, terminated, until } from './session-probe.js';

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders![0];
  await vscode.extensions.getExtension('hvdbg.hvdbg')!.activate();
  await vscode.commands.executeCommand('hvdbg.openExample', { target: folder.uri.fsPath, open: false });
  const source = vscode.Uri.joinPath(folder.uri, 'guests', 'hello', 'hello.c');
  const text = Buffer.from(await vscode.workspace.fs.readFile(source)).toString();
  const line = text.split('\n').findIndex((l) => l.includes('print_division();'));
  if (line < 0) throw new Error('hello.c has no print_division() call');
  await vscode.window.showTextDocument(source);
  vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(source, new vscode.Position(line, 0)))]);
  const probe = new SessionProbe();
  const session = await start(folder, process.env.HVDBG_SCENE_LAUNCH || 'Boot the hello guest');
  const stopped = await probe.event('stopped', 60_000);
  console.log(`scene: stopped (${stopped.body.reason}: ${stopped.body.description ?? ''})`);
  await vscode.commands.executeCommand('workbench.view.debug');
  // Layout for the picture: no secondary side bar, a wider Run and Debug side bar.
  await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar').then(undefined, () => undefined);
  await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  for (let k = 0; k < 4; k++) await vscode.commands.executeCommand('workbench.action.decreaseViewWidth').then(undefined, () => undefined);
  await until(async () => (await vscode.commands.executeCommand<{ total: number }>('hvdbg.showVmEvents')).total > 0 || undefined, 'VM events');
  await vscode.commands.executeCommand('hvdbg.showVmEvents', { kind: 'exit', reason: 'io' });
  await vscode.window.showTextDocument(source, { selection: new vscode.Range(line, 0, line, 0), preserveFocus: false });
  const ready = join(folder.uri.fsPath, '.hvdbg-scene-ready'), done = join(folder.uri.fsPath, '.hvdbg-scene-done');
  writeFileSync(ready, stopped.body.reason ?? '');
  await until(() => existsSync(done) || undefined, 'the screenshot', 120_000);
  const ended = terminated(session);
  await vscode.debug.stopDebugging(session);
  await ended;
  probe.dispose();
  console.log('1 passed, 0 failed');
}
