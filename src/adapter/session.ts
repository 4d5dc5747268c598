// The hvdbg debug session: maps each DAP request to one call on the VmRunner and each runner event to
// DAP events. Requests it does not implement get an error response; nothing a client sends crashes it.
import {
  DebugSession, ExitedEvent, InitializedEvent, OutputEvent, Response, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { checkLaunchArgs, type LaunchConfig } from './launch-args.js';
import { bootGuest, type BootedGuest } from './boot.js';
import { hex32, VmRunner, type RunnerStopped } from './vm-runner.js';
import { Debugger, type StopDetail } from '../../engine/debug/debugger.js';
import { Step, type StepGranularity, type StepKind } from '../../engine/debug/stepping.js';
import type { StackFrameInfo } from '../../engine/debug/stack.js';
import { evaluateText } from '../../engine/debug/expression/evaluator.js';
import { ExpressionError } from '../../engine/debug/expression/lexer.js';
import { displayValue } from '../../engine/debug/value-display.js';
import { VariableStore } from './variable-store.js';
import { SourcePaths } from './source-paths.js';
import {
  BREAKPOINT_MODES, EXCEPTION_FILTERS, setBreakpoints, setExceptionBreakpoints, setFunctionBreakpoints, setInstructionBreakpoints,
} from './breakpoint-requests.js';
import { InspectFeature } from './inspect/inspect-feature.js';
import { FEATURE_REFERENCE_BASE, RequestError, type FrameView, type SessionContext, type SessionFeature } from './session-feature.js';
import { CustomEvents } from './custom-events.js';

/**
 * The adapter parts that plug in through the SessionFeature seam (inspection views, console commands,
 * custom events): one line each.
 */
function createFeatures(): SessionFeature[] {
  const customEvents = new CustomEvents();
  return [
    customEvents, // hvdbg.vmEvents / hvdbg.stats events and hvdbg* requests for the VS Code views
    new InspectFeature({ events: () => customEvents.log }), // Registers/Control/Descriptor tables/FPU/Virtualization, memory, disassembly, console commands
  ];
}

/** The requests this adapter answers; every other command gets an error response. */
const CORE_COMMANDS = [
  'initialize', 'launch', 'configurationDone', 'setBreakpoints', 'setFunctionBreakpoints', 'setInstructionBreakpoints',
  'setExceptionBreakpoints', 'exceptionInfo', 'threads', 'stackTrace', 'scopes', 'variables', 'continue', 'pause', 'next',
  'stepIn', 'stepOut', 'gotoTargets', 'goto', 'disconnect', 'terminate', 'evaluate', 'setVariable', 'dataBreakpointInfo',
  'setDataBreakpoints',
  'attach', // VS Code's "request": "attach" to `hvdbg dap --port N`: boots the configuration's guest there, as launch
];

/** DAP thread ids are vCPU index + 1. */
const threadOf = (vcpu: number): number => vcpu + 1;

/** Error ids in error responses (DAP Message.id). */
const enum ErrorId { Unsupported = 4001, BadArguments = 4002, Launch = 4003, State = 4004 }

export class HvdbgSession extends DebugSession {
  private config?: LaunchConfig;          // set by a successful launch
  private guest?: BootedGuest;            // the booted guest, after launch
  private runner?: VmRunner;              // runs guest, after launch
  private configurationDone = false;      // configurationDone received
  private started = false;                // the entry stop was reported or the guest started running
  private readonly features = createFeatures();
  private readonly featureCommands = new Map<string, SessionFeature>(); // DAP command → the feature answering it
  private readonly supportedCommands = new Set(CORE_COMMANDS);
  private core?: Debugger;                // the debug core, after launch
  private sourcePaths?: SourcePaths;      // resolves the line tables' relative paths
  private readonly variableStore = new VariableStore();
  private frames = new Map<number, { vcpu: number; frame: StackFrameInfo }>(); // DAP frameId → frame, while stopped
  private nextFrameId = 1;
  private lastStop?: StopDetail;           // the stop being shown (exceptionInfo)
  private gotoAddresses = new Map<number, number>(); // goto target id → linear address
  /** What features see of this session. */
  private readonly context: SessionContext = this.createContext();

  constructor() {
    super();
    for (const feature of this.features) {
      for (const command of feature.commands ?? []) {
        this.featureCommands.set(command, feature);
        this.supportedCommands.add(command);
      }
    }
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    // The base class shuts down on any 'error'; a malformed message must not end the session.
    this.removeAllListeners('error');
    this.on('error', (event: DebugProtocol.Event) => {
      const text = String(event.body ?? '');
      if (text.startsWith('Error handling data')) {
        this.sendEvent(new OutputEvent(`hvdbg: ignored a malformed DAP message (${text})\n`, 'console'));
      } else {
        this.shutdown();
      }
    });
  }

  override shutdown(): void {
    this.runner?.dispose();
    this.core?.dispose();
    if (this.guest) for (const feature of this.features) feature.ended?.(this.context);
    super.shutdown();
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (typeof request.command !== 'string' || !this.supportedCommands.has(request.command)) {
      this.fail(new Response(request), ErrorId.Unsupported, `hvdbg does not support the "${String(request.command)}" request`);
      return;
    }
    const args: unknown = request.arguments;
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      this.fail(new Response(request), ErrorId.BadArguments, `the arguments of "${request.command}" must be an object`);
      return;
    }
    const feature = this.featureCommands.get(request.command);
    if (feature?.handle) {
      const response: DebugProtocol.Response = new Response(request);
      try {
        response.body = feature.handle(this.context, request.command, (args ?? {}) as Record<string, unknown>);
        this.sendResponse(response);
      } catch (error) {
        this.failWith(response, error);
      }
      return;
    }
    super.dispatchRequest({ ...request, arguments: args ?? {} });
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsTerminateRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsInstructionBreakpoints: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      supportsSteppingGranularity: true,
      supportsGotoTargetsRequest: true,
      supportsDataBreakpoints: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsRestartRequest: false,
      supportsStepBack: false,
      supportsReadMemoryRequest: false,
      supportsDisassembleRequest: false,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      breakpointModes: BREAKPOINT_MODES,
    };
    for (const feature of this.features) Object.assign(response.body, feature.capabilities ?? {});
    this.sendResponse(response);
  }

  /** attach (to an adapter serving a port): the adapter has no guest yet, so it boots the one the configuration names. */
  protected override attachRequest(response: DebugProtocol.AttachResponse, args: unknown): void {
    this.launchRequest(response as DebugProtocol.LaunchResponse, args);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: unknown): void {
    if (this.config) return this.fail(response, ErrorId.State, 'this session has already launched a guest');
    const checked = checkLaunchArgs(args);
    if (!checked.ok) return this.fail(response, ErrorId.BadArguments, checked.error);
    const booted = bootGuest(checked.config);
    if (!booted.ok) return this.fail(response, ErrorId.Launch, booted.error);
    this.config = checked.config;
    this.guest = booted.guest;
    this.core = new Debugger(booted.guest.vm, booted.guest.symbolSet);
    this.core.onLog.event((line) => this.sendEvent(new OutputEvent(line, 'console')));
    this.sourcePaths = new SourcePaths(checked.config.program, checked.config.sourceRoot);
    this.runner = this.createRunner(booted.guest, checked.config, this.core);
    for (const feature of this.features) feature.launched?.(this.context, args as Record<string, unknown>);
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
    if (this.configurationDone) this.startGuest();
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configurationDone = true;
    this.sendResponse(response);
    if (this.runner) this.startGuest();
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.answer(response, () => setBreakpoints(this.requireCore(), args as unknown as Record<string, unknown>, this.sourcePaths!));
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.answer(response, () => setFunctionBreakpoints(this.requireCore(), args as unknown as Record<string, unknown>));
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.answer(response, () => setInstructionBreakpoints(this.requireCore(), args as unknown as Record<string, unknown>));
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.answer(response, () => setExceptionBreakpoints(this.requireCore(), args as unknown as Record<string, unknown>));
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.answer(response, () => {
      const core = this.requireCore();
      if (typeof args.name !== 'string' || args.name === '') throw new RequestError('dataBreakpointInfo needs a "name"');
      let expression = args.name;
      let vcpu = this.runner?.stoppedVcpu ?? 0;
      let frame: StackFrameInfo | undefined;
      if (typeof args.variablesReference === 'number' && args.variablesReference > 0) {
        const found = this.variableStore.expressionOf(args.variablesReference, args.name);
        if (!found) return { dataId: null, description: `${args.name} cannot be watched` };
        expression = found.expression;
        if (found.origin) ({ vcpu, frame } = found.origin);
      } else if (typeof args.frameId === 'number') {
        const entry = this.frames.get(args.frameId);
        if (entry) ({ vcpu, frame } = entry);
      }
      const info = core.dataInfo(expression, vcpu, frame);
      return info.dataId === null ? info : { ...info, accessTypes: ['read', 'write', 'readWrite'], canPersist: true };
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.answer(response, () => {
      const core = this.requireCore();
      if (!Array.isArray(args.breakpoints)) throw new RequestError('"breakpoints" must be a list');
      const requests = args.breakpoints.map((bp, k) => {
        if (typeof bp?.dataId !== 'string') throw new RequestError(`breakpoints[${k}].dataId must be a string`);
        if (bp.accessType !== undefined && !['read', 'write', 'readWrite'].includes(bp.accessType)) throw new RequestError(`breakpoints[${k}].accessType must be read, write or readWrite`);
        return { dataId: bp.dataId, accessType: bp.accessType, condition: bp.condition, hitCondition: bp.hitCondition };
      });
      return { breakpoints: core.watchpoints.set(requests).map((r) => ({ id: r.id, verified: r.verified, message: r.message })) };
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    this.answer(response, () => {
      this.vcpuOf(args.threadId);
      const stop = this.lastStop;
      if (!stop || !stop.event) throw new RequestError('the guest did not stop on an event breakpoint');
      const fields = Object.entries(stop.eventFields ?? {}).map(([name, value]) => `${name} = ${formatField(value)}`).join('\n');
      return {
        exceptionId: stop.label ?? stop.event.kind, description: stop.description, breakMode: 'always' as const,
        details: { message: stop.description, typeName: stop.event.kind, fullTypeName: stop.label, stackTrace: fields },
      };
    });
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const vcpus = this.guest?.vm.vcpus ?? [];
    response.body = { threads: vcpus.length ? vcpus.map((v) => new Thread(threadOf(v.index), `vCPU ${v.index}`)) : [new Thread(1, 'vCPU 0')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.answer(response, () => {
      const vcpu = this.vcpuOf(args.threadId);
      const core = this.requireCore();
      const all = core.stack(vcpu);
      const start = typeof args.startFrame === 'number' && args.startFrame > 0 ? args.startFrame : 0;
      const count = typeof args.levels === 'number' && args.levels > 0 ? args.levels : all.length;
      const stackFrames = all.slice(start, start + count).map((frame): DebugProtocol.StackFrame => {
        const id = this.nextFrameId++;
        this.frames.set(id, { vcpu, frame });
        const source = frame.source && this.sourcePaths
          ? { name: frame.source.file.slice(frame.source.file.lastIndexOf('/') + 1), path: this.sourcePaths.resolve(frame.source.file) }
          : undefined;
        return {
          id, name: frame.name, line: frame.source?.line ?? 0, column: frame.source ? Math.max(1, frame.source.column) : 0,
          ...(source ? { source } : {}), instructionPointerReference: `0x${hex32(frame.pc)}`,
          ...(frame.inlined ? { presentationHint: 'subtle' as const } : {}),
        };
      });
      return { stackFrames, totalFrames: all.length };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.answer(response, () => {
      this.requireLaunched();
      const view = this.frameView(args.frameId);
      const entry = this.frames.get(args.frameId);
      if (!view || !entry) throw new RequestError(`unknown frameId ${String(args.frameId)} (frames last only while the guest is stopped)`);
      const scopes: DebugProtocol.Scope[] = [];
      if (entry.frame.image) {
        scopes.push({ name: 'Locals', presentationHint: 'locals', variablesReference: this.variableStore.scope('locals', entry.vcpu, entry.frame), expensive: false });
      }
      if (this.core!.symbols.all.length) {
        scopes.push({ name: 'Globals', variablesReference: this.variableStore.scope('globals', entry.vcpu, entry.frame), expensive: true });
      }
      return { scopes: [...scopes, ...this.features.flatMap((f) => f.scopes?.(this.context, view) ?? [])] };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const guest = this.requireGuest(response);
    if (!guest) return;
    const reference = args.variablesReference;
    try {
      if (typeof reference === 'number' && reference >= FEATURE_REFERENCE_BASE) {
        for (const feature of this.features) {
          const variables = feature.variables?.(this.context, reference);
          if (variables) { response.body = { variables }; this.sendResponse(response); return; }
        }
      }
      if (typeof reference !== 'number') throw new RequestError('"variablesReference" must be a number');
      response.body = { variables: this.variableStore.variables(this.requireCore(), reference) };
      this.sendResponse(response);
    } catch (error) {
      this.failWith(response, error);
    }
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    if (!this.requireGuest(response)) return;
    try {
      for (const feature of this.features) {
        const body = feature.setVariable?.(this.context, args);
        if (body) { response.body = body; this.sendResponse(response); return; }
      }
      if (typeof args.name !== 'string' || typeof args.value !== 'string') throw new RequestError('setVariable needs a "name" and a "value" string');
      const mine = this.runner?.state === 'stopped' ? this.variableStore.set(this.requireCore(), args.variablesReference, args.name, args.value) : undefined;
      if (mine) { response.body = mine; this.sendResponse(response); return; }
      throw new RequestError(`cannot set "${String(args.name)}" in variablesReference ${String(args.variablesReference)}`);
    } catch (error) {
      this.failWith(response, error);
    }
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    if (typeof args.expression !== 'string') return this.fail(response, ErrorId.BadArguments, 'evaluate needs an "expression" string');
    try {
      for (const feature of this.features) {
        const body = feature.evaluate?.(this.context, args);
        if (body) { response.body = body; this.sendResponse(response); return; }
      }
      response.body = this.evaluateExpression(args);
      this.sendResponse(response);
    } catch (error) {
      this.failWith(response, error);
    }
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    const runner = this.requireRunner(response);
    if (!runner || !this.requireThread(response, args.threadId)) return;
    if (runner.state === 'exited') return this.fail(response, ErrorId.State, 'the guest has ended');
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.started = true;
    this.invalidateStop();
    runner.resume();
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    const runner = this.requireRunner(response);
    if (!runner || !this.requireThread(response, args.threadId)) return;
    this.sendResponse(response);
    runner.pause();
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.startStep(response, args.threadId, 'over', args.granularity);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.startStep(response, args.threadId, 'into', args.granularity);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.startStep(response, args.threadId, 'out', args.granularity);
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    this.answer(response, () => {
      const path = typeof args.source?.path === 'string' ? args.source.path : undefined;
      if (!path || typeof args.line !== 'number') throw new RequestError('gotoTargets needs a source path and a line');
      const found = this.requireCore().symbols.lineToAddresses(path, args.line);
      if (!found) return { targets: [] };
      return {
        targets: found.addresses.map((address) => {
          const id = this.gotoAddresses.size + 1;
          this.gotoAddresses.set(id, address);
          return { id, label: `${found.line}: ${this.core!.where(address)}`, line: found.line, instructionPointerReference: `0x${hex32(address)}` };
        }),
      };
    });
  }

  /** goto: the vCPU continues at the target (EIP is set; nothing runs until continue or a step). */
  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    let vcpu: number;
    try {
      vcpu = this.vcpuOf(args.threadId);
      const address = this.gotoAddresses.get(args.targetId);
      if (address === undefined) throw new RequestError(`unknown goto targetId ${String(args.targetId)}`);
      if (this.runner?.state !== 'stopped') throw new RequestError('goto needs the guest stopped');
      const cpu = this.guest!.vm.cpus[vcpu];
      cpu.eip = (address - cpu.segBase[1]) >>> 0;
    } catch (error) {
      return this.failWith(response, error);
    }
    this.sendResponse(response);
    this.invalidateStop();
    this.sendStoppedEvent({ cause: 'goto', vcpu, description: `jumped to ${this.core!.where(this.core!.pc(vcpu))}` });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runner?.dispose();
    this.guest?.release();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runner?.dispose();
    this.guest?.release();
    this.sendResponse(response);
    this.shutdown();
  }

  /** Starts a step of the stopped vCPU (every vCPU runs while it steps). */
  private startStep(response: DebugProtocol.Response, threadId: unknown, kind: StepKind, granularity: unknown): void {
    const runner = this.requireRunner(response);
    if (!runner) return;
    let vcpu: number;
    try { vcpu = this.vcpuOf(threadId); } catch (error) { return this.failWith(response, error); }
    if (runner.state !== 'stopped') {
      return this.fail(response, ErrorId.State, runner.state === 'running' ? 'cannot step while the guest runs' : 'the guest has ended');
    }
    const unit: StepGranularity = granularity === 'instruction' ? 'instruction' : 'line';
    this.sendResponse(response);
    this.started = true;
    this.invalidateStop();
    runner.runStep(new Step(this.core!, vcpu, kind, unit));
  }

  /** Evaluates an expression in a frame (the stopped vCPU's innermost when none), with the stopped event's fields. */
  private evaluateExpression(args: DebugProtocol.EvaluateArguments): DebugProtocol.EvaluateResponse['body'] {
    const core = this.requireCore();
    if (this.runner?.state !== 'stopped') throw new RequestError('expressions are evaluated while the guest is stopped');
    const entry = typeof args.frameId === 'number' ? this.frames.get(args.frameId) : undefined;
    if (typeof args.frameId === 'number' && !entry) throw new RequestError(`unknown frameId ${args.frameId}`);
    const vcpu = entry?.vcpu ?? this.runner.stoppedVcpu;
    const env = core.environment(vcpu, entry?.frame, this.lastStop?.eventFields);
    try {
      const value = evaluateText(args.expression, env);
      const unreadable = displayValue(value, env).error;
      if (unreadable !== undefined) throw new RequestError(unreadable);
      const variable = this.variableStore.variable(args.expression, value, env, args.expression);
      return { result: variable.value, type: variable.type, variablesReference: variable.variablesReference, memoryReference: variable.memoryReference };
    } catch (error) {
      if (error instanceof ExpressionError) throw new RequestError(error.message);
      throw error;
    }
  }

  /** Forgets what belongs to the current stop (frames, variable references): the guest moves on. */
  private invalidateStop(): void {
    this.frames.clear();
    this.variableStore.clear();
    this.gotoAddresses.clear();
    this.lastStop = undefined;
  }

  /** Runs body and answers with its result as the response body, or with the error it throws. */
  private answer(response: DebugProtocol.Response, body: () => unknown): void {
    try {
      response.body = body();
      this.sendResponse(response);
    } catch (error) {
      this.failWith(response, error);
    }
  }

  private requireCore(): Debugger {
    if (!this.core) throw new RequestError('no guest has been launched in this session');
    return this.core;
  }

  /** The vCPU index of a DAP threadId, or a RequestError naming the threads there are. */
  private vcpuOf(threadId: unknown): number {
    const count = this.guest?.vm.vcpus.length ?? 1;
    if (typeof threadId === 'number' && Number.isInteger(threadId) && threadId >= 1 && threadId <= count) return threadId - 1;
    throw new RequestError(`unknown threadId ${String(threadId)} (threads are 1 to ${count}, one per vCPU)`);
  }

  private createRunner(guest: BootedGuest, config: LaunchConfig, core: Debugger): VmRunner {
    const runner = new VmRunner(guest.vm, { maxInstructions: config.maxInstructions, debuggerCore: core });
    runner.onOutput.event(({ text }) => this.sendEvent(new OutputEvent(text, 'stdout')));
    runner.onStopped.event((stopped) => { this.invalidateStop(); this.lastStop = stopped.detail; this.sendStoppedEvent(stopped); });
    runner.onExited.event(({ description, exitCode }) => {
      guest.release(); // writable disk images reach their files when the guest ends
      this.sendEvent(new OutputEvent(`${description}\n`, 'console'));
      for (const feature of this.features) feature.ended?.(this.context);
      this.sendEvent(new ExitedEvent(exitCode));
      this.sendEvent(new TerminatedEvent());
    });
    return runner;
  }

  /** After launch and configurationDone: report the entry stop, or let the guest run. */
  private startGuest(): void {
    if (this.started || !this.runner || !this.guest || !this.config) return;
    this.started = true;
    if (this.config.stopOnEntry) {
      const entry = this.guest.entry;
      const symbol = this.guest.symbols.describe(entry);
      this.sendStoppedEvent({ cause: 'entry', vcpu: 0, description: `entry point 0x${hex32(entry)}${symbol ? ` (${symbol})` : ''}` });
    } else {
      this.runner.resume();
    }
  }

  private sendStoppedEvent(stopped: Pick<RunnerStopped, 'cause' | 'description' | 'vcpu' | 'detail'>): void {
    const event = new StoppedEvent(stopped.cause, threadOf(stopped.vcpu)) as DebugProtocol.StoppedEvent;
    event.body.description = stopped.description;
    event.body.text = stopped.description;
    event.body.allThreadsStopped = true;
    if (stopped.detail?.hitBreakpointIds.length) event.body.hitBreakpointIds = stopped.detail.hitBreakpointIds;
    this.sendEvent(event);
  }

  private requireRunner(response: DebugProtocol.Response): VmRunner | undefined {
    if (!this.runner) this.fail(response, ErrorId.State, 'no guest has been launched in this session');
    return this.runner;
  }

  private requireGuest(response: DebugProtocol.Response): BootedGuest | undefined {
    if (!this.guest) this.fail(response, ErrorId.State, 'no guest has been launched in this session');
    return this.guest;
  }

  private requireThread(response: DebugProtocol.Response, threadId: unknown): boolean {
    try {
      this.vcpuOf(threadId);
      return true;
    } catch (error) {
      this.failWith(response, error);
      return false;
    }
  }

  private createContext(): SessionContext {
    const session = this; // eslint-disable-line @typescript-eslint/no-this-alias
    return {
      get vm() { return session.requireLaunched().vm; },
      get symbols() { return session.requireLaunched().symbolSet; },
      get stopped() { return session.runner?.state === 'stopped'; },
      frame: (frameId) => session.frameView(frameId),
      sendEvent: (event) => session.sendEvent(event),
    };
  }

  /** The frame with this DAP frameId from the last stackTrace. */
  private frameView(frameId: number): FrameView | undefined {
    const entry = this.frames.get(frameId);
    if (!entry || !this.guest) return undefined;
    return { id: frameId, vcpu: entry.vcpu, cpu: this.guest.vm.cpus[entry.vcpu], depth: entry.frame.index, pc: entry.frame.pc };
  }

  /** The launched guest, or a RequestError for features. */
  private requireLaunched(): BootedGuest {
    if (!this.guest) throw new RequestError('no guest has been launched in this session');
    return this.guest;
  }

  /** An error response for a thrown error: RequestError text as is, anything else as an adapter bug. */
  private failWith(response: DebugProtocol.Response, error: unknown): void {
    if (error instanceof RequestError) return this.fail(response, ErrorId.BadArguments, error.message);
    const text = error instanceof Error ? error.message : String(error);
    this.fail(response, ErrorId.State, `hvdbg internal error in "${response.command}": ${text}`);
  }

  /** Sends an error response whose message is exactly text (shown to the user). */
  private fail(response: DebugProtocol.Response, id: ErrorId, text: string): void {
    this.sendErrorResponse(response, { id, format: text, variables: {}, showUser: true });
  }
}

/** An event field for exceptionInfo: numbers in hex, the rest as JSON. */
function formatField(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) && value > 9 ? `0x${(value >>> 0).toString(16)}` : String(value);
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v));
}
