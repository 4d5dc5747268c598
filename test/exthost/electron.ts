// `npm run test:electron`: the same extension-host tests in a desktop VS Code downloaded by
// @vscode/test-electron (needs internet). Opens a scratch folder, like the offline harness does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  const workspace = mkdtempSync(join(tmpdir(), 'hvdbg-exthost-'));
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'dist', 'exthost-tests', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error: Error) => { console.error(`test:electron failed: ${error.message}`); process.exit(1); });
