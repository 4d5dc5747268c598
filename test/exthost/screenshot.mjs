// Takes docs/vscode-stopped-at-breakpoint.png in a real VS Code (offline harness: VS Code server from
// code-server, headless Chromium via playwright-core): runs scene.js as the extension-host tests and
// photographs the workbench once the scene says it is ready. Run with Node 24:
//   node test/exthost/screenshot.mjs --server DIR --playwright DIR --node NODE24 [--out FILE] [--launch NAME]
// (--launch picks another configuration of the example's launch.json; the default stops at a breakpoint.)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => { const k = args.indexOf(`--${name}`); return k >= 0 ? args[k + 1] : fallback; };
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const serverDir = option('server');
const nodeBin = option('node', process.execPath);
const out = path.resolve(option('out', path.join(root, 'docs', 'vscode-stopped-at-breakpoint.png')));
if (!serverDir || !option('playwright')) { console.error('usage: screenshot.mjs --server DIR --playwright DIR [--node NODE24] [--out FILE]'); process.exit(2); }
const { chromium } = createRequire(import.meta.url)(path.resolve(option('playwright')));

const work = mkdtempSync(path.join(tmpdir(), 'hvdbg-shot-'));
const workspace = path.join(work, 'hello-guest');
mkdirSync(path.join(work, 'user', 'User'), { recursive: true });
mkdirSync(workspace, { recursive: true });
writeFileSync(path.join(work, 'user', 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false, 'extensions.ignoreRecommendations': true, 'workbench.colorTheme': 'Default Dark Modern',
  'window.commandCenter': false, 'workbench.layoutControl.enabled': false, 'git.enabled': false,
}));

const port = await new Promise((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const server = spawn(nodeBin, [path.join(serverDir, 'out', 'server-main.js'), '--host', '127.0.0.1', '--port', String(port),
  '--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver', '--disable-telemetry',
  '--disable-workspace-trust', '--server-data-dir', path.join(work, 'server'), '--user-data-dir', path.join(work, 'user'),
  '--extensions-dir', path.join(work, 'extensions')], { detached: true, stdio: 'ignore' });
let exitCode = 1;
const finish = async (browser) => {
  try { await browser?.close(); } catch { /* already gone */ }
  try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
  await new Promise((r) => setTimeout(r, 500));
  try { process.kill(-server.pid, 'SIGKILL'); } catch { /* already gone */ }
  rmSync(work, { recursive: true, force: true });
  process.exit(exitCode);
};
const deadline = setTimeout(() => { console.error('screenshot: timed out'); void finish(); }, 240_000);

for (let k = 0; ; k++) {
  const up = await new Promise((resolve) => { const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); }); c.on('error', () => resolve(false)); });
  if (up) break;
  if (k > 150) { console.error('screenshot: the VS Code server did not start'); await finish(); }
  await new Promise((r) => setTimeout(r, 200));
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
const payload = [['extensionDevelopmentPath', remote(root)], ['extensionTestsPath', remote(path.join(root, 'dist', 'exthost-tests', 'scene.js'))],
  ['extensionEnvironment', JSON.stringify({ HVDBG_SCENE_LAUNCH: option('launch', '') })], ['skipWelcome', 'true']];
// The extension host's console reaches the page through the smoke-test driver's log hook.
await page.exposeFunction('codeAutomationLog', (type, line) => {
  const text = Array.isArray(line) ? line.join(' ') : String(line);
  if (/scene:|Error|error/.test(text) && !/open-vsx|ENOTFOUND|github/.test(text)) console.log(text.split('\n')[0]);
});
await page.exposeFunction('codeAutomationExit', async (code) => { exitCode = exitCode === 0 && code === 0 ? 0 : 1; clearTimeout(deadline); await finish(browser); });
await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);

const ready = path.join(workspace, '.hvdbg-scene-ready');
while (!existsSync(ready)) await new Promise((r) => setTimeout(r, 250));
console.log(`screenshot: scene ready (stopped: ${readFileSync(ready, 'utf8')})`);
await new Promise((r) => setTimeout(r, 3000));            // let the views and the editor paint
await page.screenshot({ path: out });
console.log(`screenshot: wrote ${out}`);
exitCode = 0;
writeFileSync(path.join(workspace, '.hvdbg-scene-done'), '');
