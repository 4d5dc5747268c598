// hvdbg's own DAP events and requests for the VS Code views: throttled `hvdbg.vmEvents` and
// `hvdbg.stats` events while the guest runs, and the requests hvdbgStats, hvdbgEvents, hvdbgScreen,
// hvdbgSerialInput and hvdbgTrace. Plugged into the session as a SessionFeature (docs/vscode.md).
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Vm } from '../../engine/hv/vm.js';
import { EXIT_REASON_KEYS, exitReasonName } from '../../engine/hv/exit-reasons.js';
import { EventLog, type LoggedEvent } from '../../engine/trace/event-log.js';
import { formatTraceHeader, formatTraceRecord } from '../../engine/trace/trace-format.js';
import { openTraceFile, describeEnd, type TraceFile } from './trace-file.js';
import { RequestError, type SessionContext, type SessionFeature } from './session-feature.js';

/** The custom requests, as clients send them (`session.customRequest(name, args)`). */
export const CUSTOM_REQUESTS = ['hvdbgStats', 'hvdbgEvents', 'hvdbgScreen', 'hvdbgSerialInput', 'hvdbgTrace'] as const;

/** Custom event names. */
export const VM_EVENTS_EVENT = 'hvdbg.vmEvents';
export const STATS_EVENT = 'hvdbg.stats';

/** Body of hvdbg.stats and of the hvdbgStats response. */
export interface StatsBody {
  strategy: string;
  adapterPid: number;                    // the process the adapter runs in (its own, or the extension host's when inline)
  instructions: number;                  // retired by all vCPUs
  hostMilliseconds: number;              // wall time since launch
  events: number;                        // VM events logged (all kinds)
  /** By VT-x basic exit reason, most first; cycles: modeled host cycles of the logged ones (cost table). */
  exits: { reason: number; key: string; name: string; count: number; cycles: number }[];
  cycles: number;                        // modeled host cycles of every logged event
  kinds: ReturnType<EventLog['countsByKind']>;
}

/** Body of hvdbg.vmEvents: what is new since the last one (at most NEW_EVENTS_PER_MESSAGE events). */
export interface VmEventsBody { total: number; kinds: StatsBody['kinds']; latest: LoggedEvent[] }

export interface CustomEventsOptions {
  /** Minimum time between two pushes of each event, in ms (default 250). */
  throttleMilliseconds?: number;
  /** Events kept for the views (default 10,000). */
  capacity?: number;
  /** Host clock in ms (default performance.now). */
  now?: () => number;
}

const NEW_EVENTS_PER_MESSAGE = 100;

export class CustomEvents implements SessionFeature {
  readonly commands = CUSTOM_REQUESTS;
  readonly log: EventLog;
  private vm?: Vm;
  private send?: (event: DebugProtocol.Event) => void;
  private meta: [string, string][] = [];
  private unsubscribe?: () => void;
  private traceFile?: TraceFile;          // the launch's "trace" file, while open
  private hasEnded = false;               // ended() ran: the last push is out
  private timer?: ReturnType<typeof setTimeout>;
  private lastPush = -Infinity;          // host time of the last push
  private pushedSeq = 0;                 // last event seq sent in hvdbg.vmEvents
  private startedAt = 0;
  private readonly throttle: number;
  private readonly now: () => number;

  constructor(options: CustomEventsOptions = {}) {
    this.throttle = options.throttleMilliseconds ?? 250;
    this.log = new EventLog(options.capacity);
    this.now = options.now ?? (() => performance.now());
  }

  /** SessionFeature: the guest was launched; log its events and, with "trace", write them to that file. */
  launched(ctx: SessionContext, launchArgs: Record<string, unknown>): void {
    const meta: [string, string][] = [['kernel', String(launchArgs.program ?? '')], ['strategy', ctx.vm.strategy.name]];
    this.attach(ctx.vm, (event) => ctx.sendEvent(event), meta);
    const trace = launchArgs.trace;
    if (typeof trace !== 'string' || trace === '') return;
    try {
      this.traceFile = openTraceFile(trace, ctx.vm, meta);
    } catch (error) {
      ctx.sendEvent({ seq: 0, type: 'event', event: 'output', body: { category: 'console', output: `hvdbg: cannot write the trace file ${trace}: ${(error as Error).message}\n` } });
    }
  }

  /** SessionFeature: the session or guest ends; the last counts go out and the trace file is closed. */
  ended(ctx: SessionContext): void {
    if (!this.vm || this.hasEnded) return;          // the guest's end and the session's end both call this
    this.hasEnded = true;
    this.flush();
    this.detach();
    this.traceFile?.close(describeEnd(ctx.vm));
    this.traceFile = undefined;
  }

