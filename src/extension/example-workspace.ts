// The "open example guest" command: copies the bundled hello guest (C sources, the guest SDK and the
// built kernels) into a folder with a ready launch.json, then opens it, so F5 works at once.
import * as vscode from 'vscode';

/** What is copied from the extension folder, relative to it. */
const EXAMPLE_PARTS = ['guests/hello/hello.c', 'guests/hello/kernel.elf', 'guests/hello/kernel-O0.elf', 'guests/sdk'];

export const EXAMPLE_LAUNCH = {
  version: '0.2.0',
  configurations: [
    {
      type: 'hvdbg', request: 'launch', name: 'Boot the hello guest',
      program: '${workspaceFolder}/guests/hello/kernel-O0.elf', stopOnEntry: false,
    },
    {
      type: 'hvdbg', request: 'launch', name: 'Boot the hello guest (stop on entry)',
      program: '${workspaceFolder}/guests/hello/kernel-O0.elf', stopOnEntry: true,
    },
  ],
};

export interface OpenExampleOptions {
  /** Folder to create (default: the extension's global storage, "hello-guest"). */
  target?: string;
  /** Open the folder in a new window afterwards (default true). */
  open?: boolean;
}

/** Copies the example into target (replacing an earlier copy) and returns the folder. */
export async function createExampleWorkspace(context: vscode.ExtensionContext, options: OpenExampleOptions = {}): Promise<vscode.Uri> {
  const target = options.target ? vscode.Uri.file(options.target) : vscode.Uri.joinPath(context.globalStorageUri, 'hello-guest');
  const fs = vscode.workspace.fs;
  for (const part of EXAMPLE_PARTS) {
    const from = vscode.Uri.joinPath(context.extensionUri, part);
    try { await fs.stat(from); } catch {
      throw new Error(`hvdbg: the example guest is incomplete: ${part} is missing from ${context.extensionUri.fsPath}`);
    }
    await fs.copy(from, vscode.Uri.joinPath(target, part), { overwrite: true });
  }
  await fs.writeFile(vscode.Uri.joinPath(target, '.vscode', 'launch.json'), Buffer.from(JSON.stringify(EXAMPLE_LAUNCH, null, 2) + '\n'));
  await fs.writeFile(vscode.Uri.joinPath(target, 'README.md'), Buffer.from(
    '# hvdbg example: the hello guest\n\nOpen `guests/hello/hello.c`, set a breakpoint in `kmain`, press F5. '
    + 'The serial console opens in a terminal; the VM Events and Statistics views are in Run and Debug.\n'));
  if (options.open !== false) await vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: true });
  return target;
}
