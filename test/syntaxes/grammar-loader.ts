// Loads one of the TextMate grammars in syntaxes/ with vscode-textmate and the Oniguruma WASM regex
// engine, as VS Code does, for the tokenisation tests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

let onigurumaLoaded: Promise<void> | undefined;   // the WASM engine loads once per process

/** The grammar of scopeName, read from syntaxes/<file>. */
export async function loadGrammar(scopeName: string, file: string): Promise<vsctm.IGrammar> {
  onigurumaLoaded ??= (async () => {
    const wasm = readFileSync(join('node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  })();
  await onigurumaLoaded;
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => (scope === scopeName
      ? vsctm.parseRawGrammar(readFileSync(join('syntaxes', file), 'utf8'), file)
      : null),
  });
  const g = await registry.loadGrammar(scopeName);
  assert.ok(g, `grammar ${scopeName} loads`);
  return g;
}
