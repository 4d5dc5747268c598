// What every kind of breakpoint shares: an optional condition (an expression over registers, memory,
// symbols and the event's fields), a hit condition (`5`, `>= 5`, `% 3`), and a log message with
// {expression} parts that makes it a logpoint. Parsed when set, so mistakes show at once.
import type { Expr } from '../expression/ast.js';
import { evaluate, isTrue } from '../expression/evaluator.js';
import { ExpressionError } from '../expression/lexer.js';
import { parseExpression } from '../expression/parser.js';
import type { EvalEnvironment } from '../expression/value.js';
import { displayValue } from '../value-display.js';

/** The options a client gives with any breakpoint. */
export interface BreakpointOptions {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

/** What a hit comes to: stop, or run on (perhaps after logging a line). */
export interface HitDecision { stop: boolean; log?: string }

type HitTest = (count: number) => boolean;

/** Parses a hit condition: N (stop at the Nth hit and after), ==N, >N, >=N, <N, <=N, %N (every Nth). */
function parseHitCondition(text: string): HitTest {
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ExpressionError(`hit condition "${text}" must be a number, optionally after ==, >, >=, <, <= or %`);
  const n = Number(m[2]);
  switch (m[1]) {
    case '==': return (c) => c === n;
    case '>': return (c) => c > n;
    case '<': return (c) => c < n;
    case '<=': return (c) => c <= n;
    case '%': if (n === 0) throw new ExpressionError('hit condition "% 0" divides by zero'); return (c) => c % n === 0;
    default: return (c) => c >= n;
  }
}

/** A log message split into text and parsed {expression} parts. */
function parseLogMessage(text: string, isType: (name: string) => boolean): (string | Expr)[] {
  const parts: (string | Expr)[] = [];
  let k = 0;
  while (k < text.length) {
    const open = text.indexOf('{', k);
    if (open < 0) { parts.push(text.slice(k)); break; }
    const close = text.indexOf('}', open);
    if (close < 0) throw new ExpressionError(`log message: "{" at ${open + 1} has no "}"`);
    if (open > k) parts.push(text.slice(k, open));
    parts.push(parseExpression(text.slice(open + 1, close), isType));
    k = close + 1;
  }
  return parts;
}

export class BreakpointBehaviour {
  /** Hits so far (conditions that held). */
  hits = 0;
  private readonly condition?: Expr;
  private readonly hitTest?: HitTest;
  private readonly log?: (string | Expr)[];

  /** Throws ExpressionError when the condition, hit condition or log message does not parse. */
  constructor(options: BreakpointOptions, isType: (name: string) => boolean = () => false) {
    if (options.condition !== undefined && options.condition.trim() !== '') {
      try {
        this.condition = parseExpression(options.condition, isType);
      } catch (error) {
        if (error instanceof ExpressionError) throw new ExpressionError(`condition "${options.condition}" does not parse: ${error.message}`);
        throw error;
      }
    }
    if (options.hitCondition !== undefined && options.hitCondition.trim() !== '') this.hitTest = parseHitCondition(options.hitCondition);
    if (options.logMessage !== undefined && options.logMessage !== '') this.log = parseLogMessage(options.logMessage, isType);
  }

  /** True when it logs instead of stopping. */
  get isLogpoint(): boolean { return this.log !== undefined; }

  /**
   * Decides a hit: the condition must hold (a condition that fails to evaluate stops, with the
   * error in `log`, so a typo is not silently ignored), then the hit condition.
   */
  decide(env: () => EvalEnvironment): HitDecision {
    let environment: EvalEnvironment | undefined;
    const getEnv = (): EvalEnvironment => (environment ??= env());
    if (this.condition) {
      try {
        if (!isTrue(evaluate(this.condition, getEnv()), getEnv())) return { stop: false };
      } catch (error) {
        if (error instanceof ExpressionError) return { stop: true, log: `condition could not be evaluated: ${error.message}` };
        throw error;
      }
    }
    this.hits++;
    if (this.hitTest && !this.hitTest(this.hits)) return { stop: false };
    if (this.log) return { stop: false, log: this.render(getEnv()) };
    return { stop: true };
  }

  private render(env: EvalEnvironment): string {
    return this.log!.map((part) => {
      if (typeof part === 'string') return part;
      try {
        return displayValue(evaluate(part, env), env).text;
      } catch (error) {
        if (error instanceof ExpressionError) return `<${error.message}>`;
        throw error;
      }
    }).join('');
  }
}
