// The engine import rule (DESIGN.md "Layers"): nothing under engine/ imports vscode, @vscode/*, Node
// built-ins, or uses the DOM or Node-only globals, so the engine runs in Node, a worker and a browser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { forbiddenModule, maskSource, scanEngineSource } from './engine-rules';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE = join(ROOT, 'engine');
const SOURCE_FILE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE_FILE.test(entry.name) ? [path] : [];
  });
}

describe('engine import rule', () => {
  it('holds for every source file under engine/', () => {
    const files = sourceFiles(ENGINE);
    assert.ok(files.length > 10, `expected the engine sources under ${ENGINE}, found ${files.length} files`);
    const problems = files.flatMap((file) => scanEngineSource(readFileSync(file, 'utf8'))
      .map((v) => `${relative(ROOT, file)}:${v.line}: ${v.rule}: ${v.text}`));
    assert.deepEqual(problems, [], `engine/ must stay free of host dependencies:\n${problems.join('\n')}`);
  });
});

describe('engine import scanner', () => {
  const offending: Array<[string, string]> = [
    ["import * as vscode from 'vscode';", 'imports the VS Code API'],
    ["import { DebugSession } from '@vscode/debugadapter';", 'imports a @vscode/* package'],
    ["import type { DebugProtocol } from '@vscode/debugprotocol';", 'imports a @vscode/* package'],
    ["import { readFileSync } from 'node:fs';", 'imports a Node built-in module'],
    ['import { join } from "path";', 'imports a Node built-in module'],
    ["import fsp from 'fs/promises';", 'imports a Node built-in module'],
    ["import 'net';", 'imports a Node built-in module'],
    ["export { spawn } from 'child_process';", 'imports a Node built-in module'],
    ["export * from 'os';", 'imports a Node built-in module'],
    ["const m = await import('node:worker_threads');", 'imports a Node built-in module'],
    ['const m = await import(`crypto`);', 'imports a Node built-in module'],
    ["const fs = require('fs');", 'imports a Node built-in module'],
    ["import fs = require('fs');", 'imports a Node built-in module'],
    ["type S = import('net').Socket;", 'imports a Node built-in module'],
    ["import {\n  createServer,\n} from 'http';", 'imports a Node built-in module'],
    ['const m = await import(name);', 'import() of a computed module name, which this check cannot verify'],
    ['const m = require(name);', 'require() of a computed module name, which this check cannot verify'],
    ['/// <reference lib="dom" />', 'references lib "dom"'],
    ['/// <reference types="node" />', 'references types "node"'],
    ['const w = window.innerWidth;', 'uses the DOM'],
    ['document.title = "x";', 'uses the DOM'],
    ['if (typeof window !== "undefined") {}', 'uses the DOM'],
    ['let canvas: HTMLCanvasElement;', 'uses the DOM'],
    ['function f(e: HTMLElement) {}', 'uses the DOM'],
    ['const debug = process.env.DEBUG;', 'uses a Node-only global'],
    ['const b = Buffer.from([1]);', 'uses a Node-only global'],
    ['const here = __dirname;', 'uses a Node-only global'],
    ['setImmediate(() => run());', 'uses a Node-only global'],
  ];
  for (const [source, rule] of offending) {
    it(`flags ${JSON.stringify(source)}`, () => {
      const rules = scanEngineSource(source).map((v) => v.rule);
      assert.ok(rules.includes(rule), `expected "${rule}", got ${JSON.stringify(rules)}`);
    });
  }

  const allowed = [
    "import { Cpu } from '../cpu/cpu.js';",
    "import type { GuestMemory } from './guest-memory.js';",
    "export * from './elf-types.js';",
    "// import * as fs from 'fs'; (a comment)",
    "/* require('net') and window.open() in a block comment */",
    "const label = 'interrupt window';",
    'const note = "read from \'fs\' later";',
    'const t = `the document ${kind} of process.env`;',
    'const re = /window\\.|"fs"/g;',
    'const half = a / 2 / b; const w = ctx.window; obj.document.x = 1;',
    'const windowSize = 16; const processed = true;',
    'const kind = { window: 1, document: 2 };',
  ];
  for (const source of allowed) {
    it(`allows ${JSON.stringify(source)}`, () => {
      assert.deepEqual(scanEngineSource(source), []);
    });
  }

  it('masks comments and string contents but keeps lines', () => {
    const source = "a = 'x//y'; // c\n/* d\ne */ b = `t${ 'u' }v`;";
    const masked = maskSource(source);
    assert.equal(masked.withoutComments.split('\n').length, 3);
    assert.ok(!masked.withoutComments.includes('// c') && masked.withoutComments.includes("'x//y'"));
    assert.ok(!masked.codeOnly.includes('x//y') && !masked.codeOnly.includes('tv') && masked.codeOnly.includes('b ='));
  });

  it('classifies module names', () => {
    assert.equal(forbiddenModule('./vm.js'), undefined);
    assert.equal(forbiddenModule('events'), 'imports a Node built-in module');
    assert.equal(forbiddenModule('node:test'), 'imports a Node built-in module');
    assert.equal(forbiddenModule('@vscode/debugadapter-testsupport'), 'imports a @vscode/* package');
  });
});
