// Writes VM events as .hvtrace text to an injected sink (a file in the CLI, a buffer in the extension),
// so the engine stays free of host I/O. Subscribes to vm.onEvent while open.
import type { Vm } from '../hv/vm.js';
import type { VmEvent } from '../hv/vm-event.js';
import { describeEvent } from './event-fields.js';
import { formatMetaLine, formatTraceHeader, formatTraceRecord } from './trace-format.js';

export class TraceWriter {
  private seq = 0;            // events written
  private unsubscribe?: () => void;

  /** Writes the header at once; sink receives text in file order. */
  constructor(private readonly sink: (text: string) => void, meta: ReadonlyArray<readonly [string, string]>) {
    sink(formatTraceHeader(meta));
  }

  /** Events written so far. */
  get events(): number { return this.seq; }

  /** Records every VM event of vm until close(). */
  attach(vm: Vm): void {
    this.unsubscribe?.();
    this.unsubscribe = vm.onEvent.event((e) => this.write(e));
  }

  write(event: VmEvent): void {
    const d = describeEvent(event);
    this.sink(formatTraceRecord({ seq: ++this.seq, instructions: event.instructions, kind: d.kind, reason: d.reason, fields: d.fields }));
  }

  /** Stops listening and writes the closing metadata line ("# end: …"). */
  close(endDescription: string): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.sink(formatMetaLine('end', `${endDescription}; ${this.seq} events`));
  }
}
