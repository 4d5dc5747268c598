#!/usr/bin/env node
// Prints the functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`), with
// their source position mapped through dist/*.js.map to engine/ or src/ when a source map is there.
//   node bench/profile-top.mjs <file.cpuprofile> [--top N]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 15;
const file = args[0];
if (!file || !Number.isInteger(top) || top <= 0) {
  console.error('usage: node bench/profile-top.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodesById = new Map(profile.nodes.map((n) => [n.id, n]));
// Each sample names the node running at that moment; timeDeltas[i] is the time since sample i-1.
const selfMicros = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

const sourceMaps = new Map();
function sourcePosition(url, line, column) {
  if (!url.startsWith('file://')) return null;
  const jsPath = fileURLToPath(url);
  if (!sourceMaps.has(jsPath)) {
    const mapPath = `${jsPath}.map`;
    sourceMaps.set(jsPath, existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))) : null);
  }
  const map = sourceMaps.get(jsPath);
  const entry = map?.findEntry(line, column);
  if (!entry || !entry.originalSource) return null;
  const source = entry.originalSource.replace(/^(\.\.\/)+/, '');
  return `${source}:${entry.originalLine + 1}`;
}

// Aggregate by function (name + script + position), since one function appears under many call paths.
const byFunction = new Map();
let total = 0;
for (const [id, micros] of selfMicros) {
  total += micros;
  const frame = nodesById.get(id).callFrame;
  const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}|${frame.columnNumber}`;
  const entry = byFunction.get(key) ?? { frame, micros: 0 };
  entry.micros += micros;
  byFunction.set(key, entry);
}

const rows = [...byFunction.values()].sort((a, b) => b.micros - a.micros).slice(0, top);
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${profile.samples.length} samples; top ${rows.length} by self time`);
for (const { frame, micros } of rows) {
  const name = frame.functionName || (frame.url ? '(anonymous)' : '');
  const where = frame.url
    ? sourcePosition(frame.url, frame.lineNumber, frame.columnNumber) ?? `${path.basename(frame.url)}:${frame.lineNumber + 1}`
    : '';
  console.log(`${(micros / 1000).toFixed(0).padStart(8)} ms ${(100 * micros / total).toFixed(1).padStart(5)}%  ${name} ${where}`.trimEnd());
}
