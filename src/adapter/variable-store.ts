// The debug core's variablesReferences (below FEATURE_REFERENCE_BASE): the Locals and Globals scopes
// of a frame and the children of structs, arrays and pointers, as DAP variables. Cleared whenever the
// guest runs, as DAP requires.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Debugger } from '../../engine/debug/debugger.js';
import { ExpressionError } from '../../engine/debug/expression/lexer.js';
import type { EvalEnvironment, Value } from '../../engine/debug/expression/value.js';
import { symbolLookupPc, type StackFrameInfo } from '../../engine/debug/stack.js';
import { displayValue } from '../../engine/debug/value-display.js';
import { assignValue } from '../../engine/debug/value-assign.js';
import { evaluateText } from '../../engine/debug/expression/evaluator.js';
import { FEATURE_REFERENCE_BASE, RequestError } from './session-feature.js';

/** Most globals listed in the Globals scope (a kernel can have thousands). */
const MAX_GLOBALS = 500;

type Entry =
  | { kind: 'locals' | 'globals'; vcpu: number; frame: StackFrameInfo }
  | { kind: 'children'; children: () => { name: string; value: Value }[]; env: EvalEnvironment; evaluateName?: string; origin?: Origin };

/** The frame a value was read in. */
interface Origin { vcpu: number; frame?: StackFrameInfo }

export class VariableStore {
  private readonly entries = new Map<number, Entry>();
  private next = 1;

  /** Forgets every reference (the guest is about to run). */
  clear(): void {
    this.entries.clear();
    this.next = 1;
  }

  /** A reference for a scope of a frame. */
  scope(kind: 'locals' | 'globals', vcpu: number, frame: StackFrameInfo): number { return this.add({ kind, vcpu, frame }); }

  /** True when reference is one of ours. */
  owns(reference: number): boolean { return this.entries.has(reference); }

  /** The variables of a reference. */
  variables(core: Debugger, reference: number): DebugProtocol.Variable[] {
    const entry = this.entries.get(reference);
    if (!entry) throw new RequestError(`unknown variablesReference ${reference} (references last only while the guest is stopped)`);
    if (entry.kind === 'children') {
      return entry.children().map(({ name, value }) => this.variable(name, value, entry.env, childPath(entry.evaluateName, name), entry.origin));
    }
    const env = core.environment(entry.vcpu, entry.frame);
    if (entry.kind === 'locals') {
      const pc = symbolLookupPc(entry.frame);
      const locals = entry.frame.image?.scopesAt(pc, entry.frame.inlineDepth) ?? [];
      return locals.map((v) => this.named(v.name, env, v.typeName, entry));
    }
    const out: DebugProtocol.Variable[] = [];
    for (const image of core.symbols.all) {
      for (const g of image.globals()) {
        if (out.length >= MAX_GLOBALS) break;
        if (g.address === undefined) continue;
        out.push(this.named(g.name, env, g.typeName, entry));
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The variable for a value shown under name (its children get a reference). */
  variable(name: string, value: Value, env: EvalEnvironment, evaluateName?: string, origin?: Origin): DebugProtocol.Variable {
    const shown = displayValue(value, env);
    const reference = shown.children ? this.add({ kind: 'children', children: shown.children, env, evaluateName, origin }) : 0;
    return {
      name, value: shown.text, type: shown.type, variablesReference: reference, evaluateName,
      ...(shown.address !== undefined ? { memoryReference: `0x${shown.address.toString(16)}` } : {}),
    };
  }

  /**
   * setVariable on a Locals/Globals entry or a member/element/pointee: evaluates value and writes it
   * to the variable's memory. undefined when reference is not one of ours.
   */
  set(core: Debugger, reference: number, name: string, value: string): DebugProtocol.SetVariableResponse['body'] | undefined {
    if (!this.entries.has(reference)) return undefined;
    const found = this.expressionOf(reference, name);
    if (!found) throw new RequestError(`"${name}" cannot be set`);
    const vcpu = found.origin?.vcpu ?? 0;
    const env = core.environment(vcpu, found.origin?.frame);
    try {
      assignValue(core.vm.cpus[vcpu], evaluateText(found.expression, env), value, env);
      const shown = this.variable(name, evaluateText(found.expression, env), env, found.expression, found.origin);
      return { value: shown.value, type: shown.type, variablesReference: shown.variablesReference, memoryReference: shown.memoryReference };
    } catch (error) {
      if (error instanceof ExpressionError) throw new RequestError(`cannot set ${found.expression}: ${error.message}`);
      throw error;
    }
  }

  /** The C expression and frame of a child named name of reference (for data breakpoints), or undefined. */
  expressionOf(reference: number, name: string): { expression: string; origin?: Origin } | undefined {
    const entry = this.entries.get(reference);
    if (!entry) return undefined;
    if (entry.kind !== 'children') return { expression: name, origin: { vcpu: entry.vcpu, frame: entry.frame } };
    const expression = childPath(entry.evaluateName, name);
    return expression === undefined ? undefined : { expression, origin: entry.origin };
  }

  private named(name: string, env: EvalEnvironment, typeName: string, origin: Origin): DebugProtocol.Variable {
    try {
      const value = env.lookup(name);
      if (!value) return { name, value: '<not found>', type: typeName, variablesReference: 0 };
      return this.variable(name, value, env, name, origin);
    } catch (error) {
      if (error instanceof ExpressionError) return { name, value: `<${error.message}>`, type: typeName, variablesReference: 0 };
      throw error;
    }
  }

  private add(entry: Entry): number {
    if (this.next >= FEATURE_REFERENCE_BASE) throw new RequestError('too many expanded values; continue or step to start afresh');
    const reference = this.next++;
    this.entries.set(reference, entry);
    return reference;
  }
}

/** The C expression of a child: s.member, a[3], *p. */
function childPath(parent: string | undefined, name: string): string | undefined {
  if (parent === undefined) return undefined;
  if (name.startsWith('[')) return `(${parent})${name}`;
  if (name === '*') return `*(${parent})`;
  if (name.startsWith('<')) return undefined;
  return `(${parent}).${name}`;
}
