// Event breakpoints: function breakpoints in the event syntax (`exit:io`, `#PF`, `cr3`) and the
// exception filters (one per kind), each with a condition over the event's fields. Subscribes to the
// VM's events and installs the CPU probe only while an armed breakpoint needs them.
import type { Vm } from '../../hv/vm.js';
import type { EvalEnvironment, FieldValue } from '../expression/value.js';
import { ExpressionError } from '../expression/lexer.js';
import { BreakpointBehaviour, type BreakpointOptions } from '../breakpoints/behaviour.js';
import { newBreakpointId, type BreakpointResult } from '../breakpoints/results.js';
import type { DebugEvent } from './debug-event.js';
import { installCpuProbe, type InstalledProbe } from './cpu-probe.js';
import { EVENT_FILTERS, EventSpecError, matches, needsProbe, parseEventSpec, type EventSpec } from './event-spec.js';
import { eventFields } from './event-text.js';

/** One armed event breakpoint. */
export interface EventBreakpoint {
  id: number;
  spec: EventSpec;
  /** As the user wrote it: the function-breakpoint name or the filter id. */
  label: string;
  origin: 'function' | 'filter';
  behaviour: BreakpointBehaviour;
}

/** A matched event whose breakpoint says to stop or to log. */
export interface EventHit { breakpoint: EventBreakpoint; event: DebugEvent; fields: Record<string, FieldValue>; stop: boolean; log?: string }

export class EventBreakpoints {
  private fromFunctions: EventBreakpoint[] = [];
  private fromFilters: EventBreakpoint[] = [];
  private armed: EventBreakpoint[] = [];
  private unsubscribe?: () => void;
  private probes: InstalledProbe[] = [];

  constructor(
    private readonly vm: Vm,
    private readonly isType: (name: string) => boolean,
    /** The expression environment of the vCPU an event happened on, with its fields. */
    private readonly environment: (vcpu: number, fields: Record<string, FieldValue>) => EvalEnvironment,
    /** Called for each hit that stops or logs. */
    private readonly onHit: (hit: EventHit) => void,
  ) {}

  /** Replaces the event breakpoints that came as function breakpoints. */
  setFunctionBreakpoints(requests: readonly (BreakpointOptions & { name: string })[]): BreakpointResult[] {
    const results: BreakpointResult[] = [];
    this.fromFunctions = [];
    for (const request of requests) {
      const id = newBreakpointId();
      try {
        const spec = parseEventSpec(request.name);
        this.fromFunctions.push({ id, spec, label: request.name, origin: 'function', behaviour: new BreakpointBehaviour(request, this.isType) });
        results.push({ id, verified: true });
      } catch (error) {
        if (!(error instanceof EventSpecError || error instanceof ExpressionError)) throw error;
        results.push({ id, verified: false, message: error.message });
      }
    }
    this.rearm();
    return results;
  }

  /** Replaces the armed exception filters (ids from EVENT_FILTERS, each with an optional condition). */
  setFilters(filters: readonly (BreakpointOptions & { filterId: string })[]): BreakpointResult[] {
    const results: BreakpointResult[] = [];
    this.fromFilters = [];
    for (const filter of filters) {
      const id = newBreakpointId();
      const known = EVENT_FILTERS.find((f) => f.id === filter.filterId);
      if (!known) {
        results.push({ id, verified: false, message: `unknown exception filter "${filter.filterId}" (one of ${EVENT_FILTERS.map((f) => f.id).join(', ')})` });
        continue;
      }
      try {
        const spec = parseEventSpec(known.id);
        this.fromFilters.push({ id, spec, label: known.label, origin: 'filter', behaviour: new BreakpointBehaviour(filter, this.isType) });
        results.push({ id, verified: true });
      } catch (error) {
        if (!(error instanceof EventSpecError || error instanceof ExpressionError)) throw error;
        results.push({ id, verified: false, message: error.message });
      }
    }
    this.rearm();
    return results;
  }

  /** Number of armed event breakpoints. */
  get size(): number { return this.armed.length; }

  /** Stops listening (the session ends). */
  dispose(): void {
    this.fromFunctions = [];
    this.fromFilters = [];
    this.rearm();
  }

  private rearm(): void {
    this.armed = [...this.fromFunctions, ...this.fromFilters];
    const wantsVmEvents = this.armed.some((b) => !needsProbe(b.spec) || b.spec.kind === 'interrupt');
    const wantsProbe = this.armed.some((b) => needsProbe(b.spec));
    if (wantsVmEvents && !this.unsubscribe) this.unsubscribe = this.vm.onEvent.event((e) => this.observe(e));
    if (!wantsVmEvents && this.unsubscribe) { this.unsubscribe(); this.unsubscribe = undefined; }
    if (wantsProbe && this.probes.length === 0) {
      this.probes = this.vm.vcpus.map((v) => installCpuProbe(v.cpu, v.index, (e) => this.observe(e)));
    }
    if (!wantsProbe && this.probes.length) {
      for (const p of this.probes) p.remove();
      this.probes = [];
    }
  }

  private observe(event: DebugEvent): void {
    for (const breakpoint of this.armed) {
      if (!matches(breakpoint.spec, event)) continue;
      const fields = eventFields(event);
      const decision = breakpoint.behaviour.decide(() => this.environment(event.vcpu, fields));
      if (decision.stop || decision.log) this.onHit({ breakpoint, event, fields, ...decision });
    }
  }
}
