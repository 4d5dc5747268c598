// Starts the real debug adapter (dist/adapter.js) under @vscode/debugadapter-testsupport's DebugClient
// for bench/debugger.mjs, and collects the guest's output events of a session.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { DebugClient } = require('@vscode/debugadapter-testsupport');

/** A started, initialized adapter session; output holds the guest's stdout events' text. */
export async function startAdapter(adapterPath, cwd) {
  const dc = new DebugClient(process.execPath, adapterPath, 'hvdbg', { cwd });
  dc.defaultTimeout = 600_000;
  const output = [];
  dc.on('output', (event) => { if (event.body?.category === 'stdout') output.push(event.body.output); });
  await dc.start();
  await dc.initializeRequest();
  return { dc, output };
}

/** Launches program stopped on entry and waits for that stop. */
export async function launchStoppedOnEntry(dc, program) {
  await dc.launchRequest({ program, stopOnEntry: true });
  const entry = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  await entry;
}
