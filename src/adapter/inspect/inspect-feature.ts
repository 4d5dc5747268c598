// The inspection side of the adapter as one SessionFeature: the Registers, Control, Descriptor tables,
// FPU and Virtualization scopes (setVariable on registers), readMemory/writeMemory with `memory`
// events, disassemble, and the console commands (`info gdt`, `walk ADDR` …) in evaluate.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { InvalidatedEvent, MemoryEvent } from '@vscode/debugadapter';
import type { Cpu } from '../../../engine/cpu/cpu.js';
import { findNode, type InspectNode } from '../../../engine/debug/inspect/node.js';
import { registerNodes } from '../../../engine/debug/inspect/registers.js';
import { controlNodes } from '../../../engine/debug/inspect/control.js';
import { descriptorTableNodes } from '../../../engine/debug/inspect/tables-view.js';
import { fpuNodes } from '../../../engine/debug/inspect/fpu.js';
import { virtualizationNodes } from '../../../engine/debug/inspect/virtualization.js';
import { setRegister } from '../../../engine/debug/inspect/register-edit.js';
import { runConsoleCommand, type EventHistory } from '../../../engine/debug/inspect/console.js';
import { formatMemoryReference } from '../../../engine/debug/inspect/memory-reference.js';
import { VmStatistics } from '../../../engine/hv/stats/vm-statistics.js';
import { RequestError, type FrameView, type SessionContext, type SessionFeature } from '../session-feature.js';
import { VariableStore, type ReferenceTarget } from './variable-store.js';
import { readMemoryRequest, writeMemoryRequest } from './memory-requests.js';
import { disassembleRequest } from './disassemble-request.js';

/** The scopes this feature adds, in display order, with the registers-style hint where it applies. */
const SCOPES = ['Registers', 'Control', 'Descriptor tables', 'FPU', 'Virtualization'] as const;
type ScopeName = typeof SCOPES[number];
/** Scopes whose values setVariable may change. */
const EDITABLE_SCOPES: ReadonlySet<string> = new Set(['Registers', 'Control']);

export interface InspectFeatureOptions {
  /** The session's VM event log (for the Virtualization scope and `trace last N`), when one is kept. */
  events?: () => EventHistory | undefined;
}

export class InspectFeature implements SessionFeature {
  readonly capabilities: DebugProtocol.Capabilities = {
    supportsReadMemoryRequest: true,
    supportsWriteMemoryRequest: true,
    supportsDisassembleRequest: true,
    supportsSetVariable: true,
  };
  readonly commands = ['readMemory', 'writeMemory', 'disassemble'] as const;
  private readonly store = new VariableStore();
  private statistics?: VmStatistics;          // per kind/reason statistics of this session's guest (for `stats`)
  private stopStatistics?: () => void;

  constructor(private readonly options: InspectFeatureOptions = {}) {}

  launched(ctx: SessionContext): void {
    this.ended();
    this.statistics = new VmStatistics(ctx.vm.strategy.name);
    this.stopStatistics = this.statistics.observe(ctx.vm);
  }

  ended(): void {
    this.stopStatistics?.();
    this.stopStatistics = undefined;
  }

  handle(ctx: SessionContext, command: string, args: Record<string, unknown>): unknown {
    const cpu = this.cpuFor(ctx, args.threadId);
    switch (command) {
      case 'readMemory': return readMemoryRequest(cpu, args);
      case 'writeMemory': {
        const { body, count } = writeMemoryRequest(cpu, args);
        ctx.sendEvent(new MemoryEvent(String(args.memoryReference), typeof args.offset === 'number' ? args.offset : 0, count));
        return body;
      }
      case 'disassemble': return disassembleRequest(cpu, args, ctx.symbols);
      default: throw new RequestError(`the inspection feature does not answer "${command}"`);
    }
  }

  scopes(_ctx: SessionContext, frame: FrameView): DebugProtocol.Scope[] {
    return SCOPES.map((name): DebugProtocol.Scope => ({
      name,
      variablesReference: this.store.referenceFor({ vcpu: frame.vcpu, scope: name, path: [] }),
      expensive: name === 'Descriptor tables',
      presentationHint: name === 'Registers' ? 'registers' : undefined,
    }));
  }

