// Parses the debugger's expression language: C expressions (casts, sizeof, *, &, [], ., ->, the
// arithmetic, bitwise, comparison and logical operators, ?:) plus phys:ADDR and lin:ADDR.
import type { Expr, TypeSpec } from './ast.js';
import { ExpressionError, tokenize, type Token } from './lexer.js';

/** Words that start a type in a cast or sizeof, besides names the debuggee's DWARF declares. */
const TYPE_WORDS = new Set(['struct', 'union', 'enum', 'unsigned', 'signed', 'const', 'volatile', 'void', 'char', 'short',
  'int', 'long', 'float', 'double', '_Bool']);

/** Binary operators by precedence, loosest first (C's order). */
const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
];

/**
 * Parses text into a tree. isTypeName tells whether a plain name is a type (a typedef in the
 * debuggee). Throws ExpressionError for text that does not parse, naming the column.
 */
export function parseExpression(text: string, isTypeName: (name: string) => boolean = () => false): Expr {
  if (text.trim() === '') throw new ExpressionError('the expression is empty');
  return new Parser(tokenize(text), isTypeName).parseAll();
}

class Parser {
  private k = 0;
  constructor(private readonly tokens: Token[], private readonly isTypeName: (name: string) => boolean) {}

  parseAll(): Expr {
    const e = this.conditional();
    const t = this.peek();
    if (t.kind !== 'end') throw new ExpressionError(`unexpected ${describe(t)} at column ${t.at + 1}`);
    return e;
  }

  private peek(offset = 0): Token { return this.tokens[Math.min(this.k + offset, this.tokens.length - 1)]; }
  private isOp(text: string, offset = 0): boolean { const t = this.peek(offset); return t.kind === 'op' && t.text === text; }
  private take(): Token { return this.tokens[this.k++]; }
  private expect(text: string): void {
    const t = this.peek();
    if (!(t.kind === 'op' && t.text === text)) throw new ExpressionError(`expected "${text}" but found ${describe(t)} at column ${t.at + 1}`);
    this.k++;
  }

  private conditional(): Expr {
    const test = this.binary(0);
    if (!this.isOp('?')) return test;
    this.k++;
    const then = this.conditional();
    this.expect(':');
    return { kind: 'conditional', test, then, otherwise: this.conditional() };
  }

  private binary(level: number): Expr {
    if (level === BINARY_LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !BINARY_LEVELS[level].includes(t.text)) return left;
      this.k++;
      left = { kind: 'binary', op: t.text, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === 'op') {
      if (t.text === 'phys:' || t.text === 'lin:') {
        this.k++;
        return { kind: 'space', space: t.text === 'phys:' ? 'physical' : 'linear', address: this.unary() };
      }
      if (['-', '+', '!', '~', '*', '&'].includes(t.text)) {
        this.k++;
        return { kind: 'unary', op: t.text as '-', operand: this.unary() };
      }
      if (t.text === '(' && this.startsType(1)) {
        this.k++;
        const type = this.typeSpec();
        this.expect(')');
        return { kind: 'cast', type, operand: this.unary() };
      }
    }
    if (t.kind === 'name' && t.text === 'sizeof') {
      this.k++;
      if (this.isOp('(') && this.startsType(1)) {
        this.k++;
        const type = this.typeSpec();
        this.expect(')');
        return { kind: 'sizeof', type };
      }
      return { kind: 'sizeof', operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private startsType(offset: number): boolean {
    const t = this.peek(offset);
    return t.kind === 'name' && (TYPE_WORDS.has(t.text) || this.isTypeName(t.text));
  }

  private typeSpec(): TypeSpec {
    const words: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'name') break;
      if (t.text === 'const' || t.text === 'volatile') { this.k++; continue; }
      words.push(t.text);
      this.k++;
      if (t.text === 'struct' || t.text === 'union' || t.text === 'enum') {
        const tag = this.take();
        if (tag.kind !== 'name') throw new ExpressionError(`"${t.text}" needs a tag name at column ${tag.at + 1}`);
        words.push(tag.text);
        break;
      }
      if (!TYPE_WORDS.has(t.text)) break; // a typedef name ends the base type
    }
    let pointers = 0;
    while (this.isOp('*')) { this.k++; pointers++; }
    if (words.length === 0) throw new ExpressionError(`expected a type at column ${this.peek().at + 1}`);
    return { name: words.join(' '), pointers };
  }

  private primary(): Expr {
    const t = this.take();
    switch (t.kind) {
      case 'number': return { kind: 'number', value: t.value, unsigned: t.unsigned };
      case 'float': return { kind: 'float', value: t.value };
      case 'string': return { kind: 'string', text: t.text };
      case 'name': return { kind: 'name', name: t.text };
      case 'op':
        if (t.text === '(') {
          const inner = this.conditional();
          this.expect(')');
          return inner;
        }
        break;
      case 'end':
        throw new ExpressionError('the expression ends too early');
    }
    throw new ExpressionError(`unexpected ${describe(t)} at column ${t.at + 1}`);
  }

  private postfix(target: Expr): Expr {
    for (;;) {
      if (this.isOp('[')) {
        this.k++;
        const index = this.conditional();
        this.expect(']');
        target = { kind: 'index', target, index };
      } else if (this.isOp('.') || this.isOp('->')) {
        const arrow = this.take().kind === 'op' && this.peek(-1).kind === 'op' && (this.peek(-1) as { text: string }).text === '->';
        const name = this.take();
        if (name.kind !== 'name') throw new ExpressionError(`expected a member name at column ${name.at + 1}`);
        target = { kind: 'member', target, member: name.text, arrow };
      } else {
        return target;
      }
    }
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end': return 'the end';
    case 'number': return `number ${t.value}`;
    case 'float': return `number ${t.value}`;
    case 'string': return `string "${t.text}"`;
    case 'name': return `"${t.text}"`;
    case 'op': return `"${t.text}"`;
  }
}
