// The shared benchmark guest (../shared/bench/guest) built from source and run under `hvdbg run`:
// it must print the documented BENCH DONE checksum (ITERS=1000 → 0xa5e8b5b3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

test('shared benchmark guest, ITERS=1000: BENCH DONE result=0xa5e8b5b3 and a clean halt', () => {
  const build = '../shared/bench/guest/build.sh';
  assert.ok(existsSync(build), `${build} is missing: the shared directory must sit beside the repository`);
  const out = mkdtempSync(join(tmpdir(), 'hvdbg-bench-'));
  const b = spawnSync('sh', [build, '1000', out], { encoding: 'utf8' });
  assert.equal(b.status, 0, `building the bench guest failed (needs gcc and GNU ld):\n${b.stdout}\n${b.stderr}`);
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', join(out, 'kernel.elf'), '--timeout', '120'], { encoding: 'utf8' });
  assert.match(r.stdout, /BENCH START iters=1000\r?\n/);
  assert.match(r.stdout, /BENCH DONE result=0xa5e8b5b3\r?\n/);
  assert.match(r.stdout, /HALT/);
  assert.equal(r.status, 0, r.stderr);
});
