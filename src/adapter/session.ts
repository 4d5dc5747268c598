// The hvdbg debug session: maps each DAP request to one call on the VmRunner and each runner event to
// DAP events. Requests it does not implement get an error response; nothing a client sends crashes it.
import {
  DebugSession, ExitedEvent, InitializedEvent, OutputEvent, Response, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { checkLaunchArgs, type LaunchConfig } from './launch-args.js';
import { bootGuest, type BootedGuest } from './boot.js';
import { hex32, VmRunner } from './vm-runner.js';
import { InspectFeature } from './inspect/inspect-feature.js';
import { FEATURE_REFERENCE_BASE, RequestError, type FrameView, type SessionContext, type SessionFeature } from './session-feature.js';
import { SymbolSet } from '../../engine/debug/symbols/symbol-set.js';
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

const THREAD_ID = 1, FRAME_ID = 1;

/** The requests this adapter answers; every other command gets an error response. */
const CORE_COMMANDS = [
  'initialize', 'launch', 'configurationDone', 'setBreakpoints', 'threads', 'stackTrace', 'scopes', 'variables',
  'continue', 'pause', 'next', 'stepIn', 'disconnect', 'terminate', 'evaluate', 'setVariable',
];

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
  private readonly emptySymbols = new SymbolSet();
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
      supportsFunctionBreakpoints: false,
      supportsConditionalBreakpoints: false,
      supportsRestartRequest: false,
      supportsStepBack: false,
      supportsReadMemoryRequest: false,
      supportsDisassembleRequest: false,
      exceptionBreakpointFilters: [],
    };
    for (const feature of this.features) Object.assign(response.body, feature.capabilities ?? {});
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: unknown): void {
    if (this.config) return this.fail(response, ErrorId.State, 'this session has already launched a guest');
    const checked = checkLaunchArgs(args);
    if (!checked.ok) return this.fail(response, ErrorId.BadArguments, checked.error);
    const booted = bootGuest(checked.config);
    if (!booted.ok) return this.fail(response, ErrorId.Launch, booted.error);
    this.config = checked.config;
    this.guest = booted.guest;
    this.runner = this.createRunner(booted.guest, checked.config);
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
    const requested = Array.isArray(args.breakpoints) ? args.breakpoints : [];
    response.body = {
      breakpoints: requested.map((bp) => ({
        verified: false,
        line: typeof bp?.line === 'number' ? bp.line : undefined,
        message: 'hvdbg cannot set source-line breakpoints yet',
      })),
    };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'vCPU 0')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const guest = this.requireGuest(response);
    if (!guest || !this.requireThread(response, args.threadId)) return;
    const eip = guest.vm.cpu.eip;
    const name = guest.symbols.describe(eip) ?? `0x${hex32(eip)}`;
    const frame: DebugProtocol.StackFrame = {
      id: FRAME_ID, name, line: 0, column: 0, instructionPointerReference: `0x${hex32(eip)}`,
    };
    response.body = { stackFrames: [frame], totalFrames: 1 };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    if (!this.requireGuest(response)) return;
    if (args.frameId !== FRAME_ID) return this.fail(response, ErrorId.BadArguments, `unknown frameId ${String(args.frameId)}`);
    const frame = this.frameView(args.frameId)!;
    try {
      response.body = { scopes: this.features.flatMap((f) => f.scopes?.(this.context, frame) ?? []) };
      this.sendResponse(response);
    } catch (error) {
      this.failWith(response, error);
    }
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
      throw new RequestError(`unknown variablesReference ${String(reference)}`);
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
      throw new RequestError(`cannot evaluate "${args.expression}" yet`);
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
    runner.resume();
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    const runner = this.requireRunner(response);
    if (!runner || !this.requireThread(response, args.threadId)) return;
    this.sendResponse(response);
    runner.pause();
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.stepInstruction(response, args.threadId);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.stepInstruction(response, args.threadId);
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

  /** Single-steps one instruction (source-level stepping needs line tables, which come later). */
  private stepInstruction(response: DebugProtocol.Response, threadId: unknown): void {
    const runner = this.requireRunner(response);
    if (!runner || !this.requireThread(response, threadId)) return;
    if (runner.state !== 'stopped') {
      return this.fail(response, ErrorId.State, runner.state === 'running' ? 'cannot step while the guest runs' : 'the guest has ended');
    }
    this.sendResponse(response);
    this.started = true;
    runner.step();
  }

  private createRunner(guest: BootedGuest, config: LaunchConfig): VmRunner {
    const runner = new VmRunner(guest.vm, { maxInstructions: config.maxInstructions });
    runner.onOutput.event(({ text }) => this.sendEvent(new OutputEvent(text, 'stdout')));
    runner.onStopped.event(({ cause, description }) => this.sendStopped(cause, description));
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
      this.sendStopped('entry', `entry point 0x${hex32(entry)}${symbol ? ` (${symbol})` : ''}`);
    } else {
      this.runner.resume();
    }
  }

  private sendStopped(reason: string, description: string): void {
    const event = new StoppedEvent(reason, THREAD_ID) as DebugProtocol.StoppedEvent;
    event.body.description = description;
    event.body.allThreadsStopped = true;
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
    if (threadId === THREAD_ID) return true;
    this.fail(response, ErrorId.BadArguments, `unknown threadId ${String(threadId)} (the only thread is ${THREAD_ID}, "vCPU 0")`);
    return false;
  }

  private createContext(): SessionContext {
    const session = this; // eslint-disable-line @typescript-eslint/no-this-alias
    return {
      get vm() { return session.requireLaunched().vm; },
      get symbols() { return session.emptySymbols; },
      get stopped() { return session.runner?.state === 'stopped'; },
      frame: (frameId) => session.frameView(frameId),
      sendEvent: (event) => session.sendEvent(event),
    };
  }

  /** The frame with this DAP frameId (for now one frame per vCPU: the innermost). */
  private frameView(frameId: number): FrameView | undefined {
    if (frameId !== FRAME_ID || !this.guest) return undefined;
    const cpu = this.guest.vm.cpu;
    return { id: FRAME_ID, vcpu: 0, cpu, depth: 0, pc: (cpu.segBase[1] + cpu.eip) >>> 0 };
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
