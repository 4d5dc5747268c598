// The GNU as grammar in syntaxes/ tokenises a real guest source the way a reader expects: comments,
// directives, labels, registers, immediates and privileged instructions get their own scopes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vsctm from 'vscode-textmate';
import { loadGrammar } from './grammar-loader.js';

const gasGrammar = () => loadGrammar('source.x86.gas', 'x86-gas.tmLanguage.json');

/** True when some token of line whose text contains `text` has `scope` as its innermost scope. */
function scoped(grammar: vsctm.IGrammar, line: string, text: string, scope: string): boolean {
  const r = grammar.tokenizeLine(line, vsctm.INITIAL);
  return r.tokens.some((t) => line.slice(t.startIndex, t.endIndex).includes(text) && t.scopes[t.scopes.length - 1] === scope);
}

test('x86 GAS grammar scopes the constructs of guests/sdk/start.S', async () => {
  const g = await gasGrammar();
  assert.ok(scoped(g, '    lgdt gdt_desc', 'lgdt', 'keyword.control.privileged.gas'));
  assert.ok(scoped(g, '1:  movw $0x10, %cx', '%cx', 'variable.language.register.gas'));
  assert.ok(scoped(g, '1:  movw $0x10, %cx', '$0x10', 'constant.numeric.hex.gas'));
  assert.ok(scoped(g, '_start:', '_start', 'entity.name.function.label.gas'));
  assert.ok(scoped(g, '    .section .multiboot, "a"', '.section', 'keyword.other.directive.gas'));
  assert.ok(scoped(g, '    cli   /* no interrupts */', 'no interrupts', 'comment.block.gas'));
  assert.ok(scoped(g, '    ljmp $0x08, $1f', 'ljmp', 'keyword.control.flow.gas'));
  // The whole SDK start file tokenises without a grammar error.
  let state = vsctm.INITIAL;
  for (const line of readFileSync('guests/sdk/start.S', 'utf8').split('\n')) state = g.tokenizeLine(line, state).ruleStack;
});
