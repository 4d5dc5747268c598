// Entry point the extension host loads (extensionTestsPath): registers the test files, runs them and
// prints "N passed, N failed". The same module runs under the harness (code-server) and @vscode/test-electron.
import { runAll } from './runner.js';
import './extension.test.js';
import './debugging.test.js';
import './compare.test.js';

export async function run(): Promise<void> {
  await runAll();
}
