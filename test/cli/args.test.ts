// hvdbg's command-line parsing: sizes, counts, seconds and the options of `hvdbg run`, with the exact
// one-line messages a user sees for bad values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, parseCount, parseSeconds, parseSize } from '../../src/cli/args.js';
import { parseRunOptions } from '../../src/cli/run-options.js';
import { UsageError } from '../../src/cli/usage-error.js';

function usageError(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof UsageError && e.message === message ? true : assert.fail(`got ${String(e)}`));
}

test('sizes: plain bytes and K, M, G binary units in either case, with optional B/iB', () => {
  assert.equal(parseSize('65536', '--mem'), 65536);
  assert.equal(parseSize('512K', '--mem'), 512 * 1024);
  assert.equal(parseSize('64M', '--mem'), 64 * 1024 * 1024);
  assert.equal(parseSize('64m', '--mem'), 64 * 1024 * 1024);
  assert.equal(parseSize('1G', '--mem'), 1024 ** 3);
  assert.equal(parseSize('64MiB', '--mem'), 64 * 1024 * 1024);
  assert.equal(parseSize('4096B', '--mem'), 4096);
});

test('bad sizes are refused with an example of a good one', () => {
  for (const bad of ['', 'M', '1.5G', '64X', '-1M', '64 MB extra', '64iB']) {
    usageError(() => parseSize(bad, '--mem'), `--mem: '${bad}' is not a size (write bytes, or a whole number with K, M or G, e.g. 64M)`);
  }
});

test('counts and seconds', () => {
  assert.equal(parseCount('100000', '--max-instructions'), 100000);
  assert.equal(parseCount('1_000_000', '--max-instructions'), 1000000);
  usageError(() => parseCount('0', '--max-instructions'), '--max-instructions: must be at least 1 (got 0)');
  usageError(() => parseCount('1e6', '--max-instructions'), "--max-instructions: '1e6' is not a whole number");
  usageError(() => parseCount('99999999999999999', '--max-instructions'), "--max-instructions: '99999999999999999' is too large (at most 9007199254740991)");
  assert.equal(parseSeconds('10', '--timeout'), 10);
  assert.equal(parseSeconds('2.5', '--timeout'), 2.5);
  assert.equal(parseSeconds('.5', '--timeout'), 0.5);
  usageError(() => parseSeconds('0', '--timeout'), '--timeout: must be more than 0 seconds (got 0)');
  usageError(() => parseSeconds('soon', '--timeout'), "--timeout: 'soon' is not a number of seconds");
});

test('options: --name value, --name=value, short aliases, flags, -- and repeated options', () => {
  const specs = [{ name: 'mem', takesValue: true, alias: 'm' }, { name: 'json', takesValue: false }];
  const a = parseCommandLine(['k.elf', '--mem', '1M', '--json', '--', '--not-an-option'], specs, 'hvdbg run');
  assert.deepEqual([...a.values], [['mem', '1M']]);
  assert.deepEqual([...a.flags], ['json']);
  assert.deepEqual(a.positionals, ['k.elf', '--not-an-option']);
  assert.equal(parseCommandLine(['--mem=2M', '-m', '4M'], specs, 'x').values.get('mem'), '4M', 'the last one wins');
  assert.equal(parseCommandLine(['-h'], specs, 'x').help, true);
  usageError(() => parseCommandLine(['--frob'], specs, 'hvdbg run'), "hvdbg run: unknown option '--frob' (see hvdbg run --help)");
  usageError(() => parseCommandLine(['--json=1'], specs, 'hvdbg run'), 'hvdbg run: option --json takes no value (see hvdbg run --help)');
  usageError(() => parseCommandLine(['--mem'], specs, 'hvdbg run'), 'hvdbg run: option --mem needs a value (see hvdbg run --help)');
});

test('hvdbg run options have defaults and are validated', () => {
  assert.deepEqual(parseRunOptions(['k.elf']), {
    kernel: 'k.elf', memoryBytes: 64 * 1024 * 1024, append: '', timeoutSeconds: undefined, maxInstructions: undefined, stats: false, strategy: 'hw', json: false,
    serialIn: false, screen: false, clock: 'virtual', initrd: [],
  });
  assert.deepEqual(parseRunOptions(['--mem', '128M', 'k.elf', '--append', '-v quiet', '--timeout', '5', '--max-instructions', '1000', '--stats', '--json',
    '--serial-in', '--screen', '--strategy', 'bt']), {
    kernel: 'k.elf', memoryBytes: 128 * 1024 * 1024, append: '-v quiet', timeoutSeconds: 5, maxInstructions: 1000, stats: true, strategy: 'bt', json: true,
    serialIn: true, screen: true, clock: 'virtual', initrd: [],
  });
  assert.equal((parseRunOptions(['k.elf', '--clock', 'realtime']) as { clock: string }).clock, 'realtime');
  usageError(() => parseRunOptions(['k.elf', '--clock', 'fast']), "hvdbg run: --clock: 'fast' is not a clock mode (use virtual or realtime)");
  assert.equal(parseRunOptions(['--help']), 'help');
  usageError(() => parseRunOptions([]), 'hvdbg run: missing the kernel file (see hvdbg run --help)');
  usageError(() => parseRunOptions(['a.elf', 'b.elf']), 'hvdbg run: one kernel file expected, got 2: a.elf b.elf');
  usageError(() => parseRunOptions(['k.elf', '--mem', '12X']), "hvdbg run: --mem: '12X' is not a size (write bytes, or a whole number with K, M or G, e.g. 64M)");
  usageError(() => parseRunOptions(['k.elf', '--mem', '1M']), 'hvdbg run: --mem: 1M is too small (at least 2 MiB)');
  usageError(() => parseRunOptions(['k.elf', '--mem', '4G']), 'hvdbg run: --mem: 4G is too large (at most 3840 MiB)');
  usageError(() => parseRunOptions(['k.elf', '--mem', '1000000']), 'hvdbg run: --mem: 1000000 is not a multiple of 4 KiB');
});
