// Launch configurations for the hvdbg debugger: fills a default one when there is no launch.json,
// refuses invalid ones with a clear message, and offers one configuration per kernel ELF in the workspace.
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

  /** After ${workspaceFolder} and friends are replaced: the program must be a file that hvdbg can boot. */
  async resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (config.request !== 'launch') return config;
    const problem = await checkProgram(String(config.program));
    if (problem) {
      void vscode.window.showErrorMessage(`hvdbg: ${problem}`);
      return undefined;
    }
    return config;
  }
}

/** Why program cannot be booted (missing, unreadable, not an ELF or bzImage), or undefined when it can. */
export async function checkProgram(program: string): Promise<string | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(program));
  } catch {
    return `"program" ${program} does not exist or cannot be read. Build the kernel first, or fix the path in launch.json.`;
  }
  const isElf = bytes.length >= 4 && bytes[0] === 0x7F && bytes[1] === 0x45 && bytes[2] === 0x4C && bytes[3] === 0x46;
  const isBzImage = bytes.length > 0x206 && String.fromCharCode(...bytes.subarray(0x202, 0x206)) === 'HdrS';
  if (!isElf && !isBzImage) return `"program" ${program} is neither an ELF kernel nor a Linux bzImage.`;
  if (isElf && bytes[4] !== 1) return `"program" ${program} is a 64-bit ELF; hvdbg boots 32-bit x86 (multiboot) kernels.`;
  return undefined;
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
    if (first !== undefined) return `\${workspaceFolder}/${first}`;
    // A Makefile project that has not been built yet: propose the usual output name.
    try { await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, 'Makefile')); return '${workspaceFolder}/kernel.elf'; } catch { return undefined; }
  }
}

/** Workspace-relative paths of *.elf files outside node_modules, shallowest first, then by name. */
async function findKernels(folder: vscode.WorkspaceFolder, limit: number): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.elf'), '**/node_modules/**', limit);
  const paths = uris.map((uri) => vscode.workspace.asRelativePath(uri, false));
  const depth = (p: string): number => p.split('/').length;
  return paths.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}
