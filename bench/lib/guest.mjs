// Builds the shared benchmark guest (../shared/bench/guest) for a given iteration count into
// bench/out/iters-N/ and knows the result each build must print.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Checksums the shared bench README publishes for BENCH DONE result=, by iteration count. */
export const PUBLISHED_RESULTS = new Map([
  [1000, '0xa5e8b5b3'],
  [10000, '0x43ea3103'],
  [100000, '0x39b5654d'],
  [1000000, '0xc07da618'],
]);

/** Thrown when the guest cannot be built or its expected result cannot be established. */
export class GuestBuildError extends Error {}

/**
 * Builds kernel.elf, native32 and native64 for iters into outDir (absolute) with the shared build.sh.
 * build.sh writes its object files next to itself, so it runs on a private copy of the guest sources:
 * concurrent builds (other checkouts, other ITERS) cannot mix their objects into ours.
 */
export function buildGuest(guestDir, iters, outDir) {
  if (!existsSync(path.join(guestDir, 'build.sh'))) {
    throw new GuestBuildError(`benchmark guest not found: ${path.join(guestDir, 'build.sh')} (set HVDBG_BENCH_SHARED or pass --shared DIR)`);
  }
  const staging = mkdtempSync(path.join(tmpdir(), 'hvdbg-bench-guest-'));
  try {
    cpSync(guestDir, staging, { recursive: true, filter: (src) => path.basename(src) !== 'obj' });
    mkdirSync(outDir, { recursive: true });
    try {
      execFileSync('sh', [path.join(staging, 'build.sh'), String(iters), outDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      throw new GuestBuildError(`building the benchmark guest with ITERS=${iters} failed (needs gcc with -m32 support and GNU ld):\n${error.stderr ?? ''}${error.stdout ?? ''}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { kernel: path.join(outDir, 'kernel.elf'), native64: path.join(outDir, 'native64') };
}

/**
 * The result=0x........ every engine must print for iters: the published checksum where there is
 * one, otherwise what the native x86-64 build of the same C sources prints (checked against the
 * published value when both exist).
 */
export function expectedResult(iters, native64) {
  const published = PUBLISHED_RESULTS.get(iters);
  let native;
  try {
    native = /BENCH DONE result=(0x[0-9a-f]{8})/.exec(execFileSync(native64, { encoding: 'utf8', timeout: 120_000 }))?.[1];
  } catch (error) {
    if (published) return { result: published, source: 'published' };
    throw new GuestBuildError(`no published result for ITERS=${iters}, and the native reference ${native64} did not run ` +
      `(${error.message}); use one of ${[...PUBLISHED_RESULTS.keys()].join(', ')}`);
  }
  if (published && native !== published) {
    throw new GuestBuildError(`native reference printed result=${native} for ITERS=${iters}, the published result is ${published}`);
  }
  if (!native) throw new GuestBuildError(`native reference ${native64} printed no BENCH DONE line`);
  return { result: native, source: published ? 'published, and native x86-64 agrees' : 'native x86-64 build' };
}
