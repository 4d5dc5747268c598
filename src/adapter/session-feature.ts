// The seam through which adapter parts other than the debug core (inspection views, console commands,
// custom events) plug into the session: a SessionFeature answers whole DAP commands, adds scopes and
// variables, and may claim console commands in `evaluate`. session.ts lists the features it serves.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Cpu } from '../../engine/cpu/cpu.js';
import type { Vm } from '../../engine/hv/vm.js';
import type { SymbolSet } from '../../engine/debug/symbols/symbol-set.js';

/** Feature variablesReferences start here; the debug core's stay below. */
export const FEATURE_REFERENCE_BASE = 0x100000;

/** A request a feature cannot answer as asked: the session turns it into an error response with this text. */
export class RequestError extends Error {}

/** One stack frame of a stopped vCPU, as features see it. */
export interface FrameView {
  /** The DAP frameId. */
  readonly id: number;
  /** Index of the vCPU (DAP threadId - 1). */
  readonly vcpu: number;
  readonly cpu: Cpu;
  /** 0 for the innermost frame. */
  readonly depth: number;
  /** Linear address of the frame's current instruction (return address - 1 is not applied). */
  readonly pc: number;
}

/** What a feature may use of the running session. */
export interface SessionContext {
  readonly vm: Vm;
  readonly symbols: SymbolSet;
  /** True while every vCPU is stopped (requests that read state should refuse otherwise). */
  readonly stopped: boolean;
  /** The frame with this DAP frameId from the last stackTrace, or undefined. */
  frame(frameId: number): FrameView | undefined;
  /** Sends a DAP event (e.g. `memory` after writeMemory, `invalidated` after setVariable). */
  sendEvent(event: DebugProtocol.Event): void;
}

/** A part of the adapter that answers some requests; every member is optional. */
export interface SessionFeature {
  /** Capabilities merged into the initialize response. */
  readonly capabilities?: DebugProtocol.Capabilities;
  /** Whole DAP commands this feature answers (e.g. 'readMemory', 'disassemble'). */
  readonly commands?: readonly string[];
  /** Answers one of `commands`: returns the response body; throws RequestError for bad arguments. */
  handle?(ctx: SessionContext, command: string, args: Record<string, unknown>): unknown;
  /** Scopes appended after the debug core's Locals and Globals for a frame. */
  scopes?(ctx: SessionContext, frame: FrameView): DebugProtocol.Scope[];
  /** Children of a variablesReference ≥ FEATURE_REFERENCE_BASE this feature handed out; undefined when not its own. */
  variables?(ctx: SessionContext, reference: number): DebugProtocol.Variable[] | undefined;
  /** setVariable on a container this feature handed out; undefined when not its own. */
  setVariable?(ctx: SessionContext, args: DebugProtocol.SetVariableArguments): DebugProtocol.SetVariableResponse['body'] | undefined;
  /**
   * A debug-console line in `evaluate` (context 'repl'): the result when the line is one of this
   * feature's commands (`info gdt`, `walk 0x1000`), undefined to let the expression evaluator have it.
   */
  evaluate?(ctx: SessionContext, args: DebugProtocol.EvaluateArguments): DebugProtocol.EvaluateResponse['body'] | undefined;
  /** The guest was launched (ctx.vm is set); launchArgs are the launch request's arguments as the client sent them. */
  launched?(ctx: SessionContext, launchArgs: Record<string, unknown>): void;
  /** The session or the guest ends (disconnect, terminate, guest exit): release what launched took. */
  ended?(ctx: SessionContext): void;
}
