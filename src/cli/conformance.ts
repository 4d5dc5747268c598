// `npm run conformance`: runs the SingleStepTests 80286 real-mode vectors against the CPU and prints
// one line per form that fails, then `sst80286: N passed, N failed`.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readMoo } from './conformance/moo-reader.js';
import { SstMachine } from './conformance/sst-runner.js';
import { classifyDifference } from './conformance/known-differences.js';

interface FormMeta { status?: string; 'flags-mask'?: number; reg?: Record<string, FormMeta> }

function parseArgs(argv: string[]): { dir: string; filter?: string; verbose: boolean } {
  let dir = resolve(__dirname, '..', '..', 'shared', 'testdata', 'sst80286');
  let filter: string | undefined, verbose = false;
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--dir') dir = resolve(argv[++k] ?? '');
    else if (argv[k] === '--form') filter = argv[++k];
    else if (argv[k] === '--verbose' || argv[k] === '-v') verbose = true;
    else { console.error(`conformance: unknown option ${argv[k]} (use --dir DIR, --form XX[.N], --verbose)`); process.exit(2); }
  }
  return { dir, filter, verbose };
}

function flagsMaskFor(meta: Record<string, FormMeta>, form: string): number {
  const [op, reg] = form.split('.');
  const m = meta[op.toUpperCase()] ?? meta[op.toLowerCase()];
  const entry = reg !== undefined ? m?.reg?.[reg] : m;
  return entry?.['flags-mask'] ?? 0xFFFF;
}

function main(): void {
  const { dir, filter, verbose } = parseArgs(process.argv.slice(2));
  if (!existsSync(dir)) { console.error(`conformance: test directory ${dir} not found (use --dir DIR)`); process.exit(2); }
  const metaPath = join(dir, 'metadata.json');
  const meta: Record<string, FormMeta> = existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')).opcodes : {};
  const revoked = new Set(existsSync(join(dir, 'revocation_list.txt'))
    ? readFileSync(join(dir, 'revocation_list.txt'), 'utf8').split('\n').map((l) => l.trim().toLowerCase()).filter((l) => l && !l.startsWith('#'))
    : []);
  const files = readdirSync(dir).filter((f) => /\.MOO(\.gz)?$/i.test(f)).sort();
  const machine = new SstMachine();
  let passed = 0, failed = 0, documented = 0;
  const documentedByReason = new Map<string, number>();
  for (const file of files) {
    const form = file.replace(/\.MOO(\.gz)?$/i, '');
    if (filter && form.toUpperCase() !== filter.toUpperCase()) continue;
    const raw = readFileSync(join(dir, file));
    const tests = readMoo(file.endsWith('.gz') ? gunzipSync(raw) : raw, file);
    const mask = flagsMaskFor(meta, form);
    let formFailed = 0;
    let firstFailure = '';
    for (const t of tests) {
      if (revoked.has(t.hash)) continue;
      const outcome = machine.run(t, mask);
      if (outcome.ok) { passed++; continue; }
      const reason = classifyDifference(form, t, outcome);
      if (reason) { documented++; documentedByReason.set(reason, (documentedByReason.get(reason) ?? 0) + 1); continue; }
      failed++; formFailed++;
      if (!firstFailure || verbose) {
        const line = `  #${t.index} ${t.name} [${Array.from(t.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}]: ${outcome.mismatches.join('; ')}${outcome.exceptionTaken ? ` (took ${outcome.exceptionTaken.detail})` : ''}`;
        if (verbose) console.log(line);
        if (!firstFailure) firstFailure = line;
      }
    }
    if (formFailed) console.log(`FAIL ${form}: ${formFailed}/${tests.length} failed; first:${verbose ? '' : '\n' + firstFailure}`);
  }
  if (documented) {
    console.log(`documented 286 vs P6 differences (docs/cpu.md), not counted: ${documented}`);
    for (const [r, n] of documentedByReason) console.log(`  ${n} ${r}`);
  }
  console.log(`sst80286: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
