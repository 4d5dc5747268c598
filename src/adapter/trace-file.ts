// Writes a session's VM events to the .hvtrace file named by the launch attribute "trace" (the same
// format as `hvdbg run --trace`), buffered and appended synchronously so nothing is lost on exit.
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Vm } from '../../engine/hv/vm.js';
import { TraceWriter } from '../../engine/trace/trace-writer.js';

const FLUSH_BYTES = 64 * 1024;

export interface TraceFile { close(endDescription: string): void }

/** Creates (truncates) path and records vm's events into it until close. */
export function openTraceFile(path: string, vm: Vm, meta: [string, string][]): TraceFile {
  let buffer = '';
  let failed: string | undefined;
  const write = (text: string) => {
    if (failed) return;
    try { appendFileSync(path, text); } catch (error) { failed = (error as Error).message; }
  };
  writeFileSync(path, '');
  const writer = new TraceWriter((text) => {
    buffer += text;
    if (buffer.length >= FLUSH_BYTES) { write(buffer); buffer = ''; }
  }, meta);
  writer.attach(vm);
  return {
    close(endDescription: string) {
      writer.close(endDescription);
      write(buffer);
      buffer = '';
    },
  };
}

/** "# end:" text: where the guest is when the trace closes. */
export function describeEnd(vm: Vm): string {
  return `${vm.finalStop ? vm.finalStop.kind : 'session ended'} after ${vm.instructions} instructions`;
}
