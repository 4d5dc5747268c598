// The debug core of one machine: code breakpoints (source, function, instruction) armed in the
// CPUs' CodeBreakpoints, event breakpoints, the stepping targets, and the description of the last
// stop in words a person reads. The adapter maps DAP onto it one request to one call.
import { CodeBreakpoints } from '../cpu/code-breakpoints.js';
import { CS } from '../cpu/registers.js';
import type { Vm } from '../hv/vm.js';
import { Emitter } from '../util/event.js';
import { CodeBreakpointTable, type CodeBreakpoint } from './breakpoints/code-table.js';
import { encodeDataId, Watchpoints, type WatchHit } from './breakpoints/watchpoints.js';
import type { BreakpointBehaviour } from './breakpoints/behaviour.js';
import { evaluateText } from './expression/evaluator.js';
import { ExpressionError } from './expression/lexer.js';
import { byteSize, describeType } from './expression/value.js';
import type { DebugEvent } from './events/debug-event.js';
import { EventBreakpoints, type EventHit } from './events/event-breakpoints.js';
import { describeEvent } from './events/event-text.js';
import type { EvalEnvironment, FieldValue } from './expression/value.js';
import { frameEnvironment } from './frame-environment.js';
import { linearToPhysical, readGuest as readGuestBytes } from './machine/guest-memory-view.js';
import { unwindStack, type StackFrameInfo } from './stack.js';
import type { SymbolSet } from './symbols/symbol-set.js';

export type StopKind = 'breakpoint' | 'function breakpoint' | 'instruction breakpoint' | 'data breakpoint' | 'exception' | 'step' | 'goto' | 'pause' | 'entry';

/** Why the guest stopped, for the stopped event and exceptionInfo. */
export interface StopDetail {
  kind: StopKind;
  /** One line: "breakpoint 3 at kmain+0x12 (hello.c:41)", "VM exit 30 (I/O instruction): OUT dx=0x3f8 al=0x48 at …". */
  description: string;
  /** The vCPU that stopped (the others stopped with it). */
  vcpu: number;
  hitBreakpointIds: number[];
  /** The event of an event breakpoint, with its fields. */
  event?: DebugEvent;
  eventFields?: Record<string, FieldValue>;
  /** The breakpoint's label ("exit:io", "CPU exceptions"). */
  label?: string;
  /** Completes the description once the instruction has finished (a watchpoint's new value). */
  complete?: () => string;
}

/** What dataBreakpointInfo answers: a dataId for a watchable expression, or why there is none. */
export type DataInfo = { dataId: string; description: string } | { dataId: null; description: string };

export class Debugger {
  /** Shared by every vCPU: the instruction addresses the run loop stops before. */
  readonly codeBreakpoints = new CodeBreakpoints();
  readonly code: CodeBreakpointTable;
  readonly events: EventBreakpoints;
  readonly watchpoints: Watchpoints;
  /** Logpoint output and condition errors, one line each. */
  readonly onLog = new Emitter<string>();
  private pending?: StopDetail;
  private stepTargets = new Map<number, () => boolean>();     // temporary stops of a step: address → still wanted?
  private typeNames?: (name: string) => boolean;

  constructor(readonly vm: Vm, readonly symbols: SymbolSet) {
    for (const cpu of vm.cpus) cpu.codeBreakpoints = this.codeBreakpoints;
    this.codeBreakpoints.onHit = (linear) => this.onCodeHit(linear);
    const isType = (name: string) => this.isTypeName(name);
    this.code = new CodeBreakpointTable(symbols, isType, (physical) => this.physicalToLinear(physical), () => this.arm());
    this.events = new EventBreakpoints(vm, isType, (vcpu, fields) => this.environment(vcpu, undefined, fields), (hit) => this.onEventHit(hit));
    this.watchpoints = new Watchpoints(vm, isType, (hit, behaviour) => this.onWatchHit(hit, behaviour));
  }

