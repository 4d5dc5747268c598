// Tokens of the debugger's expression language (watches, hovers, the debug console, breakpoint
// conditions): numbers, names ($eax, eax, args), strings, the C operators and the phys:/lin: prefixes.

export type Token =
  | { kind: 'number'; value: bigint; at: number; unsigned?: boolean }
  | { kind: 'float'; value: number; at: number }
  | { kind: 'name'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'op'; text: string; at: number }
  | { kind: 'end'; at: number };

/** A mistake in an expression: the message names what and where. */
export class ExpressionError extends Error {}

const OPERATORS = [
  'phys:', 'lin:', '<<=', '>>=', '->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '++', '--',
  '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', '.', ',', '?', ':',
];

/** Splits text into tokens; throws ExpressionError naming the first character it cannot read. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let k = 0;
  while (k < text.length) {
    const c = text[k];
    if (/\s/.test(c)) { k++; continue; }
    const rest = text.slice(k);
    const prefix = /^(phys|lin):/.exec(rest);
    if (prefix) { tokens.push({ kind: 'op', text: prefix[0], at: k }); k += prefix[0].length; continue; }
    const number = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+(\.\d+)?([eE][+-]?\d+)?)([uUlL]*)/.exec(rest);
    if (number) {
      const body = number[1];
      if (number[2] !== undefined || number[3] !== undefined) tokens.push({ kind: 'float', value: Number(body), at: k });
      else {
        const value = BigInt(body.startsWith('0') && /^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body);
        tokens.push({ kind: 'number', value, at: k, unsigned: /u/i.test(number[4]) });
      }
      k += number[0].length;
      continue;
    }
    const name = /^\$?[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) { tokens.push({ kind: 'name', text: name[0], at: k }); k += name[0].length; continue; }
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, k + 1);
      if (end < 0) throw new ExpressionError(`unterminated ${c === '"' ? 'string' : 'character'} at column ${k + 1}`);
      const body = text.slice(k + 1, end);
      if (c === "'") {
        if (body.length !== 1) throw new ExpressionError(`a character literal holds one character (column ${k + 1})`);
        tokens.push({ kind: 'number', value: BigInt(body.charCodeAt(0)), at: k });
      } else tokens.push({ kind: 'string', text: body, at: k });
      k = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new ExpressionError(`unexpected "${c}" at column ${k + 1}`);
    tokens.push({ kind: 'op', text: op, at: k });
    k += op.length;
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}
