// The .hvtrace grammar tokenises a trace written from a real hello run: header, metadata, event
// lines (sequence, instruction count, kind, reason), fields with hex, plain and quoted values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vsctm from 'vscode-textmate';
import { loadGrammar } from './grammar-loader.js';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { TraceWriter } from '../../engine/trace/trace-writer.js';

const hvtraceGrammar = () => loadGrammar('text.hvtrace', 'hvtrace.tmLanguage.json');

/** The innermost scope of the token covering the first occurrence of text in line. */
function scopeOf(grammar: vsctm.IGrammar, line: string, text: string, state = vsctm.INITIAL): string | undefined {
  const at = line.indexOf(text);
  assert.ok(at >= 0, `${JSON.stringify(text)} is in ${JSON.stringify(line)}`);
  const token = grammar.tokenizeLine(line, state).tokens.find((t) => t.startIndex <= at && at < t.endIndex);
  return token?.scopes[token.scopes.length - 1];
}

function helloTrace(): string[] {
  const vm = new Vm({ memoryBytes: 16 * 1024 * 1024 });
  loadMultiboot(vm, readFileSync('guests/hello/kernel.elf'), 'kernel.elf', { append: '', modules: [] });
  let text = '';
  const writer = new TraceWriter((t) => { text += t; }, [['kernel', 'guests/hello/kernel.elf'], ['strategy', 'hw']]);
  writer.attach(vm);
  vm.run(5_000_000);
  writer.close('halted');
  return text.split('\n');
}

test('hvtrace grammar scopes a trace of the hello guest', async () => {
  const g = await hvtraceGrammar();
  const lines = helloTrace();
  assert.equal(scopeOf(g, lines[0], 'hvdbg-trace'), 'keyword.other.header.hvtrace');
  assert.equal(scopeOf(g, lines[1], 'kernel'), 'variable.other.metadata.hvtrace');
  assert.equal(scopeOf(g, lines[1], 'guests/hello'), 'string.unquoted.metadata.hvtrace');
  const io = lines.find((l) => / exit io .*port=0x03f8/.test(l));
  assert.ok(io, 'the trace has an OUT to COM1');
  assert.equal(scopeOf(g, io, 'exit'), 'keyword.control.kind.exit.hvtrace');
  assert.equal(scopeOf(g, io, 'io '), 'entity.name.function.reason.hvtrace');
  assert.equal(scopeOf(g, io, 'port'), 'variable.parameter.field.hvtrace');
  assert.equal(scopeOf(g, io, '0x03f8'), 'constant.numeric.hvtrace');
  assert.equal(scopeOf(g, io, 'out'), 'string.unquoted.value.hvtrace');
  assert.equal(scopeOf(g, io, io.split(' ')[0]), 'constant.numeric.sequence.hvtrace');
  const quoted = '12 3456 trap vector14 detail="page fault at \\"0x1000\\"" error=0x2';
  assert.equal(scopeOf(g, quoted, 'page fault'), 'string.quoted.double.hvtrace');
  assert.equal(scopeOf(g, quoted, '\\"'), 'constant.character.escape.hvtrace');
  assert.equal(scopeOf(g, quoted, '0x2'), 'constant.numeric.hvtrace');
  assert.equal(scopeOf(g, '# a free comment', 'free'), 'comment.line.number-sign.hvtrace');
  // Every line of the real trace tokenises.
  let state = vsctm.INITIAL;
  for (const line of lines) state = g.tokenizeLine(line, state).ruleStack;
});
