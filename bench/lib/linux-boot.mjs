// Linux boot to the initramfs sentinel (scripts/linux, .cache/linux): hvdbg (translator, and with a full
// event trace) against QEMU TCG on the same kernel, initramfs and command line, timed from spawn to the sentinel line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runMeasured } from './measure.mjs';
import { tracedEvents } from './trace-file.mjs';

const SENTINEL = 'HVDBG-LINUX-SENTINEL';
const BANNER = 'Linux version';
/** The command line of test/boot/linux-boot.test.ts: no KASLR, PIT and 8259 only, no calibration, no crypto self-tests. */
const APPEND = 'console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=8 nokaslr noapic nolapic no_timer_check tsc=unstable lpj=1000000 cryptomgr.notests';
const TIMEOUT_MS = 20 * 60 * 1000;
/** --quick: hvdbg runs this many instructions (about a second; the kernel is still decompressing) and must stop on the budget. */
const QUICK_INSTRUCTIONS = 50_000_000;

/**
 * Seconds from spawn to the line holding `until` on stdout, the peak RSS, or a reason it did not get
 * there. stopThere: end the process at that line (else it runs to its own end, e.g. so hvdbg closes its trace).
 */
async function bootUntil(label, command, args, until, stopThere) {
  const run = await runMeasured(command, args, { cwd: process.cwd(), env: process.env, timeoutMs: TIMEOUT_MS, stopAtLine: stopThere ? until : undefined });
  const line = run.lines.find((l) => l.text.includes(until));
  const status = `exit ${run.exitCode ?? run.signal}${run.timedOut ? ', timed out' : ''}`;
  if (!line) return { label, seconds: null, why: `no "${until}" line (${status}): ${run.stderr.trim().slice(-300)}` };
  if (!stopThere && run.exitCode !== 0) return { label, seconds: null, why: `reached "${until}" but then ended with ${status}: ${run.stderr.trim().slice(-300)}` };
  return { label, seconds: (line.t - run.spawnedAt) / 1000, peakRssMiB: run.peakRssKb === null ? null : run.peakRssKb / 1024 };
}

/** --quick: hvdbg accepts the kernel, initrd and command line and runs until its instruction budget (exit 3). */
async function hvdbgSmoke(label, cliPath, kernel, initrd, extra) {
  const run = await runMeasured(process.execPath, [cliPath, 'run', kernel, '--initrd', initrd, '--mem', '128M', '--append', APPEND,
    '--max-instructions', String(QUICK_INSTRUCTIONS), ...extra], { cwd: process.cwd(), env: process.env, timeoutMs: TIMEOUT_MS });
  label = `${label} (quick: ${QUICK_INSTRUCTIONS / 1e6} M instructions)`;
  if (run.exitCode !== 3) return { label, seconds: null, why: `exit ${run.exitCode ?? run.signal}, expected 3 (budget reached): ${run.stderr.trim().slice(-300)}` };
  return { label, seconds: (run.exitedAt - run.spawnedAt) / 1000, peakRssMiB: run.peakRssKb === null ? null : run.peakRssKb / 1024 };
}

/**
 * Boots Linux under hvdbg's translator, QEMU (when installed) and hvdbg's translator writing a full
 * event trace (an event-rich workload for the trace's cost; about 120,000 VM exits), once each;
 * prints and returns the times, or null without the cache. quick: a smoke test (hvdbg for a few
 * instructions, QEMU to the kernel's banner). A result with seconds null carries why (the bench then fails).
 */
export async function benchLinuxBoot(repoDir, cliPath, { qemu, quick, traceFile }) {
  const dir = path.join(repoDir, '.cache', 'linux');
  const kernel = path.join(dir, 'vmlinuz'), initrd = path.join(dir, 'initramfs.cpio.gz');
  if (!existsSync(kernel) || !existsSync(initrd)) {
    console.log('\nLinux boot: .cache/linux has no kernel and initramfs (run scripts/linux/prepare.sh); not measured');
    return null;
  }
  console.log(quick ? '\nLinux boot (quick mode: a smoke test, not the boot to the sentinel):' : '\nLinux boot to the initramfs sentinel, one run each:');
  const hvdbgBoot = (label, extra) => (quick ? hvdbgSmoke(label, cliPath, kernel, initrd, extra)
    : bootUntil(label, process.execPath, [cliPath, 'run', kernel, '--initrd', initrd, '--mem', '128M', '--append', APPEND, ...extra], SENTINEL, false));
  const results = [await hvdbgBoot('hvdbg translator', [])];
  if (qemu) {
    results.push(await bootUntil(quick ? 'QEMU TCG (quick: to the banner)' : 'QEMU TCG', 'qemu-system-i386', ['-M', 'pc', '-m', '128', '-display', 'none',
      '-nodefaults', '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-kernel', kernel, '-initrd', initrd, '-append', APPEND], quick ? BANNER : SENTINEL, true));
  }
  if (traceFile) {
    const traced = await hvdbgBoot('hvdbg translator + trace', ['--trace', traceFile]);
    traced.traceEvents = tracedEvents(traceFile);
    results.push(traced);
  }
  for (const r of results) {
    const rss = r.peakRssMiB ? `, peak RSS ${r.peakRssMiB.toFixed(0)} MiB` : '';
    const events = r.traceEvents ? `, ${r.traceEvents.toLocaleString('en-US')} events traced` : '';
    console.log(`  ${r.label}: ${r.seconds === null ? `FAILED: ${r.why}` : `${r.seconds.toFixed(1)} s from spawn${rss}${events}`}`);
  }
  const [hvdbg] = results;
  const qemuRun = results.find((r) => r.label.startsWith('QEMU')), tracedRun = results.find((r) => r.traceEvents !== undefined);
  const caveat = quick ? ' (quick mode: not a measurement)' : ' (one run each)';
  if (hvdbg.seconds !== null && qemuRun?.seconds && !quick) console.log(`  ratio hvdbg / QEMU (time): ${(hvdbg.seconds / qemuRun.seconds).toFixed(2)}${caveat}`);
  if (hvdbg.seconds !== null && tracedRun?.seconds) {
    console.log(`  full event trace on the Linux boot costs ${((tracedRun.seconds / hvdbg.seconds - 1) * 100).toFixed(1)} % (time; goal ≤ 10 %)${caveat}`);
  }
  return results;
}