  /** The data breakpoint for an expression evaluated in a vCPU's frame (a variable, a field, phys:ADDR). */
  dataInfo(expression: string, vcpu: number, frame?: StackFrameInfo): DataInfo {
    try {
      const value = evaluateText(expression, this.environment(vcpu, frame));
      if (!value.place || value.place.space === 'register') return { dataId: null, description: `${expression} is not in memory` };
      const size = byteSize(value.type);
      if (size === undefined || size === 0) return { dataId: null, description: `the size of ${describeType(value.type)} is not known` };
      const target = { space: value.place.space, address: value.place.address, size, label: expression };
      return { dataId: encodeDataId(target), description: `${expression} (${size} byte(s) at ${target.space} 0x${target.address.toString(16)})` };
    } catch (error) {
      if (error instanceof ExpressionError) return { dataId: null, description: error.message };
      throw error;
    }
  }

  /** The stop recorded since the last call (and forgets it). */
  takeStop(): StopDetail | undefined {
    const stop = this.pending;
    this.pending = undefined;
    if (stop?.complete) stop.description = stop.complete();
    return stop;
  }

  /** Records a stop the runner decided (pause, step, entry). */
  noteStop(stop: StopDetail): void { this.pending = stop; }

  /** "serial_putc+0x12 (uart.c:41)" or "0x00007c05" for a linear address. */
  where(linear: number): string {
    const fn = this.symbols.functionAt(linear);
    const line = this.symbols.addressToLine(linear);
    const name = fn?.text ?? `0x${(linear >>> 0).toString(16).padStart(8, '0')}`;
    return line ? `${name} (${line.file.slice(line.file.lastIndexOf('/') + 1)}:${line.line})` : name;
  }

  /** Linear address of a vCPU's next instruction. */
  pc(vcpu: number): number {
    const cpu = this.vm.cpus[vcpu];
    return (cpu.segBase[CS] + cpu.eip) >>> 0;
  }

  /** The frames of a vCPU, innermost first. */
  stack(vcpu: number): StackFrameInfo[] { return unwindStack(this.vm.cpus[vcpu], this.symbols); }

  /** The expression environment of a vCPU's frame (frame 0 when undefined) with extra fields. */
  environment(vcpu: number, frame?: StackFrameInfo, fields?: Record<string, FieldValue>): EvalEnvironment {
    const cpu = this.vm.cpus[vcpu];
    return frameEnvironment({ cpu, symbols: this.symbols, frame: frame ?? unwindStack(cpu, this.symbols)[0], fields });
  }

  /** Before resuming: the vCPU that stopped on a breakpoint executes that instruction instead of stopping again. */
  prepareResume(vcpu: number): void {
    const pc = this.pc(vcpu);
    if (this.codeBreakpoints.has(pc)) this.codeBreakpoints.passNext(pc);
  }

  /** Arms temporary stops for a step (run to a return address, run to cursor); replaces earlier ones. */
  setStepTargets(targets: Map<number, () => boolean>): void {
    this.stepTargets = targets;
    this.arm();
  }

  /** Ends the session's breakpoints: no hooks stay in the machine. */
  dispose(): void {
    this.events.dispose();
    this.watchpoints.dispose();
    this.stepTargets.clear();
    this.codeBreakpoints.replaceAll([]);
  }

  private arm(): void {
    this.codeBreakpoints.replaceAll([...this.code.byAddress.keys(), ...this.stepTargets.keys()]);
  }

  private isTypeName(name: string): boolean {
    if (!this.typeNames) {
      const env = frameEnvironment({ cpu: this.vm.cpu, symbols: this.symbols });
      this.typeNames = (n) => env.findType(n) !== undefined;
    }
    return this.typeNames(name);
  }

