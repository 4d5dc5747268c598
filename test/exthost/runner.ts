// A small test runner for the extension host (no mocha needed): suites of async tests run in order,
// each with a timeout; prints "N passed, N failed" and rejects when any failed, as the harness expects.
export type TestBody = () => Promise<void> | void;

interface RegisteredTest { suite: string; name: string; body: TestBody; timeoutMs: number }

const registered: RegisteredTest[] = [];
let currentSuite = '';

/** Groups the tests registered inside body under a title. */
export function suite(title: string, body: () => void): void {
  const outer = currentSuite;
  currentSuite = title;
  try { body(); } finally { currentSuite = outer; }
}

/** Registers a test; it fails when it throws, rejects or runs longer than timeoutMs. */
export function test(name: string, body: TestBody, timeoutMs = 60_000): void {
  registered.push({ suite: currentSuite, name, body, timeoutMs });
}

/** Runs every registered test in order; resolves with the counts, rejects when one failed. */
export async function runAll(log: (line: string) => void = console.log): Promise<{ passed: number; failed: number }> {
  let passed = 0, failed = 0, suiteShown = '';
  for (const t of registered) {
    if (t.suite !== suiteShown) { log(t.suite); suiteShown = t.suite; }
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(t.body),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs); }),
      ]);
      passed++;
      log(`  ✓ ${t.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      log(`  ✗ ${t.name} (${Date.now() - started} ms)\n    ${error instanceof Error ? (error.stack ?? error.message).split('\n').join('\n    ') : String(error)}`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
  log(`${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} extension-host tests failed`);
  return { passed, failed };
}
