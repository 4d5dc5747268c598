// Launch configurations for the hvdbg debugger: fills a default one when there is no launch.json,
// refuses one without "program", and offers one configuration per kernel ELF in the workspace.
import * as vscode from 'vscode';

export const DEBUG_TYPE = 'hvdbg';

const MISSING_PROGRAM = 'hvdbg: the launch configuration has no "program". Set it to your guest kernel '
  + '(a 32-bit multiboot ELF), for example "program": "${workspaceFolder}/kernel.elf".';

/** Resolves F5 without launch.json to a default launch, and rejects a configuration without program. */
export class HvdbgConfigurationProvider implements vscode.DebugConfigurationProvider {
  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (!config.type && !config.request && !config.name) {
      const program = await findDefaultProgram(folder ?? vscode.workspace.workspaceFolders?.[0]);
      config = { type: DEBUG_TYPE, request: 'launch', name: 'Boot guest kernel', stopOnEntry: true, ...(program ? { program } : {}) };
    }
    if (typeof config.program !== 'string' || config.program.trim() === '') {
      void vscode.window.showErrorMessage(MISSING_PROGRAM);
      return undefined; // abort the launch
    }
    return config;
  }
}

/** The dynamic list in the Run and Debug view: one "Boot <path>" configuration per *.elf. */
export class HvdbgDynamicConfigurations implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    if (!folder) return [];
    const kernels = await findKernels(folder, 20);
    return kernels.map((relativePath) => ({
      type: DEBUG_TYPE, request: 'launch', name: `Boot ${relativePath}`,
      program: `\${workspaceFolder}/${relativePath}`, stopOnEntry: true,
    }));
  }
}

/** `${workspaceFolder}/kernel.elf` when it exists, else the shallowest *.elf of the folder, else undefined. */
async function findDefaultProgram(folder: vscode.WorkspaceFolder | undefined): Promise<string | undefined> {
  if (!folder) return undefined;
  try {
    await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, 'kernel.elf'));
    return '${workspaceFolder}/kernel.elf';
  } catch {
    const [first] = await findKernels(folder, 50);
    return first === undefined ? undefined : `\${workspaceFolder}/${first}`;
  }
}

/** Workspace-relative paths of *.elf files outside node_modules, shallowest first, then by name. */
async function findKernels(folder: vscode.WorkspaceFolder, limit: number): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.elf'), '**/node_modules/**', limit);
  const paths = uris.map((uri) => vscode.workspace.asRelativePath(uri, false));
  const depth = (p: string): number => p.split('/').length;
  return paths.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}
