// DAP breakpoint requests mapped onto the debug core, one to one: setBreakpoints (source lines),
// setFunctionBreakpoints (symbols, or events in the event syntax), setInstructionBreakpoints (linear
// or physical mode), setExceptionBreakpoints (the event filters). Arguments are checked first; a
// breakpoint that cannot be set comes back unverified with the reason.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Debugger } from '../../engine/debug/debugger.js';
import type { BreakpointOptions } from '../../engine/debug/breakpoints/behaviour.js';
import type { BreakpointResult } from '../../engine/debug/breakpoints/results.js';
import { EVENT_FILTERS, isEventSpec } from '../../engine/debug/events/event-spec.js';
import { RequestError } from './session-feature.js';
import type { SourcePaths } from './source-paths.js';

/** The instruction-breakpoint modes the adapter offers (DAP breakpointModes). */
export const BREAKPOINT_MODES: DebugProtocol.BreakpointMode[] = [
  { mode: 'linear', label: 'Linear address', description: 'Stop at this linear (segment base + offset) address', appliesTo: ['instruction'] },
  { mode: 'physical', label: 'Physical address', description: 'Stop at the linear address that maps to this physical one now', appliesTo: ['instruction'] },
];

/** The event filters as DAP exceptionBreakpointFilters (each takes a condition). */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = EVENT_FILTERS.map((f) => ({
  filter: f.id, label: f.label, description: f.description, default: false, supportsCondition: true,
  conditionDescription: f.description.slice(f.description.indexOf('condition')),
}));

function list(args: Record<string, unknown>, key: string, required: boolean): Record<string, unknown>[] {
  const value = args[key];
  if (value === undefined && !required) return [];
  if (!Array.isArray(value)) throw new RequestError(`"${key}" must be a list`);
  return value.map((item, k) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new RequestError(`"${key}"[${k}] must be an object`);
    return item as Record<string, unknown>;
  });
}

function options(item: Record<string, unknown>, where: string): BreakpointOptions {
  for (const key of ['condition', 'hitCondition', 'logMessage']) {
    if (item[key] !== undefined && typeof item[key] !== 'string') throw new RequestError(`${where}.${key} must be a string`);
  }
  return { condition: item.condition as string | undefined, hitCondition: item.hitCondition as string | undefined, logMessage: item.logMessage as string | undefined };
}

function toDap(result: BreakpointResult, source?: DebugProtocol.Source): DebugProtocol.Breakpoint {
  return {
    id: result.id, verified: result.verified, message: result.message, line: result.line,
    ...(source && result.verified ? { source } : {}),
    ...(result.address !== undefined ? { instructionReference: `0x${result.address.toString(16)}` } : {}),
  };
}

export function setBreakpoints(core: Debugger, args: Record<string, unknown>, paths: SourcePaths): DebugProtocol.SetBreakpointsResponse['body'] {
  const source = args.source as Record<string, unknown> | undefined;
  if (typeof source !== 'object' || source === null) throw new RequestError('setBreakpoints needs a "source" object');
  const path = typeof source.path === 'string' ? source.path : typeof source.name === 'string' ? source.name : undefined;
  if (!path) throw new RequestError('setBreakpoints: the source needs a "path"');
  let requests = list(args, 'breakpoints', false).map((item, k) => {
    if (typeof item.line !== 'number' || !Number.isInteger(item.line) || item.line < 1) throw new RequestError(`breakpoints[${k}].line must be a positive whole number`);
    return { line: item.line, ...options(item, `breakpoints[${k}]`) };
  });
  if (requests.length === 0 && args.breakpoints === undefined && Array.isArray(args.lines)) {
    requests = (args.lines as unknown[]).filter((l): l is number => typeof l === 'number').map((line) => ({ line }));
  }
  const results = core.code.setSource(path, requests);
  return {
    breakpoints: results.map((r) => toDap(r, r.file ? { name: baseName(r.file), path: paths.resolve(r.file) } : undefined)),
  };
}

/** Function breakpoints: names in the event syntax become event breakpoints, the rest code breakpoints. */
export function setFunctionBreakpoints(core: Debugger, args: Record<string, unknown>): DebugProtocol.SetFunctionBreakpointsResponse['body'] {
  const items = list(args, 'breakpoints', true).map((item, k) => {
    if (typeof item.name !== 'string' || item.name.trim() === '') throw new RequestError(`breakpoints[${k}].name must be a non-empty string`);
    return { name: item.name.trim(), ...options(item, `breakpoints[${k}]`) };
  });
  const events = items.filter((i) => isEventSpec(i.name));
  const functions = items.filter((i) => !isEventSpec(i.name));
  const eventResults = core.events.setFunctionBreakpoints(events);
  const functionResults = core.code.setFunctions(functions);
  // Answer in the order asked.
  let e = 0, f = 0;
  return { breakpoints: items.map((i) => toDap(isEventSpec(i.name) ? eventResults[e++] : functionResults[f++])) };
}

export function setInstructionBreakpoints(core: Debugger, args: Record<string, unknown>): DebugProtocol.SetInstructionBreakpointsResponse['body'] {
  const requests = list(args, 'breakpoints', true).map((item, k) => {
    if (typeof item.instructionReference !== 'string') throw new RequestError(`breakpoints[${k}].instructionReference must be a string`);
    if (item.offset !== undefined && (typeof item.offset !== 'number' || !Number.isInteger(item.offset))) throw new RequestError(`breakpoints[${k}].offset must be a whole number`);
    if (item.mode !== undefined && item.mode !== 'linear' && item.mode !== 'physical') throw new RequestError(`breakpoints[${k}].mode must be "linear" or "physical"`);
    return { reference: item.instructionReference, offset: item.offset as number | undefined, mode: item.mode as 'linear' | 'physical' | undefined, ...options(item, `breakpoints[${k}]`) };
  });
  return { breakpoints: core.code.setInstructions(requests).map((r) => toDap(r)) };
}

export function setExceptionBreakpoints(core: Debugger, args: Record<string, unknown>): DebugProtocol.SetExceptionBreakpointsResponse['body'] {
  const filters = args.filters === undefined ? [] : args.filters;
  if (!Array.isArray(filters) || !filters.every((f) => typeof f === 'string')) throw new RequestError('"filters" must be a list of filter ids');
  const withOptions = list(args, 'filterOptions', false).map((item, k) => {
    if (typeof item.filterId !== 'string') throw new RequestError(`filterOptions[${k}].filterId must be a string`);
    if (item.condition !== undefined && typeof item.condition !== 'string') throw new RequestError(`filterOptions[${k}].condition must be a string`);
    return { filterId: item.filterId, condition: item.condition as string | undefined };
  });
  const all = [...(filters as string[]).map((filterId) => ({ filterId })), ...withOptions];
  return { breakpoints: core.events.setFilters(all).map((r) => toDap(r)) };
}

function baseName(path: string): string { return path.slice(path.lastIndexOf('/') + 1); }