  variables(ctx: SessionContext, reference: number): DebugProtocol.Variable[] | undefined {
    const target = this.store.targetOf(reference);
    if (!target) return undefined;
    const children = this.childrenOf(ctx, target);
    return children.map((node) => this.store.toVariable(node, target));
  }

  setVariable(ctx: SessionContext, args: DebugProtocol.SetVariableArguments): DebugProtocol.SetVariableResponse['body'] | undefined {
    const target = typeof args.variablesReference === 'number' ? this.store.targetOf(args.variablesReference) : undefined;
    if (!target) return undefined;
    if (typeof args.name !== 'string' || typeof args.value !== 'string') throw new RequestError('setVariable needs a "name" and a "value" string');
    if (!EDITABLE_SCOPES.has(target.scope)) throw new RequestError(`${args.name} in ${target.scope} is read-only`);
    if (!ctx.stopped) throw new RequestError('registers can be changed only while the guest is stopped');
    const cpu = this.cpuOf(ctx, target.vcpu);
    const path = [...target.path, args.name];
    const node = findNode(this.rootNodes(ctx, target.vcpu, target.scope as ScopeName), path);
    if (!node) throw new RequestError(`${path.join('.')} is not in ${target.scope}`);
    if (!node.editable) throw new RequestError(`${path.join('.')} is read-only`);
    const result = setRegister(cpu, path, args.value);
    if (!result.ok) throw new RequestError(result.error);
    const updated = findNode(this.rootNodes(ctx, target.vcpu, target.scope as ScopeName), path)!;
    ctx.sendEvent(new InvalidatedEvent(['variables']));
    return {
      value: updated.value,
      type: updated.type,
      variablesReference: updated.children ? this.store.referenceFor({ ...target, path }) : 0,
      memoryReference: updated.memory ? formatMemoryReference(updated.memory) : undefined,
    } as DebugProtocol.SetVariableResponse['body'];
  }

  evaluate(ctx: SessionContext, args: DebugProtocol.EvaluateArguments): DebugProtocol.EvaluateResponse['body'] | undefined {
    if (args.context !== undefined && args.context !== 'repl') return undefined;
    const frame = typeof args.frameId === 'number' ? ctx.frame(args.frameId) : undefined;
    const result = runConsoleCommand(args.expression, {
      vm: ctx.vm, vcpu: frame?.vcpu ?? 0, symbols: ctx.symbols, events: this.options.events?.(), statistics: this.statistics,
    });
    if (!result) return undefined;
    if (!result.ok) throw new RequestError(result.error);
    return { result: result.text, variablesReference: 0 };
  }

  private childrenOf(ctx: SessionContext, target: ReferenceTarget): InspectNode[] {
    const roots = this.rootNodes(ctx, target.vcpu, target.scope as ScopeName);
    if (target.path.length === 0) return roots;
    const node = findNode(roots, target.path);
    // The node may be gone (a table shrank since the client expanded it): show nothing rather than fail.
    return node?.children?.() ?? [];
  }

  private rootNodes(ctx: SessionContext, vcpu: number, scope: ScopeName): InspectNode[] {
    const cpu = this.cpuOf(ctx, vcpu);
    switch (scope) {
      case 'Registers': return registerNodes(cpu);
      case 'Control': return controlNodes(cpu);
      case 'Descriptor tables': return descriptorTableNodes(cpu, (a) => ctx.symbols.functionAt(a)?.text);
      case 'FPU': return fpuNodes(cpu.fpu);
      case 'Virtualization': {
        const events = this.options.events?.();
        const last = events && events.total > 0 ? events.since(events.total - 1, 1)[0] : undefined;
        return virtualizationNodes(ctx.vm, vcpu, last, events !== undefined);
      }
    }
  }

  private cpuOf(ctx: SessionContext, vcpu: number): Cpu {
    const cpu = ctx.vm.cpus[vcpu];
    if (!cpu) throw new RequestError(`there is no vCPU ${vcpu}`);
    return cpu;
  }

  /** The CPU a memory request reads through (its paging): the given DAP thread's (an hvdbg extension), else vCPU 0. */
  private cpuFor(ctx: SessionContext, threadId: unknown): Cpu {
    if (threadId === undefined) return ctx.vm.cpu;
    if (typeof threadId !== 'number' || !ctx.vm.cpus[threadId - 1]) throw new RequestError(`unknown threadId ${String(threadId)}`);
    return ctx.vm.cpus[threadId - 1];
  }
}