  /** Starts logging vm's events and pushing them with send; meta goes into exported traces. */
  attach(vm: Vm, send: (event: DebugProtocol.Event) => void, meta: [string, string][] = []): void {
    this.detach();
    this.vm = vm;
    this.send = send;
    this.meta = meta;
    this.startedAt = this.now();
    this.unsubscribe = vm.onEvent.event((e) => { this.log.add(e); this.schedulePush(); });
  }

  /** Pushes what is pending now (call before a stopped event, so views are current when the UI stops). */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.push();
  }

  /** Stops listening; no more events are sent. */
  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  handle(ctx: SessionContext, command: string, args: Record<string, unknown>): unknown {
    const vm = this.vm ?? ctx.vm;
    switch (command) {
      case 'hvdbgStats': return this.stats(vm);
      case 'hvdbgEvents': return this.withSources(ctx, this.events(args));
      case 'hvdbgScreen': {
        const snapshot = vm.platform.vga.snapshot();
        return { text: vm.platform.vga.screenText(), lines: snapshot.lines, cursor: snapshot.cursor };
      }
      case 'hvdbgSerialInput': {
        const text = args.text;
        if (typeof text !== 'string') throw new RequestError('hvdbgSerialInput: "text" must be a string (the characters typed into COM1)');
        const bytes = new TextEncoder().encode(text);
        vm.com1.receive(bytes);
        return { bytes: bytes.length };
      }
      case 'hvdbgTrace': return { text: this.traceText() };
      default: throw new RequestError(`unknown hvdbg request "${command}"`);
    }
  }

  /** The kept events as .hvtrace text (the export command). */
  traceText(): string {
    const kept = this.log.since(0);
    let text = formatTraceHeader([...this.meta, ['events', `${this.log.total} (the last ${kept.length} kept)`]]);
    for (const e of kept) text += formatTraceRecord({ seq: e.seq, instructions: e.instructions, kind: e.kind, reason: e.reason, fields: e.fields });
    return text;
  }

  stats(vm: Vm): StatsBody {
    const kinds = this.log.countsByKind();
    const exitCycles = new Map((kinds.find((k) => k.kind === 'exit')?.reasons ?? []).map((r) => [r.reason, r.cycles]));
    const exits = [...vm.exitCounts].map(([reason, count]) => {
      const key = EXIT_REASON_KEYS[reason] ?? `reason${reason}`;
      return { reason, key, name: exitReasonName(reason), count, cycles: exitCycles.get(key) ?? 0 };
    }).sort((a, b) => b.count - a.count);
    return {
      strategy: vm.strategy.name, adapterPid: process.pid, instructions: vm.instructions, hostMilliseconds: Math.round(this.now() - this.startedAt),
      events: this.log.total, cycles: kinds.reduce((n, k) => n + k.cycles, 0), exits, kinds,
    };
  }

  private events(args: Record<string, unknown>): { total: number; events: LoggedEvent[] } {
    const { after, kind, reason, limit } = args;
    const max = limit === undefined ? 200 : limit;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) throw new RequestError('hvdbgEvents: "limit" must be a positive integer');
    if (kind !== undefined || reason !== undefined) {
      if (typeof kind !== 'string' || typeof reason !== 'string') throw new RequestError('hvdbgEvents: give "kind" and "reason" together, as strings');
      return { total: this.log.total, events: this.log.occurrences(kind, reason, max) };
    }
    const from = after === undefined ? 0 : after;
    if (typeof from !== 'number' || !Number.isInteger(from) || from < 0) throw new RequestError('hvdbgEvents: "after" must be a sequence number ≥ 0');
    return { total: this.log.total, events: this.log.since(from, max) };
  }

  /** Adds each event's source line and function (from the session's symbols) for "reveal in editor". */
  private withSources(ctx: SessionContext, found: { total: number; events: LoggedEvent[] }): unknown {
    const events = found.events.map((e) => {
      const line = ctx.symbols.addressToLine(e.eip);
      const fn = ctx.symbols.functionAt(e.eip);
      return { ...e, ...(line ? { source: { path: line.file, line: line.line } } : {}), ...(fn ? { function: fn.name } : {}) };
    });
    return { total: found.total, events };
  }

  private schedulePush(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastPush + this.throttle - this.now());
    this.timer = setTimeout(() => { this.timer = undefined; this.push(); }, wait);
  }

  private push(): void {
    if (!this.send || !this.vm) return;
    this.lastPush = this.now();
    const latest = this.log.since(this.pushedSeq).slice(-NEW_EVENTS_PER_MESSAGE);
    this.pushedSeq = this.log.total;
    const stats = this.stats(this.vm);
    const events: VmEventsBody = { total: this.log.total, kinds: stats.kinds, latest };
    this.send({ seq: 0, type: 'event', event: VM_EVENTS_EVENT, body: events });
    this.send({ seq: 0, type: 'event', event: STATS_EVENT, body: stats });
  }
}