  private physicalToLinear(physical: number): number | undefined {
    const cpu = this.vm.cpu;
    if (!cpu.paging) return physical >>> 0;
    // Identity first, then the kernel's own images (a higher-half kernel maps its load address).
    if (linearToPhysical(cpu, physical) === physical) return physical >>> 0;
    for (const image of this.symbols.all) {
      for (const seg of image.elf.segments) {
        if (seg.type === 1 && physical >= seg.paddr && physical < seg.paddr + seg.memsz) {
          const linear = (seg.vaddr + image.bias + (physical - seg.paddr)) >>> 0;
          if (linearToPhysical(cpu, linear) === physical) return linear;
        }
      }
    }
    return undefined;
  }

  private onCodeHit(linear: number): boolean {
    const vcpu = this.vm.currentVcpu;
    const step = this.stepTargets.get(linear);
    if (step && step()) {
      this.pending ??= { kind: 'step', description: `stepped to ${this.where(linear)}`, vcpu, hitBreakpointIds: [] };
      this.vm.requestStop({ kind: 'breakpoint', eip: linear });
      return true;
    }
    const breakpoints = this.code.byAddress.get(linear);
    if (!breakpoints) return false;
    const stopping: CodeBreakpoint[] = [];
    let env: EvalEnvironment | undefined;
    for (const bp of breakpoints) {
      const decision = bp.behaviour.decide(() => (env ??= this.environment(vcpu)));
      if (decision.log) this.onLog.fire(`${decision.log}\n`);
      if (decision.stop) stopping.push(bp);
    }
    if (stopping.length === 0) return false;
    const first = stopping[0];
    const kind: StopKind = first.kind === 'function' ? 'function breakpoint' : first.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
    this.pending = {
      kind, vcpu, hitBreakpointIds: stopping.map((b) => b.id), label: first.label,
      description: `${kind} ${first.label} at ${this.where(linear)}${this.vm.cpus.length > 1 ? ` on vCPU ${vcpu}` : ''}`,
    };
    this.vm.requestStop({ kind: 'breakpoint', eip: linear });
    return true;
  }

  private onWatchHit(hit: WatchHit, behaviour: BreakpointBehaviour): boolean {
    const decision = behaviour.decide(() => this.environment(hit.vcpu));
    if (decision.log) this.onLog.fire(`${decision.log}\n`);
    if (!decision.stop || this.pending) return decision.stop;
    const cpu = this.vm.cpus[hit.vcpu];
    const at = (cpu.segBase[CS] + cpu.instrStart) >>> 0;
    const t = hit.target;
    const head = `data breakpoint ${t.label}: ${hit.write ? 'written' : 'read'} by ${this.where(at)}`;
    const shown = Math.min(t.size, 8);
    const number = (bytes: Uint8Array | undefined): string => {
      if (!bytes) return '?';
      let v = 0n;
      for (let k = bytes.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]);
      return `0x${v.toString(16)}`;
    };
    this.pending = {
      kind: 'data breakpoint', vcpu: hit.vcpu, hitBreakpointIds: [hit.id], label: t.label, description: head,
      complete: () => {
        if (!hit.write) return head;
        let after: Uint8Array | undefined;
        try { after = readGuestBytes(cpu, t.space, t.address, shown); } catch { after = undefined; }
        return `${head}: ${number(hit.before)} → ${number(after)}`;
      },
    };
    this.vm.requestStop({ kind: 'breakpoint', eip: at });
    return true;
  }

  private onEventHit(hit: EventHit): void {
    if (hit.log) this.onLog.fire(`${hit.log}\n`);
    if (!hit.stop || this.pending) return; // the first event of an instruction names the stop
    const e = hit.event;
    const linear = (this.vm.cpus[e.vcpu].segBase[CS] + e.eip) >>> 0;
    this.pending = {
      kind: hit.breakpoint.origin === 'filter' ? 'exception' : 'function breakpoint', vcpu: e.vcpu,
      hitBreakpointIds: [hit.breakpoint.id], event: e, eventFields: hit.fields, label: hit.breakpoint.label,
      description: `${describeEvent(e)} at ${this.where(linear)}${this.vm.cpus.length > 1 ? ` on vCPU ${e.vcpu}` : ''}`,
    };
    this.vm.requestStop({ kind: 'breakpoint', eip: linear });
  }
}
